"""Typed settings read from the environment, with embedded defaults.

Every setting of a deployment lives here, in one place; Django's settings module
reads :data:`ENV` and nothing else reads ``os.environ``.  A ``.env`` file in the
working directory is read too (the process environment wins over it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


class ConfigError(ValueError):
    """A setting has a value kefu cannot use; the message names the variable."""


def _read_dotenv(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key = key.strip().removeprefix("export ").strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key] = value
    return values


def _bool(name: str, raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ConfigError(f"{name} must be true or false, not {raw!r}")


def _int(name: str, raw: str, *, minimum: int = 0) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {value}")
    return value


def _prefix(raw: str) -> str:
    value = raw.strip()
    if not value or len(value) > 40 or not all(c.isalnum() or c in "-_." for c in value):
        raise ConfigError(f"KEFU_REDIS_PREFIX must be 1-40 letters, digits, '-', '_' or '.', not {raw!r}")
    return value


def _float(name: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {raw!r}") from None
    if not value > 0:
        raise ConfigError(f"{name} must be more than 0, not {raw}")
    return value


@dataclass(frozen=True)
class DatabaseConfig:
    engine: str  # "sqlite" or "postgresql"
    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""
    options: dict[str, str] = field(default_factory=dict)

    @property
    def is_sqlite(self) -> bool:
        return self.engine == "sqlite"


def parse_database_url(url: str, *, base_dir: Path) -> DatabaseConfig:
    """Parse ``sqlite:///PATH`` or ``postgresql://user:pw@host:port/name?opts``."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        # sqlite:///relative/path.db -> relative; sqlite:////abs/path.db -> absolute
        raw_path = unquote(parts.path)
        if parts.netloc:
            raise ConfigError("KEFU_DATABASE_URL: write sqlite:///PATH (three slashes)")
        path = raw_path[1:] if raw_path.startswith("/") else raw_path
        if not path:
            raise ConfigError("KEFU_DATABASE_URL: sqlite URL names no file")
        if path == ":memory:":
            return DatabaseConfig(engine="sqlite", name=":memory:")
        file = Path(path)
        if not file.is_absolute():
            file = base_dir / file
        return DatabaseConfig(engine="sqlite", name=str(file))
    if scheme in {"postgres", "postgresql", "pgsql"}:
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ConfigError("KEFU_DATABASE_URL: the PostgreSQL URL names no database")
        options = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        return DatabaseConfig(
            engine="postgresql",
            name=name,
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            host=parts.hostname or "",
            port=str(parts.port or ""),
            options=options,
        )
    raise ConfigError(f"KEFU_DATABASE_URL: unsupported scheme {scheme!r}; use sqlite:///PATH or postgresql://…")


@dataclass(frozen=True)
class MailConfig:
    """Email in and out (kefu.intake.email)."""

    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_tls: str = "none"  # none | starttls | ssl
    mail_from: str = "kefu@localhost"
    smtpd_host: str = "127.0.0.1"
    smtpd_port: int = 2525
    max_mail_mb: int = 40
    imap_interval: int = 60


def _mail(get: Any) -> MailConfig:
    tls = get("KEFU_SMTP_TLS", "none").strip().lower() or "none"
    if tls not in ("none", "starttls", "ssl"):
        raise ConfigError(f"KEFU_SMTP_TLS must be none, starttls or ssl, not {tls!r}")
    mail_from = get("KEFU_MAIL_FROM", "kefu@localhost").strip()
    if "@" not in mail_from:
        raise ConfigError(f"KEFU_MAIL_FROM must be an address like support@example.com, not {mail_from!r}")
    return MailConfig(
        smtp_host=get("KEFU_SMTP_HOST", "").strip(),
        smtp_port=_int("KEFU_SMTP_PORT", get("KEFU_SMTP_PORT", "25"), minimum=1),
        smtp_user=get("KEFU_SMTP_USER", ""),
        smtp_password=get("KEFU_SMTP_PASSWORD", ""),
        smtp_tls=tls,
        mail_from=mail_from,
        smtpd_host=get("KEFU_SMTPD_HOST", "127.0.0.1").strip() or "127.0.0.1",
        smtpd_port=_int("KEFU_SMTPD_PORT", get("KEFU_SMTPD_PORT", "2525")),
        max_mail_mb=_int("KEFU_MAIL_MAX_MB", get("KEFU_MAIL_MAX_MB", "40"), minimum=1),
        imap_interval=_int("KEFU_IMAP_INTERVAL", get("KEFU_IMAP_INTERVAL", "60"), minimum=5),
    )


