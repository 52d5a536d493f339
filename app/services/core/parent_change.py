"""更换上级部门 (P-07) declared on the review engine: old parent, then new parent."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.services.core import units as unit_service
from app.workflow import MatterType, ReviewError, register, submit_new
from models.core.parent_change import ParentChange
from models.core.unit import Unit


def _approved(record: ParentChange, review: Any) -> None:
    unit = db.session.get(Unit, record.unit_id)
    new_parent = db.session.get(Unit, record.new_parent_id)
    try:
        unit_service.move_subtree(unit, new_parent, commit=False)
    except unit_service.UnitError as e:
        raise ReviewError(str(e)) from e


PARENT_CHANGE = register(MatterType(
    code="core.parent_change",
    name=_l("更换上级部门"),
    model=ParentChange,
    route_builder=lambda r: [r.old_parent_id, r.new_parent_id],
    returns_to="applicant",
    list_endpoint="ParentChangeView.list",
    on_approved=_approved,
    permission=("can_review", "ParentChangeView"),
))


def request_change(unit: Unit, new_parent: Unit, reason: str, user: Any) -> ParentChange:
    """The unit's administrator asks to move under ``new_parent``; submitted at once."""
    if not user.is_unit_admin or user.unit_id != unit.id:
        raise ReviewError(_("只有本单位管理员可以申请更换上级部门"))
    if unit.parent_id is None:
        raise ReviewError(_("根单位不能更换上级部门"))
    if new_parent.id == unit.parent_id:
        raise ReviewError(_("新的上级单位与当前上级单位相同"))
    if new_parent.path.startswith(unit.path):
        raise ReviewError(_("不能把单位移动到它自己或它的下级单位之下"))
    record = ParentChange(unit_id=unit.id, old_parent_id=unit.parent_id, new_parent_id=new_parent.id,
                          reason=(reason or "").strip() or None)
    return submit_new(PARENT_CHANGE, record, user)
