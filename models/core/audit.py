"""审计日志 (P-19): append-only record of logins, changes, exports and review steps."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder.models.sqla import Model
from sqlalchemy import DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class AuditLog(Model):
    __tablename__ = "core_audit_log"
    __audit__ = False  # the log does not log itself

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    user_id: Mapped[int | None] = mapped_column(Integer)  # no FK: rows outlive accounts
    username: Mapped[str | None] = mapped_column(String(128))
    unit_id: Mapped[int | None] = mapped_column(Integer)
    unit_name: Mapped[str | None] = mapped_column(String(200))
    ip: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32), nullable=False)
    object_type: Mapped[str | None] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(64))
    object_repr: Mapped[str | None] = mapped_column(String(200))
    changes: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str] = mapped_column(String(16), nullable=False, default="ok")
    detail: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_core_audit_log_created_at", "created_at"),
        Index("ix_core_audit_log_object", "object_type", "object_id"),
        Index("ix_core_audit_log_user_id", "user_id"),
        Index("ix_core_audit_log_action", "action"),
    )

    def __repr__(self) -> str:
        return f"{self.action} {self.object_type or ''} {self.object_id or ''}"
