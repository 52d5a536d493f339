"""专业技术人员: people who belong to a unit (shared by the business lines)."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder.models.sqla import Model
from sqlalchemy import Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.mixins import TimestampMixin, UnitScopedMixin


class Person(UnitScopedMixin, TimestampMixin, Model):
    __tablename__ = "core_person"
    __personal_columns__ = {"id_number": "id", "phone": "phone"}
    __dict_columns__ = {
        "sex": "sex",
        "id_type": "id_type",
        "ethnicity": "ethnicity",
        "politics": "politics",
        "education": "education",
        "title_series": "title_series",
        "title_level": "title_level",
    }

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    sex: Mapped[str | None] = mapped_column(String(8))
    id_type: Mapped[str | None] = mapped_column(String(8))
    id_number: Mapped[str | None] = mapped_column(String(32))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    phone: Mapped[str | None] = mapped_column(String(20))
    ethnicity: Mapped[str | None] = mapped_column(String(8))
    politics: Mapped[str | None] = mapped_column(String(8))
    education: Mapped[str | None] = mapped_column(String(8))
    title_series: Mapped[str | None] = mapped_column(String(8))
    title_level: Mapped[str | None] = mapped_column(String(8))
    major: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (
        Index("ix_core_person_unit_id_id", "unit_id", "id"),
        Index("uq_core_person_id_number", "id_number", unique=True),
    )

    def __repr__(self) -> str:
        return self.name
