"""The platform's security manager: FAB's, with unit users and Chinese self-service."""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

from flask import current_app, flash, g, has_request_context, redirect, request, session
from flask_appbuilder import expose
from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget, BS3TextFieldWidget
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.sqla.models import (
    Permission,
    PermissionView,
    ViewMenu,
    assoc_group_role,
    assoc_permissionview_role,
    assoc_user_group,
    assoc_user_role,
)
from flask_appbuilder.security.views import AuthDBView as FabAuthDBView
from flask_appbuilder.security.views import PermissionModelView as FabPermissionModelView
from flask_appbuilder.security.views import PermissionViewModelView as FabPermissionViewModelView
from flask_appbuilder.security.views import (
    ResetMyPasswordView,
    RoleModelView,
    UserDBModelView,
    UserGroupModelView,
    UserInfoEditView,
)
from flask_appbuilder.security.views import ResetPasswordView as FabResetPasswordView
from flask_appbuilder.security.views import ViewMenuModelView as FabViewMenuModelView
from flask_appbuilder.widgets import ListWidget, ShowWidget
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Optional

from app.extensions import db
from app.services.core import users as user_service
from app.services.core.permissions import perm_label, permission_label, view_label
from app.services.core.validators import check_mobile, check_password
from models.core.unit import Unit
from models.core.user import UnitUser
from views.base import ChineseDisplayMixin, StrictActionsMixin
from views.fields import UnitSelectField, attach_error

log = logging.getLogger(__name__)

# audit actions of a failed login attempt (wrong password, unknown or locked or disabled account, refused address)
LOGIN_FAILURES = ("login_failure", "lockout")


class ChangePasswordForm(DynamicForm):
    old_password = PasswordField(
        _l("原密码"), validators=[DataRequired(_l("请填写原密码"))], widget=BS3PasswordFieldWidget()
    )
    password = PasswordField(
        _l("新密码"),
        description=_l("至少8位，不能包含登录名"),
        validators=[DataRequired(_l("请填写新密码"))],
        widget=BS3PasswordFieldWidget(),
    )
    conf_password = PasswordField(
        _l("确认新密码"),
        validators=[EqualTo("password", message=_l("两次输入的密码不一致"))],
        widget=BS3PasswordFieldWidget(),
    )


class FormRenderMixin:
    """A form view that keeps the typed form, with its errors, on a refusal."""

    @expose("/form", methods=["POST"])
    @has_access
    def this_form_post(self) -> Any:
        self._init_vars()
        form = self.form.refresh()
        if form.validate_on_submit():
            response = self.form_post(form)
            if response is not None:
                return response
            return redirect(self.get_redirect())
        return self._render_form(form)

    def _render_form(self, form: DynamicForm) -> Any:
        return self.render_template(
            self.form_template,
            title=self.form_title,
            widgets=self._get_edit_widget(form=form),
            appbuilder=self.appbuilder,
        )


class ChangeMyPasswordView(FormRenderMixin, ResetMyPasswordView):
    """修改密码: the old password is required (FAB's own view does not ask for it)."""

    form = ChangePasswordForm
    form_title = _l("修改密码")
    message = _l("密码已修改")

    def form_post(self, form: DynamicForm) -> Any:
        user = db.session.get(UnitUser, g.user.id)
        try:
            user_service.change_own_password(user, form.old_password.data, form.password.data)
        except user_service.UserError as e:
            attach_error(form, str(e), e.field)
            return self._render_form(form)
        session["_sv"] = int(user.session_version or 0)  # other sessions end, this one stays
        flash(str(self.message), "info")
        return None


class UserInfoForm(DynamicForm):
    first_name = StringField(
        _l("姓名"), validators=[DataRequired(_l("请填写姓名"))], widget=BS3TextFieldWidget()
    )
    phone = StringField(_l("手机号码"), validators=[DataRequired()], widget=BS3TextFieldWidget())
    email = StringField(_l("电子邮箱"), validators=[Optional()], widget=BS3TextFieldWidget())


