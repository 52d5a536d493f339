"""SQLite connection settings: foreign keys on, WAL for the embedded server."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

_installed = False


def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    # WAL: readers and one writer at a time do not block each other (a background job's
    # progress is written while its export still reads); a file database keeps the mode
    cur.execute("PRAGMA journal_mode")
    mode = (cur.fetchone() or ("",))[0]
    if str(mode).lower() not in ("wal", "memory"):
        cur.execute("PRAGMA journal_mode=WAL")
    cur.close()


def install(app: Flask) -> None:
    global _installed
    if not _installed:
        event.listen(Engine, "connect", _on_connect)
        _installed = True
