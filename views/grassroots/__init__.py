"""专家服务基层 menus (seed 000)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from views.registry import add_view


def register(appbuilder: Any) -> None:
    from views.grassroots.teams import ServiceTeamView, TeamEvaluationView, TeamFundingView, TeamSummaryView

    cat, label = "Grassroots", _l("专家服务基层")
    add_view(appbuilder, ServiceTeamView, "ServiceTeams", cat, label=_l("专家服务基层示范团"), icon="fa-people-carry",
             category_label=label, category_icon="fa-hands-helping")
    add_view(appbuilder, TeamFundingView, "TeamFunding", cat, label=_l("经费管理审核"), icon="fa-yen-sign",
             category_label=label)
    add_view(appbuilder, TeamEvaluationView, "TeamEvaluation", cat, label=_l("成效评估审核"), icon="fa-chart-line",
             category_label=label)
    add_view(appbuilder, TeamSummaryView, "TeamSummary", cat, label=_l("服务团总结审核"), icon="fa-file-alt",
             category_label=label)