@dataclass(frozen=True)
class Env:
    base_dir: Path
    var_dir: Path
    model_dir: Path
    secret_key: str
    debug: bool
    allowed_hosts: tuple[str, ...]
    database: DatabaseConfig
    database_url: str
    redis_url: str
    time_zone: str
    language: str
    media_root: Path
    max_upload_mb: int
    log_format: str
    log_level: str
    sweep_interval: int
    workers: int
    csrf_trusted_origins: tuple[str, ...]
    https: bool
    host: str
    port: int
    web_concurrency: int
    redis_prefix: str = "kefu"
    chat_rate: float = 1.0
    chat_burst: int = 10
    chat_ip_rate: float = 5.0
    chat_ip_burst: int = 50
    chat_channel_rate: float = 200.0
    chat_channel_burst: int = 1000
    max_json_kb: int = 256
    max_json_depth: int = 20
    max_image_megapixels: int = 40
    encryption_keys: tuple[str, ...] = ()
    mail: MailConfig = field(default_factory=MailConfig)

    @property
    def scaled(self) -> bool:
        return bool(self.redis_url)


LANGUAGES = ("zh-hans", "zh-hant", "en")


def load_env(environ: dict[str, str] | None = None, *, cwd: Path | None = None) -> Env:
    """Build the typed settings from ``environ`` (default: ``os.environ`` + ``.env``)."""
    base_dir = (cwd or Path.cwd()).resolve()
    if environ is None:
        merged = _read_dotenv(base_dir / ".env")
        merged.update(os.environ)
        environ = merged
    get = environ.get

    var_dir = Path(get("KEFU_VAR_DIR", "var"))
    if not var_dir.is_absolute():
        var_dir = base_dir / var_dir

    database_url = get("KEFU_DATABASE_URL", "").strip() or f"sqlite:///{var_dir / 'kefu.sqlite3'}"
    database = parse_database_url(database_url, base_dir=base_dir)

    debug = _bool("KEFU_DEBUG", get("KEFU_DEBUG", "false"))
    secret_key = get("KEFU_SECRET_KEY", "")
    if not secret_key:
        # Embedded default: stable per installation, kept in var/ (never in the repo).
        secret_key = _local_secret(var_dir)
    elif len(secret_key) < 32:
        raise ConfigError("KEFU_SECRET_KEY must be at least 32 characters long")

    hosts = tuple(h.strip() for h in get("KEFU_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h.strip())
    origins = tuple(o.strip() for o in get("KEFU_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip())

    language = get("KEFU_LANGUAGE", "zh-hans").strip().lower()
    if language not in LANGUAGES:
        raise ConfigError(f"KEFU_LANGUAGE must be one of {', '.join(LANGUAGES)}, not {language!r}")

    time_zone = get("KEFU_TIME_ZONE", "Asia/Shanghai").strip()
    try:
        import zoneinfo

        zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"KEFU_TIME_ZONE: unknown time zone {time_zone!r}") from None

    model_dir = Path(get("KEFU_MODEL_DIR", str(var_dir / "models")))
    if not model_dir.is_absolute():
        model_dir = base_dir / model_dir

    media_root = Path(get("KEFU_MEDIA_ROOT", str(var_dir / "media")))
    if not media_root.is_absolute():
        media_root = base_dir / media_root

    log_format = get("KEFU_LOG_FORMAT", "json").strip().lower()
    if log_format not in {"json", "text"}:
        raise ConfigError("KEFU_LOG_FORMAT must be json or text")

    redis_url = get("KEFU_REDIS_URL", "").strip()
    if redis_url and not redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError("KEFU_REDIS_URL must start with redis://, rediss:// or unix://")

    return Env(
        base_dir=base_dir,
        var_dir=var_dir,
        model_dir=model_dir,
        secret_key=secret_key,
        debug=debug,
        allowed_hosts=hosts,
        database=database,
        database_url=database_url,
        redis_url=redis_url,
        time_zone=time_zone,
        language=language,
        media_root=media_root,
        max_upload_mb=_int("KEFU_MAX_UPLOAD_MB", get("KEFU_MAX_UPLOAD_MB", "20"), minimum=1),
        log_format=log_format,
        log_level=_log_level(get("KEFU_LOG_LEVEL", "INFO")),
        sweep_interval=_int("KEFU_SWEEP_INTERVAL", get("KEFU_SWEEP_INTERVAL", "5"), minimum=1),
        workers=_int("KEFU_WORKERS", get("KEFU_WORKERS", "2"), minimum=1),
        csrf_trusted_origins=origins,
        https=_bool("KEFU_HTTPS", get("KEFU_HTTPS", "false")),
        host=get("HOST", "127.0.0.1").strip() or "127.0.0.1",
        port=_int("PORT", get("PORT", "").strip() or "8000", minimum=1),
        web_concurrency=_int("WEB_CONCURRENCY", get("WEB_CONCURRENCY", "").strip() or "1", minimum=1),
        redis_prefix=_prefix(get("KEFU_REDIS_PREFIX", "kefu")),
        chat_rate=_float("KEFU_CHAT_RATE", get("KEFU_CHAT_RATE", "1")),
        chat_burst=_int("KEFU_CHAT_BURST", get("KEFU_CHAT_BURST", "10"), minimum=1),
        chat_ip_rate=_float("KEFU_CHAT_IP_RATE", get("KEFU_CHAT_IP_RATE", "5")),
        chat_ip_burst=_int("KEFU_CHAT_IP_BURST", get("KEFU_CHAT_IP_BURST", "50"), minimum=1),
        chat_channel_rate=_float("KEFU_CHAT_CHANNEL_RATE", get("KEFU_CHAT_CHANNEL_RATE", "200")),
        chat_channel_burst=_int("KEFU_CHAT_CHANNEL_BURST", get("KEFU_CHAT_CHANNEL_BURST", "1000"), minimum=1),
        max_json_kb=_int("KEFU_MAX_JSON_KB", get("KEFU_MAX_JSON_KB", "256"), minimum=1),
        max_json_depth=_int("KEFU_MAX_JSON_DEPTH", get("KEFU_MAX_JSON_DEPTH", "20"), minimum=2),
        encryption_keys=_encryption_keys(get("KEFU_ENCRYPTION_KEY", "")),
        max_image_megapixels=_int("KEFU_MAX_IMAGE_MEGAPIXELS", get("KEFU_MAX_IMAGE_MEGAPIXELS", "40"), minimum=1),
        mail=_mail(get),
    )


def _encryption_keys(raw: str) -> tuple[str, ...]:
    """KEFU_ENCRYPTION_KEY: comma-separated keys for secrets at rest (the first encrypts, all
    decrypt); each a Fernet key (``kefu genkey``-style, 44 characters) or a passphrase of 32+."""
    keys = tuple(k.strip() for k in raw.split(",") if k.strip())
    for key in keys:
        if len(key) < 32:
            raise ConfigError("KEFU_ENCRYPTION_KEY: each key must be at least 32 characters long")
    return keys


def _log_level(raw: str) -> str:
    level = raw.strip().upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ConfigError(f"KEFU_LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {raw!r}")
    return level


def _local_secret(var_dir: Path) -> str:
    import secrets

    path = var_dir / "secret_key"
    try:
        existing = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        existing = ""
    if len(existing) >= 32:
        return existing
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key, encoding="ascii")
    path.chmod(0o600)
    return key
