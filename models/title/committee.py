"""评委会 (004 §1.2.2): a committee constituted by a unit (``unit_id`` = 组建单位), filed with the
授权管理单位 and then the 备案单位 on the review engine; valid three years from the filing.

Its expert library is the shared expert library (one person, one ``expert`` row) joined to the
committee by ``CommitteeExpert`` (many committees per expert), with the library state, the chair
marks and the "active" flag the draw reads; ``ExpertParticipation`` records each sitting.
"""

from __future__ import annotations

import datetime as dt

from flask_appbuilder.models.sqla import Model
from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.core.workflow import ReviewedMixin
from models.mixins import TimestampMixin, UnitScopedMixin

BUILD_MODES = {"series": "按系列创建", "major": "按专业创建"}
REVIEW_TYPES = {"review": "评审", "exam_review": "考评结合", "interview": "面试答辩"}
FILING_YEARS = 3
EXPIRY_WARNING_DAYS = 90  # the list marks a filing that ends within this many days
# 备案状态 (the list's words): the review state, and 已过期 for an approved filing past its end
FILING_STATES = {"draft": "未提交", "withdrawn": "未提交", "pending": "审核中", "returned": "已退回",
                 "rejected": "不通过", "approved": "已备案", "expired": "已过期"}


class Committee(UnitScopedMixin, ReviewedMixin, TimestampMixin, Model):
    __tablename__ = "title_committee"
    __review_matter__ = "title.committee"
    __not_personal__ = ("contact_phone",)  # 对外联系电话: the committee office's public number

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)  # 评委会名称
    agency: Mapped[str] = mapped_column(String(100), nullable=False)  # 评委会办事机构
    office: Mapped[str] = mapped_column(String(100), nullable=False)  # 评委会办公室
    review_type: Mapped[str] = mapped_column(String(16), nullable=False, default="review")  # 评审类型
    levels: Mapped[str] = mapped_column(String(40), nullable=False, default="")  # 评审级别: title_level codes, comma-separated
    authority_unit_id: Mapped[int] = mapped_column(Integer, ForeignKey("core_unit.id"), nullable=False)  # 授权管理单位(发证机构)
    filing_unit_id: Mapped[int] = mapped_column(Integer, ForeignKey("core_unit.id"), nullable=False)  # 备案批复单位
    contact: Mapped[str] = mapped_column(String(30), nullable=False)  # 对外联系人
    contact_phone: Mapped[str] = mapped_column(String(20), nullable=False)  # 对外联系电话
    address: Mapped[str] = mapped_column(String(200), nullable=False)  # 联系地址
    # 评审范围
    internal_only: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=text("false"))
    applicant_natures: Mapped[str] = mapped_column(String(100), nullable=False, default="")  # unit_nature codes; empty: any
    build_mode: Mapped[str] = mapped_column(String(8), nullable=False, default="series")  # 组建方式
    series: Mapped[str] = mapped_column(String(4), nullable=False)  # 评审系列 (title_series code)
    majors: Mapped[str] = mapped_column(Text, nullable=False, default="")  # 评审专业 (by major), one per line
    region_codes: Mapped[str] = mapped_column(Text, nullable=False, default="")  # 评审区域: region codes, comma-separated
    funded: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=text("false"))  # 是否拨付经费
    # filing
    filed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))  # 最近一次备案通过时间
    valid_until: Mapped[dt.date | None] = mapped_column(Date)  # filed_at + 3 years

    authority_unit = relationship("models.core.unit.Unit", foreign_keys=[authority_unit_id])
    filing_unit = relationship("models.core.unit.Unit", foreign_keys=[filing_unit_id])
    members = relationship("CommitteeExpert", back_populates="committee", cascade="all, delete-orphan",
                           passive_deletes=True)

    @property
    def level_codes(self) -> list[str]:
        return [c for c in (self.levels or "").split(",") if c]

    @property
    def region_list(self) -> list[str]:
        return [c for c in (self.region_codes or "").split(",") if c]

    @property
    def filed(self) -> bool:
        """已备案 and not expired."""
        return self.valid_until is not None and self.valid_until >= dt.date.today()

    @property
    def filing_state(self) -> str:
        """未提交/审核中/已退回/已备案/已过期 as a code of FILING_STATES."""
        if self.review_state == "approved" and self.valid_until is not None and self.valid_until < dt.date.today():
            return "expired"
        return self.review_state or "draft"

    @property
    def days_left(self) -> int | None:
        """Days until the filing ends (negative: expired); None before the first filing."""
        return None if self.valid_until is None else (self.valid_until - dt.date.today()).days

    @property
    def renewable(self) -> bool:
        """An approved filing that has expired or ends within EXPIRY_WARNING_DAYS may be filed again."""
        days = self.days_left
        return self.review_state == "approved" and days is not None and days <= EXPIRY_WARNING_DAYS

    def __repr__(self) -> str:
        return self.name


LIBRARY_STATES = {"draft": "新增待提交", "recommended": "下级单位推荐待审核", "in": "在库专家", "returned": "退回专家"}
CHAIR_ROLES = {"": "委员", "chair": "主任委员", "vice": "副主任委员"}


class CommitteeExpert(UnitScopedMixin, TimestampMixin, Model):
    """One expert in one committee's library; ``unit_id`` is the unit that added or recommended
    the expert (the committee's own unit, or a lower unit recommending)."""

    __tablename__ = "title_committee_expert"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    committee_id: Mapped[int] = mapped_column(Integer, ForeignKey("title_committee.id", ondelete="CASCADE"),
                                              nullable=False, index=True)
    expert_id: Mapped[int] = mapped_column(Integer, ForeignKey("expert.id"), nullable=False, index=True)
    state: Mapped[str] = mapped_column(String(12), nullable=False, default="draft", index=True)
    chair: Mapped[str] = mapped_column(String(8), nullable=False, default="")  # '' | chair | vice
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=text("true"))  # 活跃
    return_reason: Mapped[str | None] = mapped_column(String(500))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reviewed_by: Mapped[int | None] = mapped_column(Integer, ForeignKey("ab_user.id"))

    committee = relationship(Committee, back_populates="members")
    expert = relationship("models.experts.expert.Expert")

    __table_args__ = (UniqueConstraint("committee_id", "expert_id", name="uq_title_committee_expert"),)

    def __repr__(self) -> str:
        return f"{self.expert.name if self.expert else ''}（{self.committee.name if self.committee else ''}）"


class ExpertParticipation(Model):
    """An expert's sitting on a committee's meeting in a year (the draw reads the last three years and
    last year's chair)."""

    __tablename__ = "title_expert_participation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    committee_id: Mapped[int] = mapped_column(Integer, ForeignKey("title_committee.id", ondelete="CASCADE"),
                                              nullable=False, index=True)
    expert_id: Mapped[int] = mapped_column(Integer, ForeignKey("expert.id"), nullable=False, index=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    as_chair: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=text("false"))
    activity_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("title_activity.id", ondelete="SET NULL"))

    __table_args__ = (UniqueConstraint("committee_id", "expert_id", "year", "activity_id",
                                       name="uq_title_expert_participation"),)
