"""科技特派员 menus (seed 003)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from views.registry import add_link, add_view


def register(appbuilder: Any) -> None:
    from views.commissioner.individual import KtpApplicationView, KtpMyView, KtpRegisterView

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
