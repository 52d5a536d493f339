"""Attachments (P-17): one row per stored file, tied to its owner record and slot."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder.models.sqla import Model
from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.mixins import UnitScopedMixin


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Attachment(UnitScopedMixin, Model):
    __tablename__ = "core_attachment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_type: Mapped[str] = mapped_column(String(64), nullable=False)
    owner_id: Mapped[int] = mapped_column(Integer, nullable=False)
    slot: Mapped[str] = mapped_column(String(64), nullable=False)
    file_name: Mapped[str] = mapped_column(String(255), nullable=False)  # the original (Chinese) name
    storage_key: Mapped[str] = mapped_column(String(255), nullable=False, unique=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # detected from the content
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    uploaded_by: Mapped[int | None] = mapped_column(Integer, ForeignKey("ab_user.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    uploader = relationship("UnitUser", foreign_keys=[uploaded_by])

    __table_args__ = (Index("ix_core_attachment_owner", "owner_type", "owner_id", "slot"),)

    def __repr__(self) -> str:
        return self.file_name
