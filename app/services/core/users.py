"""Users of units (P-04, P-09, P-10) and custom roles (P-05).

Rules:
* exactly one administrator per unit, appointed by the parent's administrator and
  handed over by the current one (设为超级管理员);
* staff are added by their own unit's administrator;
* the login name is fixed at creation;
* a unit administrator creates roles only from permissions it holds and gives them
  only to its own staff.
"""

from __future__ import annotations

import datetime as dt
import secrets
import string
from collections.abc import Iterable
from typing import Any

from flask import current_app, g, has_request_context
from flask_babel import gettext as _
from sqlalchemy import event, func, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.security.rules import THREE_ADMINS
from app.services.core.validators import (
    check_login_name,
    check_mobile,
    check_password,
    length_error,
)
from app.services.errors import BusinessError
from models.core.unit import Unit
from models.core.user import RoleOwner, UnitUser

ROLE_SYSTEM_ADMIN = "系统管理员"
ROLE_UNIT_ADMIN = "单位管理员"
ROLE_STAFF = "工作人员"


class UserError(BusinessError):
    """A refused account operation; ``field`` names the form field."""



# An account registered without an e-mail address gets a unique placeholder (FAB requires one);
# it is never shown nor used to send anything.
PLACEHOLDER_EMAIL = "@users.invalid"


def hash_password(password: str) -> str:
    """A password's hash by the deployment's method (FAB_PASSWORD_HASH_METHOD, as FAB's own screens:
    scrypt unless configured; the tests configure a fast one)."""
    cfg = current_app.config
    return generate_password_hash(password, method=cfg.get("FAB_PASSWORD_HASH_METHOD", "scrypt"),
                                  salt_length=int(cfg.get("FAB_PASSWORD_HASH_SALT_LENGTH", 16)))


def placeholder_email(username: str) -> str:
    return f"{username.lower()}{PLACEHOLDER_EMAIL}"


def sm() -> Any:
    return current_app.appbuilder.sm


def role_by_name(name: str) -> Any:
    return sm().find_role(name)


def is_system_admin(user: Any) -> bool:
    return any(r.name == ROLE_SYSTEM_ADMIN for r in getattr(user, "roles", []) or [])


def login_taken(username: str) -> bool:
    return bool(
        db.session.scalar(
            select(func.count())
            .select_from(UnitUser)
            .where(func.lower(UnitUser.username) == username.strip().lower())
        )
    )


def phone_registered(phone: str) -> bool:
    """Whether a self-registered (person) account already holds this mobile number."""
    return bool(
        db.session.scalar(
            select(func.count())
            .select_from(UnitUser)
            .where(UnitUser.phone == (phone or "").strip(), UnitUser.user_type == "person")
        )
    )


def check_person_phone(phone: str) -> None:
    """注册: one mobile number registers one account."""
    if phone_registered(phone):
        raise UserError(_("该手机号码已被注册"), "phone")


def email_taken(email: str, exclude_id: int | None = None) -> bool:
    """Whether another account already uses ``email`` (case-insensitive)."""
    if not email:
        return False
    q = select(func.count()).select_from(UnitUser).where(func.lower(UnitUser.email) == email.lower())
    if exclude_id is not None:
        q = q.where(UnitUser.id != exclude_id)
    return bool(db.session.scalar(q))


def new_user_problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    """Every problem of the 经办人员 / 工作人员 form at once, as (field, reason)."""
    problems: list[tuple[str, str]] = []
    username = (data.get("username") or "").strip()
    reason = check_login_name(username)
    if reason:
        problems.append(("username", reason))
    elif login_taken(username):
        problems.append(("username", _("登录名已被使用")))
    if not (data.get("name") or "").strip():
        problems.append(("name", _("请填写姓名")))
    too_long = length_error(UnitUser, first_name=(data.get("name") or "").strip(), email=(data.get("email") or "").strip())
    if too_long:
        problems.append(({"first_name": "name"}.get(too_long[0], too_long[0]), too_long[1]))
    reason = check_mobile(data.get("phone") or "")
    if reason:
        problems.append(("phone", reason))
    reason = check_password(data.get("password") or "", username)
    if reason:
        problems.append(("password", reason))
    if email_taken((data.get("email") or "").strip()):
        problems.append(("email", _("该电子邮箱已被其他账号使用")))
    return problems


