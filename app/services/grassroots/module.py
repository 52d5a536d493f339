"""专家服务基层 (seed 000): the line's manifest (see app/modules.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.modules import Module

CRUD = ["can_list", "can_show", "can_add", "can_edit", "can_delete"]
REVIEW = ["can_list", "can_show", "can_review", "batch_approve"]
WORK = {
    "grassroots.ServiceTeam": CRUD + ["can_run"],
    "grassroots.TeamFunding": REVIEW, "grassroots.TeamEvaluation": REVIEW, "grassroots.TeamSummary": REVIEW,
    "grassroots.ExpertBase": ["can_list", "can_show", "can_legacy", "can_transfer"],
    "grassroots.BaseYear": REVIEW + ["can_edit"],
    "grassroots.RegionalSummary": REVIEW + ["can_add", "can_edit"],
}

MODULE = Module(
    slug="grassroots",
    label=_l("专家服务基层"),
    models="models.grassroots",
    views="views.grassroots:register",
    declarations=("app.services.grassroots.teams", "app.services.grassroots.bases"),
    categories={
        "grassroots.manage": ("管理部门", 10, ["grassroots.manage", "grassroots.exec"]),
        "grassroots.exec": ("基层执行单位", 11, []),
    },
    root_grants=("grassroots.manage",),
    platform_roles={"单位管理员": WORK, "工作人员": WORK},
    demo="seed.grassroots:load_grassroots",
    object_types={"grassroots_base_transfer": _l("基地转移"), "grassroots_team_batch": _l("服务团批次"), "grassroots_project": _l("服务项目"),
                  "grassroots_project_expert": _l("项目专家"), "grassroots_funding_item": _l("经费支出项目")},
)
