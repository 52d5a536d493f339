"""科技特派员 menus (seed 003)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from views.registry import add_link, add_view


def dispatched_menu() -> bool:
    """派驻单位 (TC-10) shows only to dispatched units."""
    from flask import g

    unit = getattr(getattr(g, "user", None), "unit", None)
    return unit is not None and "commissioner.dispatched" in {c.code for c in unit.categories}


def register(appbuilder: Any) -> None:
    from app.services.commissioner import statistics  # noqa: F401  (declares the charts)
    from views.commissioner.individual import (
        KtpAgreementListView,
        KtpApplicationView,
        KtpCommissionerView,
        KtpDispatchedView,
        KtpMyView,
        KtpRegisterView,
    )
    from views.commissioner.team import KtpTeamAgreementListView, KtpTeamApplicationView, KtpTeamListView, KtpTeamView

    cat, label = "Commissioner", _l("科技特派员")
    appbuilder.add_view_no_menu(KtpRegisterView)
    appbuilder.add_view_no_menu(KtpMyView)
    add_link(appbuilder, KtpMyView, "KtpProfile", "KtpMyView.profile", "can_profile", cat, label=_l("基本信息"),
             icon="fa-id-card", category_label=label, category_icon="fa-seedling")
    add_link(appbuilder, KtpMyView, "KtpApplication", "KtpMyView.application", "can_application", cat,
             label=_l("个人申请表"), icon="fa-file-signature", category_label=label)
    add_link(appbuilder, KtpMyView, "KtpAgreement", "KtpMyView.agreement", "can_agreement", cat,
             label=_l("个人服务协议"), icon="fa-handshake", category_label=label)
    add_view(appbuilder, KtpApplicationView, "KtpApplications", cat, label=_l("申请审核"), icon="fa-clipboard-check",
             category_label=label)
    appbuilder.add_view_no_menu(KtpTeamView)
    for name, endpoint, perm, text, icon in [
        ("KtpTeam", "KtpTeamView.team", "can_team", _l("团队信息"), "fa-users"),
        ("KtpTeamApplication", "KtpTeamView.application", "can_team", _l("团队申请表"), "fa-file-signature"),
        ("KtpTeamAgreement", "KtpTeamView.agreement", "can_team", _l("团队服务协议"), "fa-handshake"),
        ("KtpJoin", "KtpTeamView.join", "can_join", _l("所属团队"), "fa-user-friends"),
    ]:
        add_link(appbuilder, KtpTeamView, name, endpoint, perm, cat, label=text, icon=icon, category_label=label)
    add_view(appbuilder, KtpTeamApplicationView, "KtpTeamApplications", cat, label=_l("团队申请审核"),
             icon="fa-clipboard-list", category_label=label)
    for view, name, text, icon in [
        (KtpCommissionerView, "KtpPeople", _l("科技特派员人员"), "fa-address-book"),
        (KtpAgreementListView, "KtpAgreements", _l("个人服务协议（查看）"), "fa-file-contract"),
        (KtpTeamListView, "KtpTeams", _l("团队"), "fa-users-cog"),
        (KtpTeamAgreementListView, "KtpTeamAgreements", _l("团队服务协议（查看）"), "fa-file-contract"),
    ]:
        add_view(appbuilder, view, name, cat, label=text, icon=icon, category_label=label)
    appbuilder.add_link("KtpStatistics", href="StatisticsView.index", label=_l("数据统计"), icon="fa-chart-pie",
                        category=cat, category_label=label)
    add_view(appbuilder, KtpDispatchedView, "KtpDispatched", cat, label=_l("派驻单位"), icon="fa-hard-hat",
             category_label=label, menu_cond=dispatched_menu)
