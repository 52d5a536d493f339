"""职称申报 (004 §1.2.3, TR-10): a person's application to one published activity.

``unit_id`` is the applicant's own unit (申报单位, the first reviewer); the route climbs through the
主管部门 configured for the committee and region to the committee's unit (``__review_matter__``
lets the units on the route outside the applicant's branch see it). The personal sections are
kept on the application as submitted (a snapshot); each configured achievement item holds entries
in its template's fields (``AchievementEntry.data``), each with its attachments.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from flask_appbuilder.models.sqla import Model
from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, Numeric, String, Text, select, text
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from models.core.workflow import ReviewedMixin
from models.mixins import TimestampMixin, UnitScopedMixin

EVAL_METHODS = {"normal": "正常申报", "exceptional": "破格申报", "transfer": "转系列评审", "first": "初次认定"}
CATEGORIES = {"direct": "直接评审", "entrusted": "委托评审"}


class Application(UnitScopedMixin, ReviewedMixin, TimestampMixin, Model):
    __tablename__ = "title_application"
    __scope_owner__ = "user_id"
    __review_matter__ = "title.application"
    __dict_columns__ = {"sex": "sex", "ethnicity": "ethnicity", "politics": "politics", "education": "education",
                        "series": "title_series", "level": "title_level", "current_series": "title_series",
                        "current_level": "title_level"}
    __personal_columns__ = {"id_number": "id", "phone": "phone"}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("ab_user.id"), nullable=False, index=True)
    activity_id: Mapped[int] = mapped_column(Integer, ForeignKey("title_activity.id"), nullable=False)
    committee_id: Mapped[int] = mapped_column(Integer, ForeignKey("title_committee.id"), nullable=False, index=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    # what is applied for
    series: Mapped[str] = mapped_column(String(4), nullable=False)  # 申报系列
    level: Mapped[str] = mapped_column(String(4), nullable=False)  # 申报层级
    major: Mapped[str] = mapped_column(String(50), nullable=False)  # 申报专业
    eval_method: Mapped[str] = mapped_column(String(12), nullable=False, default="normal")  # 评价方式
    category: Mapped[str] = mapped_column(String(10), nullable=False, default="direct")  # 申报类别
    # 委托评审: decided at a 主管部门/人社部门 with a letter; the result returns to that unit
    entrust_unit_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("core_unit.id"))
    competent_unit_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("core_unit.id"))  # the configured 主管部门
    # personal data
    name: Mapped[str] = mapped_column(String(30), nullable=False)
    sex: Mapped[str] = mapped_column(String(2), nullable=False)
    id_number: Mapped[str] = mapped_column(String(18), nullable=False, index=True)
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    ethnicity: Mapped[str | None] = mapped_column(String(4))
    politics: Mapped[str | None] = mapped_column(String(4))
    phone: Mapped[str] = mapped_column(String(11), nullable=False)
    workplace: Mapped[str] = mapped_column(String(100), nullable=False)  # 工作单位 (the unit's name when applying)
    post: Mapped[str | None] = mapped_column(String(50))  # 现任职务
    work_start: Mapped[dt.date | None] = mapped_column(Date)  # 参加工作时间
    # current title
    current_series: Mapped[str | None] = mapped_column(String(4))
    current_level: Mapped[str | None] = mapped_column(String(4))
    current_title: Mapped[str | None] = mapped_column(String(50))  # 现专业技术职称名称
    current_title_date: Mapped[dt.date | None] = mapped_column(Date)  # 取得时间
    # highest education
    education: Mapped[str | None] = mapped_column(String(4))
    school: Mapped[str | None] = mapped_column(String(100))
    school_major: Mapped[str | None] = mapped_column(String(50))
    graduated_on: Mapped[dt.date | None] = mapped_column(Date)
    summary: Mapped[str | None] = mapped_column(Text)  # 个人专业技术工作总结
    # 评审会议 (issue II): 参评资格审核 and 导入笔试成绩
    qualification: Mapped[str | None] = mapped_column(String(8))  # pass | fail (meeting.QUALIFICATION)
    qualification_reason: Mapped[str | None] = mapped_column(String(500))
    qualified_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    qualified_by: Mapped[int | None] = mapped_column(Integer, ForeignKey("ab_user.id"))
    written_score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))  # 笔试成绩
    written_passed: Mapped[bool | None] = mapped_column(Boolean)  # 笔试是否通过
    # results (issues II and III fill these)
    result: Mapped[str | None] = mapped_column(String(16))  # qualified | failed | passed | confirmed | …
    result_reason: Mapped[str | None] = mapped_column(String(500))
    # 评审结果确认 (issue III, app.services.title.confirm): the confirming unit (授权管理单位, or the entrusting unit),
    # the state there (CONFIRM_STATES), the 职称文件文号 and 批准日期 set by the committee, 提交发证信息
    confirm_unit_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("core_unit.id"), index=True)
    confirm_state: Mapped[str | None] = mapped_column(String(12))  # pending | resubmitted | returned | passed | rejected
    confirm_reason: Mapped[str | None] = mapped_column(String(500))  # 退回 / 不通过 reason
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    doc_number: Mapped[str | None] = mapped_column(String(50))  # 职称文件文号
    approved_on: Mapped[dt.date | None] = mapped_column(Date)  # 批准日期
    issuance_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))  # 提交发证信息

    activity = relationship("models.title.activity.Activity")
    committee = relationship("models.title.committee.Committee")
    user = relationship("UnitUser", foreign_keys=[user_id])
    entrust_unit = relationship("models.core.unit.Unit", foreign_keys=[entrust_unit_id])
    competent_unit = relationship("models.core.unit.Unit", foreign_keys=[competent_unit_id])
    confirm_unit = relationship("models.core.unit.Unit", foreign_keys=[confirm_unit_id])
    educations = relationship("ApplicationEducation", cascade="all, delete-orphan", order_by="ApplicationEducation.start")
    works = relationship("ApplicationWork", cascade="all, delete-orphan", order_by="ApplicationWork.start")
    entries = relationship("AchievementEntry", cascade="all, delete-orphan", back_populates="application",
                           order_by="AchievementEntry.id")

    __table_args__ = (
        Index("ix_title_application_activity_series", "activity_id", "series", "review_state"),
        Index("ix_title_application_review_unit", "review_unit_id", "review_state"),
        # one application per person per activity
        Index("uq_title_application_user_activity", "user_id", "activity_id", unique=True),
    )

    def __repr__(self) -> str:
        return f"{self.name}的职称申报"


class ApplicationEducation(Model):
    """学习经历."""

    __tablename__ = "title_application_education"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(Integer, ForeignKey("title_application.id", ondelete="CASCADE"),
                                                nullable=False, index=True)
    start: Mapped[dt.date] = mapped_column(Date, nullable=False)
    end: Mapped[dt.date | None] = mapped_column(Date)
    school: Mapped[str] = mapped_column(String(100), nullable=False)
    major: Mapped[str] = mapped_column(String(50), nullable=False)
    education: Mapped[str] = mapped_column(String(4), nullable=False)  # education code


class ApplicationWork(Model):
    """工作经历."""

    __tablename__ = "title_application_work"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(Integer, ForeignKey("title_application.id", ondelete="CASCADE"),
                                                nullable=False, index=True)
    start: Mapped[dt.date] = mapped_column(Date, nullable=False)
    end: Mapped[dt.date | None] = mapped_column(Date)
    workplace: Mapped[str] = mapped_column(String(100), nullable=False)
    post: Mapped[str] = mapped_column(String(50), nullable=False)
    content: Mapped[str | None] = mapped_column(String(500))


class AchievementEntry(Model):
    """One achievement under one configured item, in one template's fields (``data``; the fields of
    ``app.services.title.templates.TEMPLATES[template]``).

    Its attachments (owner "title.achievement") follow the application: ``user_id`` and ``unit_id`` are
    read from the application (column properties, no columns of their own), so that the scope sees an
    entry as it sees its application — the applicant's own, and the units above the applicant's unit.
    """

    __tablename__ = "title_achievement_entry"
    __scope__ = "unit"
    __scope_owner__ = "user_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(Integer, ForeignKey("title_application.id", ondelete="CASCADE"),
                                                nullable=False, index=True)
    item_id: Mapped[int] = mapped_column(Integer, ForeignKey("title_achievement_item.id"), nullable=False)
    template: Mapped[str] = mapped_column(String(16), nullable=False)
    data: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)

    application = relationship(Application, back_populates="entries")
    item = relationship("models.title.activity.AchievementItem")

    @property
    def unit(self) -> Any:
        return self.application.unit if self.application is not None else None


# the owner person and the unit of an entry are its application's
AchievementEntry.user_id = column_property(  # type: ignore[attr-defined]
    select(Application.user_id).where(Application.id == AchievementEntry.application_id)
    .correlate_except(Application).scalar_subquery())
AchievementEntry.unit_id = column_property(  # type: ignore[attr-defined]
    select(Application.unit_id).where(Application.id == AchievementEntry.application_id)
    .correlate_except(Application).scalar_subquery())


class Confirmation(UnitScopedMixin, ReviewedMixin, TimestampMixin, Model):
    """职称确认 (TR-25): a person asks that a title obtained elsewhere (another province, a central
    unit, the army …) be confirmed; reviewed up the tree like an application."""

    __tablename__ = "title_confirmation"
    __scope_owner__ = "user_id"
    __review_matter__ = "title.confirmation"
    __dict_columns__ = {"sex": "sex", "series": "title_series", "level": "title_level"}
    __personal_columns__ = {"id_number": "id", "phone": "phone"}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("ab_user.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(30), nullable=False)
    sex: Mapped[str] = mapped_column(String(2), nullable=False)
    id_number: Mapped[str] = mapped_column(String(18), nullable=False)
    phone: Mapped[str] = mapped_column(String(11), nullable=False)
    workplace: Mapped[str] = mapped_column(String(100), nullable=False)
    series: Mapped[str] = mapped_column(String(4), nullable=False)
    level: Mapped[str] = mapped_column(String(4), nullable=False)
    title_name: Mapped[str] = mapped_column(String(50), nullable=False)  # 职称名称
    obtained_on: Mapped[dt.date] = mapped_column(Date, nullable=False)  # 取得时间
    issuer: Mapped[str] = mapped_column(String(100), nullable=False)  # 发证机构
    cert_no: Mapped[str | None] = mapped_column(String(50))  # 证书编号
    doc_number: Mapped[str | None] = mapped_column(String(50))  # 职称文件文号
    reason: Mapped[str | None] = mapped_column(String(500))  # 确认事由
    confirmed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=text("false"))

    def __repr__(self) -> str:
        return f"{self.name}的职称确认"
