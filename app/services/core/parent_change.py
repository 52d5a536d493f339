"""更换上级部门 (P-07) declared on the review engine: old parent, then new parent.

The rule (issue 14, item 5): a unit moves only when nothing of its subtree is on its way
through the old branch. The change is refused — at submission and again at every
approval, since matters may have started in between — while

* a review of a record of the unit or a unit below it is pending (it climbs a route that
  was built from the old tree), or
* a record of the subtree is managed by a unit outside it that has not finished with it
  (e.g. a 专家服务基层示范团 recorded by the old county for an executing unit below);
  modules declare such records by appending to ``OPEN_MATTERS``.

The refusal names each open matter (type, record, where it waits). What the approval
re-routes explicitly: a record returned to its applicant (not moving along any route at
that moment) forgets the node that returned it, so that its resubmission climbs the new
tree from the start instead of going back to a unit of the old branch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.security.scope import path_in_subtree
from app.services.core import units as unit_service
from app.workflow import MatterType, Require, ReviewError, register, submit_new
from app.workflow.engine import REGISTRY
from models.core.parent_change import ParentChange
from models.core.unit import Unit
from models.core.workflow import Review

# States in which a review is still travelling along the route it was given at submission.
OPEN_STATES = ("pending",)
# How many open matters a refusal names before "等N项".
NAMED_AT_MOST = 10

# Modules add checks here: (moving unit, a SELECT of the subtree's unit ids) -> one line per
# record of the subtree that a unit outside the subtree still manages.
OPEN_MATTERS: list[Callable[[Unit, Any], list[str]]] = []


def _subtree_ids(unit: Unit) -> Any:
    return select(Unit.id).where(path_in_subtree(Unit.path, unit.path))


def unit_name(unit_id: int | None) -> str:
    unit = db.session.get(Unit, unit_id) if unit_id else None
    return unit.name if unit is not None else "—"


def _pending_reviews(unit: Unit, own_record_id: int | None) -> list[str]:
    rows = db.session.scalars(
        select(Review)
        .where(Review.state.in_(OPEN_STATES), Review.applicant_unit_id.in_(_subtree_ids(unit)))
        .order_by(Review.id)
    ).all()
    out: list[str] = []
    for review in rows:
        if review.matter == PARENT_CHANGE.code and review.record_id == own_record_id:
            continue
        matter = REGISTRY.get(review.matter)
        record = db.session.get(matter.model, review.record_id) if matter is not None else None
        title = matter.title_of(record) if matter is not None and record is not None else f"#{review.record_id}"
        out.append(_("%(matter)s“%(record)s”（%(unit)s审核中）",
                      matter=str(matter.name) if matter is not None else review.matter, record=title,
                      unit=unit_name(review.current_unit_id)))
    return out


def open_matters(unit: Unit, own_record_id: int | None = None) -> list[str]:
    """What keeps ``unit`` from moving: one line per open matter of the unit or a unit below it."""
    subtree = _subtree_ids(unit)
    found = _pending_reviews(unit, own_record_id)
    for check in OPEN_MATTERS:
        found += check(unit, subtree)
    return found


def check_can_move(unit: Unit, own_record_id: int | None = None) -> None:
    """Refuse (naming the open matters) while something of the subtree is mid-route or managed
    from the old branch. Every path that moves a unit calls this."""
    found = open_matters(unit, own_record_id)
    if not found:
        return
    shown = "；".join(found[:NAMED_AT_MOST])
    if len(found) > NAMED_AT_MOST:
        shown += _("等%(n)s项", n=len(found))
    raise ReviewError(_("该单位（或其下级单位）有尚未办结的事项，不能更换上级部门：%(m)s。请办结或撤回后再申请", m=shown))


def _no_open_matters(record: ParentChange, review: Any, user: Any) -> str | None:
    unit = db.session.get(Unit, record.unit_id)
    try:
        check_can_move(unit, record.id)
    except ReviewError as e:
        return str(e)
    return None


def _still_current(record: ParentChange, review: Any, user: Any) -> str | None:
    """A resubmitted request must still describe the tree (the unit may have moved since)."""
    unit = db.session.get(Unit, record.unit_id)
    if unit is None or unit.parent_id != record.old_parent_id:
        return _("本单位的上级单位已变更，该申请已失效，请重新申请")
    return None


def _reroute_returned(unit: Unit) -> None:
    """Records of the subtree waiting with their applicant resubmit along the new tree."""
    rows = db.session.scalars(
        select(Review).where(Review.state == "returned", Review.returned_step.is_not(None),
                             Review.applicant_unit_id.in_(_subtree_ids(unit)))
    ).all()
    for review in rows:
        review.returned_step = None  # the resubmission builds its route afresh


def _approved(record: ParentChange, review: Any) -> None:
    unit = db.session.get(Unit, record.unit_id)
    new_parent = db.session.get(Unit, record.new_parent_id)
    _reroute_returned(unit)
    try:
        unit_service.move_subtree(unit, new_parent, commit=False, own_record_id=record.id)
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
    requires=[Require(actions=("submit",), check=_still_current),
              Require(actions=("submit", "approve"), check=_no_open_matters)],
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
    # the open-matters rule is one of the submission's requirements (and the approvals')
    record = ParentChange(unit_id=unit.id, old_parent_id=unit.parent_id, new_parent_id=new_parent.id,
                          reason=(reason or "").strip() or None)
    return submit_new(PARENT_CHANGE, record, user)
