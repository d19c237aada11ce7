"""The Needling Registry: who may needle, where, when, and on what credentials."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from config import ConfigError, config_from_env

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: type | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    """Build the application from small named steps.

    A configuration that must not start (production without DATABASE_URL or a real
    SECRET_KEY) exits with a one-line reason.
    """
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder="static",
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    load_config(app, config, overrides)
    register_url_converters(app)
    register_extensions(app)
    register_blueprints(app)
    register_cli(app)
    register_errorhandlers(app)
    return app


def load_config(app: Flask, config: type | None, overrides: dict[str, Any] | None) -> None:
    try:
        config = config or config_from_env()
        config.check()
    except ConfigError as exc:
        raise SystemExit(f"registry: {exc}") from None
    app.config.from_object(config)
    app.config["CONFIG_NAME"] = config.NAME
    app.config.update(overrides or {})


def register_url_converters(app: Flask) -> None:
    from .routing import init_app

    init_app(app)


def register_extensions(app: Flask) -> None:
    from . import db, security
    from .auth import bearer
    from .extensions import csrf, limiter, login_manager
    from .services import verdict_store  # noqa: F401 (keeps the verdict store current on commit)
    from .templating import init_app as init_templating

    db.init_app(app)
    login_manager.init_app(app)
    bearer.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    security.init_app(app)
    init_templating(app)


def register_blueprints(app: Flask) -> None:
    from .admin import bp as admin_bp
    from .api import bp as api_bp
    from .auth import bp as auth_bp
    from .bundles import bp as bundles_bp
    from .clinic import bp as clinic_bp
    from .clinic import feeds_bp
    from .extensions import csrf
    from .fhir import bp as fhir_bp
    from .me import bp as me_bp
    from .public import bp as public_bp
    from .regulator import bp as regulator_bp

    csrf.exempt(api_bp)  # JSON only, no cookies-based writes
    csrf.exempt(fhir_bp)  # read-only FHIR JSON
    app.register_blueprint(feeds_bp)  # secret calendar URLs
    for bp in (public_bp, auth_bp, me_bp, clinic_bp, regulator_bp, admin_bp, api_bp, fhir_bp):
        app.register_blueprint(bp)
    app.register_blueprint(bundles_bp)  # printable evidence bundles


def register_cli(app: Flask) -> None:
    from .cli import registry_cli
    from .cli.database import db_cli

    app.cli.add_command(registry_cli)
    app.cli.add_command(db_cli)


def register_errorhandlers(app: Flask) -> None:
    from .errors import init_app

    init_app(app)
