"""科技特派员 数据统计 (TC-07 … TC-09): counts within the viewer's scope, for the departments only."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.services.core.charts import GroupCount, register
from models.commissioner.individual import Application, Commissioner
from models.commissioner.team import Team, TeamApplication, TeamMember
from models.core.unit import Unit
from models.core.workflow import STATES

REVIEWERS = ("can_review", "commissioner.Application")

register(GroupCount(
    "commissioner_individuals_by_city", _l("个人科技特派员人数（按所在地市）"), model=Commissioner, group=Unit.name,
    joins=[(Unit, Unit.id == Commissioner.unit_id)],
    where=lambda: [Commissioner.kind == "individual", Commissioner.certified_at.isnot(None)],
    category_title=_l("地市"), value_title=_l("人数"), permission=REVIEWERS,
))
register(GroupCount(
    "commissioner_applications_by_state", _l("个人申请审核状态"), model=Application, group=Application.review_state,
    kind="pie", label=lambda v: str(STATES.get(v, v)), category_title=_l("状态"), value_title=_l("份数"),
    permission=REVIEWERS,
))
register(GroupCount(
    "commissioner_teams_by_unit", _l("法人单位团队数"), model=Team, group=Unit.name, joins=[(Unit, Unit.id == Team.unit_id)],
    category_title=_l("法人单位"), value_title=_l("团队数"), permission=REVIEWERS,
))

register(GroupCount(
    "commissioner_members_by_unit", _l("团队成员人数（按法人单位，负责人另计于团队数）"), model=TeamMember, group=Unit.name,
    joins=[(Unit, Unit.id == TeamMember.unit_id)], category_title=_l("法人单位"), value_title=_l("人数"),
    permission=REVIEWERS,
))


# -- 派出统计: the tables of 省厅信息统计, 地市 数据统计 and the legal unit's 单位团队统计 ----------------


def _kind(user: Any) -> str | None:
    from app.services.commissioner.org import kind_of

    return kind_of(user.unit if getattr(user, "unit_id", None) else None)


def dispatch_by_city(user: Any) -> tuple[list[str], list[list[Any]]]:
    """Per intended service city: 个人科技特派员, 法人科技特派员 (负责人 and members), teams and legal units
    selected (approved by the province's final review), within the user's scope. A city sees its row."""
    from app.security.scope import scoped_query
    from app.services.commissioner.individual import cities

    apps = db.session.scalars(scoped_query(Application, user).where(Application.review_state == "approved")).all()
    teams = db.session.scalars(scoped_query(TeamApplication, user).where(TeamApplication.review_state == "approved")
                               .options(selectinload(TeamApplication.team).selectinload(Team.members))).all()
    rows = []
    for city in cities():
        if _kind(user) == "city" and city.id != user.unit_id:
            continue
        ind = sum(1 for a in apps if a.intended_city_id == city.id)
        mine = [t for t in teams if t.intended_city_id == city.id]
        people = sum(t.team.size for t in mine)
        rows.append([city.name, ind, people, len(mine), len(mine), len({t.team.unit_id for t in mine})])
    if len(rows) > 1:
        rows.append([str(_l("合计"))] + [sum(r[i] for r in rows) for i in range(1, 6)])
    headers = [str(h) for h in (_l("服务地市"), _l("个人科技特派员人数"), _l("法人科技特派员人数"), _l("团队负责人人数"),
                                _l("派出团队数"), _l("法人单位数"))]
    return headers, rows


def legal_units(user: Any) -> tuple[list[str], list[list[Any]]]:
    """法人单位信息统计: per legal unit in scope, its teams, leaders and people (all, and selected)."""
    from app.security.scope import scoped_query

    teams = db.session.scalars(scoped_query(Team, user).options(selectinload(Team.members))).all()
    approved = set(db.session.scalars(select(TeamApplication.team_id).where(
        TeamApplication.review_state == "approved")).all())
    by_unit: dict[int, list[Team]] = {}
    for t in teams:
        by_unit.setdefault(t.unit_id, []).append(t)
    rows = []
    for unit_id, group in sorted(by_unit.items()):
        chosen = [t for t in group if t.id in approved]
        rows.append([db.session.get(Unit, unit_id).name, len(group), len(group), sum(t.size for t in group),
                     len(chosen), sum(t.size for t in chosen)])
    if len(rows) > 1:
        rows.append([str(_l("合计"))] + [sum(r[i] for r in rows) for i in range(1, 6)])
    headers = [str(h) for h in (_l("法人单位"), _l("团队数"), _l("负责人人数"), _l("法人科技特派员人数"),
                                _l("已选派团队数"), _l("已选派人数"))]
    return headers, rows


def unit_teams(user: Any) -> tuple[list[str], list[list[Any]]]:
    """单位团队统计: every team in scope with its leader, size, application state and service city."""
    from app.security.scope import scoped_query

    teams = db.session.scalars(scoped_query(Team, user).options(selectinload(Team.members)).order_by(Team.id)).all()
    apps = {a.team_id: a for a in db.session.scalars(
        select(TeamApplication).where(TeamApplication.team_id.in_([t.id for t in teams]))).all()}
    rows = []
    for t in teams:
        app_rec = apps.get(t.id)
        rows.append([t.name, t.unit.name, t.leader.name if t.leader else "", t.size,
                     str(STATES.get(app_rec.review_state, "")) if app_rec else str(_l("未填写申请表")),
                     app_rec.intended_city.name if app_rec else ""])
    headers = [str(h) for h in (_l("团队名称"), _l("法人单位"), _l("负责人"), _l("团队人数"), _l("申请状态"),
                                _l("拟服务地市"))]
    return headers, rows


TABLES = {
    "dispatch": (_l("科技特派员派出统计"), dispatch_by_city, ("province", "city")),
    "legal": (_l("法人单位信息统计"), legal_units, ("province", "legal")),
    "teams": (_l("单位团队统计"), unit_teams, ("province", "legal")),
}


CHARTS_FOR = {
    "province": ("commissioner_individuals_by_city", "commissioner_applications_by_state", "commissioner_teams_by_unit", "commissioner_members_by_unit"),
    "city": ("commissioner_individuals_by_city", "commissioner_applications_by_state"),
    "legal": ("commissioner_teams_by_unit", "commissioner_members_by_unit"),
}


def tables_for(user: Any) -> list[str]:
    kind = _kind(user)
    return [code for code, (_t, _f, kinds) in TABLES.items() if kind in kinds]
