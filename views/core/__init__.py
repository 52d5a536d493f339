"""Menus of the platform (core)."""

from __future__ import annotations

from typing import Any

from flask import current_app, g
from flask_babel import lazy_gettext as _l

from views.registry import add_link, add_view


def register(appbuilder: Any) -> None:
    from views.base import export_job_runner
    from views.core.attachments import AttachmentView
    from views.core.audit import AuditLogView
    from views.core.charts import StatisticsView
    from views.core.dicts import DictItemView, DictOptionsApi, DictTypeView
    from views.core.documents import ImportView, JobView
    from views.core.messages import ComposeView, DraftView, InboxView, SentView
    from views.core.notices import NoticeView, PortalView
    from views.core.parent_change import ParentChangeView
    from views.core.password import ForgotPasswordView
    from views.core.persons import PersonApi, PersonView
    from views.core.registration import MyApplicationView, RegisterView, UnitRegistrationView
    from views.core.review_config import CommonOpinionView, ReviewPostView
    from views.core.role_matrix import RoleMatrixView
    from views.core.support import SupportEditView, SupportView
    from views.core.units import (
        DepartmentView,
        NewChildUnitView,
        OwnUnitView,
        UnitApi,
        UnitOptionsApi,
        UnitTreeView,
        UnitView,
    )
    from views.core.users import ChildAdminView, LineUserView, StaffView, UnitRoleView

    cat = "UnitsUsers"
    cat_label = _l("单位及用户管理")
    add_view(appbuilder, OwnUnitView, "OwnUnit", cat, label=_l("本单位信息"), icon="fa-building",
             category_label=cat_label, category_icon="fa-sitemap")
    add_view(appbuilder, UnitView, "Units", cat, label=_l("下级单位管理"), icon="fa-list", category_label=cat_label)
    add_view(appbuilder, NewChildUnitView, "NewChildUnit", cat, label=_l("新增下级单位"), icon="fa-plus",
             category_label=cat_label)
    add_view(appbuilder, UnitTreeView, "UnitTree", cat, label=_l("单位树"), icon="fa-sitemap", category_label=cat_label)
    add_view(appbuilder, DepartmentView, "Departments", cat, label=_l("内设部门"), icon="fa-th-large",
             category_label=cat_label)
    add_view(appbuilder, StaffView, "Staff", cat, label=_l("本单位工作人员"), icon="fa-users", category_label=cat_label)
    add_view(appbuilder, ChildAdminView, "ChildAdmins", cat, label=_l("下级单位管理员"), icon="fa-user-tie",
             category_label=cat_label)
    add_view(appbuilder, UnitRoleView, "UnitRoles", cat, label=_l("角色管理"), icon="fa-user-tag",
             category_label=cat_label)
    add_view(appbuilder, RoleMatrixView, "RoleMatrix", cat, label=_l("角色权限矩阵"), icon="fa-th",
             category_label=cat_label)
    add_view(appbuilder, ParentChangeView, "ParentChanges", cat, label=_l("更换上级部门"), icon="fa-exchange-alt",
             category_label=cat_label)
    add_view(appbuilder, UnitRegistrationView, "UnitRegistrations", cat, label=_l("下级单位注册审核"),
             icon="fa-user-check", category_label=cat_label)
    appbuilder.add_view_no_menu(RegisterView)
    appbuilder.add_view_no_menu(MyApplicationView)
    add_view(appbuilder, ReviewPostView, "ReviewPosts", cat, label=_l("多岗审核配置"), icon="fa-layer-group",
             category_label=cat_label)
    add_view(appbuilder, CommonOpinionView, "CommonOpinions", cat, label=_l("常用意见"), icon="fa-comment",
             category_label=cat_label)

    add_view(appbuilder, PersonView, "Persons", "Talents", label=_l("专业技术人员"), icon="fa-id-card",
             category_label=_l("人才信息"), category_icon="fa-user-graduate")

    msg, msg_label = "Messages", _l("站内消息")
    add_view(appbuilder, InboxView, "Inbox", msg, label=_l("收件箱"), icon="fa-inbox", category_label=msg_label,
             category_icon="fa-envelope")
    add_view(appbuilder, ComposeView, "Compose", msg, label=_l("写消息"), icon="fa-pen", category_label=msg_label)
    add_link(appbuilder, ComposeView, "Push", "ComposeView.push", "can_push", msg, label=_l("消息推送"),
             icon="fa-bullhorn", category_label=msg_label)
    add_view(appbuilder, SentView, "SentMessages", msg, label=_l("已发送"), icon="fa-paper-plane",
             category_label=msg_label)
    add_view(appbuilder, DraftView, "DraftMessages", msg, label=_l("草稿箱"), icon="fa-file-alt",
             category_label=msg_label)

    add_view(appbuilder, NoticeView, "Notices", msg, label=_l("通知公告管理"), icon="fa-bullhorn",
             category_label=msg_label)
    appbuilder.add_link("Portal", href="PortalView.index", label=_l("通知公告"), icon="fa-newspaper",
                        category=msg, category_label=msg_label)
    appbuilder.add_view_no_menu(PortalView)
    appbuilder.add_view_no_menu(AttachmentView)
    appbuilder.add_view_no_menu(ImportView)
    appbuilder.add_view_no_menu(JobView)
    from app.services.documents import jobs

    jobs.runner("export")(export_job_runner)

    add_view(appbuilder, StatisticsView, "Statistics", None, label=_l("统计分析"), icon="fa-chart-bar")

    sys = "SystemAdmin"
    add_view(appbuilder, DictTypeView, "Dictionaries", sys, label=_l("数据字典"), icon="fa-book",
             category_label=_l("系统管理"), category_icon="fa-cogs")
    appbuilder.add_view_no_menu(DictItemView)
    add_view(appbuilder, SupportEditView, "SupportEdit", sys, label=_l("技术服务设置"), icon="fa-headset",
             category_label=_l("系统管理"))
    from app.services.core.users import manages_line_accounts

    add_view(appbuilder, LineUserView, "LineUsers", sys, label=_l("用户管理"), icon="fa-users-cog",
             category_label=_l("系统管理"), menu_cond=lambda: manages_line_accounts(g.user))
    from views.core.menus import SystemMenuView

    add_view(appbuilder, SystemMenuView, "SystemMenu", sys, label=_l("系统菜单"), icon="fa-bars",
             category_label=_l("系统管理"))

    @current_app.before_request
    def _menu_settings() -> None:
        from flask import request

        if request.endpoint and not request.endpoint.endswith("static") and not request.path.startswith("/api/"):
            from app.services.core import menus

            menus.apply()
    add_view(appbuilder, AuditLogView, "AuditLog", sys, label=_l("审计日志"), icon="fa-clipboard-list",
             category_label=_l("系统管理"))
    add_view(appbuilder, SupportView, "Support", None, label=_l("技术服务"), icon="fa-phone")
    appbuilder.add_view_no_menu(ForgotPasswordView)
    appbuilder.add_view_no_menu(UnitOptionsApi)
    appbuilder.add_view_no_menu(DictOptionsApi)
    appbuilder.add_api(UnitApi)
    appbuilder.add_api(PersonApi)
