"""单位自行注册 (P-03) on the review engine: the parent unit reviews the registration.

The registered unit and its administrator exist from the start, but the unit is
inactive: its administrator can sign in and sees only 用户权限申请 (status, opinions,
resubmission) until the parent approves; the scope gives an inactive unit no rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.services.core import units as unit_service
from app.services.core import users as user_service
from app.workflow import Climb, MatterType, ReviewError, register, review_of, submit_new
from models.core.registration import UnitRegistration
from models.core.unit import Category, Unit

# Modules add to the registration screens: panels shown to the reviewing parent (a function of the
# registering unit returning a template and its values, or None), next steps offered to a waiting
# unit (a function of the user returning a label and an endpoint, or None), and the endpoints a
# waiting unit may open besides 用户权限申请.
DETAIL_PANELS: list[Callable[[Unit], dict[str, Any] | None]] = []
PENDING_STEPS: list[Callable[[Any], tuple[str, str] | None]] = []
PENDING_ENDPOINTS: set[str] = {"MyApplicationView.page", "MyApplicationView.edit"}


def panels(unit: Unit) -> list[dict[str, Any]]:
    return [p for p in (fn(unit) for fn in DETAIL_PANELS) if p is not None]


def pending_steps(user: Any) -> list[tuple[str, str]]:
    return [s for s in (fn(user) for fn in PENDING_STEPS) if s is not None]


def _approved(record: UnitRegistration, review: Any) -> None:
    unit = db.session.get(Unit, record.unit_id)
    unit.active = True


REGISTRATION = register(MatterType(
    code="core.unit_registration",
    name=_l("下级单位注册审核"),
    model=UnitRegistration,
    route=[Climb(1)],
    returns_to="applicant",
    list_endpoint="UnitRegistrationView.list",
    on_approved=_approved,
    permission=("can_review", "UnitRegistrationView"),
))


def register_unit(parent: Unit, data: unit_service.NewUnit, admin: dict[str, Any]) -> UnitRegistration:
    """Create the inactive unit, its administrator and the submitted registration."""
    if parent is None or not parent.active:
        raise unit_service.UnitError(_("请选择上级单位"), "parent")
    unit_service.check_basic(parent, data)
    user_service.check_new_user(admin)
    try:
        cats = db.session.query(Category).filter(Category.id.in_(data.category_ids)).all()
        unit = Unit(name=data.name.strip(), credit_code=data.credit_code.strip().upper(), parent_id=parent.id,
                    nature=data.nature or None, region_code=data.region_code or None, phone=data.phone or None,
                    active=False, path="")
        unit.categories = cats
        db.session.add(unit)
        db.session.flush()
        unit_service.assign_path(unit, parent)
        user = user_service.create_user(unit, is_admin=True, commit=False, **admin)
        user.must_change_password = False  # the person chose it
    except Exception:
        db.session.rollback()
        raise
    return submit_new(REGISTRATION, UnitRegistration(unit_id=unit.id, applicant_user_id=user.id), user)


EDITABLE = ("returned", "withdrawn")


def update_returned(record: UnitRegistration, data: unit_service.NewUnit, user: Any) -> Unit:
    """注册信息 changed by the registering unit's administrator while the registration is back
    with them (退回): the same checks as at registration; the parent stays as chosen."""

    unit = db.session.get(Unit, record.unit_id)
    review = review_of(REGISTRATION.code, record.id)
    if user is None or not getattr(user, "is_unit_admin", False) or user.unit_id != unit.id:
        raise unit_service.UnitError(_("只有注册单位的管理员可以修改注册信息"))
    if review is None or review.state not in EDITABLE:
        raise unit_service.UnitError(_("注册申请审核中或已办结，不能修改"))
    parent = db.session.get(Unit, unit.parent_id)
    unit_service.check_basic(parent, data, exclude_id=unit.id)
    unit.name = data.name.strip()
    unit.credit_code = unit_service.normalize_credit_code(data.credit_code)
    unit.nature = data.nature or None
    unit.phone = data.phone or None
    unit.categories = db.session.query(Category).filter(Category.id.in_(data.category_ids)).all()
    return unit


def registration_of(user: Any) -> UnitRegistration | None:
    if user is None or getattr(user, "unit_id", None) is None:
        return None
    return db.session.query(UnitRegistration).filter(UnitRegistration.unit_id == user.unit_id).first()


__all__ = ["REGISTRATION", "ReviewError", "register_unit", "registration_of"]
