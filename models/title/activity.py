"""评审活动 (004 §1.2.4): a committee's yearly (or special) review activity, saved part by part
(basic info, internal plan, levels and majors, achievement items, exceptional conditions, required
materials), submitted to the committee's 授权管理单位 and published after its approval.

``AchievementItem`` rows with ``activity_id`` belong to an activity; rows with only
``committee_id`` are the committee's default set, copied into a new activity.
"""

from __future__ import annotations

import datetime as dt

from flask_appbuilder.models.sqla import Model
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.core.workflow import ReviewedMixin
from models.mixins import TimestampMixin, UnitScopedMixin

KINDS = {"annual": "年度评审活动", "special": "专项评审活动"}
METHODS = {"exam_expert": "全国统考+专家评审", "expert": "专家评审"}
WRITTEN_TESTS = {"all": "全体参加笔试", "no_degree": "不具备规定学历笔试", "partial": "部分参加笔试", "none": "不组织"}
DEFENSES = {"partial": "部分面试答辩", "all": "全体面试答辩", "none": "不组织"}
GROUP_METHODS = {"vote": "专家投票", "score": "专家打分"}
# the parts of the form, saved in this order (``Activity.saved_part`` is the last one saved)
PARTS = ("basic", "plan", "levels", "achievements", "conditions", "materials")
# 评审会议 stages the later issues move an activity through
STAGES = {"preparing": "准备中", "receiving": "申报材料接收中", "qualification": "参评资格审核", "meeting": "评审会议",
          "publicity": "评审结果公示", "confirming": "评审结果确认", "closed": "已办结"}


class Activity(UnitScopedMixin, ReviewedMixin, TimestampMixin, Model):
    __tablename__ = "title_activity"
    __review_matter__ = "title.activity"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    committee_id: Mapped[int] = mapped_column(Integer, ForeignKey("title_committee.id"), nullable=False, index=True)
    # 对外公布信息
    name: Mapped[str] = mapped_column(String(50), nullable=False)  # 评审活动名称
    scope_text: Mapped[str] = mapped_column(String(50), nullable=False)  # 申报范围
    year: Mapped[int] = mapped_column(Integer, nullable=False)  # 评审归属年份
    kind: Mapped[str] = mapped_column(String(8), nullable=False, default="annual")  # 评审活动类别
    method: Mapped[str] = mapped_column(String(12), nullable=False, default="expert")  # 评审方式
    written_test: Mapped[str] = mapped_column(String(10), nullable=False, default="none")  # 评委会组织笔试
    defense: Mapped[str] = mapped_column(String(10), nullable=False, default="none")  # 是否组织面试答辩
    apply_start: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)  # 申报开始时间
    first_submit_until: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)  # 个人初次提交截止时间
    resubmit_until: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)  # 个人修改提交截止时间
    receive_until: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)  # 评委会接收申报截止时间
    page_health: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=text("false"))
    page_school: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=text("false"))
    page_vocational: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=text("false"))
    doc_number: Mapped[str | None] = mapped_column(String(50))  # 文号录入
    public: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=text("true"))  # 是否对外公开
    # 对内评审方案
    exceptional: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=text("false"))  # 破格评议
    groups: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=text("false"))  # 专业组
    group_method: Mapped[str | None] = mapped_column(String(8))  # vote | score
    saved_part: Mapped[str | None] = mapped_column(String(16))  # the last part saved (PARTS)
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    stage: Mapped[str] = mapped_column(String(16), nullable=False, default="preparing", server_default="preparing")
    # 评审结果确认 (issue III): submitted to the confirming units, 办结
    confirm_submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    committee = relationship("models.title.committee.Committee")
    levels = relationship("ActivityLevel", back_populates="activity", cascade="all, delete-orphan",
                          order_by="ActivityLevel.level")
    items = relationship("AchievementItem", back_populates="activity", cascade="all, delete-orphan",
                         order_by="AchievementItem.sort", foreign_keys="AchievementItem.activity_id")
    conditions = relationship("ActivityCondition", cascade="all, delete-orphan", order_by="ActivityCondition.sort")
    materials = relationship("ActivityMaterial", cascade="all, delete-orphan", order_by="ActivityMaterial.sort")

    @property
    def publish_state(self) -> str:
        """The list's 状态: ``editing:<last part saved>`` before submission (or after a withdrawal), else
        the review state (pending 审核中, returned 已退回, approved 已发布, rejected 不通过)."""
        state = self.review_state or "draft"
        if state in ("draft", "withdrawn"):
            return "editing:" + (self.saved_part or "")
        return state

    @property
    def part_done(self) -> int:
        """How many parts are saved (0 … len(PARTS))."""
        return PARTS.index(self.saved_part) + 1 if self.saved_part in PARTS else 0

    def __repr__(self) -> str:
        return self.name


class ActivityLevel(Model):
    """开设级别 and the majors opened at that level."""

    __tablename__ = "title_activity_level"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(Integer, ForeignKey("title_activity.id", ondelete="CASCADE"),
                                             nullable=False, index=True)
    level: Mapped[str] = mapped_column(String(4), nullable=False)  # title_level code
    majors: Mapped[str] = mapped_column(Text, nullable=False, default="")  # one per line

    activity = relationship(Activity, back_populates="levels")

    __table_args__ = (UniqueConstraint("activity_id", "level", name="uq_title_activity_level"),)

    @property
    def major_list(self) -> list[str]:
        return [m.strip() for m in (self.majors or "").splitlines() if m.strip()]


HEADINGS = ["论文论著", "取得现专业技术职称前主要业绩", "取得现专业技术职称后主要业绩", "教育教学业绩", "教学业绩成果",
            "教育教学研究业绩成果", "业绩成果", "示范引领和影响力", "专业能力", "专业能力和业绩成果"]


class AchievementItem(Model):
    """业绩成果配置: one section of the application (order, display title, template kinds,
    requirement text)."""

    __tablename__ = "title_achievement_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("title_activity.id", ondelete="CASCADE"),
                                                    index=True)
    committee_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("title_committee.id", ondelete="CASCADE"),
                                                     index=True)  # the committee's default set (no activity)
    sort: Mapped[int] = mapped_column(Integer, nullable=False, default=1)  # 序号
    heading: Mapped[str] = mapped_column(String(30), nullable=False)  # 展示标题
    templates: Mapped[str] = mapped_column(String(120), nullable=False)  # template kinds, comma-separated
    requirement: Mapped[str] = mapped_column(Text, nullable=False, default="")  # 业绩要求描述

    activity = relationship(Activity, back_populates="items", foreign_keys=[activity_id])

    @property
    def template_list(self) -> list[str]:
        return [t for t in (self.templates or "").split(",") if t]


class ActivityCondition(Model):
    """破格条件需求配置."""

    __tablename__ = "title_activity_condition"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(Integer, ForeignKey("title_activity.id", ondelete="CASCADE"),
                                             nullable=False, index=True)
    sort: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    text: Mapped[str] = mapped_column(Text, nullable=False)


class ActivityMaterial(Model):
    """评审会需求材料配置: a material the applicant uploads (required or not)."""

    __tablename__ = "title_activity_material"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(Integer, ForeignKey("title_activity.id", ondelete="CASCADE"),
                                             nullable=False, index=True)
    sort: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    name: Mapped[str] = mapped_column(String(50), nullable=False)
    required: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=text("true"))
    note: Mapped[str | None] = mapped_column(String(200))
