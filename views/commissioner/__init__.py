"""科技特派员 menus (seed 003): each role finds the manual's menu.

Persons (个人科技特派员, 团队负责人, 团队成员) see their own pages by their roles. The units see what
the manual gives their kind (the unit's category): the province 机构信息, 法人审核, 附件上传/下载,
申请审核, 推送管理, 审核记录, the tables and 数据统计; a city 机构信息, 附件上传/下载, 申请审核,
对接审核, 审核记录 and 数据统计; a legal-person unit 机构信息, 附件上传/下载, its teams' agreements,
申请审核, 审核记录 and 数据统计; a dispatched unit its placeholder. 用户管理 and 系统菜单 are the
platform's security screens.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import lazy_gettext as _l

from views.registry import add_link, add_view


def unit_kind(*kinds: str) -> Callable[[], bool]:
    """A menu condition: the user's unit is a commissioner unit of one of ``kinds``."""

    def cond() -> bool:
        from flask import g

        from app.services.commissioner.org import kind_of

        user = getattr(g, "user", None)
        unit = getattr(user, "unit", None) if getattr(user, "user_type", "unit") == "unit" else None
        return kind_of(unit) in kinds

    return cond


def dispatched_menu() -> bool:
    """派驻单位 (TC-10) shows only to dispatched units."""
    return unit_kind("dispatched")()


def _old_addresses(app: Any) -> None:
    """The line's pages lived under /ktp/ before the naming rule: bookmarks answer with the new address
    (308 keeps the method and the form)."""
    from flask import redirect, request

    def moved(rest: str = "") -> Any:
        query = request.query_string.decode()
        return redirect("/commissioner/" + rest + ("?" + query if query else ""), code=308)

    app.add_url_rule("/ktp/", "commissioner_moved", moved)
    app.add_url_rule("/ktp/<path:rest>", "commissioner_moved", moved)


