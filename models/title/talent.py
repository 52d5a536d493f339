"""专技人才 (004 §1.2.13, TR-24): a professional's own 专技人才信息, submitted from their pages and reviewed
up the unit tree on the review engine (``title.talent``): the person's unit, then each unit above it up to the
first 人社部门. Only approved records count in 专技人才统计."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder.models.sqla import Model
from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from models.core.workflow import ReviewedMixin
from models.mixins import TimestampMixin, UnitScopedMixin

# 专业技术人员类别 (the manual's table: 具有专业技术职务人员 / 只具有职业资格证书人员 / 其他人员)
KINDS = {"title": "具有专业技术职务人员", "cert": "只具有职业资格证书人员", "other": "其他人员"}


class Talent(UnitScopedMixin, ReviewedMixin, TimestampMixin, Model):
    __tablename__ = "title_talent"
    __scope_owner__ = "user_id"
    __review_matter__ = "title.talent"
    __dict_columns__ = {"sex": "sex", "ethnicity": "ethnicity", "politics": "politics", "education": "education",
                        "series": "title_series", "level": "title_level"}
    __personal_columns__ = {"id_number": "id", "phone": "phone"}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("ab_user.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(30), nullable=False)
    sex: Mapped[str] = mapped_column(String(2), nullable=False)
    id_number: Mapped[str] = mapped_column(String(18), nullable=False)
    birth_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    phone: Mapped[str | None] = mapped_column(String(11))
    ethnicity: Mapped[str] = mapped_column(String(4), nullable=False)
    politics: Mapped[str] = mapped_column(String(4), nullable=False)
    education: Mapped[str] = mapped_column(String(4), nullable=False)
    kind: Mapped[str] = mapped_column(String(8), nullable=False, default="title")  # KINDS
    series: Mapped[str | None] = mapped_column(String(4))  # 职称系列
    level: Mapped[str | None] = mapped_column(String(4))  # 职称层级
    title_name: Mapped[str | None] = mapped_column(String(50))  # 现专业技术职称名称
    major: Mapped[str | None] = mapped_column(String(50))  # 从事专业
    overseas: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False,
                                           server_default=text("false"))  # 港澳台及外籍人士

    def __repr__(self) -> str:
        return f"{self.name}的专技人才信息"
