"""工作人员, 下级单位管理员 and 角色管理 (P-04, P-05, P-09)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, request
from flask_appbuilder import ModelView
from flask_appbuilder.actions import action
from flask_appbuilder.fields import QuerySelectField
from flask_appbuilder.fieldwidgets import (
    BS3PasswordFieldWidget,
    BS3TextFieldWidget,
    Select2ManyWidget,
    Select2Widget,
)
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.sqla.models import PermissionView, Role, assoc_user_role
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, false, select
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Optional

from app.extensions import db
from app.security.rules import THREE_ADMINS
from app.services.core import users as user_service
from app.services.core.permissions import permission_label
from app.services.core.validators import check_mobile
from models.core.unit import Department, Unit
from models.core.user import RoleOwner, UnitUser
from views.base import ChineseDisplayMixin, FormError, ScopedModelView, StrictActionsMixin
from views.fields import StrictQuerySelectMultipleField, UnitSelectField
from views.writes import write

USER_LABELS = {
    "first_name": _l("姓名"),
    "name": _l("姓名"),
    "username": _l("登录名"),
    "unit": _l("所属单位"),
    "department": _l("内设部门"),
    "phone": _l("手机号码"),
    "email": _l("电子邮箱"),
    "roles": _l("角色"),
    "is_unit_admin": _l("单位管理员"),
    "active": _l("启用"),
    "last_login": _l("最近登录"),
    "created_on": _l("创建时间"),
    "password": _l("初始密码"),
    "conf_password": _l("确认密码"),
}


class OwnUnitFilter(BaseFilter):
    name = "own unit"

    def apply(self, query: Any, value: Any) -> Any:
        uid = getattr(g.user, "unit_id", None)
        return query.filter(UnitUser.unit_id == uid) if uid else query.filter(false())


class ChildAdminFilter(BaseFilter):
    name = "child admins"

    def apply(self, query: Any, value: Any) -> Any:
        uid = getattr(g.user, "unit_id", None)
        if not uid:
            return query.filter(false())
        children = select(Unit.id).where(Unit.parent_id == uid)
        return query.filter(and_(UnitUser.is_unit_admin.is_(True), UnitUser.unit_id.in_(children)))


def _assignable_query() -> list[Any]:
    return user_service.assignable_roles(g.user)


def _departments_query() -> list[Any]:
    uid = getattr(g.user, "unit_id", None)
    return list(db.session.scalars(select(Department).where(Department.unit_id == uid).order_by(Department.sort)))


def _typed_new_user() -> dict[str, Any]:
    """The new account's values as typed into the 新增 form."""
    form = request.form
    return {
        "username": (form.get("username") or "").strip(),
        "name": (form.get("first_name") or "").strip(),
        "phone": (form.get("phone") or "").strip(),
        "email": (form.get("email") or "").strip() or None,
        "password": form.get("password") or "",
    }


def _new_user_problems() -> list[tuple[str | None, str]]:
    """Every problem of the typed new account, beside the form's fields."""
    return [("first_name" if field == "name" else field, str(reason))
            for field, reason in user_service.new_user_problems(_typed_new_user())]


class AccountActionsMixin:
    """禁用 / 启用 / 重置密码 for accounts the actor manages."""

    def _each(self, items: Any, fn: Any) -> Any:
        items = items if isinstance(items, list) else [items]
        ok = 0
        for item in items:
            if write(lambda item=item: fn(item), label=item.username, refusal="warning"):
                ok += 1
        if ok:
            flash(_("已处理%(n)s个账号", n=ok), "success")
        return redirect(self.get_redirect())

    @action("disable", _l("禁用"), _l("禁用后该账号无法登录，确定禁用？"), "fa-ban", single=False)
    def disable(self, items: Any) -> Any:
        return self._each(items, lambda u: user_service.set_active(u, False, g.user))

    @action("enable", _l("启用"), _l("确定启用所选账号？"), "fa-check", single=False)
    def enable(self, items: Any) -> Any:
        return self._each(items, lambda u: user_service.set_active(u, True, g.user))

    @action("resetpassword", _l("重置密码"), _l("将生成新的随机密码，确定重置？"), "fa-key", single=False)
    def resetpassword(self, items: Any) -> Any:
        def reset(u: Any) -> None:
            new = user_service.reset_password(u, g.user)
            flash(_("%(name)s（登录名 %(login)s）的新密码：%(pw)s", name=u.name, login=u.username, pw=new), "info")

        return self._each(items, reset)