class MyInfoEditView(FormRenderMixin, UserInfoEditView):
    """本人信息维护: everybody keeps their own name, phone and e-mail."""

    form = UserInfoForm
    form_title = _l("本人信息维护")
    message = _l("本人信息已保存")

    def form_get(self, form: DynamicForm) -> None:
        user = db.session.get(UnitUser, g.user.id)
        form.first_name.data = user.first_name
        form.phone.data = user.phone
        form.email.data = "" if (user.email or "").endswith(user_service.PLACEHOLDER_EMAIL) else user.email

    def form_post(self, form: DynamicForm) -> Any:
        reason = check_mobile(form.phone.data or "")
        if reason:
            form.phone.errors = list(form.phone.errors) + [reason]
            return self._render_form(form)
        user = db.session.get(UnitUser, g.user.id)
        user.first_name = form.first_name.data.strip()
        user.last_name = ""
        user.phone = form.phone.data.strip()
        if form.email.data:
            user.email = form.email.data.strip()
        try:
            db.session.commit()
        except Exception:
            db.session.rollback()
            form.email.errors = list(form.email.errors) + [str(_l("该电子邮箱已被其他账号使用"))]
            return self._render_form(form)
        flash(str(self.message), "info")
        return None


class PlatformUserDBModelView(ChineseDisplayMixin, StrictActionsMixin, UserDBModelView):
    """FAB's user screen for the system administrator, with the unit columns."""

    list_columns = ["first_name", "username", "unit", "is_unit_admin", "active", "roles"]
    show_fieldsets = [
        (
            _l("用户信息"),
            {"fields": ["first_name", "username", "unit", "is_unit_admin", "phone", "email", "active", "roles"]},
        ),
        (
            _l("审计信息"),
            {"fields": ["last_login", "fail_login_count", "created_on", "changed_on"]},
        ),
    ]
    label_columns = {
        "first_name": _l("姓名"),
        "username": _l("登录名"),
        "unit": _l("所属单位"),
        "is_unit_admin": _l("单位管理员"),
        "phone": _l("手机号码"),
        "email": _l("电子邮箱"),
        "active": _l("启用"),
        "roles": _l("角色"),
        "groups": _l("用户组"),
        "last_login": _l("最近登录"),
        "fail_login_count": _l("登录失败次数"),
        "created_on": _l("创建时间"),
        "changed_on": _l("修改时间"),
        "password": _l("密码"),
        "conf_password": _l("确认密码"),
    }
    user_show_fieldsets = [
        (_l("账号信息"), {"fields": ["username", "unit", "is_unit_admin", "roles", "active", "last_login"]}),
        (_l("个人信息"), {"fields": ["first_name", "phone", "email"], "expanded": True}),
    ]
    add_columns = ["first_name", "username", "unit", "phone", "email", "active", "roles", "groups", "password",
                   "conf_password"]
    edit_columns = ["first_name", "unit", "phone", "email", "active", "roles", "groups"]
    add_form_extra_fields = {**UserDBModelView.add_form_extra_fields, "unit": UnitSelectField(_l("所属单位"), required=False)}
    edit_form_extra_fields = {"unit": UnitSelectField(_l("所属单位"), required=False)}
    search_columns = ["first_name", "username", "active", "roles"]
    list_title = _l("用户列表")
    show_title = _l("查看用户")
    add_title = _l("新增用户")
    edit_title = _l("编辑用户")

    @expose("/userinfo/")
    @has_access
    def userinfo(self) -> Any:
        """个人信息: the user's own account, with 修改个人信息 and 修改密码 where the role has them."""
        item = self.datamodel.get(g.user.id, self._base_filters)
        widgets = self._get_show_widget(g.user.id, item, show_fieldsets=self.user_show_fieldsets)
        self.update_redirect()
        return self.render_template("security/user_info.html", title=self.user_info_title, widgets=widgets,
                                    appbuilder=self.appbuilder)

    def pre_add(self, item: Any) -> None:
        item.last_name = item.last_name or ""
        reason = check_password(item.password or "", item.username or "")
        if reason:
            raise WeakPasswordError(reason)
        item.must_change_password = True
        item.password_changed_at = dt.datetime.now(dt.UTC)
        super().pre_add(item)

    def pre_update(self, item: Any) -> None:
        item.last_name = item.last_name or ""
        self._three_admins(item)
        super().pre_update(item)

    def pre_delete(self, item: Any) -> None:
        self._three_admins(item, deleting=True)
        super().pre_delete(item)

    @staticmethod
    def _three_admins(item: Any, deleting: bool = False) -> None:
        """三员分立: another user's change of a three-administrator account is refused, nothing kept."""
        reason = user_service.three_admin_refusal(item, g.user, deleting=deleting)
        if reason:
            db.session.rollback()
            raise user_service.UserError(reason)


