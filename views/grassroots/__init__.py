"""专家服务基层 menus (seed 000). Units of other lines do not see them: the line's membership
(app/modules.py) hides every view of a line from a unit outside it."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from views.registry import add_view


def register(appbuilder: Any) -> None:
    from views.grassroots.bases import BaseYearView, ExpertBaseView, RegionalSummaryView, province_menu, regional_menu
    from views.grassroots.teams import ServiceTeamView, TeamEvaluationView, TeamFundingView, TeamSummaryView
    from views.registry import add_link

    cat, label = "Grassroots", _l("专家服务基层")
    add_view(appbuilder, ServiceTeamView, "ServiceTeams", cat, label=_l("专家服务基层示范团"), icon="fa-people-carry",
             category_label=label, category_icon="fa-hands-helping")
    add_view(appbuilder, TeamFundingView, "TeamFunding", cat, label=_l("经费管理审核"), icon="fa-yen-sign",
             category_label=label)
    add_view(appbuilder, TeamEvaluationView, "TeamEvaluation", cat, label=_l("成效评估审核"), icon="fa-chart-line",
             category_label=label)
    add_view(appbuilder, TeamSummaryView, "TeamSummary", cat, label=_l("服务团总结审核"), icon="fa-file-alt",
             category_label=label)
    add_view(appbuilder, ExpertBaseView, "ExpertBases", cat, label=_l("人社部批准的专家服务基地"), icon="fa-university",
             category_label=label)
    add_link(appbuilder, ExpertBaseView, "LegacyBase", "ExpertBaseView.legacy", "can_legacy", cat,
             label=_l("新增2022年之前基地单位"), icon="fa-plus-square", category_label=label,
             cond=province_menu)
    add_view(appbuilder, BaseYearView, "BaseYears", cat, label=_l("基地年度材料审核"), icon="fa-calendar-check",
             category_label=label)
    add_view(appbuilder, RegionalSummaryView, "RegionalSummary", cat, label=_l("地区年度总结"), icon="fa-flag",
             category_label=label, menu_cond=regional_menu)