class StaffView(AccountActionsMixin, ScopedModelView):
    """本单位工作人员: added and managed by the unit's own administrator."""

    route_base = "/staff"
    datamodel = SQLAInterface(UnitUser)
    entity_title = _l("工作人员")
    list_title = _l("本单位工作人员")
    base_filters = [["id", OwnUnitFilter, None]]
    label_columns = USER_LABELS
    list_columns = ["first_name", "username", "department", "phone", "roles", "is_unit_admin", "active"]
    show_columns = ["first_name", "username", "unit", "department", "phone", "email", "roles", "is_unit_admin", "active", "last_login"]
    add_columns = ["username", "first_name", "phone", "email", "department", "roles", "password", "conf_password"]
    edit_columns = ["first_name", "phone", "email", "department", "roles"]
    search_columns = ["first_name", "username", "phone", "active"]
    order_columns = ["first_name", "username"]
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "makeadmin", "disable", "enable",
                        "resetpassword"]

    add_form_extra_fields = {
        "username": StringField(_l("登录名"), validators=[DataRequired(_l("请填写登录名"))], widget=BS3TextFieldWidget(),
                                description=_l("登录名创建后不可修改")),
        "first_name": StringField(_l("姓名"), validators=[DataRequired(_l("请填写姓名"))], widget=BS3TextFieldWidget()),
        "phone": StringField(_l("手机号码"), validators=[DataRequired(_l("请填写手机号码"))], widget=BS3TextFieldWidget()),
        "email": StringField(_l("电子邮箱"), validators=[Optional()], widget=BS3TextFieldWidget()),
        "password": PasswordField(_l("初始密码"), validators=[DataRequired(_l("请填写初始密码"))], widget=BS3PasswordFieldWidget()),
        "conf_password": PasswordField(_l("确认密码"), validators=[EqualTo("password", message=_l("两次输入的密码不一致"))],
                                       widget=BS3PasswordFieldWidget()),
        "roles": StrictQuerySelectMultipleField(_l("角色"), query_func=_assignable_query, get_pk_func=lambda r: r.id,
                                          widget=Select2ManyWidget()),
        "department": QuerySelectField(
            _l("内设部门"), query_func=_departments_query, get_pk_func=lambda d: d.id, allow_blank=True,
            widget=Select2Widget()),
    }
    edit_form_extra_fields = {
        "first_name": add_form_extra_fields["first_name"],
        "phone": add_form_extra_fields["phone"],
        "email": add_form_extra_fields["email"],
        "roles": add_form_extra_fields["roles"],
        "department": add_form_extra_fields["department"],
    }

    def form_problems(self, item: Any, is_created: bool) -> list[tuple[str | None, str]]:
        return _new_user_problems() if is_created else []

    def pre_add(self, item: Any) -> None:
        if not g.user.is_unit_admin:
            raise FormError(_("只有本单位管理员可以新增工作人员"))
        data = _typed_new_user()
        problems = _new_user_problems()
        if problems:
            raise FormError.of(problems)
        try:
            user_service.check_roles_assignable(g.user, item.roles or [])
        except user_service.UserError as e:
            raise FormError(str(e), e.field) from e
        item.username = data["username"]
        item.first_name = data["name"]
        item.last_name = ""
        item.email = data["email"] or user_service.placeholder_email(data["username"])
        item.unit_id = g.user.unit_id
        item.unit = g.user.unit
        item.is_unit_admin = False
        item.user_type = "unit"
        item.active = True
        item.password = user_service.hash_password(data["password"])
        staff = user_service.role_by_name(user_service.ROLE_STAFF)
        if staff is not None and staff not in item.roles:
            item.roles = [staff] + list(item.roles or [])

    def pre_update(self, item: Any) -> None:
        item.email = (item.email or "").strip() or user_service.placeholder_email(item.username)
        if not g.user.is_unit_admin and item.id != g.user.id:
            raise FormError(_("只有本单位管理员可以修改工作人员"))
        reason = check_mobile(item.phone or "")
        if reason:
            raise FormError(reason, "phone")
        new_roles = [r for r in item.roles if r.name not in (user_service.ROLE_UNIT_ADMIN,)]
        try:
            user_service.check_roles_assignable(g.user, new_roles)
        except user_service.UserError as e:
            raise FormError(str(e), "roles") from e
        if item.is_unit_admin:
            admin_role = user_service.role_by_name(user_service.ROLE_UNIT_ADMIN)
            if admin_role is not None and admin_role not in new_roles:
                new_roles.append(admin_role)
        item.roles = new_roles
        item.last_name = item.last_name or ""

    @action("makeadmin", _l("设为超级管理员"), _l("移交后您将不再是本单位管理员，确定移交？"), "fa-user-shield", multiple=False)
    def makeadmin(self, item: Any) -> Any:
        if isinstance(item, list):
            abort(400)
        write(lambda: user_service.hand_over_admin(item, g.user),
              lambda _done: _("已将本单位管理员移交给%(name)s", name=item.name))
        return redirect(self.get_redirect())


