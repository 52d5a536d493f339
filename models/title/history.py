"""历史职称数据管理 (004 §1.2.8.2, TR-22): titles obtained before the platform, brought in by import.

* ``HistoryInstitution`` — 历史评审机构: a review institution that no longer exists (or never was filed on
  the platform), kept by a unit (``owner_unit_id``, the 人社局 that maintains it) for a collecting unit
  (``unit_id``, 采集单位) with the series and levels it may collect.
* ``HistoryGroup`` — one import: the way of obtaining (``WAYS``) and the 职称文件文号 chosen on the page,
  the importing unit (``unit_id``) and the import time (``created_on``): the 待提交 list shows one row per
  group. Submitted with the 任职资格文件 along a route to the chosen 发证机构 (the review engine's
  ``title.history`` matter; ``review_state``).
* ``HistoryTitle`` — one certificate row of a group, with the 社保风险 flag (``risk_reason``; a flag, not a
  refusal) and the reviewer's per-person decision (``state``).
"""

from __future__ import annotations

import datetime as dt

from flask_appbuilder.models.sqla import Model
from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.core.workflow import ReviewedMixin
from models.mixins import TimestampMixin, UnitScopedMixin

WAYS = {"review": "职称评审", "initial": "初定", "confirm": "确认", "entrusted": "委托评审"}
TITLE_STATES = {"pending": "待审核", "passed": "审核通过", "returned": "审核退回"}


class HistoryInstitution(UnitScopedMixin, TimestampMixin, Model):
    """历史评审机构; ``unit_id`` is the 采集单位, ``owner_unit_id`` the unit that keeps the record."""

    __tablename__ = "title_history_institution"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_unit_id: Mapped[int] = mapped_column(Integer, ForeignKey("core_unit.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)  # 评审机构名称
    series: Mapped[str] = mapped_column(String(8), nullable=False)  # 可采集系列 (title_series code)
    levels: Mapped[str] = mapped_column(String(40), nullable=False, default="")  # 可采集层级: title_level codes, comma-separated
    year_from: Mapped[int | None] = mapped_column(Integer)  # 存续年份起
    year_to: Mapped[int | None] = mapped_column(Integer)  # 存续年份止
    note: Mapped[str | None] = mapped_column(String(500))

    owner_unit = relationship("models.core.unit.Unit", foreign_keys=[owner_unit_id])

    __table_args__ = (UniqueConstraint("unit_id", "name", name="uq_title_history_institution_unit_name"),)

    @property
    def level_codes(self) -> list[str]:
        return [c for c in (self.levels or "").split(",") if c]


class HistoryGroup(UnitScopedMixin, ReviewedMixin, TimestampMixin, Model):
    """One import of a way of obtaining and a 职称文件文号 (the 待提交 batch)."""

    __tablename__ = "title_history_group"
    __review_matter__ = "title.history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    way: Mapped[str] = mapped_column(String(12), nullable=False)  # WAYS
    doc_number: Mapped[str] = mapped_column(String(60), nullable=False, index=True)  # 职称文件文号
    doc_year: Mapped[int] = mapped_column(Integer, nullable=False)  # the year in 〔〕
    imported_by: Mapped[int | None] = mapped_column(Integer, ForeignKey("ab_user.id"))
    imported_by_name: Mapped[str | None] = mapped_column(String(64))
    issuing_unit_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("core_unit.id"))  # 发证机构
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    assessed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))  # risk checks run

    issuing_unit = relationship("models.core.unit.Unit", foreign_keys=[issuing_unit_id])

    @property
    def way_label(self) -> str:
        return WAYS.get(self.way, self.way)


class HistoryTitle(TimestampMixin, Model):
    """One historical certificate (a row of an import)."""

    __tablename__ = "title_history_title"
    __personal_columns__ = {"id_number": "id"}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(Integer, ForeignKey("title_history_group.id", ondelete="CASCADE"),
                                          nullable=False)
    unit_id: Mapped[int] = mapped_column(Integer, ForeignKey("core_unit.id"), nullable=False)  # 采集单位
    region_code: Mapped[str | None] = mapped_column(String(12))  # 行政区划代码
    name: Mapped[str] = mapped_column(String(30), nullable=False)
    id_number: Mapped[str] = mapped_column(String(18), nullable=False)
    sex: Mapped[str | None] = mapped_column(String(8))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    workplace: Mapped[str | None] = mapped_column(String(100))  # 工作单位
    series: Mapped[str] = mapped_column(String(8), nullable=False)  # 职称系列
    level: Mapped[str] = mapped_column(String(8), nullable=False)  # 职称层级
    qualification: Mapped[str] = mapped_column(String(60), nullable=False)  # 资格名称
    major: Mapped[str | None] = mapped_column(String(60))  # 专业
    institution: Mapped[str] = mapped_column(String(100), nullable=False)  # 评审机构
    review_date: Mapped[dt.date | None] = mapped_column(Date)  # 评审时间
    approved_on: Mapped[dt.date] = mapped_column(Date, nullable=False)  # 批准时间
    doc_number: Mapped[str] = mapped_column(String(60), nullable=False)  # 职称文件文号 (the group's)
    paper_number: Mapped[str | None] = mapped_column(String(40))  # 纸质证书编号
    state: Mapped[str] = mapped_column(String(10), nullable=False, default="pending")  # TITLE_STATES
    opinion: Mapped[str | None] = mapped_column(String(500))
    risk_reason: Mapped[str | None] = mapped_column(Text)  # 社保风险提醒 (None: no flag)

    group = relationship(HistoryGroup, backref="titles")

    __table_args__ = (
        Index("ix_title_history_title_group", "group_id", "id"),
        UniqueConstraint("id_number", "qualification", "doc_number", name="uq_title_history_title_cert"),
    )
