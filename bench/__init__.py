"""Benchmarks (see bench/README.md). Shared here: the app on a fresh, migrated database and the
loop over the backends (SQLite always, PostgreSQL when ``TEST_DATABASE_URL`` is set)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "out")


def migrated_app(url: str, **config: Any) -> Any:
    """``create_app`` on ``url`` with the bench settings (``config`` on top), the schema built by
    the real migrations and the roles, categories and dictionaries synchronised."""
    from app import create_app

    settings = {"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False, "TESTING": True,
                "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False, **config}
    app = create_app(settings)
    with app.app_context():
        from flask_migrate import upgrade

        from seed.categories import sync_categories
        from seed.dicts import sync_dicts
        from seed.roles import sync_roles

        upgrade()
        sync_roles(app.appbuilder)
        sync_categories()
        sync_dicts()
    return app


def each_backend(backend: str, sqlite_name: str, run: Callable[[str, str], None]) -> None:
    """``run(name, url)`` on a new SQLite file under bench/out/ and, when ``TEST_DATABASE_URL`` is
    set, on PostgreSQL (``backend``: all, sqlite or postgresql)."""
    os.makedirs(OUT, exist_ok=True)
    if backend in ("all", "sqlite"):
        path = os.path.join(OUT, sqlite_name)
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        run("sqlite", "sqlite:///" + path)
    pg = os.environ.get("TEST_DATABASE_URL")
    if backend in ("all", "postgresql"):
        if pg:
            run("postgresql", pg)
        elif backend == "postgresql":
            sys.exit("TEST_DATABASE_URL is not set")
