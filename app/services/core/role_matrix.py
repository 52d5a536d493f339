"""角色权限矩阵 (P-05): a role's permissions as menus × actions, read and edited at a glance.

Rows are the views grouped by their menu category, in Chinese; the columns are 列表,
详情, 新增, 编辑, 删除 and then each view's other actions. Menu entries are not edited by
hand: a role sees a menu item when it holds a permission that opens its view.

A unit administrator edits its own unit's custom roles and may tick only what it
holds itself; the security administrator edits every role except the built-in
administrator role and the roles it holds itself (nobody grants to themselves).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_appbuilder.security.sqla.models import Permission, PermissionView, Role, ViewMenu
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.services.core import audit
from app.services.core import users as user_service
from app.services.core.permissions import _PERMS, _PSEUDO_VIEWS, _action_labels, _view_labels
from app.services.errors import BusinessError

COLUMNS = [("can_list", _l("列表")), ("can_show", _l("详情")), ("can_add", _l("新增")), ("can_edit", _l("编辑")),
           ("can_delete", _l("删除"))]


class MatrixError(BusinessError):
    """A refused grant in the role matrix."""


@dataclass
class Cell:
    pv_id: int
    label: str
    checked: bool
    allowed: bool


@dataclass
class Row:
    view: str
    label: str
    cells: dict[str, Cell] = field(default_factory=dict)
    others: list[Cell] = field(default_factory=list)


def is_security_admin(actor: Any) -> bool:
    return current_app.appbuilder.sm.has_access("can_edit", "PlatformRoleModelView")


def editable_roles(actor: Any) -> list[Role]:
    admin_role = current_app.config.get("AUTH_ROLE_ADMIN")
    if is_security_admin(actor):
        own = {r.id for r in actor.roles}
        rows = db.session.scalars(select(Role).order_by(Role.name)).all()
        return [r for r in rows if r.name != admin_role and r.id not in own]
    if getattr(actor, "is_unit_admin", False) and actor.unit_id:
        return user_service.custom_roles_of(actor.unit_id)
    return []


def check_role(actor: Any, role: Role | None) -> Role:
    if role is None or role.id not in {r.id for r in editable_roles(actor)}:
        raise MatrixError(_("无权编辑该角色"))
    return role


def _all_pvs() -> list[PermissionView]:
    return list(db.session.scalars(
        select(PermissionView).join(Permission, Permission.id == PermissionView.permission_id)
        .join(ViewMenu, ViewMenu.id == PermissionView.view_menu_id)
        .where(Permission.name != "menu_access").order_by(ViewMenu.name, Permission.name)
    ).all())


def _groups() -> dict[str, str]:
    """view class name -> its menu category label."""
    from views.registry import MENU_OF

    labels: dict[str, str] = {}
    for item in current_app.appbuilder.menu.get_list():
        if item.childs:
            for child in item.childs:
                labels[f"item:{child.name}"] = str(item.label or item.name)
        else:
            labels[f"item:{item.name}"] = str(_l("常用功能"))
    out = {}
    for view, menus in MENU_OF.items():
        for name, _cat in menus:
            if f"item:{name}" in labels:
                out[view] = labels[f"item:{name}"]
                break
    return out


def matrix(actor: Any, role: Role) -> list[tuple[str, list[Row]]]:
    security = is_security_admin(actor)
    held = user_service.permission_views_of(actor)
    have = {pv.id for pv in role.permissions}
    views, actions, groups = _view_labels(), _action_labels(), _groups()
    rows: dict[str, Row] = {}
    for pv in _all_pvs():
        view, perm = pv.view_menu.name, pv.permission.name
        allowed = security or pv.id in held
        if not allowed and pv.id not in have:
            continue  # a unit administrator sees only what it could grant (or what is there)
        label = str(_PSEUDO_VIEWS[view]) if view in _PSEUDO_VIEWS else views.get(view, view)
        row = rows.setdefault(view, Row(view=view, label=label))
        perm_label = actions.get((view, perm)) or (str(_PERMS[perm]) if perm in _PERMS else perm)
        cell = Cell(pv.id, perm_label, pv.id in have, allowed)
        if perm in dict(COLUMNS):
            row.cells[perm] = cell
        else:
            row.others.append(cell)
    grouped: dict[str, list[Row]] = {}
    other = str(_l("其他（接口与后台功能）"))
    for view, row in rows.items():
        grouped.setdefault(groups.get(view, other), []).append(row)
    order = sorted(grouped, key=lambda g: (g == other, g))
    return [(g, sorted(grouped[g], key=lambda r: r.label)) for g in order]


def save(actor: Any, role: Role, pv_ids: list[int]) -> Role:
    """Give ``role`` exactly the ticked permissions plus the menu items they open; the caller commits."""
    from seed.roles import menu_pairs

    check_role(actor, role)
    security = is_security_admin(actor)
    held = user_service.permission_views_of(actor)
    wanted = list(db.session.scalars(select(PermissionView).where(PermissionView.id.in_(pv_ids))).all())
    if len(wanted) != len(set(pv_ids)):
        raise MatrixError(_("权限不存在"))
    before = {pv.id for pv in role.permissions}
    for pv in wanted:
        if pv.permission.name == "menu_access":
            raise MatrixError(_("菜单权限由所选功能自动确定"))
        if not security and pv.id not in held and pv.id not in before:
            raise MatrixError(_("不能授予本人不具有的权限：%(p)s", p=f"{pv.view_menu.name}.{pv.permission.name}"))
    table: dict[str, list[str]] = {}
    for pv in wanted:
        table.setdefault(pv.view_menu.name, []).append(pv.permission.name)
    menus = []
    for perm, view in sorted(menu_pairs(table)):
        pv = current_app.appbuilder.sm.find_permission_view_menu(perm, view)
        if pv is not None and (security or pv.id in held):
            menus.append(pv)
    from views.registry import MENU_OF

    derivable = {name for ms in MENU_OF.values() for name, cat in ms} | {
        cat for ms in MENU_OF.values() for _n, cat in ms if cat}
    kept = [pv for pv in role.permissions if pv.permission.name == "menu_access"
            and pv.view_menu.name not in derivable]  # e.g. the security screens' own menus
    final = {pv.id: pv for pv in wanted + menus + kept}
    role.permissions = list(final.values())
    added = sorted(set(final) - before)
    removed = sorted(before - set(final))
    audit.record("permission_change", role, object_type="role", object_id=role.id, object_repr=role.name,
                 changes={"added": added, "removed": removed}, user=actor)
    return role
