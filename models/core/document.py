"""The documents pipeline's tables: import batches (preview before commit) and background jobs."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder.models.sqla import Model
from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.mixins import UnitScopedMixin


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ImportBatch(UnitScopedMixin, Model):
    """One uploaded workbook: its rows, each row's problems, until committed or discarded."""

    __tablename__ = "core_import_batch"
    __scope__ = "owner"
    __scope_owner__ = "user_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    spec: Mapped[str] = mapped_column(String(64), nullable=False)
    context: Mapped[str | None] = mapped_column(String(64))  # e.g. the team a project import belongs to
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("ab_user.id"), nullable=False, index=True)
    file_name: Mapped[str] = mapped_column(String(255), nullable=False)
    storage_key: Mapped[str] = mapped_column(String(64), nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False, default="preview")  # preview|committed|discarded
    rows: Mapped[str] = mapped_column(Text, nullable=False, default="[]")  # JSON: [{"row": n, "values": {...}}]
    errors: Mapped[str] = mapped_column(Text, nullable=False, default="{}")  # JSON: {row: [[col, reason], ...]}
    total: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    committed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    imported: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class Job(Model):
    """A background job (large import or export): state, progress and its result file."""

    __tablename__ = "core_job"
    __scope__ = "owner"
    __scope_owner__ = "user_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("ab_user.id"), nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False, default="queued")  # queued|running|done|failed
    backend: Mapped[str] = mapped_column(String(16), nullable=False, default="thread")
    params: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    progress: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    total: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    message: Mapped[str | None] = mapped_column(Text)
    result_key: Mapped[str | None] = mapped_column(String(64))
    result_name: Mapped[str | None] = mapped_column(String(255))
    result_link: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_core_job_user", "user_id", "id"),)
