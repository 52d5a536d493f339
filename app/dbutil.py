"""Database helpers for tests and benchmarks."""

from __future__ import annotations

from sqlalchemy import create_engine, text


def reset_postgres_schema(url: str) -> None:
    """Empty a PostgreSQL database by recreating its public schema (no-op elsewhere)."""
    if not url.startswith("postgresql"):
        return
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
