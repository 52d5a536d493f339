"""数据字典: code tables maintained by the system administrator."""

from __future__ import annotations

from flask_appbuilder.models.sqla import Model
from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship


class DictType(Model):
    __tablename__ = "core_dict_type"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    hierarchical: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    remark: Mapped[str | None] = mapped_column(String(200))

    items = relationship("DictItem", back_populates="dict_type", order_by="DictItem.sort")

    def __repr__(self) -> str:
        return self.name


class DictItem(Model):
    __tablename__ = "core_dict_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    type_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("core_dict_type.id", ondelete="CASCADE"), nullable=False
    )
    code: Mapped[str] = mapped_column(String(32), nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    parent_code: Mapped[str | None] = mapped_column(String(32))
    sort: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)

    dict_type = relationship(DictType, back_populates="items")

    __table_args__ = (
        UniqueConstraint("type_id", "code", name="uq_core_dict_item_code"),
        Index("ix_core_dict_item_parent", "type_id", "parent_code"),
    )

    def __repr__(self) -> str:
        return self.name
