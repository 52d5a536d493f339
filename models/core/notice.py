"""通知公告 (P-11): written by a unit, published on the public portal until revoked."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder.models.sqla import Model
from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.mixins import TimestampMixin, UnitScopedMixin

NOTICE_STATES = {"draft": "未发布", "published": "已发布", "revoked": "已撤销"}


class Notice(UnitScopedMixin, TimestampMixin, Model):
    __tablename__ = "core_notice"
    __dict_columns__ = {"kind": "notice_type"}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    content: Mapped[str] = mapped_column(Text, nullable=False, default="")
    state: Mapped[str] = mapped_column(String(16), nullable=False, default="draft")
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    author_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("ab_user.id"))
    # the portal shows a published notice only within this window (naive UTC; None: no bound), e.g. the
    # 评审结果公示 of 职称评审 for exactly its period (migration 0029)
    visible_from: Mapped[dt.datetime | None] = mapped_column(DateTime)
    visible_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    author = relationship("UnitUser", foreign_keys=[author_id])

    __table_args__ = (Index("ix_core_notice_portal", "state", "kind", "published_at"),)

    def __repr__(self) -> str:
        return self.title
