"""Predefined roles declared in one table: role -> {view: [permissions]}.

``flask seed roles`` makes the database match this table (re-runnable). The system
administrator role (AUTH_ROLE_ADMIN) receives every permission from FAB itself.
Menu access follows from the views: a role that may open a view sees its menu item.
"""

from __future__ import annotations

from typing import Any

SELF_SERVICE = {
    "CommonOpinionView": ["can_list", "can_show", "can_add", "can_edit", "can_delete"],
    "PlatformUserDBModelView": ["can_userinfo"],
    "MyInfoEditView": ["can_this_form_get", "can_this_form_post"],
    "ChangeMyPasswordView": ["can_this_form_get", "can_this_form_post"],
    "UnitOptionsApi": ["can_list"],
    "DictOptionsApi": ["can_list"],
    "OwnUnitView": ["can_index"],
    "UnitTreeView": ["can_list"],
    "InboxView": ["can_list", "can_show", "markread", "remove"],
    "SentView": ["can_list", "can_show"],
    "DraftView": ["can_list", "can_show", "can_delete"],
    "ComposeView": ["can_compose"],
    "Portal": ["menu_access"],
}

CRUD = ["can_list", "can_show", "can_add", "can_edit", "can_delete"]
NOTICES = {"NoticeView": CRUD + ["publish", "revoke"]}
STATISTICS = {"StatisticsView": ["can_list", "can_export"]}
EXPERTS = {"ExpertView": CRUD + ["can_import", "can_sheet"]}
# Permissions that belong to no view: 查看完整个人信息 (app/security/personal.py).
PSEUDO_PERMISSIONS = [("can_view_full", "PersonalData")]
FULL_PERSONAL_DATA = {"PersonalData": ["can_view_full"]}
API_RW = ["can_get", "can_post", "can_put", "can_delete", "can_info"]

SECURITY_MENUS = ["Security", "List Users", "List Roles", "List Groups", "Base Permissions", "Views/Menus",
                  "Permission on Views/Menus"]

# the platform's roles; each enabled business line adds its own and its work to 单位管理员 and 工作人员
# (app/modules.py: Module.roles, Module.platform_roles) — see roles_table()
PLATFORM_ROLES: dict[str, dict[str, list[str]]] = {
    # 三员分立: three administrators, none holding another's work
    "系统管理员": {
        **SELF_SERVICE,
        **FULL_PERSONAL_DATA,
        "UnitView": ["can_list", "can_show", "can_edit", "can_appoint", "can_move", "activate", "deactivate"],
        "NewChildUnitView": ["can_add"],
        "DepartmentView": CRUD,
        "StaffView": ["can_list", "can_show"],
        "ChildAdminView": ["can_list", "can_show", "disable", "enable", "resetpassword"],
        "PersonView": CRUD,
        "PersonApi": API_RW,
        "UnitApi": ["can_get", "can_put"],
        "DictTypeView": CRUD,
        "DictItemView": CRUD,
        "SupportEditView": ["can_list", "can_show", "can_edit"],
        "SystemMenuView": ["can_index", "can_edit"],
        **NOTICES,
        **STATISTICS,
    },
    "审计管理员": {
        **SELF_SERVICE,
        "AuditLogView": ["can_list", "can_show", "can_export"],
    },
    "安全管理员": {
        **SELF_SERVICE,
        "PlatformUserDBModelView": ["can_list", "can_show", "can_add", "can_edit", "can_userinfo", "resetpasswords"],
        "ResetPasswordView": ["can_this_form_get", "can_this_form_post"],
        "PlatformRoleModelView": ["can_list", "can_show", "can_add", "can_edit", "copyrole"],
        "PlatformGroupModelView": ["can_list", "can_show", "can_add", "can_edit"],
        "PermissionModelView": ["can_list"],
        "ViewMenuModelView": ["can_list"],
        "PermissionViewModelView": ["can_list"],
        "RoleMatrixView": ["can_list", "can_edit"],
        **{menu: ["menu_access"] for menu in SECURITY_MENUS},
    },
    "单位管理员": {
        **SELF_SERVICE,
        **FULL_PERSONAL_DATA,
        "UnitView": ["can_list", "can_show", "can_edit", "can_appoint", "activate", "deactivate"],
        "NewChildUnitView": ["can_add"],
        "DepartmentView": CRUD,
        "StaffView": ["can_list", "can_show", "can_add", "can_edit", "makeadmin", "disable", "enable", "resetpassword"],
        "ChildAdminView": ["can_list", "can_show", "disable", "enable", "resetpassword"],
        "LineUserView": [*CRUD, "disable", "enable", "resetpassword"],  # the menu: line administrators only
        "UnitRoleView": CRUD,
        "RoleMatrixView": ["can_list", "can_edit"],
        "ParentChangeView": ["can_list", "can_show", "can_request", "can_review", "batch_approve"],
        "UnitRegistrationView": ["can_list", "can_show", "can_review", "batch_approve"],
        "ReviewPostView": CRUD,
        "PersonView": CRUD,
        "PersonApi": API_RW,
        "UnitApi": ["can_get", "can_put"],
        "ComposeView": ["can_compose", "can_push"],
        **NOTICES,
        **STATISTICS,
        **EXPERTS,
    },
    "工作人员": {
        **SELF_SERVICE,
        "UnitView": ["can_list", "can_show"],
        "DepartmentView": ["can_list", "can_show"],
        "StaffView": ["can_list", "can_show"],
        "PersonView": CRUD,
        "PersonApi": API_RW,
        "UnitApi": ["can_get"],
        **STATISTICS,
        **EXPERTS,
    },
}


