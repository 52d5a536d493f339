"""The documents pipeline's tables: import batches (preview before commit) and background jobs."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder.models.sqla import Model
from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.mixins import UnitScopedMixin


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ImportBatch(UnitScopedMixin, Model):
    """One uploaded workbook, until committed or discarded; its rows are ``ImportRow`` (staged once,
    checked once). After the commit the batch and its rows stay as the record of what each imported
    row came from (file, row number, values)."""

    __tablename__ = "core_import_batch"
    __scope__ = "owner"
    __scope_owner__ = "user_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    spec: Mapped[str] = mapped_column(String(64), nullable=False)
    context: Mapped[str | None] = mapped_column(String(64))  # e.g. the team a project import belongs to
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("ab_user.id"), nullable=False, index=True)
    file_name: Mapped[str] = mapped_column(String(255), nullable=False)
    storage_key: Mapped[str] = mapped_column(String(64), nullable=False)
    # checking (a job stages the rows) | preview | committing (a job inserts) | committed | discarded
    state: Mapped[str] = mapped_column(String(16), nullable=False, default="preview")
    # no longer written (the rows live in core_import_row); kept so that old batches still load
    rows: Mapped[str] = mapped_column(Text, nullable=False, default="[]")
    errors: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    total: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    committed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    imported: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class ImportRow(Model):
    """One staged row of a batch, checked once at upload (and again only when fixed).

    ``data`` holds the row's cells as a JSON array of texts: for a good row (``ok``) the parsed
    values encoded per column kind (what the commit inserts), for a failing row the cells as typed;
    ``errors`` is the JSON list ``[[column key, reason], ...]``; ``key`` the spec's key value
    (duplicates within the batch and against the database are found by it)."""

    __tablename__ = "core_import_row"
    __audit__ = False  # the batch's commit is audited once, with the batch id

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(Integer, ForeignKey("core_import_batch.id", ondelete="CASCADE"),
                                          nullable=False)
    row_no: Mapped[int] = mapped_column(Integer, nullable=False)
    ok: Mapped[bool] = mapped_column(Boolean, nullable=False)
    key: Mapped[str | None] = mapped_column(String(100))
    data: Mapped[str] = mapped_column(Text, nullable=False)
    errors: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_core_import_row_batch", "batch_id", "ok", "row_no"),
        Index("ix_core_import_row_key", "batch_id", "key"),
    )


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
