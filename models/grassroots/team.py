"""专家服务基层示范团 (G-01 … G-09).

A managing unit records an approved team for an executing unit (``unit_id``: the team is
seen by that unit and every unit above it). The executing unit starts it (locked once
saved), runs it in one or several batches, ends it (locked), records projects, matches
experts from the library and evaluates them, then submits the three summary materials,
each reviewed by the managing units on the review engine.
"""

from __future__ import annotations

import datetime as dt

from flask_appbuilder.models.sqla import Model
from sqlalchemy import Boolean, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.core.workflow import ReviewedMixin
from models.mixins import TimestampMixin, UnitScopedMixin

TEAM_MODES = {"single": "单批次", "multi": "多批次"}
RATINGS = {"1": "优秀", "2": "良好", "3": "合格", "4": "不合格"}


class ServiceTeam(UnitScopedMixin, TimestampMixin, Model):
    __tablename__ = "grassroots_team"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    field: Mapped[str] = mapped_column(String(100), nullable=False)  # 服务领域
    approval_no: Mapped[str | None] = mapped_column(String(64))  # 批准文号
    managing_unit_id: Mapped[int] = mapped_column(Integer, ForeignKey("core_unit.id"), nullable=False)
    started: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=text("false"))
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    mode: Mapped[str | None] = mapped_column(String(8))  # single | multi
    ended: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=text("false"))
    end_date: Mapped[dt.date | None] = mapped_column(Date)

    managing_unit = relationship("models.core.unit.Unit", foreign_keys=[managing_unit_id])
    batches = relationship("models.grassroots.team.TeamBatch", order_by=lambda: TeamBatch.seq, cascade="all, delete-orphan", back_populates="team")

    @property
    def status(self) -> str:
        if self.ended:
            return "已结束"
        if self.started:
            return "开展中"
        return "未启动"

    def __repr__(self) -> str:
        return self.name


class TeamBatch(Model):
    __tablename__ = "grassroots_team_batch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(Integer, ForeignKey("grassroots_team.id", ondelete="CASCADE"), nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    start_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    team = relationship(ServiceTeam, back_populates="batches")

    __table_args__ = (UniqueConstraint("team_id", "seq", name="uq_grassroots_team_batch"),)


class ServiceProject(UnitScopedMixin, Model):
    """服务项目 of a team (unit_id: the team's executing unit)."""

    __tablename__ = "grassroots_project"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(Integer, ForeignKey("grassroots_team.id", ondelete="CASCADE"), nullable=False,
                                         index=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    place: Mapped[str] = mapped_column(String(100), nullable=False)  # 服务地点
    content: Mapped[str] = mapped_column(Text, nullable=False)  # 服务内容
    start_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    beneficiaries: Mapped[int | None] = mapped_column(Integer)  # 受益人数
    team = relationship(ServiceTeam)
    experts = relationship("models.grassroots.team.ProjectExpert", cascade="all, delete-orphan", back_populates="project")

    def __repr__(self) -> str:
        return self.name


class ProjectExpert(UnitScopedMixin, Model):
    """参团专家: an expert of the library matched to a project, with its 专家评价."""

    __tablename__ = "grassroots_project_expert"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, ForeignKey("grassroots_project.id", ondelete="CASCADE"), nullable=False)
    expert_id: Mapped[int] = mapped_column(Integer, ForeignKey("expert.id"), nullable=False, index=True)
    rating: Mapped[str | None] = mapped_column(String(2))  # 评价等级
    comment: Mapped[str | None] = mapped_column(Text)  # 评价意见
    project = relationship(ServiceProject, back_populates="experts")
    expert = relationship("models.experts.expert.Expert")

    __table_args__ = (UniqueConstraint("project_id", "expert_id", name="uq_grassroots_project_expert"),)


class TeamFunding(UnitScopedMixin, ReviewedMixin, Model):
    """经费管理: the team's expenditure items, reviewed as one material."""

    __tablename__ = "grassroots_funding"
    __review_matter__ = "grassroots.funding"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(Integer, ForeignKey("grassroots_team.id", ondelete="CASCADE"), nullable=False,
                                         unique=True)
    team = relationship(ServiceTeam)
    items = relationship("models.grassroots.team.TeamFundingItem", cascade="all, delete-orphan", order_by=lambda: TeamFundingItem.id)

    @property
    def total(self) -> float:
        return float(sum(i.amount or 0 for i in self.items))

    def __repr__(self) -> str:
        return f"{self.team.name if self.team else ''}：经费管理"


class TeamFundingItem(UnitScopedMixin, Model):
    __tablename__ = "grassroots_funding_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    funding_id: Mapped[int] = mapped_column(Integer, ForeignKey("grassroots_funding.id", ondelete="CASCADE"), nullable=False)
    item: Mapped[str] = mapped_column(String(100), nullable=False)  # 支出项目
    amount: Mapped[float] = mapped_column(Numeric(12, 2), nullable=False)  # 金额（元）
    note: Mapped[str | None] = mapped_column(String(200))
    funding = relationship(TeamFunding, back_populates="items")


class TeamEvaluation(UnitScopedMixin, ReviewedMixin, Model):
    """成效评估: saved, then submitted; reviewed."""

    __tablename__ = "grassroots_evaluation"
    __review_matter__ = "grassroots.evaluation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(Integer, ForeignKey("grassroots_team.id", ondelete="CASCADE"), nullable=False,
                                         unique=True)
    served: Mapped[int | None] = mapped_column(Integer)  # 服务群众（人次）
    trained: Mapped[int | None] = mapped_column(Integer)  # 培训人员（人次）
    techniques: Mapped[int | None] = mapped_column(Integer)  # 推广新技术（项）
    benefit: Mapped[float | None] = mapped_column(Numeric(14, 2))  # 经济效益（万元）
    description: Mapped[str | None] = mapped_column(Text)  # 成效描述
    team = relationship(ServiceTeam)

    def __repr__(self) -> str:
        return f"{self.team.name if self.team else ''}：成效评估"


class TeamSummary(UnitScopedMixin, ReviewedMixin, Model):
    """服务团总结: uploaded files (attachment slot "summary"), reviewed."""

    __tablename__ = "grassroots_summary"
    __review_matter__ = "grassroots.summary"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(Integer, ForeignKey("grassroots_team.id", ondelete="CASCADE"), nullable=False,
                                         unique=True)
    note: Mapped[str | None] = mapped_column(Text)
    team = relationship(ServiceTeam)

    def __repr__(self) -> str:
        return f"{self.team.name if self.team else ''}：服务团总结"
