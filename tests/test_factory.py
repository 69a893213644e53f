"""The application factory: test settings only when passed, production fails fast."""

from __future__ import annotations

import logging

import pytest

from review import create_app
from review.config import Config, TestConfig, missing_production_settings

PRODUCTION_ENV = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL")


@pytest.fixture
def base(database_url, redis_url, tmp_path) -> dict:
    """Settings that keep an app off the developer's instance folder and services."""
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": redis_url,
        "INSTANCE_DIR": tmp_path / "instance",
        "MEDIA_ROOT": tmp_path / "instance" / "media",
    }


def test_not_testing_unless_asked(base):
    assert not create_app(base).testing
    assert create_app({**base, "TESTING": True}).testing


def test_config_class_is_applied(base):
    app = create_app(type("Config", (TestConfig,), base))
    assert app.testing
    assert app.config["SECRET_KEY"] == "test-secret"
    assert app.config["ARGON2_FAST"] is True


def test_defaults_come_from_config(base):
    app = create_app(base)
    assert app.config["BABEL_DEFAULT_LOCALE"] == "zh_CN"
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["WTF_CSRF_ENABLED"] is True


def test_development_secret_is_kept_in_instance(base, monkeypatch):
    monkeypatch.delenv("REVIEW_SECRET_KEY", raising=False)
    app = create_app({**base, "SECRET_KEY": None})
    secret = app.config["SECRET_KEY"]
    path = base["INSTANCE_DIR"] / "secret_key"
    assert len(secret) == 64 and path.read_text().strip() == secret
    assert path.stat().st_mode & 0o777 == 0o600
    assert create_app({**base, "SECRET_KEY": None}).config["SECRET_KEY"] == secret


def test_instance_and_media_folders_are_created(base):
    create_app(base)
    assert base["INSTANCE_DIR"].is_dir() and base["MEDIA_ROOT"].is_dir()


def test_blueprints_and_extensions_registered(base):
    app = create_app(base)
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert {"main.index", "auth.login", "admin.index", "api.me", "api.openapi"} <= endpoints
    for name in ("sqlalchemy", "migrate", "csrf", "babel", "redis", "rq"):
        assert name in app.extensions, name
    assert set(app.extensions["rq"]) == {"media", "asr", "default"}


@pytest.mark.parametrize("missing", PRODUCTION_ENV)
def test_missing_production_settings(monkeypatch, missing):
    for name in PRODUCTION_ENV:
        monkeypatch.setenv(name, "set")
    monkeypatch.delenv(missing)
    assert missing_production_settings() == [missing]


def test_missing_production_settings_all(monkeypatch):
    for name in PRODUCTION_ENV:
        monkeypatch.delenv(name, raising=False)
    assert missing_production_settings() == list(PRODUCTION_ENV)


def _production(base: dict, **extra) -> type:
    return type(
        "Production", (Config,), {**base, "ENV_NAME": "production", "TESTING": False, **extra}
    )


def test_production_without_settings_fails_fast(base, monkeypatch):
    monkeypatch.setenv("HUIBAO_ENV", "production")
    for name in PRODUCTION_ENV:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(RuntimeError) as info:
        create_app(_production(base))
    for name in PRODUCTION_ENV:
        assert name in str(info.value)


def test_production_names_only_what_is_missing(base, monkeypatch):
    monkeypatch.setenv("HUIBAO_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    monkeypatch.setenv("REDIS_URL", base["REDIS_URL"])
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="DATABASE_URL") as info:
        create_app(_production(base))
    assert "SECRET_KEY" not in str(info.value) and "REDIS_URL" not in str(info.value)


def test_production_with_settings_starts(base, monkeypatch):
    monkeypatch.setenv("HUIBAO_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    monkeypatch.setenv("DATABASE_URL", base["SQLALCHEMY_DATABASE_URI"])
    monkeypatch.setenv("REDIS_URL", base["REDIS_URL"])
    app = create_app(_production(base, SECRET_KEY="s3cret"))
    assert not app.testing
    assert app.config["ENV_NAME"] == "production"


def test_production_check_skipped_when_testing(base, monkeypatch):
    for name in PRODUCTION_ENV:
        monkeypatch.delenv(name, raising=False)
    app = create_app(_production(base, TESTING=True))
    assert app.testing


def test_log_to_stdout(base):
    logger = logging.getLogger("review")  # every app of this package shares it
    before, level = list(logger.handlers), logger.level
    try:
        create_app({**base, "LOG_TO_STDOUT": True, "TESTING": True})
        assert logger.handlers == before
        app = create_app({**base, "LOG_TO_STDOUT": True})
        assert app.logger is logger
        added = [h for h in logger.handlers if h not in before]
        assert len(added) == 1 and isinstance(added[0], logging.StreamHandler)
        assert logger.level == logging.INFO
    finally:
        logger.handlers[:] = before
        logger.setLevel(level)


def test_not_found_page_is_chinese(client):
    resp = client.get("/no-such-page")
    assert resp.status_code == 404
    assert "找不到该内容，或您无权查看。" in resp.get_data(as_text=True)


def test_not_found_api_is_json(client):
    resp = client.get("/api/v1/no-such-thing")
    assert resp.status_code == 404
    assert resp.get_json() == {
        "error": {"code": "not_found", "message": "找不到该内容，或您无权查看。"}
    }


def test_method_not_allowed_api_is_json(client):
    resp = client.get("/api/v1/session")
    assert resp.status_code == 405
    assert resp.get_json()["error"]["code"] == "method_not_allowed"
    assert resp.get_json()["error"]["message"] == "不支持该请求方式。"
