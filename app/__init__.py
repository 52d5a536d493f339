"""Application factory of 人才服务管理平台."""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from flask_appbuilder import AppBuilder

from app.extensions import csrf, db, migrate

log = logging.getLogger(__name__)

PROJECT_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while the app is built.

    Building the app creates some 350,000 long-lived objects (classes, mappers, routes,
    forms) and almost no garbage; the collector's full passes over them were a third of
    the start-up time. The entry points (run.py) also ``gc.freeze()`` the built app.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build a configured application. Re-entrant: each call builds a new app."""
    with gc_paused():
        return _build_app(overrides)


def _postgres_session_settings(app: Flask) -> None:
    """PostgreSQL sessions run without JIT compilation: the platform's pages are short queries, and the
    planner's cost of a scoped list (the subtree OR the review route, as an ``IN`` subplan it never runs)
    passes the JIT threshold, so each request paid 1.3 s of compiling for 10 ms of work (bench/title.py)."""
    uri = str(app.config.get("SQLALCHEMY_DATABASE_URI") or "")
    if not uri.startswith("postgresql"):
        return
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = dict(options.get("connect_args") or {})
    connect_args["options"] = (connect_args.get("options", "") + " -c jit=off -c max_parallel_workers_per_gather=0").strip()
    options["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _build_app(overrides: dict[str, Any] | None) -> Flask:
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
    _postgres_session_settings(app)
    app.config.setdefault(
        "FAB_SECURITY_MANAGER_CLASS", "app.security.manager.PlatformSecurityManager"
    )
    app.config.setdefault("FAB_INDEX_VIEW", "views.core.home.HomeView")
    app.config.setdefault("FAB_BASE_TEMPLATE", "platform_base.html")

    # The platform's models, then the enabled business lines' (their models and declarations).
    import models  # noqa: F401
    from app import modules

    modules.install(app)

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
        from app.services.core.validators import install_length_guard

        install_length_guard()
        from app.services.core import audit

        audit.install()
        from app.services.core import attachments, messages

        attachments.install_listeners()
        attachments.register_engine_check()
        messages.install()
        cli.install(app)

        from views import register_all

        register_all(appbuilder, modules.enabled())
    return app
