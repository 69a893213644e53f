"""The migrations build exactly the models' schema, on whichever database is in use."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from review.extensions import db


def test_models_match_migrations(app):
    migrate = app.extensions["migrate"]
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations differ; run `flask db migrate`: {diff}"
    assert migrate.configure_args.get("compare_type") is True


def test_database_is_at_head(app):
    config = app.extensions["migrate"].migrate.get_config(app.extensions["migrate"].directory)
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, "the migrations have branched; merge them"
    with db.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == heads[0]


def test_every_model_table_exists(app):
    from sqlalchemy import inspect

    tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables


def test_sqlite_uses_wal_and_foreign_keys(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only; this run uses " + db.engine.dialect.name)
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000


def test_postgresql_in_use_when_configured(app):
    import os

    if not os.environ.get("DATABASE_URL"):
        pytest.skip("DATABASE_URL not set; this run uses SQLite")
    assert db.engine.dialect.name == "postgresql"


def test_periods_made_before_the_setting_keep_their_reviewers_notes_private(tmp_path, redis_url):
    """0017: a period that existed before the feedback setting shows what it showed then
    (scores and visible comments, no reviewer notes); a new period gets the new default."""
    from pathlib import Path

    import sqlalchemy as sa
    from flask_migrate import upgrade

    from review import create_app
    from review.config import TestConfig

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    settings = {  # the run's Redis: an app without one would start its own embedded server
        "SQLALCHEMY_DATABASE_URI": url,
        "REDIS_URL": redis_url,
        "INSTANCE_DIR": Path(tmp_path / "i"),
    }
    app = create_app(type("Old", (TestConfig,), settings))
    with app.app_context():
        upgrade(revision="0016")
        with db.engine.begin() as conn:
            conn.execute(
                sa.text("INSERT INTO rubrics (id, name, created_at) VALUES (1, 'r', '2026-01-01')")
            )
            conn.execute(
                sa.text(
                    "INSERT INTO rubric_versions (id, rubric_id, number, frozen, created_at)"
                    " VALUES (1, 1, 1, 1, '2026-01-01')"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO periods (id, name, opens_at, closes_at, oath_required,"
                    " double_marking, rubric_version_id, note, created_at)"
                    " VALUES (1, '2026年第三季度', '2026-07-01', '2026-09-30', 0, 0, 1, '',"
                    " '2026-07-01')"
                )
            )
        upgrade(revision="head")
        with db.engine.connect() as conn:
            mode = conn.execute(sa.text("SELECT feedback_mode FROM periods WHERE id = 1")).scalar()
        assert mode == "marks"
        from review.models import Period

        assert Period.__table__.c.feedback_mode.default.arg == "scores"  # new periods
        db.engine.dispose()
    app.extensions["redis"].close()
