"""单位自行注册 (P-03): a unit registers itself; its parent reviews before it may work."""

from __future__ import annotations

from flask_appbuilder.models.sqla import Model
from sqlalchemy import Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.core.workflow import ReviewedMixin
from models.mixins import TimestampMixin, UnitScopedMixin


class UnitRegistration(UnitScopedMixin, ReviewedMixin, TimestampMixin, Model):
    __tablename__ = "core_unit_registration"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    applicant_user_id: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"{self.unit.name if self.unit else ''}"