class AuthDBView(FabAuthDBView):
    """FAB's form login (same name: the same endpoints and permissions) on the platform's own page,
    with 忘记密码."""

    login_template = "security/login.html"


class ResetPasswordView(FabResetPasswordView):
    """FAB's 重置密码 (same name, so the same permission): a refusal is shown on the form."""

    def form_post(self, form: DynamicForm) -> Any:
        try:
            self.appbuilder.sm.reset_password(request.args.get("pk"), form.password.data)
        except (user_service.UserError, WeakPasswordError) as e:
            db.session.rollback()
            flash(str(e), "danger")
            return None
        flash(str(self.message), "info")
        return None


class PlatformRoleModelView(ChineseDisplayMixin, StrictActionsMixin, RoleModelView):
    """FAB's role screen for the security administrator: permissions read as 菜单 - 操作."""

    label_columns = {"name": _l("角色名称"), "permissions": _l("权限"), "user": _l("用户")}
    formatters_columns = {"permissions": lambda pvs: "、".join(permission_label(p) for p in pvs or [])}
    # FAB's role widgets print each permission's repr and ignore formatters: the plain ones honour them
    list_widget = ListWidget
    show_widget = ShowWidget
    list_title = _l("角色列表")
    show_title = _l("查看角色")
    add_title = _l("新增角色")
    edit_title = _l("编辑角色")


class ViewMenuModelView(ChineseDisplayMixin, StrictActionsMixin, FabViewMenuModelView):
    """视图/菜单 (FAB's name, so its permissions): each with its Chinese name beside the technical one."""

    label_columns = {"name": _l("名称")}
    formatters_columns = {"name": lambda v: f"{view_label(v)}（{v}）" if view_label(v) != v else v}
    list_title = _l("视图/菜单列表")
    show_title = _l("查看视图/菜单")


class PermissionModelView(ChineseDisplayMixin, StrictActionsMixin, FabPermissionModelView):
    """基础权限 (FAB's name, so its permissions): each with its Chinese name beside the technical one."""

    label_columns = {"name": _l("名称")}
    formatters_columns = {"name": lambda v: f"{perm_label(v)}（{v}）" if perm_label(v) != v else v}
    list_title = _l("基础权限列表")
    show_title = _l("查看基础权限")


class PermissionViewModelView(ChineseDisplayMixin, StrictActionsMixin, FabPermissionViewModelView):
    """视图/菜单权限 (FAB's name, so its permissions): 菜单 - 操作."""

    label_columns = {"permission": _l("权限"), "view_menu": _l("视图/菜单")}
    formatters_columns = {"permission": lambda p: perm_label(p.name) if p is not None else "",
                          "view_menu": lambda v: view_label(v.name) if v is not None else ""}
    list_title = _l("视图/菜单权限列表")
    show_title = _l("查看视图/菜单权限")


