"""机构信息 of the commissioner units (seed 003 四、六、七): the province, the city departments and
the legal-person units. The name, nature, legal representative and telephone live on the unit
itself; this row keeps what only this business line asks for, and carries the legal unit's
stamped 法人申请表 (the attachment owner ``commissioner.org``)."""

from __future__ import annotations

from flask_appbuilder.models.sqla import Model
from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.mixins import TimestampMixin, UnitScopedMixin


class CommissionerOrg(UnitScopedMixin, TimestampMixin, Model):
    __tablename__ = "commissioner_org"
    __personal_columns__ = {"contact_phone": "phone"}  # the contact person's own telephone

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    location: Mapped[str] = mapped_column(String(100), nullable=False)  # 所在地
    contact: Mapped[str] = mapped_column(String(30), nullable=False)  # 联系人
    contact_phone: Mapped[str] = mapped_column(String(20), nullable=False)  # 联系人电话
    business: Mapped[str | None] = mapped_column(Text)  # 主营业务 (legal-person units)

    __table_args__ = (UniqueConstraint("unit_id", name="uq_commissioner_org_unit"),)

    def __repr__(self) -> str:
        return f"{self.unit.name if self.unit else ''}的机构信息"