def check_new_user(data: dict[str, Any]) -> None:
    """Checks of the 经办人员 / 工作人员 form; raises UserError naming the (first) field."""
    problems = new_user_problems(data)
    if problems:
        raise UserError(problems[0][1], problems[0][0])


def create_user(
    unit: Unit,
    *,
    username: str,
    name: str,
    phone: str,
    password: str,
    email: str | None = None,
    is_admin: bool = False,
    roles: Iterable[Any] = (),
    department_id: int | None = None,
    commit: bool = True,
) -> UnitUser:
    check_new_user(
        {"username": username, "name": name, "phone": phone, "password": password, "email": email}
    )
    username = username.strip()
    role_list = list(roles)
    base = role_by_name(ROLE_UNIT_ADMIN if is_admin else ROLE_STAFF)
    if base is not None and base not in role_list:
        role_list.insert(0, base)
    user = UnitUser(
        first_name=name.strip(),
        last_name="",
        username=username,
        # FAB requires a unique e-mail; people without one get a placeholder.
        email=(email or "").strip() or placeholder_email(username),
        phone=phone.strip(),
        active=True,
        unit_id=unit.id,
        is_unit_admin=is_admin,
        department_id=department_id,
        user_type="unit",
        password=hash_password(password),
        must_change_password=True,  # whoever set it, the person chooses their own
        password_changed_at=dt.datetime.now(),
    )
    user.roles = role_list
    db.session.add(user)
    db.session.flush()
    if commit:
        db.session.commit()
    return user


def unit_admin(unit_id: int) -> UnitUser | None:
    return db.session.scalar(
        select(UnitUser).where(UnitUser.unit_id == unit_id, UnitUser.is_unit_admin.is_(True))
    )


def appoint_admin(unit: Unit, actor: Any, data: dict[str, Any]) -> UnitUser:
    """分配管理员: the parent's administrator gives a child unit its administrator."""
    parent_admin_ok = (
        actor is not None
        and unit.parent_id is not None
        and actor.unit_id == unit.parent_id
        and actor.is_unit_admin
    )
    if not parent_admin_ok and not is_system_admin(actor):
        raise UserError(_("只有上级单位管理员可以分配管理员"))
    if unit_admin(unit.id) is not None:
        raise UserError(_("该单位已有管理员，请由其本人通过“设为超级管理员”移交"))
    return create_user(unit, is_admin=True, **data)


def hand_over_admin(new_admin: UnitUser, actor: Any) -> None:
    """设为超级管理员: the administrator hands the role to a staff member of the unit."""
    if actor is None or not actor.is_unit_admin or actor.unit_id != new_admin.unit_id:
        raise UserError(_("只有本单位管理员可以移交管理员"))
    if new_admin.id == actor.id:
        raise UserError(_("该用户已是本单位管理员"))
    if not new_admin.active:
        raise UserError(_("已禁用的账号不能设为管理员"))
    admin_role = role_by_name(ROLE_UNIT_ADMIN)
    staff_role = role_by_name(ROLE_STAFF)
    try:
        actor.is_unit_admin = False
        actor.roles = [r for r in actor.roles if r.name != ROLE_UNIT_ADMIN]
        if staff_role is not None and staff_role not in actor.roles:
            actor.roles.append(staff_role)
        db.session.flush()  # the unique index allows one admin per unit
        new_admin.is_unit_admin = True
        roles = list(new_admin.roles)
        if admin_role is not None and admin_role not in roles:
            roles.append(admin_role)
        new_admin.roles = roles
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


# -- 三员分立: the three administrators' accounts ----------------------------------------------

GUARDED_COLUMNS = ("active", "password")  # with roles, groups and deletion


def three_admin_refusal_text() -> str:
    return _("系统管理员、安全管理员、审计管理员的账号不能由他人禁用、删除、修改角色或重置密码")


def is_three_admin(user: Any) -> bool:
    return any(getattr(r, "name", None) in THREE_ADMINS for r in getattr(user, "roles", None) or [])


def _roles_before(user: UnitUser) -> list[Any]:
    """The roles the account held before the pending change (the change itself may remove one)."""
    hist = sa_inspect(user).attrs.roles.history
    if hist.added or hist.deleted:
        return list(hist.unchanged or ()) + list(hist.deleted or ())
    return list(user.roles or [])


