"""专家服务基层 records of the 宜昌 branch for the scope walker (tests/core/test_scope_walker.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from app.extensions import db
from models.core.unit import Unit


def foreign_records(yc: Any, hb: Any, admin: Any, staff: Any, expert: Any) -> tuple[dict[Any, list[int]], dict[str, int]]:
    """(model -> ids out of every actor's scope, the route arguments of the line's nested records)."""
    from models.grassroots.team import (
        ProjectExpert,
        ServiceProject,
        ServiceTeam,
        TeamEvaluation,
        TeamFunding,
        TeamFundingItem,
        TeamSummary,
    )

    team = db.session.scalar(select(ServiceTeam).where(ServiceTeam.managing_unit_id == yc.id))
    if team is None:
        exec_unit = db.session.scalar(select(Unit).where(Unit.path.like(yc.path + "%"), Unit.depth == yc.depth + 2))
        team = ServiceTeam(name="宜昌服务团", year=2027, field="农业", unit_id=exec_unit.id, managing_unit_id=yc.id,
                           started=True, start_date=dt.date(2027, 3, 1), mode="single", ended=True,
                           end_date=dt.date(2027, 6, 1))
        db.session.add(team)
        db.session.flush()
        project = ServiceProject(team_id=team.id, unit_id=exec_unit.id, name="宜昌项目", place="宜昌", content="x",
                                 start_date=dt.date(2027, 3, 2))
        db.session.add(project)
        db.session.flush()
        db.session.add(ProjectExpert(project_id=project.id, expert_id=expert.id, unit_id=exec_unit.id))
        funding = TeamFunding(team_id=team.id, unit_id=exec_unit.id)
        funding.items = [TeamFundingItem(item="交通费", amount=1, unit_id=exec_unit.id)]
        db.session.add_all([funding, TeamEvaluation(team_id=team.id, unit_id=exec_unit.id, description="x"),
                            TeamSummary(team_id=team.id, unit_id=exec_unit.id)])
        db.session.commit()
    from models.grassroots.base import BaseYear, ExpertBase, RegionalSummary

    yc_base = db.session.scalar(select(ExpertBase).where(ExpertBase.unit_id == team.unit_id))
    if yc_base is None:
        yc_base = ExpertBase(unit_id=team.unit_id, approved_year=2019, field="农业")
        db.session.add(yc_base)
        db.session.flush()
        db.session.add(BaseYear(base_id=yc_base.id, unit_id=team.unit_id, year=2026, results="x"))
        db.session.add(RegionalSummary(unit_id=hb.id, year=2001, content="湖北"))
        db.session.commit()
    gr_more = {
        ExpertBase: [yc_base.id],
        BaseYear: [db.session.scalar(select(BaseYear.id).where(BaseYear.base_id == yc_base.id))],
        RegionalSummary: [db.session.scalar(select(RegionalSummary.id).where(RegionalSummary.unit_id == hb.id))],
    }
    project = db.session.scalar(select(ServiceProject).where(ServiceProject.team_id == team.id))
    gr = {
        "project_id": project.id,
        "row_id": db.session.scalar(select(ProjectExpert.id).where(ProjectExpert.project_id == project.id)),
        "item_id": db.session.scalar(select(TeamFundingItem.id).join(TeamFunding).where(
            TeamFunding.team_id == team.id)),
    }
    ids = {
        **gr_more,
        ServiceTeam: [team.id],
        TeamFunding: [db.session.scalar(select(TeamFunding.id).where(TeamFunding.team_id == team.id))],
        TeamEvaluation: [db.session.scalar(select(TeamEvaluation.id).where(TeamEvaluation.team_id == team.id))],
        TeamSummary: [db.session.scalar(select(TeamSummary.id).where(TeamSummary.team_id == team.id))],
    }
    return ids, gr
