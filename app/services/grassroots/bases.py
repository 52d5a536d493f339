"""专家服务基地 (G-10 … G-12) and 地区年度总结 (G-14).

* a provincial unit adds a base approved before 2022 — the base is a unit of the tree with
  its administrator — and hands it down (基地单位转移) level by level, each time to a
  managing unit directly below the base's current parent; the unit scope follows the
  move (one path rewrite);
* the base unit creates a year record, fills funding, results and the annual summary,
  and submits it; the managing unit above reviews it;
* a province (a unit directly below the centre) keeps one regional summary per year,
  reviewed by the centre.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.services.core import attachments, audit
from app.services.core import units as unit_service
from app.services.errors import BusinessError
from app.workflow import Climb, MatterType, Require, register
from models.core.unit import Category, Unit
from models.grassroots.base import BaseTransfer, BaseYear, ExpertBase, RegionalSummary

LEGACY_BEFORE = 2022


class BaseError(BusinessError):
    """A refused expert-base operation."""


def is_province(user: Any) -> bool:
    unit = getattr(user, "unit", None)
    return unit is not None and unit.depth == 1


def is_centre(user: Any) -> bool:
    unit = getattr(user, "unit", None)
    return unit is not None and unit.parent_id is None


# -- adding a pre-2022 base (G-12) ------------------------------------------------------------


def add_legacy_base(actor: Any, data: unit_service.NewUnit, *, approved_year: int | None, field: str,
                    approval_no: str | None) -> ExpertBase:
    """新增2022年之前基地单位: the base unit, its administrator and the base record, in one transaction."""
    if not is_province(actor) or not actor.is_unit_admin:
        raise BaseError(_("只有省级管理单位的管理员可以新增2022年之前的基地单位"))
    if approved_year is None or not 2000 <= approved_year < LEGACY_BEFORE:
        raise BaseError(_("这里只能新增%(y)s年之前批准设立的基地", y=LEGACY_BEFORE), "approved_year")
    if not (field or "").strip():
        raise BaseError(_("请填写服务领域"), "field")
    exec_cat = db.session.scalar(select(Category).where(Category.code == "grassroots.exec"))
    data.category_ids = [exec_cat.id]
    made: dict[str, ExpertBase] = {}

    def with_base(unit: Unit) -> None:
        base = ExpertBase(unit_id=unit.id, approved_year=approved_year, field=field.strip()[:100],
                          approval_no=(approval_no or "").strip() or None)
        db.session.add(base)
        db.session.flush()
        audit.record("create", base, user=actor)
        made["base"] = base

    try:
        unit_service.create_child_unit(actor.unit, data, actor, on_created=with_base)
    except (unit_service.UnitError, unit_service.user_service.UserError) as e:
        raise BaseError(str(e), getattr(e, "field", None)) from e
    return made["base"]


def transfer_targets(base: ExpertBase, actor: Any) -> list[Unit]:
    """The managing units directly below the actor's unit (the base's current parent)."""
    unit = db.session.get(Unit, base.unit_id)
    if actor.unit_id != unit.parent_id:
        return []
    return list(db.session.scalars(
        select(Unit).join(Unit.categories).where(Unit.parent_id == actor.unit_id, Unit.active.is_(True),
                                                 Unit.id != unit.id, Category.code == "grassroots.manage")
        .order_by(Unit.sort, Unit.id)
    ).all())


def transfer(base: ExpertBase, actor: Any, target_id: int | None) -> BaseTransfer:
    """基地单位转移: hand the base down one level; nothing else may move it."""
    unit = db.session.get(Unit, base.unit_id)
    if actor.unit_id != unit.parent_id or not actor.is_unit_admin:
        raise BaseError(_("只有基地当前的管理单位（上级单位）的管理员可以转移基地"))
    target = next((u for u in transfer_targets(base, actor) if u.id == target_id), None)
    if target is None:
        raise BaseError(_("请选择本单位的下一级管理单位"), "target")
    old_parent = unit.parent_id
    unit_service.move_subtree(unit, target, commit=False)
    row = BaseTransfer(base_id=base.id, from_unit_id=old_parent, to_unit_id=target.id, by_user_id=actor.id)
    db.session.add(row)
    audit.record("transfer", base, detail=f"{old_parent}->{target.id}", user=actor)
    return row


# -- yearly records (G-10, G-11) --------------------------------------------------------------


def add_year(base: ExpertBase, actor: Any, year: int | None) -> BaseYear:
    if actor.unit_id != base.unit_id:
        raise BaseError(_("只有基地依托单位可以新增年度记录"))
    if year is None or not 2000 <= year <= dt.date.today().year + 1:
        raise BaseError(_("请填写正确的年度"), "year")
    if db.session.scalar(select(BaseYear.id).where(BaseYear.base_id == base.id, BaseYear.year == year)):
        raise BaseError(_("%(y)s年度记录已存在", y=year), "year")
    rec = BaseYear(base_id=base.id, unit_id=base.unit_id, year=year)
    db.session.add(rec)
    return rec


def _year_complete(record: BaseYear, review: Any, user: Any) -> str | None:
    missing = []
    if record.funds_received is None:
        missing.append(_("经费情况"))
    if not record.results:
        missing.append(_("成效汇总"))
    if not record.summary:
        missing.append(_("年度总结"))
    return _("请先填报：%(m)s", m="、".join(missing)) if missing else None


BASE_YEAR = register(MatterType(
    code="grassroots.base_year", name=_l("专家基地年度材料"), model=BaseYear, route=[Climb(1)],
    returns_to="applicant", list_endpoint="GrassrootsBaseYearView.list", permission=("can_review", "grassroots.BaseYear"),
    requires=[Require(actions=("submit",), check=_year_complete)], title_of=lambda r: str(r),
))
attachments.register_owner("grassroots.base_year", BaseYear, [
    attachments.Slot("annual", _l("年度总结材料"), kinds=("pdf", "doc", "docx", "jpg", "png", "zip"), max_mb=50,
                     multiple=True),
], edit_permission=("can_edit", "grassroots.BaseYear"),
    writers=attachments.Writers(attachments.RECORD_UNIT, ("can_edit", "grassroots.BaseYear"),
                                states=attachments.EDITABLE_STATES, label=_l("基地依托单位")))


# -- regional annual summary (G-14) -----------------------------------------------------------


def _regional_complete(record: RegionalSummary, review: Any, user: Any) -> str | None:
    return None if record.content else _("请先填写总结内容")


REGIONAL = register(MatterType(
    code="grassroots.regional", name=_l("地区年度总结"), model=RegionalSummary, route=[Climb(1)],
    returns_to="applicant", list_endpoint="GrassrootsRegionalSummaryView.list",
    permission=("can_review", "grassroots.RegionalSummary"),
    requires=[Require(actions=("submit",), check=_regional_complete)], title_of=lambda r: str(r),
))
attachments.register_owner("grassroots.regional", RegionalSummary, [
    attachments.Slot("regional", _l("地区年度总结材料"), kinds=("pdf", "doc", "docx", "zip"), max_mb=50, multiple=True),
], edit_permission=("can_edit", "grassroots.RegionalSummary"),
    writers=attachments.Writers(attachments.RECORD_UNIT, ("can_edit", "grassroots.RegionalSummary"),
                                states=attachments.EDITABLE_STATES, label=_l("填报的省级单位")))


def check_regional_user(actor: Any) -> None:
    if not (is_province(actor) or is_centre(actor)):
        raise BaseError(_("地区年度总结只供部专家中心直接管理的省级单位填报"))
