"""The unit tree (P-01, P-02, P-08)."""

from __future__ import annotations

from flask_appbuilder.models.sqla import Model
from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.mixins import TimestampMixin, UnitScopedMixin

# A byte-ordered path column: "/1/5/23/". On PostgreSQL the "C" collation makes
# range and LIKE-prefix predicates use the plain b-tree index.
PathType = String(512).with_variant(String(512, collation="C"), "postgresql")

unit_category = Table(
    "core_unit_category",
    Model.metadata,
    Column(
        "unit_id", Integer, ForeignKey("core_unit.id", ondelete="CASCADE"), primary_key=True
    ),
    Column(
        "category_id",
        Integer,
        ForeignKey("core_category.id", ondelete="CASCADE"),
        primary_key=True,
    ),
)

category_grant = Table(
    "core_category_grant",
    Model.metadata,
    Column(
        "category_id",
        Integer,
        ForeignKey("core_category.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "child_category_id",
        Integer,
        ForeignKey("core_category.id", ondelete="CASCADE"),
        primary_key=True,
    ),
)


class Category(Model):
    """A unit category of one business line (管理部门, 人社部门, 法人单位 …)."""

    __tablename__ = "core_category"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    line: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    sort: Mapped[int] = mapped_column(Integer, default=0)
    # Categories a unit of this category may give to its children.
    grants: Mapped[list[Category]] = relationship(
        "Category",
        secondary=category_grant,
        primaryjoin=lambda: Category.id == category_grant.c.category_id,
        secondaryjoin=lambda: Category.id == category_grant.c.child_category_id,
        order_by=lambda: Category.sort,
    )

    def __repr__(self) -> str:
        return self.name


class Unit(TimestampMixin, Model):
    """A unit in the tree. ``path`` is the materialized path of ids."""

    __tablename__ = "core_unit"
    __scope__ = "self"
    __dict_columns__ = {"nature": "unit_nature", "region_code": "region"}
    __list_eager__ = ("categories",)
    __personal_columns__ = {"legal_id_number": "id", "legal_phone": "phone"}
    __not_personal__ = ("phone",)  # the unit's office telephone, shown to whoever sees the unit

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    parent_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("core_unit.id"), index=True
    )
    path: Mapped[str] = mapped_column(PathType, nullable=False, default="")
    depth: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    nature: Mapped[str | None] = mapped_column(String(32))
    region_code: Mapped[str | None] = mapped_column(String(12))
    phone: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(String(200))
    # 法人信息
    legal_name: Mapped[str | None] = mapped_column(String(64))
    legal_id_type: Mapped[str | None] = mapped_column(String(16))
    legal_id_number: Mapped[str | None] = mapped_column(String(32))
    legal_phone: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    sort: Mapped[int] = mapped_column(Integer, default=0, nullable=False)

    parent: Mapped[Unit | None] = relationship(
        "Unit", remote_side=[id], foreign_keys=[parent_id], lazy="joined", join_depth=1
    )
    categories: Mapped[list[Category]] = relationship(
        Category, secondary=unit_category, lazy="select", order_by=Category.sort
    )

    __table_args__ = (Index("ix_core_unit_path", "path", postgresql_include=["id"]),)  # index-only subtree ids

    @property
    def is_root(self) -> bool:
        return self.parent_id is None

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(p) for p in self.path.strip("/").split("/") if p]

    def category_names(self) -> str:
        return "、".join(c.name for c in self.categories)

    def __repr__(self) -> str:
        return self.name


class Department(UnitScopedMixin, TimestampMixin, Model):
    """内设部门: a department inside one unit."""

    __tablename__ = "core_department"
    __not_personal__ = ("phone",)  # the department's office telephone

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    head: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(32))
    remark: Mapped[str | None] = mapped_column(String(500))
    sort: Mapped[int] = mapped_column(Integer, default=0, nullable=False)

    __table_args__ = (UniqueConstraint("unit_id", "name", name="uq_core_department_name"),)

    def __repr__(self) -> str:
        return self.name
