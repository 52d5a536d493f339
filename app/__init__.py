"""Application factory of 人才服务管理平台."""

from __future__ import annotations

import logging
import os
from typing import Any

from flask import Flask
from flask_appbuilder import AppBuilder

from app.extensions import csrf, db, migrate

log = logging.getLogger(__name__)

PROJECT_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build a configured application. Re-entrant: each call builds a new app."""
    app = Flask(
        __name__,
        instance_path=os.path.join(PROJECT_ROOT, "instance"),
        template_folder="templates",
        static_folder="static",
    )
    app.config.from_object("config")
    if overrides:
        app.config.update(overrides)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.setdefault(
        "FAB_SECURITY_MANAGER_CLASS", "app.security.manager.PlatformSecurityManager"
    )
    app.config.setdefault("FAB_INDEX_VIEW", "views.core.home.HomeView")
    app.config.setdefault("FAB_BASE_TEMPLATE", "platform_base.html")

    # Import every model so the shared metadata is complete.
    import models  # noqa: F401

    appbuilder = AppBuilder()
    with app.app_context():
        db.init_app(app)
        migrate.init_app(
            app, db, directory=os.path.join(PROJECT_ROOT, "app", "migrations")
        )
        csrf.init_app(app)
        appbuilder.init_app(app, db.session)

        from app import cli, filters, sqlite
        from app.security import baseline, rules

        sqlite.install(app)
        filters.install(app)
        baseline.install(app)
        rules.install()
        from app.services.core import audit

        audit.install()
        from app.services.core import attachments, messages

        attachments.install_listeners()
        attachments.register_engine_check()
        messages.install()
        cli.install(app)

        from views import register_all

        register_all(appbuilder, app.config["ENABLED_MODULES"])
    return app
