"""Users of the platform: FAB's ab_user extended with unit membership (P-04)."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder.models.sqla import Model
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship


class UnitUser(User):
    """A user of one unit: its single administrator or one of its staff."""

    __tablename__ = "ab_user"
    __table_args__ = {"extend_existing": True}
    __scope__ = "unit"
    __personal_columns__ = {"phone": "phone", "id_number": "id"}

    unit_id = Column(Integer, ForeignKey("core_unit.id"), nullable=True, index=True)
    department_id = Column(Integer, ForeignKey("core_department.id"), nullable=True)
    is_unit_admin = Column(Boolean, nullable=False, default=False, server_default=text("false"))
    phone = Column(String(20), nullable=True, index=True)
    id_number = Column(String(18), nullable=True)
    # "unit": works for a unit; "person": an individual who sees only own records.
    user_type = Column(String(16), nullable=False, default="unit", server_default="unit")
    # a person's business line (the one they registered in: app/modules.py); units' users have none
    line = Column(String(30), nullable=True)
    # security baseline: forced change, expiry, lockout, ending every session at once
    must_change_password = Column(Boolean, nullable=False, default=True, server_default=text("true"))
    password_changed_at = Column(DateTime, nullable=True)
    locked_until = Column(DateTime, nullable=True)
    session_version = Column(Integer, nullable=False, default=0, server_default=text("0"))

    unit = relationship("Unit", foreign_keys=[unit_id], lazy="joined")
    department = relationship("Department", foreign_keys=[department_id])

    @property
    def name(self) -> str:
        return f"{self.first_name}{self.last_name or ''}"

    def get_full_name(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return self.name


# Exactly one administrator per unit.
Index(
    "uq_ab_user_unit_admin",
    UnitUser.__table__.c.unit_id,
    unique=True,
    sqlite_where=text("is_unit_admin"),
    postgresql_where=text("is_unit_admin"),
)


class RoleOwner(Model):
    """Marks a custom role as belonging to one unit (created by its administrator)."""

    __tablename__ = "core_role_owner"

    role_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("ab_role.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("core_unit.id", ondelete="CASCADE"), nullable=False, index=True
    )
    role = relationship("Role")


class PasswordResetCode(Model):
    """A one-time code for resetting a forgotten password."""

    __tablename__ = "core_password_reset"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False, index=True
    )
    code_hash: Mapped[str] = mapped_column(String(256), nullable=False)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime, default=dt.datetime.now, nullable=False
    )