def register(appbuilder: Any) -> None:
    from flask import current_app

    from app.services.commissioner import (
        org,  # noqa: F401  (法人审核's requirement and panel)
        statistics,  # noqa: F401  (declares the charts)
    )
    from views.commissioner.files import CommissionerFilesView
    from views.commissioner.individual import (
        CommissionerAgreementListView,
        CommissionerApplicationView,
        CommissionerDispatchedView,
        CommissionerMyView,
        CommissionerPeopleView,
        CommissionerRegisterView,
    )
    from views.commissioner.org import CommissionerOrgListView, CommissionerOrgView
    from views.commissioner.stats import CommissionerStatsView
    from views.commissioner.team import (
        CommissionerTeamAgreementListView,
        CommissionerTeamApplicationView,
        CommissionerTeamListView,
        CommissionerTeamView,
    )
    from views.core.registration import UnitRegistrationView

    _old_addresses(current_app)
    cat, label = "Commissioner", _l("科技特派员")
    first = {"category_label": label, "category_icon": "fa-seedling"}
    appbuilder.add_view_no_menu(CommissionerRegisterView)
    appbuilder.add_view_no_menu(CommissionerMyView)
    appbuilder.add_view_no_menu(CommissionerTeamView)
    # the persons' own pages
    for view, name, endpoint, perm, text, icon in [
        (CommissionerMyView, "CommissionerProfile", "CommissionerMyView.profile", "can_profile", _l("基本信息"), "fa-id-card"),
        (CommissionerTeamView, "CommissionerTeam", "CommissionerTeamView.team", "can_team", _l("团队信息"), "fa-users"),
        (CommissionerTeamView, "CommissionerJoin", "CommissionerTeamView.join", "can_join", _l("所属团队"), "fa-user-friends"),
        (CommissionerMyView, "CommissionerApplication", "CommissionerMyView.application", "can_application", _l("个人申请表"),
         "fa-file-signature"),
        (CommissionerTeamView, "CommissionerTeamApplication", "CommissionerTeamView.application", "can_team", _l("团队申请表"),
         "fa-file-signature"),
        (CommissionerMyView, "CommissionerAgreement", "CommissionerMyView.agreement", "can_agreement", _l("个人服务协议"), "fa-handshake"),
        (CommissionerTeamView, "CommissionerTeamAgreement", "CommissionerTeamView.agreement", "can_team", _l("团队服务协议"), "fa-handshake"),
    ]:
        add_link(appbuilder, view, name, endpoint, perm, cat, label=text, icon=icon, **first)
        first = {"category_label": label}
    units = unit_kind("province", "city", "legal")
    province, city, legal = unit_kind("province"), unit_kind("city"), unit_kind("legal")
    departments = unit_kind("province", "city")
    # 信息管理 and 附件上传/下载
    appbuilder.add_view_no_menu(CommissionerOrgView)
    add_link(appbuilder, CommissionerOrgView, "CommissionerOrg", "CommissionerOrgView.org", "can_org", cat, label=_l("机构信息"),
             icon="fa-building", cond=units, **first)
    add_link(appbuilder, UnitRegistrationView, "CommissionerLegalReview", "UnitRegistrationView.list", "can_list", cat,
             label=_l("法人审核"), icon="fa-user-check", cond=province, category_label=label)
    appbuilder.add_view_no_menu(CommissionerFilesView)
    add_link(appbuilder, CommissionerFilesView, "CommissionerFiles", "CommissionerFilesView.index", "can_files", cat, label=_l("附件上传/下载"),
             icon="fa-file-archive", cond=units, category_label=label)
    # 选派管理: one list per matter; each menu item opens the stage waiting for the unit
    appbuilder.add_view_no_menu(CommissionerApplicationView)
    appbuilder.add_view_no_menu(CommissionerTeamApplicationView)
    for view, name, text, icon, cond, args in [
        (CommissionerApplicationView, "CommissionerApplications", _l("申请审核"), "fa-clipboard-check", departments, {"todo": "review"}),
        (CommissionerTeamApplicationView, "CommissionerTeamApplications", _l("申请审核"), "fa-clipboard-check", legal,
         {"todo": "review"}),
        (CommissionerApplicationView, "CommissionerPush", _l("推送管理"), "fa-share-square", province, {"todo": "push"}),
        (CommissionerApplicationView, "CommissionerAccept", _l("对接审核"), "fa-handshake", city, {"todo": "accept"}),
        (CommissionerApplicationView, "CommissionerRecords", _l("审核记录"), "fa-history", departments, {"mine": "1"}),
        (CommissionerTeamApplicationView, "CommissionerTeamRecords", _l("审核记录"), "fa-history", legal, {"mine": "1"}),
    ]:
        add_link(appbuilder, view, name, f"{view.__name__}.list", "can_list", cat, label=text, icon=icon, cond=cond,
                 args=args, category_label=label)
    # the tables (each with 导出Excel) and 数据统计
    for view, name, text, icon, cond in [
        (CommissionerOrgListView, "CommissionerOrgs", _l("单位信息"), "fa-city", province),
        (CommissionerPeopleView, "CommissionerPeople", _l("科技特派员人员"), "fa-address-book", departments),
        (CommissionerAgreementListView, "CommissionerAgreements", _l("个人服务协议（查看）"), "fa-file-contract", departments),
        (CommissionerTeamListView, "CommissionerTeams", _l("团队"), "fa-users-cog", unit_kind("province", "legal")),
        (CommissionerTeamAgreementListView, "CommissionerTeamAgreements", _l("团队服务协议（查看）"), "fa-file-contract",
         unit_kind("province", "legal")),
    ]:
        add_view(appbuilder, view, name, cat, label=text, icon=icon, category_label=label, menu_cond=cond)
    appbuilder.add_view_no_menu(CommissionerStatsView)
    add_link(appbuilder, CommissionerStatsView, "CommissionerStatistics", "CommissionerStatsView.index", "can_list", cat, label=_l("数据统计"),
             icon="fa-chart-pie", cond=units, category_label=label)
    add_view(appbuilder, CommissionerDispatchedView, "CommissionerDispatched", cat, label=_l("派驻单位"), icon="fa-hard-hat",
             category_label=label, menu_cond=dispatched_menu)
