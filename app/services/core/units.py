"""Unit tree operations (P-01, P-02, P-08): create, grant categories, move, browse."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import case, exists, func, literal, select, update
from sqlalchemy.orm import aliased

from app.extensions import db
from app.security.scope import path_in_subtree, scope_clause, unit_in_scope
from app.services.core import users as user_service
from app.services.core.validators import check_credit_code, check_phone, length_error, normalize_credit_code
from app.services.errors import BusinessError
from models.core.unit import Category, Unit


class UnitError(BusinessError):
    """A refused unit operation; ``field`` names the form field when there is one."""


def grantable_categories(parent: Unit | None) -> list[Category]:
    """Categories a child of ``parent`` may take: the union of its categories' grants."""
    if parent is None:
        return []
    seen: dict[int, Category] = {}
    for cat in parent.categories:
        for child in cat.grants:
            seen[child.id] = child
    return sorted(seen.values(), key=lambda c: (c.line, c.sort, c.id))


def check_categories(parent: Unit, categories: Iterable[Category]) -> None:
    allowed = {c.id for c in grantable_categories(parent)}
    for c in categories:
        if c.id not in allowed:
            raise UnitError(
                _("上级单位无权授予单位类型“%(name)s”", name=c.name), "categories"
            )


def assign_path(unit: Unit, parent: Unit | None) -> None:
    """Give a flushed unit its materialized path."""
    if unit.id is None:
        db.session.flush()
    if parent is None:
        unit.path = f"/{unit.id}/"
        unit.depth = 0
    else:
        unit.path = f"{parent.path}{unit.id}/"
        unit.depth = parent.depth + 1


@dataclass
class NewUnit:
    """What the three steps of 新增下级单位 collect."""

    name: str
    credit_code: str
    nature: str | None = None
    region_code: str | None = None
    phone: str | None = None
    address: str | None = None
    category_ids: list[int] = field(default_factory=list)
    legal_name: str | None = None
    legal_id_type: str | None = None
    legal_id_number: str | None = None
    legal_phone: str | None = None
    admin: dict[str, Any] | None = None


def record_problems(unit: Unit) -> list[tuple[str | None, str]]:
    """The rules an edited unit's own fields obey, whoever writes them (the edit screens and
    ``PUT /api/v1/unit/<id>`` alike): every problem at once, as (field, reason)."""
    problems: list[tuple[str | None, str]] = []
    for column in ("phone", "legal_phone"):
        value = getattr(unit, column, None)
        reason = check_phone(value) if value else None
        if reason:
            problems.append((column, reason))
    if not (unit.name or "").strip():
        problems.append(("name", _("请填写单位名称")))
    too_long = length_error(Unit, **{k: getattr(unit, k) for k in ("name", "phone", "address", "legal_name")
                                     if isinstance(getattr(unit, k, None), str)})
    if too_long:
        problems.append((too_long[0], too_long[1]))
    return problems


def check_record(unit: Unit) -> None:
    """Refuse an edited unit with every problem of its fields (UnitError); nothing is written."""
    problems = record_problems(unit)
    if problems:
        raise UnitError.of(problems)


def basic_problems(parent: Unit | None, data: NewUnit, exclude_id: int | None = None) -> list[tuple[str, str]]:
    """Every problem of step 1 at once, as (field, reason)."""
    problems: list[tuple[str, str]] = []
    if not data.name or not data.name.strip():
        problems.append(("name", _("请填写单位名称")))
    too_long = length_error(Unit, **{k: v for k, v in vars(data).items() if isinstance(v, str)})
    if too_long:
        problems.append((too_long[0], too_long[1]))
    reason = check_credit_code(data.credit_code)
    if reason:
        problems.append(("credit_code", reason))
    else:
        q = select(Unit.id).where(Unit.credit_code == normalize_credit_code(data.credit_code))
        if exclude_id:
            q = q.where(Unit.id != exclude_id)
        if db.session.execute(q).first():
            problems.append(("credit_code", _("该统一社会信用代码已被其他单位使用")))
    if not data.category_ids:
        problems.append(("categories", _("请选择单位类型")))
    else:
        cats = db.session.scalars(select(Category).where(Category.id.in_(data.category_ids))).all()
        if len(cats) != len(set(data.category_ids)):
            problems.append(("categories", _("不是有效的选项")))
        elif parent is not None:
            try:
                check_categories(parent, cats)
            except UnitError as e:
                problems.append((e.field or "categories", str(e)))
    return problems


