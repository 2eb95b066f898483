from pathlib import Path

import pytest

from kefu.config.env import ConfigError, load_env, parse_database_url


def test_defaults_are_embedded(tmp_path):
    # Given no variables, then kefu runs on SQLite under ./var with the in-memory layer.
    env = load_env({}, cwd=tmp_path)
    assert env.database.is_sqlite
    assert env.database.name == str(tmp_path / "var" / "kefu.sqlite3")
    assert env.media_root == tmp_path / "var" / "media"
    assert env.time_zone == "Asia/Shanghai"
    assert env.language == "zh-hans"
    assert not env.scaled
    # and a secret key is generated once and kept.
    assert load_env({}, cwd=tmp_path).secret_key == env.secret_key


def test_database_urls(tmp_path):
    assert parse_database_url("sqlite:///other.db", base_dir=tmp_path).name == str(tmp_path / "other.db")
    assert parse_database_url("sqlite:////abs/x.db", base_dir=tmp_path).name == "/abs/x.db"
    pg = parse_database_url("postgresql://root:p%40ss@127.0.0.1:5432/kefu?pool_max=20", base_dir=tmp_path)
    assert (pg.engine, pg.user, pg.password, pg.host, pg.port, pg.name) == (
        "postgresql",
        "root",
        "p@ss",
        "127.0.0.1",
        "5432",
        "kefu",
    )
    assert pg.options == {"pool_max": "20"}


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"KEFU_DATABASE_URL": "mysql://x/y"}, "unsupported scheme"),
        ({"KEFU_DATABASE_URL": "postgresql://host"}, "names no database"),
        ({"KEFU_DEBUG": "maybe"}, "KEFU_DEBUG"),
        ({"KEFU_SECRET_KEY": "short"}, "KEFU_SECRET_KEY"),
        ({"KEFU_LANGUAGE": "fr"}, "KEFU_LANGUAGE"),
        ({"KEFU_TIME_ZONE": "Mars/Olympus"}, "KEFU_TIME_ZONE"),
        ({"KEFU_MAX_UPLOAD_MB": "lots"}, "KEFU_MAX_UPLOAD_MB"),
        ({"KEFU_REDIS_URL": "http://x"}, "KEFU_REDIS_URL"),
        ({"KEFU_LOG_LEVEL": "LOUD"}, "KEFU_LOG_LEVEL"),
    ],
)
def test_bad_values_name_the_variable(tmp_path, variables, message):
    # Given a bad value, then loading fails with a message naming the variable.
    with pytest.raises(ConfigError, match=message):
        load_env(variables, cwd=tmp_path)


def test_dotenv_is_read_and_environment_wins(tmp_path, monkeypatch):
    # Given a .env file and a conflicting process variable, then the process variable wins.
    (tmp_path / ".env").write_text('KEFU_TIME_ZONE="Asia/Taipei"\nexport KEFU_LANGUAGE=en\n', encoding="utf-8")
    monkeypatch.setenv("KEFU_LANGUAGE", "zh-hant")
    env = load_env(cwd=tmp_path)
    assert env.time_zone == "Asia/Taipei"
    assert env.language == "zh-hant"


def test_no_module_reads_the_clock_directly():
    # Rule 6: only kefu.core.clock calls datetime.now() / timezone.now().
    src = Path(__file__).resolve().parent.parent / "src" / "kefu"
    offenders = [
        str(path.relative_to(src))
        for path in src.rglob("*.py")
        if path.name != "clock.py"
        and any(s in path.read_text(encoding="utf-8") for s in ("timezone.now(", "datetime.now(", "datetime.utcnow("))
    ]
    assert offenders == []


def test_https_switch(tmp_path):
    assert load_env({}, cwd=tmp_path).https is False
    assert load_env({"KEFU_HTTPS": "true"}, cwd=tmp_path).https is True
    with pytest.raises(ConfigError, match="KEFU_HTTPS"):
        load_env({"KEFU_HTTPS": "sometimes"}, cwd=tmp_path)


def test_listen_address_from_dotenv(tmp_path, monkeypatch):
    # Given HOST and PORT only in .env, then the commands listen there.
    for name in ("HOST", "PORT", "WEB_CONCURRENCY"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / ".env").write_text("PORT=9123\nHOST=kefu.internal\n", encoding="utf-8")
    env = load_env(cwd=tmp_path)
    assert (env.host, env.port, env.web_concurrency) == ("kefu.internal", 9123, 1)
    # an empty value (e.g. exported by a tool) means the default; a bad one names the variable.
    assert load_env({"PORT": "", "HOST": ""}, cwd=tmp_path).port == 8000
    with pytest.raises(ConfigError, match="PORT"):
        load_env({"PORT": "http"}, cwd=tmp_path)


def test_encryption_keys_and_image_limit_from_the_environment(tmp_path):
    env = load_env({"KEFU_SECRET_KEY": "s" * 40, "KEFU_ENCRYPTION_KEY": f"{'a' * 44}, {'b' * 32}"}, cwd=tmp_path)
    assert env.encryption_keys == ("a" * 44, "b" * 32)
    assert env.max_image_megapixels == 40
    assert (
        load_env({"KEFU_SECRET_KEY": "s" * 40, "KEFU_MAX_IMAGE_MEGAPIXELS": "12"}, cwd=tmp_path).max_image_megapixels
        == 12
    )
    with pytest.raises(ConfigError, match="KEFU_ENCRYPTION_KEY"):
        load_env({"KEFU_SECRET_KEY": "s" * 40, "KEFU_ENCRYPTION_KEY": "short"}, cwd=tmp_path)