class ChildAdminView(AccountActionsMixin, ScopedModelView):
    """下级单位管理员: list, disable/enable, reset password, look up login names."""

    route_base = "/childadmins"
    datamodel = SQLAInterface(UnitUser)
    entity_title = _l("下级单位管理员")
    list_title = _l("下级单位管理员")
    base_filters = [["id", ChildAdminFilter, None]]
    label_columns = USER_LABELS
    list_columns = ["unit", "first_name", "username", "phone", "active", "last_login"]
    show_columns = ["unit", "first_name", "username", "phone", "email", "active", "last_login", "created_on"]
    search_columns = ["first_name", "username", "phone", "active"]
    base_permissions = ["can_list", "can_show", "disable", "enable", "resetpassword"]


class LineAccountsFilter(BaseFilter):
    """用户管理: every account of the subtree for a line's administrator, none for anybody else; never
    the three administrators."""

    name = "line accounts"

    def apply(self, query: Any, value: Any) -> Any:
        if not user_service.manages_line_accounts(getattr(g, "user", None)):
            return query.filter(false())
        three = select(assoc_user_role.c.user_id).join(Role, Role.id == assoc_user_role.c.role_id).where(
            Role.name.in_(THREE_ADMINS))
        return query.filter(UnitUser.id.not_in(three))


USER_TYPES = {"unit": _l("单位用户"), "person": _l("个人用户")}


class LineUserView(AccountActionsMixin, ScopedModelView):
    """用户管理 (TC-09, seed 003 七): the line's administrator adds, edits, deletes, disables and enables
    every account below it, and resets their passwords."""

    route_base = "/lineusers"
    datamodel = SQLAInterface(UnitUser)
    entity_title = _l("用户")
    list_title = _l("用户管理")
    base_filters = [["id", LineAccountsFilter, None]]
    label_columns = {**USER_LABELS, "user_type": _l("账号类型"), "password": _l("初始密码")}
    formatters_columns = {"user_type": lambda v: str(USER_TYPES.get(v, v or ""))}
    list_columns = ["first_name", "username", "unit", "user_type", "is_unit_admin", "phone", "active", "last_login"]
    show_columns = ["first_name", "username", "unit", "user_type", "is_unit_admin", "phone", "email", "roles",
                    "active", "last_login", "created_on"]
    add_columns = ["unit", "username", "first_name", "phone", "email", "password", "conf_password"]
    edit_columns = ["first_name", "phone", "email"]
    search_columns = ["first_name", "username", "unit", "phone", "active"]
    order_columns = ["first_name", "username", "last_login"]
    base_order = ("id", "asc")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_delete", "disable", "enable",
                        "resetpassword"]
    add_form_extra_fields = {
        "unit": UnitSelectField(_l("所属单位"), required=True),
        "username": StaffView.add_form_extra_fields["username"],
        "first_name": StaffView.add_form_extra_fields["first_name"],
        "phone": StaffView.add_form_extra_fields["phone"],
        "email": StaffView.add_form_extra_fields["email"],
        "password": StaffView.add_form_extra_fields["password"],
        "conf_password": StaffView.add_form_extra_fields["conf_password"],
    }
    edit_form_extra_fields = {
        "first_name": StaffView.add_form_extra_fields["first_name"],
        "phone": StaffView.add_form_extra_fields["phone"],
        "email": StaffView.add_form_extra_fields["email"],
    }

    def can_add_here(self) -> bool:
        return user_service.manages_line_accounts(g.user)

    def row_rule(self) -> tuple[Any, Any] | None:
        managed = UnitUser.id != g.user.id  # the rest of the rule is the list's own filter
        return managed, and_(managed, UnitUser.is_unit_admin.is_(False))

    def form_problems(self, item: Any, is_created: bool) -> list[tuple[str | None, str]]:
        return _new_user_problems() if is_created else []

    def pre_add(self, item: Any) -> None:
        if not user_service.manages_line_accounts(g.user):
            raise FormError(_("只有本条线的管理单位管理员可以新增用户"))
        data = _typed_new_user()
        problems = _new_user_problems()
        if problems:
            raise FormError.of(problems)
        item.username = data["username"]
        item.first_name = data["name"]
        item.last_name = ""
        item.email = data["email"] or user_service.placeholder_email(data["username"])
        item.is_unit_admin = False
        item.user_type = "unit"
        item.active = True
        item.password = user_service.hash_password(data["password"])
        staff = user_service.role_by_name(user_service.ROLE_STAFF)
        item.roles = [staff] if staff is not None else []

    def pre_update(self, item: Any) -> None:
        try:
            user_service.update_account(item, g.user, name=item.first_name or "", phone=item.phone or "",
                                        email=item.email)
        except user_service.UserError as e:
            raise FormError(str(e), e.field) from e

    def pre_delete(self, item: Any) -> None:
        try:
            user_service.check_delete(item, g.user)
        except user_service.UserError as e:
            raise FormError(str(e)) from e

    def translate_db_error(self, exc: Exception) -> str:
        if request.endpoint == f"{type(self).__name__}.delete":
            return _("该账号已有业务记录（申请、审核、消息等），不能删除，可改为禁用")
        return super().translate_db_error(exc)


