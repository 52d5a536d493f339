"""Issue 15.7: one time zone rule for every page, export and PDF — stored times are UTC (SQLite
gives them back naive), everything shows them in BABEL_DEFAULT_TIMEZONE (Asia/Shanghai)."""

from __future__ import annotations

import datetime as dt

from app.filters import local_time


def test_naive_and_aware_stored_times_read_the_same(ctx):
    naive, aware = dt.datetime(2026, 12, 2, 16, 32), dt.datetime(2026, 12, 2, 16, 32, tzinfo=dt.UTC)
    assert local_time(naive) == local_time(aware) == "2026-12-03 00:32"


def test_audit_list_pages_exports_and_show_pages_share_the_rule(ctx):
    from app.services.documents.columns import Column
    from views.base import display_value
    from views.core.audit import _when

    t = dt.datetime(2026, 12, 2, 16, 32, 5)
    assert _when(t) == "2026-12-03 00:32:05"
    assert display_value(t) == "2026-12-03 00:32"
    assert Column("at", "时间").display(t) == "2026-12-03 00:32"


def test_audit_log_page_and_review_trail_agree(app, login_as):
    """The same moment on the audit log and on another page: no 8-hour gap."""
    import re

    from sqlalchemy import select

    from app.extensions import db
    from models.core.audit import AuditLog

    c = login_as("sysadmin")
    c.get("/")
    with app.app_context():
        row = db.session.scalars(select(AuditLog).order_by(AuditLog.id.desc())).first()
        expected = local_time(row.created_at, "%Y-%m-%d %H:%M")
    audit = login_as("auditadmin").get("/auditlog/list/").get_data(as_text=True)
    assert expected in audit, (expected, re.findall(r"\d{4}-\d\d-\d\d \d\d:\d\d", audit)[:3])
