"""科技特派员 records of the 宜昌 side for the scope walker (tests/core/test_scope_walker.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.extensions import db
from models.core.unit import Unit


def foreign_records(yc: Any, hb: Any, admin: Any, staff: Any, expert: Any) -> tuple[dict[Any, list[int]], dict[str, int]]:
    """(model -> ids out of every actor's scope, the route arguments of the line's nested records)."""
    from models.commissioner.individual import Agreement, Application
    from models.commissioner.team import Team, TeamApplication, TeamMember

    legal = db.session.scalar(select(Unit).where(Unit.name == "湖北省农业科学院"))
    kteam = db.session.scalar(select(Team).where(Team.unit_id == legal.id))
    if kteam is None:
        city = db.session.scalar(select(Unit).where(Unit.name == "宜昌市科学技术局"))
        kteam = Team(unit_id=legal.id, leader_user_id=admin.id, name="走查团队")
        db.session.add(kteam)
        db.session.flush()
        db.session.add(TeamMember(team_id=kteam.id, user_id=staff.id, unit_id=legal.id))
        db.session.add(TeamApplication(team_id=kteam.id, user_id=admin.id, unit_id=legal.id, field="x",
                                       achievements="x", intended_city_id=city.id, intended_county="x",
                                       intended_enterprise="x", chain="x"))
        db.session.commit()
    member_id = db.session.scalar(select(TeamMember.id).where(TeamMember.team_id == kteam.id))
    from models.commissioner.individual import Commissioner

    ids_commissioner = {
        Team: [kteam.id],
        Commissioner: list(db.session.scalars(select(Commissioner.id).limit(2)).all()),
        TeamApplication: [db.session.scalar(select(TeamApplication.id).where(TeamApplication.team_id == kteam.id))],
        Application: list(db.session.scalars(select(Application.id).limit(2)).all()),
        Agreement: list(db.session.scalars(select(Agreement.id).limit(1)).all()),
    }
    from models.commissioner.org import CommissionerOrg
    from models.commissioner.team import TeamAgreement

    for model in (CommissionerOrg, TeamAgreement, TeamMember):  # the demo's own
        ids_commissioner[model] = list(db.session.scalars(select(model.id).order_by(model.id).limit(2)).all())
    assert all(ids_commissioner.values()), "the demo holds records of every commissioner model"
    return ids_commissioner, {"member_id": member_id}
