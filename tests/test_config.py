"""Configuration: one place reads the environment; REVIEW_* overrides win."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from review.config import ROOT, TestConfig, _bool, _database_url


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db:5432/huibao", "postgresql+psycopg://u:p@db:5432/huibao"),
        ("postgresql://u:p@db/huibao", "postgresql+psycopg://u:p@db/huibao"),
        ("postgresql+psycopg://u@db/huibao", "postgresql+psycopg://u@db/huibao"),
        ("sqlite:////srv/huibao.sqlite3", "sqlite:////srv/huibao.sqlite3"),
    ],
)
def test_database_url_is_normalised(monkeypatch, given, expected):
    monkeypatch.setenv("DATABASE_URL", given)
    assert _database_url(Path("/tmp/instance")) == expected


def test_database_url_defaults_to_sqlite_in_instance(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert _database_url(Path("/srv/inst")) == "sqlite:////srv/inst/huibao.sqlite3"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", True),
        ("true", True),
        ("YES", True),
        (" on ", True),
        ("0", False),
        ("false", False),
        ("no", False),
        ("", False),
    ],
)
def test_bool_env(monkeypatch, value, expected):
    monkeypatch.setenv("HUIBAO_TEST_FLAG", value)
    assert _bool("HUIBAO_TEST_FLAG", not expected) is expected


def test_bool_env_default(monkeypatch):
    monkeypatch.delenv("HUIBAO_TEST_FLAG", raising=False)
    assert _bool("HUIBAO_TEST_FLAG", True) is True
    assert _bool("HUIBAO_TEST_FLAG", False) is False


def _config_in_subprocess(env: dict[str, str]) -> dict:
    """Import review.config afresh with env; return some of Config's values."""
    code = (
        "import json; from review.config import Config as C; print(json.dumps({"
        "'db': C.SQLALCHEMY_DATABASE_URI, 'env': C.ENV_NAME, 'secure': C.SESSION_COOKIE_SECURE,"
        "'remember_secure': C.REMEMBER_COOKIE_SECURE, 'days': C.API_TOKEN_DAYS,"
        "'limit': C.LOGIN_ACCOUNT_FAILURES, 'prefix': C.REDIS_PREFIX}))"
    )
    keep = {
        k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "SYSTEMROOT", "TMPDIR"}
    }
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**keep, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def test_environment_is_read_at_import():
    got = _config_in_subprocess(
        {
            "DATABASE_URL": "postgres://u:p@db/huibao",
            "HUIBAO_ENV": "production",
            "API_TOKEN_DAYS": "7",
            "LOGIN_ACCOUNT_FAILURES": "3",
            "REDIS_PREFIX": "hb:",
        }
    )
    assert got == {
        "db": "postgresql+psycopg://u:p@db/huibao",
        "env": "production",
        "secure": True,
        "remember_secure": True,
        "days": 7,
        "limit": 3,
        "prefix": "hb:",
    }


def test_development_cookies_not_secure_by_default():
    got = _config_in_subprocess({"HUIBAO_ENV": "development"})
    assert got["secure"] is False and got["env"] == "development"


def test_secure_cookie_can_be_forced():
    assert _config_in_subprocess({"SESSION_COOKIE_SECURE": "1"})["secure"] is True


def test_review_prefixed_env_overrides(make_app, monkeypatch):
    monkeypatch.setenv("REVIEW_API_TOKEN_DAYS", "7")
    monkeypatch.setenv("REVIEW_LOGIN_ACCOUNT_FAILURES", "2")
    monkeypatch.setenv("REVIEW_RUBRIC_MAX_POINTS", "10")
    app = make_app()
    assert app.config["API_TOKEN_DAYS"] == 7
    assert app.config["LOGIN_ACCOUNT_FAILURES"] == 2
    assert app.config["RUBRIC_MAX_POINTS"] == 10


def test_review_prefixed_env_beats_passed_config(make_app, monkeypatch):
    monkeypatch.setenv("REVIEW_MAX_DURATION", "120.5")
    app = make_app(MAX_DURATION=600.0)
    assert app.config["MAX_DURATION"] == 120.5


def test_test_config_values():
    assert TestConfig.TESTING is True
    assert TestConfig.SESSION_COOKIE_SECURE is False
    assert TestConfig.ARGON2_FAST is True
