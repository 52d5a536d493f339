"""Mixins every business model uses."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship


def _now() -> dt.datetime:
    return dt.datetime.now()


class TimestampMixin:
    created_on: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    changed_on: Mapped[dt.datetime] = mapped_column(
        DateTime, default=_now, onupdate=_now
    )


class UnitScopedMixin:
    """A record that belongs to one unit; the unit scope filters on unit_id.

    ``__scope__ = "unit"`` is the declaration the scope function reads.
    """

    __scope__ = "unit"

    @declared_attr
    def unit_id(cls) -> Mapped[int]:  # noqa: N805
        return mapped_column(
            Integer, ForeignKey("core_unit.id"), nullable=False, index=True
        )

    @declared_attr
    def unit(cls):  # noqa: N805
        return relationship("Unit", foreign_keys=[cls.unit_id], lazy="joined")