def three_admin_refusal(user: Any, actor: Any, *, deleting: bool = False) -> str | None:
    """三员分立: the accounts of the system, security and audit administrators are disabled, deleted,
    given other roles (or groups) or a new password only by themselves or from the command line —
    never by another user: not by another of the three, nor by the administrator of their unit.
    Returns the refusal, or None when the change (pending on ``user``) is allowed."""
    actor_id = getattr(actor, "id", None)
    if actor_id is None or user is None or getattr(user, "id", None) in (None, actor_id):
        return None
    state = sa_inspect(user)
    if state.pending:
        return None
    changed = deleting or any(state.attrs[c].history.has_changes() for c in GUARDED_COLUMNS)
    for rel in ("roles", "groups"):
        hist = state.attrs[rel].history
        changed = changed or bool(hist.added or hist.deleted)
    if not changed:
        return None
    if not any(getattr(r, "name", None) in THREE_ADMINS for r in _roles_before(user)):
        return None
    return three_admin_refusal_text()


def check_three_admin(user: Any, actor: Any, *, deleting: bool = False) -> None:
    reason = three_admin_refusal(user, actor, deleting=deleting)
    if reason:
        raise UserError(reason)


def _acting_user() -> Any:
    if not has_request_context():
        return None  # the command line (flask seed admins, flask fab reset-password) stays the way back
    user = g.get("user")
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _guard_three_admins(session: Session, flush_context: Any, instances: Any) -> None:
    """Every path (FAB's screens, the unit screens' actions, an API) meets the rule at flush."""
    actor = _acting_user()
    if actor is None:
        return
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, UnitUser):
            check_three_admin(obj, actor, deleting=obj in session.deleted)


if not event.contains(Session, "before_flush", _guard_three_admins):
    event.listen(Session, "before_flush", _guard_three_admins)


#: Unit categories whose administrator manages every account of the unit's subtree (用户管理, e.g.
#: the province of 科技特派员, seed 003 七): the business modules declare theirs.
LINE_ACCOUNT_MANAGERS: set[str] = set()


def manages_line_accounts(actor: Any) -> bool:
    """Whether ``actor`` is the administrator of a unit that manages every account of its line."""
    unit = getattr(actor, "unit", None)
    if (actor is None or unit is None or not unit.active or getattr(actor, "user_type", "unit") != "unit"
            or not getattr(actor, "is_unit_admin", False)):
        return False
    return any(c.code in LINE_ACCOUNT_MANAGERS for c in unit.categories)


def can_manage_account(actor: Any, user: UnitUser) -> bool:
    """The parent's administrator manages a child's administrator account; a unit's
    administrator manages its own staff; a line's administrator (``LINE_ACCOUNT_MANAGERS``) every
    account below it, persons included, except the three administrators."""
    if actor is None or user is None or actor.id == user.id:
        return False
    if is_system_admin(actor) and actor.unit is not None and user.unit is not None:
        return user.unit.path.startswith(actor.unit.path)
    if not actor.is_unit_admin or user.unit is None:
        return False
    if manages_line_accounts(actor) and user.unit.path.startswith(actor.unit.path) and not is_three_admin(user):
        return True
    if user.is_unit_admin:
        return user.unit.parent_id == actor.unit_id
    return user.unit_id == actor.unit_id


def set_active(user: UnitUser, active: bool, actor: Any) -> None:
    if not can_manage_account(actor, user):
        raise UserError(_("无权管理该账号"))
    if is_three_admin(user):
        raise UserError(three_admin_refusal_text())
    user.active = active
    db.session.commit()


def update_account(user: UnitUser, actor: Any, *, name: str, phone: str, email: str | None) -> None:
    """用户管理's 编辑: name, mobile and e-mail of an account the actor manages; the caller commits."""
    if not can_manage_account(actor, user):
        raise UserError(_("无权管理该账号"))
    if not (name or "").strip():
        raise UserError(_("请填写姓名"), "first_name")
    reason = check_mobile(phone or "")
    if reason:
        raise UserError(reason, "phone")
    email = (email or "").strip()
    if email_taken(email, user.id):
        raise UserError(_("该电子邮箱已被其他账号使用"), "email")
    user.first_name = name.strip()
    user.last_name = user.last_name or ""
    user.phone = phone.strip()
    user.email = email or placeholder_email(user.username)


def check_delete(user: UnitUser, actor: Any) -> None:
    """用户管理's 删除: an account the actor manages, not a unit's administrator (hand it over first);
    an account with business records is refused by the database and is disabled instead."""
    if not can_manage_account(actor, user):
        raise UserError(_("无权管理该账号"))
    if user.is_unit_admin:
        raise UserError(_("单位管理员账号不能删除：请先由该单位移交管理员，或禁用该账号"))


