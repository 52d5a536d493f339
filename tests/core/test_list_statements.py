"""The scoped list page runs at most 5 SQL statements, and what it folds away stays fresh.

The statement that loads the user also brings the unit's categories (the menus' conditions
ask the unit's kind) and, for a page, the unread-message count of the navbar badge; nothing
is kept beyond the request, so a message sent or read elsewhere shows on the next page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select

from app.extensions import db
from models.core.message import MessageRecipient
from models.core.user import UnitUser

MAX_STATEMENTS = 5


@contextmanager
def counting(app: Any) -> Iterator[list[str]]:
    statements: list[str] = []

    def on_exec(_conn: Any, _cursor: Any, statement: str, *_a: Any) -> None:
        statements.append(" ".join(statement.split())[:300])

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", on_exec)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", on_exec)


def _badge(page: str) -> int:
    m = re.search(r'unread-badge">(\d+)<', page)
    return int(m.group(1)) if m else 0


@pytest.mark.parametrize("login", ["hb_wh_admin", "hb_wh_ja_admin", "hbkj_wh_admin"])
def test_scoped_list_page_statements(app, login_as, login):
    """A mid-level, a county and a 科技特派员 unit's administrator (whose menus depend on its category)."""
    c = login_as(login)
    assert c.get("/persons/list/").status_code == 200  # warm: FAB's per-process caches
    with counting(app) as statements:
        r = c.get("/persons/list/")
    assert r.status_code == 200
    assert len(statements) <= MAX_STATEMENTS, "\n".join(statements)
    assert not any("core_unit_category" in s and not s.startswith("SELECT ab_user") for s in statements)


def test_badge_follows_messages_sent_and_read(app, login_as):
    sender = login_as("hb_wh_admin")
    reader = login_as("hb_wh_ja_staff")
    with app.app_context():
        reader_id = db.session.scalar(select(UnitUser.id).where(UnitUser.username == "hb_wh_ja_staff"))
        before = db.session.scalar(
            select(db.func.count()).select_from(MessageRecipient).where(
                MessageRecipient.user_id == reader_id, MessageRecipient.read_at.is_(None),
                MessageRecipient.deleted_at.is_(None)))
    assert _badge(reader.get("/persons/list/").get_data(as_text=True)) == before
    r = sender.post("/messages/compose", data={"title": "徽标计数", "body": "正文", "users": [str(reader_id)],
                                               "op": "send"})
    assert r.status_code == 302
    # the next page of the reader counts the new message (no cache outlives a request)
    assert _badge(reader.get("/persons/list/").get_data(as_text=True)) == before + 1
    with app.app_context():
        rec_id = db.session.scalar(select(MessageRecipient.id).where(
            MessageRecipient.user_id == reader_id, MessageRecipient.read_at.is_(None))
            .order_by(MessageRecipient.id.desc()))
    assert reader.post(f"/inbox/show/{rec_id}").status_code == 302  # 确认已读
    assert _badge(reader.get("/persons/list/").get_data(as_text=True)) == before


def test_api_request_does_not_count_unread(app, login_as):
    c = login_as("hb_wh_admin")
    c.get("/api/v1/person/")
    with counting(app) as statements:
        r = c.get("/api/v1/person/")
    assert r.status_code == 200
    assert not any("core_message_recipient" in s for s in statements)