def roles_table() -> dict[str, dict[str, list[str]]]:
    """The predefined roles of this deployment: the platform's, with the enabled lines' merged in."""
    from app.modules import enabled

    table = {name: {view: list(perms) for view, perms in views.items()} for name, views in PLATFORM_ROLES.items()}
    for module in enabled():
        for name, views in module.platform_roles.items():
            for view, perms in views.items():
                merged = table[name].setdefault(view, [])
                merged.extend(p for p in perms if p not in merged)
        for name, views in module.roles.items():
            table[name] = {view: list(perms) for view, perms in views.items()}
    return table


OPENS_MENU = {"can_list", "can_add", "can_index"}


def menu_pairs(table: dict[str, list[str]]) -> set[tuple[str, str]]:
    """The menu items a set of view permissions opens (list/add/index, or a link's own permission)."""
    from views.registry import MENU_OF, MENU_PERMISSION

    pairs: set[tuple[str, str]] = set()
    for view, perms in table.items():
        for name, category in MENU_OF.get(view, []):
            needed = MENU_PERMISSION.get((view, name))
            if (needed in perms) if needed else bool(set(perms) & OPENS_MENU):
                pairs.add(("menu_access", name))
                if category:
                    pairs.add(("menu_access", category))
    return pairs


def role_pairs(role: str) -> set[tuple[str, str]]:
    table = roles_table()[role]
    pairs = {(perm, view) for view, perms in table.items() for perm in perms}
    return pairs | menu_pairs(table)


def sync_roles(appbuilder: Any) -> dict[str, int]:
    """Create FAB's permissions, then make each predefined role hold exactly its table."""
    from flask_appbuilder.security.manager import BaseSecurityManager

    from app.extensions import db

    sm = appbuilder.sm
    # FAB's SQLA create_db returns early when FAB_CREATE_DB is off (Alembic owns the
    # schema); the base class creates the admin and public roles.
    BaseSecurityManager.create_db(sm)
    appbuilder.add_permissions(update_perms=True)
    for perm, view in PSEUDO_PERMISSIONS:
        sm.add_permission_view_menu(perm, view)
    out: dict[str, int] = {}
    for role_name in roles_table():
        role = sm.find_role(role_name) or sm.add_role(role_name)
        pvs = []
        for perm, view in sorted(role_pairs(role_name)):
            pv = sm.find_permission_view_menu(perm, view)
            if pv is None:
                if perm == "menu_access":
                    pv = sm.add_permission_view_menu(perm, view)
                else:
                    raise RuntimeError(f"permission {perm} on {view} does not exist: fix seed/roles.py")
            pvs.append(pv)
        role.permissions = pvs
        out[role_name] = len(pvs)
    db.session.commit()
    return out
