"""专家服务基层 menus (seed 000). Units of other lines do not see them: the line's membership
(app/modules.py) hides every view of a line from a unit outside it."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from views.registry import add_view


def register(appbuilder: Any) -> None:
    from views.grassroots.bases import (
        GrassrootsBaseYearView,
        GrassrootsExpertBaseView,
        GrassrootsRegionalSummaryView,
        province_menu,
        regional_menu,
    )
    from views.grassroots.teams import (
        GrassrootsServiceTeamView,
        GrassrootsTeamEvaluationView,
        GrassrootsTeamFundingView,
        GrassrootsTeamSummaryView,
    )
    from views.registry import add_link

    cat, label = "Grassroots", _l("专家服务基层")
    add_view(appbuilder, GrassrootsServiceTeamView, "GrassrootsServiceTeams", cat, label=_l("专家服务基层示范团"), icon="fa-people-carry",
             category_label=label, category_icon="fa-hands-helping")
    add_view(appbuilder, GrassrootsTeamFundingView, "GrassrootsTeamFunding", cat, label=_l("经费管理审核"), icon="fa-yen-sign",
             category_label=label)
    add_view(appbuilder, GrassrootsTeamEvaluationView, "GrassrootsTeamEvaluation", cat, label=_l("成效评估审核"), icon="fa-chart-line",
             category_label=label)
    add_view(appbuilder, GrassrootsTeamSummaryView, "GrassrootsTeamSummary", cat, label=_l("服务团总结审核"), icon="fa-file-alt",
             category_label=label)
    add_view(appbuilder, GrassrootsExpertBaseView, "GrassrootsExpertBases", cat, label=_l("人社部批准的专家服务基地"), icon="fa-university",
             category_label=label)
    add_link(appbuilder, GrassrootsExpertBaseView, "GrassrootsLegacyBase", "GrassrootsExpertBaseView.legacy", "can_legacy", cat,
             label=_l("新增2022年之前基地单位"), icon="fa-plus-square", category_label=label,
             cond=province_menu)
    add_view(appbuilder, GrassrootsBaseYearView, "GrassrootsBaseYears", cat, label=_l("基地年度材料审核"), icon="fa-calendar-check",
             category_label=label)
    add_view(appbuilder, GrassrootsRegionalSummaryView, "GrassrootsRegionalSummary", cat, label=_l("地区年度总结"), icon="fa-flag",
             category_label=label, menu_cond=regional_menu)
