"""Site settings: the technical-support page (P-22)."""

from __future__ import annotations

from flask_appbuilder.models.sqla import Model
from sqlalchemy import Boolean, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from models.mixins import TimestampMixin


class SupportInfo(TimestampMixin, Model):
    """One row: who to call and when."""

    __tablename__ = "core_support_info"
    __not_personal__ = ("phone",)  # the public 技术服务 hotline
    __scope__ = "public"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(100), nullable=False, default="技术服务")
    contact: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(120))
    office_hours: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return self.title or "技术服务"


class MenuSetting(TimestampMixin, Model):
    """系统菜单 (seed 003 七): a deployment's own name, order or hiding of one menu entry (by the
    entry's registered name). Hiding takes the entry off the navigation bar; permissions still
    decide who may open the page."""

    __tablename__ = "core_menu_setting"
    __scope__ = "public"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    label: Mapped[str | None] = mapped_column(String(50))
    sort: Mapped[int | None] = mapped_column(Integer)
    hidden: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=text("false"))

    def __repr__(self) -> str:
        return self.label or self.name
