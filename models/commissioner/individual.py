"""个人科技特派员: the profile, the application (reviewed: home city → province → 推送 → intended
city → province), and the service agreement opened after the final approval.

Each row belongs to the applicant (``user_id``: an individual account sees only its own) and
to the home city's 科技局 (``unit_id``: the city and the province above it see it); the
intended city sees the application once it is on its route.
"""

from __future__ import annotations

import datetime as dt

from flask_appbuilder.models.sqla import Model
from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.core.workflow import ReviewedMixin
from models.mixins import TimestampMixin, UnitScopedMixin

KINDS = {"individual": "个人科技特派员", "leader": "法人科技特派员（团队负责人）", "member": "法人科技特派员（团队成员）",
         "legal": "法人单位"}


class Commissioner(UnitScopedMixin, TimestampMixin, Model):
    __tablename__ = "commissioner_commissioner"
    __scope_owner__ = "user_id"
    __dict_columns__ = {"sex": "sex", "politics": "politics", "education": "education"}
    __personal_columns__ = {"phone": "phone"}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("ab_user.id"), nullable=False, unique=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False, default="individual")
    name: Mapped[str] = mapped_column(String(30), nullable=False)
    sex: Mapped[str] = mapped_column(String(2), nullable=False)
    birth_ym: Mapped[str] = mapped_column(String(6), nullable=False)
    native_place: Mapped[str] = mapped_column(String(50), nullable=False)  # 籍贯
    politics: Mapped[str] = mapped_column(String(4), nullable=False)
    education: Mapped[str] = mapped_column(String(4), nullable=False)
    workplace: Mapped[str] = mapped_column(String(100), nullable=False)  # 工作单位
    post: Mapped[str] = mapped_column(String(50), nullable=False)  # 单位职务
    title: Mapped[str] = mapped_column(String(50), nullable=False)  # 职称
    phone: Mapped[str] = mapped_column(String(11), nullable=False)
    certified_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))  # 省级科技特派员 since

    def __repr__(self) -> str:
        return self.name


class Application(UnitScopedMixin, ReviewedMixin, TimestampMixin, Model):
    __tablename__ = "commissioner_application"
    __scope_owner__ = "user_id"
    __review_matter__ = "commissioner.individual"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("ab_user.id"), nullable=False, unique=True)
    commissioner_id: Mapped[int] = mapped_column(Integer, ForeignKey("commissioner_commissioner.id"), nullable=False)
    major: Mapped[str] = mapped_column(String(100), nullable=False)  # 专业
    intended_city_id: Mapped[int] = mapped_column(Integer, ForeignKey("core_unit.id"), nullable=False)  # 拟服务地市
    intended_county: Mapped[str] = mapped_column(String(50), nullable=False)  # 拟服务县（市、区）
    intended_enterprise: Mapped[str] = mapped_column(String(100), nullable=False)  # 拟服务企业
    industry: Mapped[str] = mapped_column(String(100), nullable=False)  # 服务产业领域
    introduction: Mapped[str] = mapped_column(Text, nullable=False)  # 个人介绍
    achievements: Mapped[str] = mapped_column(Text, nullable=False)  # 主要业绩

    commissioner = relationship(Commissioner)
    intended_city = relationship("models.core.unit.Unit", foreign_keys=[intended_city_id])

    def __repr__(self) -> str:
        return f"{self.commissioner.name if self.commissioner else ''}的个人申请表"


class Agreement(UnitScopedMixin, TimestampMixin, Model):
    """个人服务协议: open only after the final approval; printed, stamped four times, scanned back."""

    __tablename__ = "commissioner_agreement"
    __scope_owner__ = "user_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(Integer, ForeignKey("commissioner_application.id"), nullable=False, unique=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("ab_user.id"), nullable=False)
    specialty: Mapped[str] = mapped_column(Text, nullable=False)  # 专业技术特长
    enterprise_business: Mapped[str] = mapped_column(Text, nullable=False)  # 服务企业主营业务
    needs: Mapped[str] = mapped_column(Text, nullable=False)  # 科技服务需求
    work_plan: Mapped[str] = mapped_column(Text, nullable=False)  # 工作内容及时间安排
    targets: Mapped[str] = mapped_column(Text, nullable=False)  # 预期完成任务指标
    application = relationship(Application)

    def __repr__(self) -> str:
        return "个人服务协议"