class PlatformGroupModelView(ChineseDisplayMixin, StrictActionsMixin, UserGroupModelView):
    label_columns = {
        "name": _l("名称"), "label": _l("显示名称"), "description": _l("说明"),
        "roles": _l("角色"), "users": _l("用户"),
    }
    list_title = _l("用户组列表")
    show_title = _l("查看用户组")
    add_title = _l("新增用户组")
    edit_title = _l("编辑用户组")


def _draws_navbar() -> bool:
    """A request whose answer is a page with the navbar (not the API, an AJAX call or a file)."""
    if not has_request_context():
        return False
    if request.path.startswith(("/api/", "/static/", "/appbuilder/static/")):
        return False
    return request.headers.get("X-Requested-With") != "XMLHttpRequest"


class WeakPasswordError(ValueError):
    """A password that does not meet the policy (raised to FAB screens and the CLI)."""


class PlatformSecurityManager(SecurityManager):
    """FAB's manager with unit users and one permission query per request.

    FAB asks the database once per ``has_access`` (once per menu item and button);
    here the acting user's (permission, view) pairs are read in one statement and kept
    for the request.
    """

    user_model = UnitUser
    rolemodelview = PlatformRoleModelView
    viewmenumodelview = ViewMenuModelView
    permissionmodelview = PermissionModelView
    permissionviewmodelview = PermissionViewModelView
    groupmodelview = PlatformGroupModelView
    # FAB's statistics chart loads Google Charts from the internet: unusable offline.
    userstatschartview = None

    # -- authentication: lockout, same answer for unknown users, audit -----------------

    def auth_user_db(self, username: str, password: str) -> Any:
        from app.security import rules

        cfg = current_app.config
        if not username or not password:
            return None
        user = self.find_user(username=username)
        now = dt.datetime.now()
        if self._address_limited():
            # refused unchecked: the account tried is neither told anything nor counted towards its lockout
            rules.audit_now("login_failure", user=user, username=username, detail="address limited",
                            result="refused")
            return None
        if user is None:
            check_password_hash(cfg["AUTH_DB_FAKE_PASSWORD_HASH_CHECK"], password)  # similar timing
            rules.audit_now("login_failure", username=username, detail="unknown user", result="refused")
            return None
        ok = bool(user.password) and check_password_hash(user.password, password)
        if user.locked_until is not None and user.locked_until > now:
            rules.audit_now("login_failure", user=user, detail="locked", result="refused")
            return None
        if not user.active:
            rules.audit_now("login_failure", user=user, detail="disabled", result="refused")
            return None
        if ok:
            self._notice_failures(user)
            user.fail_login_count = 0
            user.locked_until = None
            user.login_count = (user.login_count or 0) + 1
            user.last_login = now
            db.session.commit()
            rules.audit_now("login_success", user=user)
            return user
        user.fail_login_count = (user.fail_login_count or 0) + 1
        threshold = int(cfg.get("LOCKOUT_THRESHOLD", 5))
        locked = user.fail_login_count >= threshold
        if locked:
            user.locked_until = now + dt.timedelta(minutes=int(cfg.get("LOCKOUT_MINUTES", 30)))
            user.fail_login_count = 0
        db.session.commit()
        rules.audit_now("lockout" if locked else "login_failure", user=user, result="refused")
        return None

    @staticmethod
    def _address_limited() -> bool:
        """Whether the client address has had LOGIN_ADDRESS_MAX_FAILURES failed logins (over every
        account, refused attempts included) within LOGIN_ADDRESS_WINDOW_MINUTES — counted in the audit
        log, which every worker and host shares."""
        from app.services.core import audit
        from models.core.audit import AuditLog

        cfg = current_app.config
        limit = int(cfg.get("LOGIN_ADDRESS_MAX_FAILURES", 20) or 0)
        enabled = cfg.get("LOGIN_ADDRESS_LIMIT_ENABLED", cfg.get("RATELIMIT_ENABLED", True))
        address = audit._ip()
        if limit <= 0 or not enabled or not address:
            return False
        since = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=int(cfg.get("LOGIN_ADDRESS_WINDOW_MINUTES", 15)))
        failures = db.session.scalar(
            select(func.count()).select_from(AuditLog).where(
                AuditLog.created_at >= since, AuditLog.action.in_(LOGIN_FAILURES), AuditLog.ip == address)
        )
        return int(failures or 0) >= limit

    @staticmethod
    def _notice_failures(user: Any) -> None:
        """A 站内消息 to the owner when failed logins preceded this one (since the previous success):
        how many, the latest's time and address, and whether the account was locked meanwhile."""
        from app.filters import local_time
        from app.services.core import messages
        from models.core.audit import AuditLog

        rows = select(AuditLog).where(AuditLog.user_id == user.id, AuditLog.action.in_(LOGIN_FAILURES))
        if user.last_login is not None:  # naive local time, as FAB writes it
            rows = rows.where(AuditLog.created_at > user.last_login.astimezone(dt.UTC))
        sub = rows.subquery()
        count, locks = db.session.execute(
            select(func.count(), func.count(case((sub.c.action == "lockout", 1))))
        ).one()
        if not count:
            return
        latest = db.session.scalars(rows.order_by(AuditLog.created_at.desc(), AuditLog.id.desc()).limit(1)).first()
        at = latest.created_at if latest else None
        if at is not None and at.tzinfo is None:
            at = at.replace(tzinfo=dt.UTC)  # written in UTC; SQLite hands it back without the zone
        body = _("自上次登录以来，您的账号有%(n)s次登录失败（最近一次：%(t)s，来源地址：%(ip)s）。", n=count,
                 t=local_time(at) if at else "—", ip=(latest.ip if latest else None) or "—")
        if locks:
            body += _("期间账号曾因连续登录失败被锁定。")
        body += _("如非本人操作，请立即修改密码。")
        messages.notify([user.id], _("登录安全提醒"), body)

    # -- passwords set through FAB (screens, CLI, API) follow the same policy --------

    def add_user(self, username: str, first_name: str, last_name: str, email: str, role: Any = None,
                 password: str = "", hashed_password: str = "", groups: Any = None, commit: bool = True) -> Any:
        if not hashed_password:
            reason = check_password(password, username)
            if reason:
                log.error("用户 %s 未创建：%s", username, reason)
                return None
        return super().add_user(username, first_name, last_name or "", email, role, password, hashed_password,
                                groups=groups, commit=commit)

    def reset_password(self, userid: Any, password: str) -> None:
        user = self.get_user_by_id(userid)
        actor = g.get("user") if has_request_context() else None  # none: the command line
        if (user is not None and getattr(actor, "is_authenticated", False) and actor.id != user.id
                and user_service.is_three_admin(user)):
            raise user_service.UserError(user_service.three_admin_refusal_text())  # 三员分立
        reason = check_password(password, user.username if user else "")
        if reason:
            raise WeakPasswordError(reason)
        super().reset_password(userid, password)
        user = self.get_user_by_id(userid)
        user.password_changed_at = dt.datetime.now()
        user.must_change_password = not (getattr(g, "user", None) is not None and g.user.id == user.id)
        db.session.commit()

    def load_user(self, pk: Any) -> Any:
        """The acting user in one statement, with what every page reads of it.

        The unit (and its parent) come joined as before; the unit's categories too (the
        menus' conditions ask the unit's kind), and, for a page that draws the navbar, the
        unread-message count of its badge. Nothing is kept beyond the request.
        """
        from app.services.core import messages

        stmt = (
            select(UnitUser)
            .where(UnitUser.id == int(pk))
            .options(joinedload(UnitUser.unit).joinedload(Unit.categories))
        )
        badge = _draws_navbar()
        if badge:
            stmt = stmt.add_columns(messages.unread_count_query(int(pk)).scalar_subquery())
        row = db.session.execute(stmt).unique().first()
        if row is None:
            return None
        user = row[0]
        if badge:
            messages.remember_unread(user.id, row[1])
        return user if user.is_active else None

    def holds(self, user: Any, permission_name: str, view_name: str) -> bool:
        """Whether ``user`` (any user, not only the signed-in one) holds the permission."""
        if self.builtin_roles:
            return super()._has_view_access(user, permission_name, view_name)
        return (permission_name, view_name) in self._permission_pairs(user)

    def _permission_pairs(self, user: Any) -> set[tuple[str, str]]:
        cache = g.get("_perm_pairs")
        if cache is not None and cache[0] == user.id:
            return cache[1]
        from app.modules import gate

        pairs = gate(user, self._pairs_of(user))  # nothing of a line the user is not in
        g._perm_pairs = (user.id, pairs)
        return pairs

    def _pairs_of(self, user: Any) -> set[tuple[str, str]]:
        pv, perm, vm = PermissionView, Permission, ViewMenu
        pvr = assoc_permissionview_role
        own_roles = select(assoc_user_role.c.role_id).where(assoc_user_role.c.user_id == user.id)
        group_roles = (
            select(assoc_group_role.c.role_id)
            .join(assoc_user_group, assoc_user_group.c.group_id == assoc_group_role.c.group_id)
            .where(assoc_user_group.c.user_id == user.id)
        )
        rows = db.session.execute(
            select(perm.name, vm.name)
            .select_from(pv)
            .join(perm, perm.id == pv.permission_id)
            .join(vm, vm.id == pv.view_menu_id)
            .join(pvr, pvr.c.permission_view_id == pv.id)
            .where(or_(pvr.c.role_id.in_(own_roles), pvr.c.role_id.in_(group_roles)))
        ).all()
        return {(r[0], r[1]) for r in rows}

    def register_views(self) -> None:
        super().register_views()
        # FAB limits only the form login; the REST login (when the security API is on)
        # gets the same limit.
        if self.is_auth_limited and current_app.config.get("FAB_ADD_SECURITY_API"):
            for view in self.appbuilder.baseviews:
                if type(view).__name__ == "SecurityApi" and view.blueprint is not None:
                    self.limiter.limit(self.auth_rate_limit, methods=["POST"])(view.blueprint)

    _public_cache: tuple[float, set[tuple[str, str]]] | None = None

    def is_item_public(self, permission_name: str, view_name: str) -> bool:
        """The public role's permissions, read at most every 30 seconds per process."""
        now = time.monotonic()
        cache = PlatformSecurityManager._public_cache
        if cache is None or now - cache[0] > 30:
            pairs = {(p.permission.name, p.view_menu.name) for p in self.get_public_permissions() or []}
            cache = (now, pairs)
            PlatformSecurityManager._public_cache = cache
        return (permission_name, view_name) in cache[1]

    def _has_view_access(self, user: Any, permission_name: str, view_name: str) -> bool:
        if self.builtin_roles:
            return super()._has_view_access(user, permission_name, view_name)
        return (permission_name, view_name) in self._permission_pairs(user)

    def _get_user_permission_view_menus(self, user: Any, permission_name: str, view_menus_name: Any) -> set[str]:
        if user is None or self.builtin_roles or not getattr(user, "is_authenticated", False):
            return super()._get_user_permission_view_menus(user, permission_name, view_menus_name)
        names = set(view_menus_name) if view_menus_name is not None else None
        return {
            v for p, v in self._permission_pairs(user) if p == permission_name and (names is None or v in names)
        }
    userdbmodelview = PlatformUserDBModelView
    authdbview = AuthDBView
    resetpasswordview = ResetPasswordView
    resetmypasswordview = ChangeMyPasswordView
    userinfoeditview = MyInfoEditView