class UnitRoleFilter(BaseFilter):
    name = "own unit roles"

    def apply(self, query: Any, value: Any) -> Any:
        uid = getattr(g.user, "unit_id", None)
        if not uid:
            return query.filter(false())
        return query.filter(Role.id.in_(select(RoleOwner.role_id).where(RoleOwner.unit_id == uid)))


def _held_permissions() -> list[Any]:
    ids = user_service.permission_views_of(g.user)
    if not ids:
        return []
    return list(db.session.scalars(select(PermissionView).where(PermissionView.id.in_(ids))))


class UnitRoleView(ChineseDisplayMixin, StrictActionsMixin, ModelView):
    """角色管理: custom roles of the own unit, from permissions the administrator holds."""

    route_base = "/unitroles"
    datamodel = SQLAInterface(Role)
    list_title = _l("本单位角色")
    show_title = _l("查看角色")
    add_title = _l("新增角色")
    edit_title = _l("编辑角色")
    base_filters = [["id", UnitRoleFilter, None]]
    label_columns = {"name": _l("角色名称"), "permissions": _l("权限")}
    formatters_columns = {"permissions": lambda pvs: "、".join(permission_label(p) for p in pvs)}
    list_columns = ["name"]
    show_columns = ["name", "permissions"]
    add_columns = ["name", "permissions"]
    edit_columns = ["name", "permissions"]
    search_columns = ["name"]
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_delete"]
    add_form_extra_fields = {
        "permissions": StrictQuerySelectMultipleField(_l("权限"), query_func=_held_permissions, get_pk_func=lambda p: p.id,
                                                      get_label=permission_label, widget=Select2ManyWidget()),
    }
    edit_form_extra_fields = add_form_extra_fields

    def _add(self) -> Any:
        form = self.add_form.refresh()
        if request.method == "POST" and form.validate() and write(
                lambda: user_service.save_custom_role(g.user, form.name.data, form.permissions.data or []),
                str(_l("已保存")), form=form, refusal=None):
            return None
        return self._get_add_widget(form=form)

    def _edit(self, pk: Any) -> Any:
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            abort(404)
        if request.method == "POST":
            form = self.edit_form.refresh(request.form)
            form._id = pk
            if form.validate() and write(
                    lambda: user_service.save_custom_role(g.user, form.name.data, form.permissions.data or [], role=item),
                    str(_l("已保存")), form=form, refusal=None):
                return None
        else:
            form = self.edit_form.refresh(obj=item)
        return self._get_edit_widget(form=form)

    def _delete(self, pk: Any) -> None:
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            abort(404)
        if item.user:
            flash(_("该角色仍有用户，不能删除"), "danger")
            return
        write(lambda: db.session.delete(item), _("已删除"))
