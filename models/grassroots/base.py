"""人社部批准的专家服务基地 (G-10 … G-12) and 地区年度总结 (G-14)."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder.models.sqla import Model
from sqlalchemy import DateTime, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.core.workflow import ReviewedMixin
from models.mixins import UnitScopedMixin


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ExpertBase(UnitScopedMixin, Model):
    """A base: ``unit_id`` is the base unit itself (依托单位), a unit of the tree."""

    __tablename__ = "grassroots_base"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    approved_year: Mapped[int] = mapped_column(Integer, nullable=False)  # 批准设立年度
    field: Mapped[str] = mapped_column(String(100), nullable=False)  # 服务领域
    approval_no: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (UniqueConstraint("unit_id", name="uq_grassroots_base_unit"),)

    def __repr__(self) -> str:
        return self.unit.name if self.unit else ""


class BaseTransfer(Model):
    """基地单位转移: each hand-down, from one managing unit to the next one down."""

    __tablename__ = "grassroots_base_transfer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    base_id: Mapped[int] = mapped_column(Integer, ForeignKey("grassroots_base.id", ondelete="CASCADE"), nullable=False)
    from_unit_id: Mapped[int] = mapped_column(Integer, ForeignKey("core_unit.id"), nullable=False)
    to_unit_id: Mapped[int] = mapped_column(Integer, ForeignKey("core_unit.id"), nullable=False)
    by_user_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("ab_user.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    from_unit = relationship("models.core.unit.Unit", foreign_keys=[from_unit_id])
    to_unit = relationship("models.core.unit.Unit", foreign_keys=[to_unit_id])


class BaseYear(UnitScopedMixin, ReviewedMixin, Model):
    """One year of a base: 经费情况, 成效汇总, 年度总结 (files in the "annual" slot); reviewed."""

    __tablename__ = "grassroots_base_year"
    __review_matter__ = "grassroots.base_year"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    base_id: Mapped[int] = mapped_column(Integer, ForeignKey("grassroots_base.id", ondelete="CASCADE"), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    funds_received: Mapped[float | None] = mapped_column(Numeric(14, 2))  # 到位经费（万元）
    funds_spent: Mapped[float | None] = mapped_column(Numeric(14, 2))  # 支出经费（万元）
    funds_note: Mapped[str | None] = mapped_column(Text)  # 经费使用情况
    activities: Mapped[int | None] = mapped_column(Integer)  # 开展活动（次）
    experts: Mapped[int | None] = mapped_column(Integer)  # 参与专家（人次）
    served: Mapped[int | None] = mapped_column(Integer)  # 服务群众（人次）
    results: Mapped[str | None] = mapped_column(Text)  # 成效汇总
    summary: Mapped[str | None] = mapped_column(Text)  # 年度总结
    base = relationship(ExpertBase)

    __table_args__ = (UniqueConstraint("base_id", "year", name="uq_grassroots_base_year"),)

    def __repr__(self) -> str:
        return f"{self.base.unit.name if self.base and self.base.unit else ''}{self.year}年度材料"


class RegionalSummary(UnitScopedMixin, ReviewedMixin, Model):
    """地区年度总结: one per province and year; files in the "regional" slot; reviewed by the centre."""

    __tablename__ = "grassroots_regional_summary"
    __review_matter__ = "grassroots.regional"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    content: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("unit_id", "year", name="uq_grassroots_regional_year"),)

    def __repr__(self) -> str:
        return f"{self.unit.name if self.unit else ''}{self.year}年度地区总结"