def check_basic(parent: Unit, data: NewUnit, exclude_id: int | None = None) -> None:
    """Step 1 checks; raises UnitError naming the (first) field."""
    problems = basic_problems(parent, data, exclude_id)
    if problems:
        raise UnitError(problems[0][1], problems[0][0])


def create_child_unit(parent: Unit, data: NewUnit, actor: Any,
                      on_created: Callable[[Unit], None] | None = None) -> Unit:
    """Create a child unit and its administrator in one transaction (with ``on_created``'s rows)."""
    if not can_manage_children(actor, parent):
        raise UnitError(_("只有上级单位管理员可以新增下级单位"))
    check_basic(parent, data)
    if not data.admin:
        raise UnitError(_("请添加经办人员"))
    user_service.check_new_user(data.admin)
    cats = db.session.scalars(select(Category).where(Category.id.in_(data.category_ids))).all()
    try:
        unit = Unit(
            name=data.name.strip(),
            credit_code=normalize_credit_code(data.credit_code),
            parent_id=parent.id,
            nature=data.nature or None,
            region_code=data.region_code or None,
            phone=data.phone or None,
            address=data.address or None,
            legal_name=data.legal_name or None,
            legal_id_type=data.legal_id_type or None,
            legal_id_number=data.legal_id_number or None,
            legal_phone=data.legal_phone or None,
            path="",
        )
        unit.categories = list(cats)
        db.session.add(unit)
        db.session.flush()
        assign_path(unit, parent)
        user_service.create_user(unit, is_admin=True, commit=False, **data.admin)
        if on_created is not None:
            on_created(unit)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return unit


def can_manage_children(actor: Any, parent: Unit) -> bool:
    """The parent's administrator (or a root user acting within scope) manages children."""
    if actor is None or actor.unit is None:
        return False
    if actor.unit_id == parent.id and actor.is_unit_admin:
        return True
    return user_service.is_system_admin(actor) and unit_in_scope(parent, actor)


def move_subtree(unit: Unit, new_parent: Unit, commit: bool = True, own_record_id: int | None = None) -> int:
    """Move ``unit`` under ``new_parent``; one UPDATE rewrites every path below.

    Returns the number of units whose path changed. A cycle is refused, and so is a move while
    something of the subtree is still on its way through the old branch (the 更换上级部门 rule,
    ``parent_change.check_can_move``: every path that moves a unit comes through here;
    ``own_record_id`` is the parent change being approved, which does not count against itself).
    """
    if new_parent.id == unit.id or new_parent.path.startswith(unit.path):
        raise UnitError(_("不能把单位移动到它自己或它的下级单位之下"), "parent")
    if unit.parent_id is None:
        raise UnitError(_("根单位不能移动"), "parent")
    from app.services.core import parent_change  # declared on this module: imported when used
    from app.workflow import ReviewError

    try:
        parent_change.check_can_move(unit, own_record_id)
    except ReviewError as e:
        raise UnitError(str(e), "parent") from e
    old_prefix = unit.path
    new_prefix = f"{new_parent.path}{unit.id}/"
    delta = new_parent.depth + 1 - unit.depth
    try:
        result = db.session.execute(
            update(Unit)
            .where(path_in_subtree(Unit.path, old_prefix))
            .values(
                path=literal(new_prefix) + func.substr(Unit.path, len(old_prefix) + 1),
                depth=Unit.depth + delta,
                # only the moved unit itself changes parent
                parent_id=case((Unit.id == unit.id, new_parent.id), else_=Unit.parent_id),
            )
            .execution_options(synchronize_session=False)
        )
        if commit:
            db.session.commit()
    except Exception:
        if commit:
            db.session.rollback()
        raise
    if commit:
        db.session.expire_all()
    return result.rowcount


def children_page(parent_id: int | None, offset: int = 0, limit: int = 200) -> list[dict[str, Any]]:
    """One page of a node's children for the lazy tree, within the user's scope."""
    child = aliased(Unit)
    has_children = exists().where(child.parent_id == Unit.id)
    q = select(Unit.id, Unit.name, Unit.depth, has_children.label("has_children")).where(
        scope_clause(Unit)
    )
    if parent_id is not None:
        q = q.where(Unit.parent_id == parent_id)
    q = q.order_by(Unit.sort, Unit.id).offset(offset).limit(limit + 1)
    rows = db.session.execute(q).all()
    return [
        {"id": r.id, "name": r.name, "depth": r.depth, "has_children": bool(r.has_children)}
        for r in rows
    ]


def count_subtree(unit: Unit) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Unit).where(path_in_subtree(Unit.path, unit.path))
    ) or 0
