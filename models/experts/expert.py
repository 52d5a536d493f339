"""An expert of the shared library: entered by a unit, seen by it and the units above it."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder.models.sqla import Model
from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.mixins import TimestampMixin, UnitScopedMixin


class Expert(UnitScopedMixin, TimestampMixin, Model):
    """unit_id is the entering unit (录入单位): only it edits or deletes the expert."""

    __tablename__ = "expert"
    __dict_columns__ = {"id_type": "id_type", "sex": "sex", "admin_level": "admin_level",
                        "series": "title_series", "title": "title_level"}
    __personal_columns__ = {"id_number": "id", "phone": "phone", "phone2": "phone"}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nationality: Mapped[str] = mapped_column(String(30), nullable=False, default="中国")
    name: Mapped[str] = mapped_column(String(10), nullable=False)
    id_type: Mapped[str] = mapped_column(String(4), nullable=False, default="01")
    id_number: Mapped[str] = mapped_column(String(18), nullable=False)
    sex: Mapped[str] = mapped_column(String(2), nullable=False)
    birth_ym: Mapped[str] = mapped_column(String(6), nullable=False)  # yyyyMM
    retired: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=text("false"))
    work_unit: Mapped[str] = mapped_column(String(30), nullable=False)
    supervising_unit: Mapped[str | None] = mapped_column(String(30))
    admin_post: Mapped[str] = mapped_column(String(20), nullable=False)
    admin_level: Mapped[str | None] = mapped_column(String(4))
    phone: Mapped[str] = mapped_column(String(11), nullable=False)
    phone2: Mapped[str | None] = mapped_column(String(11))
    honours: Mapped[str] = mapped_column(Text, nullable=False)
    series: Mapped[str | None] = mapped_column(String(4))
    major: Mapped[str] = mapped_column(String(30), nullable=False)
    title: Mapped[str] = mapped_column(String(4), nullable=False)
    entered_by: Mapped[int | None] = mapped_column(Integer, ForeignKey("ab_user.id"))
    enterer = relationship("UnitUser", foreign_keys=[entered_by])

    __table_args__ = (UniqueConstraint("id_number", name="uq_expert_id_number"),)

    @property
    def age(self) -> int | None:
        if not self.birth_ym or len(self.birth_ym) != 6 or not self.birth_ym.isdigit():
            return None
        today = dt.date.today()
        y, m = int(self.birth_ym[:4]), int(self.birth_ym[4:])
        return today.year - y - (1 if today.month < m else 0)

    def __repr__(self) -> str:
        return self.name