def random_password(length: int = 12) -> str:
    alphabet = string.ascii_letters + string.digits
    while True:
        pw = "".join(secrets.choice(alphabet) for _ in range(length - 2)) + "@" + secrets.choice(string.digits)
        if check_password(pw) is None:
            return pw


def reset_password(user: UnitUser, actor: Any) -> str:
    """A parent (or own-unit) administrator resets a password; returns the new one."""
    if not can_manage_account(actor, user):
        raise UserError(_("无权管理该账号"))
    if is_three_admin(user):
        raise UserError(three_admin_refusal_text())
    new = random_password()
    user.password = hash_password(new)
    user.must_change_password = True
    user.password_changed_at = dt.datetime.now()
    db.session.commit()
    return new


def change_own_password(user: UnitUser, old: str, new: str) -> None:
    if not user.password or not check_password_hash(user.password, old or ""):
        raise UserError(_("原密码不正确"), "old_password")
    reason = check_password(new, user.username)
    if reason:
        raise UserError(reason, "password")
    if check_password_hash(user.password, new):
        raise UserError(_("新密码不能与原密码相同"), "password")
    user.password = hash_password(new)
    user.must_change_password = False
    user.password_changed_at = dt.datetime.now()
    db.session.commit()


def set_password(user: UnitUser, new: str) -> None:
    """The person sets their own password (forgotten-password flow)."""
    reason = check_password(new, user.username)
    if reason:
        raise UserError(reason, "password")
    user.password = hash_password(new)
    user.must_change_password = False
    user.password_changed_at = dt.datetime.now()
    user.locked_until = None
    user.fail_login_count = 0
    db.session.commit()


# -- roles -------------------------------------------------------------------------


def permission_views_of(user: Any) -> set[int]:
    """Ids of every permission-on-view the user holds through any role."""
    ids: set[int] = set()
    for role in user.roles:
        ids.update(pv.id for pv in role.permissions)
    return ids


def custom_roles_of(unit_id: int) -> list[Any]:
    from flask_appbuilder.security.sqla.models import Role

    return list(
        db.session.scalars(
            select(Role)
            .join(RoleOwner, RoleOwner.role_id == Role.id)
            .where(RoleOwner.unit_id == unit_id)
            .order_by(Role.name)
        )
    )


def assignable_roles(actor: Any) -> list[Any]:
    """Roles a unit administrator may give its staff: 工作人员 plus its custom roles."""
    roles = []
    staff = role_by_name(ROLE_STAFF)
    if staff is not None:
        roles.append(staff)
    if actor is not None and actor.unit_id:
        roles.extend(custom_roles_of(actor.unit_id))
    return roles


def check_roles_assignable(actor: Any, roles: Iterable[Any]) -> None:
    allowed = {r.id for r in assignable_roles(actor)}
    for r in roles:
        if r.id not in allowed:
            raise UserError(_("不能分配角色“%(name)s”", name=r.name), "roles")


def save_custom_role(actor: Any, name: str, permission_views: Iterable[Any], role: Any = None) -> Any:
    """Create or edit a custom role of the actor's unit from permissions it holds."""
    from flask_appbuilder.security.sqla.models import Role

    if actor is None or not actor.is_unit_admin:
        raise UserError(_("只有单位管理员可以管理角色"))
    name = (name or "").strip()
    if not name:
        raise UserError(_("请填写角色名称"), "name")
    held = permission_views_of(actor)
    pvs = list(permission_views)
    for pv in pvs:
        if pv.id not in held:
            raise UserError(_("不能授予本人不具有的权限：%(p)s", p=str(pv)), "permissions")
    exists_q = select(Role.id).where(Role.name == name)
    if role is not None:
        exists_q = exists_q.where(Role.id != role.id)
    if db.session.execute(exists_q).first():
        raise UserError(_("角色名称已存在"), "name")
    try:
        if role is None:
            role = Role(name=name)
            db.session.add(role)
            db.session.flush()
            db.session.add(RoleOwner(role_id=role.id, unit_id=actor.unit_id))
        else:
            owner = db.session.get(RoleOwner, role.id)
            if owner is None or owner.unit_id != actor.unit_id:
                raise UserError(_("只能修改本单位的自定义角色"))
            role.name = name
        role.permissions = pvs
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return role
