"""Django settings: everything comes from :mod:`kefu.config.env` (typed, env-driven)."""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from kefu.config.env import load_env

ENV = load_env()
PACKAGE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = ENV.secret_key
DEBUG = ENV.debug
ALLOWED_HOSTS = list(ENV.allowed_hosts)
CSRF_TRUSTED_ORIGINS = list(ENV.csrf_trusted_origins)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "kefu.core",
    "kefu.accounts",
    "kefu.shops",
    "kefu.customers",
    "kefu.conversations",
    "kefu.tickets",
    "kefu.sla",
    "kefu.automation",
    "kefu.intake",
    "kefu.intake.wechat_mp",
    "kefu.knowledge",
    "kefu.bot",
    "kefu.assist",
    "kefu.aftersales",
    "kefu.cases",
    "kefu.complaints",
    "kefu.quality",
    "kefu.finder",
    "kefu.webhooks",
    "kefu.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kefu.core.middleware.AsyncFileStreamingMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kefu.accounts.middleware.UserLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "kefu.core.middleware.EdgeInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kefu.core.middleware.KefuErrorMiddleware",
]

ROOT_URLCONF = "kefu.config.urls"
ASGI_APPLICATION = "kefu.config.asgi.application"
WSGI_APPLICATION = "kefu.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kefu.web.context.workspace",
            ],
        },
    },
]


def _databases() -> dict[str, dict[str, object]]:
    db = ENV.database
    if db.is_sqlite:
        if db.name != ":memory:":
            Path(db.name).parent.mkdir(parents=True, exist_ok=True)
        return {
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": db.name,
                # Keep each thread's connection: opening one (and its PRAGMAs) per request or
                # per batch of chat messages cost more than the writes themselves.
                "CONN_MAX_AGE": 600,
                "CONN_HEALTH_CHECKS": True,
                "OPTIONS": {
                    "timeout": 20,
                    "transaction_mode": "IMMEDIATE",
                    "init_command": (
                        "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
                        "PRAGMA foreign_keys=ON;PRAGMA busy_timeout=20000;"
                    ),
                },
                "TEST": {"NAME": None},
            }
        }
    options: dict[str, object] = {
        "pool": {"min_size": 1, "max_size": int(db.options.get("pool_max", "10")), "timeout": 10},
        "connect_timeout": int(db.options.get("connect_timeout", "5")),
    }
    if "sslmode" in db.options:
        options["sslmode"] = db.options["sslmode"]
    return {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": db.name,
            "USER": db.user,
            "PASSWORD": db.password,
            "HOST": db.host,
            "PORT": db.port,
            "CONN_MAX_AGE": 0,
            "OPTIONS": options,
        }
    }


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if ENV.redis_url:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            # Pub/sub ignores Redis database numbers: the prefix keeps installations apart.
            "CONFIG": {"hosts": [ENV.redis_url], "prefix": f"{ENV.redis_prefix}.ws"},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "kefu.core.layers.InMemoryChannelLayer"}}

# Job queue (Huey): see kefu.core.tasks, which builds the instance from these.
KEFU_TASKS = {
    "backend": "redis" if ENV.redis_url else "sqlite",
    "redis_url": ENV.redis_url,
    "name": ENV.redis_prefix,
    "sqlite_path": str(ENV.var_dir / "jobs.sqlite3"),
    "workers": ENV.workers,
    "immediate": False,
}
KEFU_SWEEP_INTERVAL = ENV.sweep_interval
KEFU_MAX_UPLOAD_BYTES = ENV.max_upload_mb * 1024 * 1024
# An image's width × height at most (read from its header): 40 megapixels decode to 160 MB.
KEFU_MAX_IMAGE_PIXELS = ENV.max_image_megapixels * 1_000_000
# Secrets at rest (kefu.core.secrets): the first key encrypts, all decrypt, plus one derived from SECRET_KEY.
KEFU_ENCRYPTION_KEYS = ENV.encryption_keys
# Live chat: a visitor may send KEFU_CHAT_RATE messages a second, in bursts of KEFU_CHAT_BURST.
KEFU_CHAT_RATE = ENV.chat_rate
KEFU_CHAT_BURST = ENV.chat_burst
# …and per client address and per widget channel, so a fresh visitor id does not buy a fresh bucket.
KEFU_CHAT_IP_RATE = ENV.chat_ip_rate
KEFU_CHAT_IP_BURST = ENV.chat_ip_burst
KEFU_CHAT_CHANNEL_RATE = ENV.chat_channel_rate
KEFU_CHAT_CHANNEL_BURST = ENV.chat_channel_burst
# JSON bodies and WebSocket frames: refused before parsing above this size (KB) or nesting depth.
KEFU_MAX_JSON_BYTES = ENV.max_json_kb * 1024
KEFU_MAX_JSON_DEPTH = ENV.max_json_depth
# Email in and out (kefu.intake.email): SMTP relay, built-in SMTP server, size limit, IMAP poll interval.
KEFU_MAIL = ENV.mail

AUTH_USER_MODEL = "accounts.User"
# ModelBackend behind the sign-in rate limit and lockout (docs/logins.md).
AUTHENTICATION_BACKENDS = ["kefu.accounts.lockout.LockoutBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"  # each role lands where its work is (kefu.web.home)
LOGOUT_REDIRECT_URL = "web:login"

LANGUAGE_CODE = ENV.language
LANGUAGES = [
    ("zh-hans", _("Simplified Chinese")),
    ("zh-hant", _("Traditional Chinese")),
    ("en", _("English")),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "kefu_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = ENV.time_zone
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = ENV.var_dir / "static"  # `kefu collectstatic` fills it for scaled mode
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise also serves app files via finders
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = ENV.debug
MEDIA_URL = "/media/"
MEDIA_ROOT = ENV.media_root
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = KEFU_MAX_UPLOAD_BYTES + 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
if ENV.https:
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto (README, Scaling).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "kefu.core.logging.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "filters": {"refusals": {"()": "kefu.core.logging.RefusalsInOneLine"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": ENV.log_format},
    },
    "root": {"handlers": ["console"], "level": ENV.log_level},
    "loggers": {
        "django": {"level": ENV.log_level},
        "django.request": {"level": ENV.log_level, "filters": ["refusals"]},  # a 403 in one line
        "django.db.backends": {"level": "WARNING"},
        "huey": {"level": "WARNING"},
        "uvicorn.access": {"level": "WARNING"},
    },
}
