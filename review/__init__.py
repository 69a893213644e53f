"""Huibao: the Flask application factory."""

from __future__ import annotations

import logging
import sys
from typing import Any

from flask import Flask

from review.config import Config, missing_production_settings, resource_dir


def create_app(config: type | dict[str, Any] | None = None) -> Flask:
    """Create and configure an instance of the Flask application."""
    app = Flask(
        __name__,
        template_folder=str(resource_dir("templates")),
        static_folder=str(resource_dir("static")),
    )
    configure_settings(app, config)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # DefaultJSONProvider; API clients read Chinese messages as they are
    init_extensions(app)
    register_blueprints(app)
    configure_logging(app)
    configure_proxy(app)
    return app


def configure_proxy(app: Flask) -> None:
    """Trust X-Forwarded-* from PROXY_COUNT front servers (nginx), e.g. for rate limiting."""
    count = int(app.config.get("PROXY_COUNT", 0))
    if count:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask documents this
            app.wsgi_app, x_for=count, x_proto=count, x_host=count
        )


def configure_settings(app: Flask, config: type | dict[str, Any] | None) -> None:
    """Load Config, then the given class or dict, then REVIEW_* environment overrides."""
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    app.config.from_prefixed_env("REVIEW")
    if app.config["ENV_NAME"] == "production" and not app.testing:
        missing = missing_production_settings()
        if missing:
            raise RuntimeError("production needs these settings: " + ", ".join(missing))
    from review.security import private_files

    private_files(app)  # before anything is written under instance/
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _development_secret(app)


def _development_secret(app: Flask) -> str:
    """Return a per-checkout random secret kept in the instance folder."""
    import secrets

    path = app.config["INSTANCE_DIR"] / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def init_extensions(app: Flask) -> None:
    """Bind the extension singletons and the Redis queues to the app."""
    from review import auth, i18n, limits, queues, security
    from review.extensions import csrf, db, migrate

    limits.init_app(app)
    queues.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.config.get("MIGRATIONS_DIR", _migrations_dir())))
    csrf.init_app(app)
    i18n.init_app(app)
    auth.init_app(app)
    security.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        from review.sqlite import enable_wal

        with app.app_context():
            enable_wal(db.engine)


def _migrations_dir() -> str:
    return str(resource_dir("migrations"))


def register_blueprints(app: Flask) -> None:
    """Register the web, API and CLI blueprints."""
    from review import api, assets, errors
    from review.activist import bp as activist_bp
    from review.admin import bp as admin_bp
    from review.auth.routes import bp as auth_bp
    from review.cli import bp as cli_bp
    from review.committee import bp as committee_bp
    from review.health import bp as health_bp
    from review.main import bp as main_bp
    from review.notifications import bp as notifications_bp
    from review.reviews import bp as reviews_bp
    from review.search import bp as search_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(activist_bp)
    app.register_blueprint(reviews_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(committee_bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(cli_bp)
    app.register_blueprint(health_bp)
    assets.init_app(app)
    errors.init_app(app)


def configure_logging(app: Flask) -> None:
    """Log to stdout when LOG_TO_STDOUT is set, except when debugging or testing."""
    if app.config["LOG_TO_STDOUT"] and not (app.debug or app.testing):
        handler = logging.StreamHandler(sys.stdout)
        handler.setLevel(logging.INFO)
        app.logger.addHandler(handler)
        app.logger.setLevel(logging.INFO)
