"""更换上级部门 (P-07): effective after the old and then the new parent approve."""

from __future__ import annotations

from flask_appbuilder.models.sqla import Model
from sqlalchemy import ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.core.workflow import ReviewedMixin
from models.mixins import TimestampMixin, UnitScopedMixin


class ParentChange(UnitScopedMixin, ReviewedMixin, TimestampMixin, Model):
    __tablename__ = "core_parent_change"
    __review_matter__ = "core.parent_change"  # reviewers on the route see it too
    __scope_free__ = ("old_parent", "new_parent")  # the new parent may be in another branch

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    old_parent_id: Mapped[int] = mapped_column(Integer, ForeignKey("core_unit.id"), nullable=False)
    new_parent_id: Mapped[int] = mapped_column(Integer, ForeignKey("core_unit.id"), nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)

    old_parent = relationship("Unit", foreign_keys=[old_parent_id])
    new_parent = relationship("Unit", foreign_keys=[new_parent_id])

    def __repr__(self) -> str:
        return f"{self.unit.name if self.unit else ''}：{self.old_parent} → {self.new_parent}"
