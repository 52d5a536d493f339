"""科技特派员 数据统计 (TC-07 … TC-09): counts within the viewer's scope, for the departments only."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.services.core.charts import GroupCount, register
from models.commissioner.individual import Application, Commissioner
from models.commissioner.team import Team, TeamMember
from models.core.unit import Unit
from models.core.workflow import STATES

REVIEWERS = ("can_review", "KtpApplicationView")

register(GroupCount(
    "ktp_individuals_by_city", _l("个人科技特派员人数（按所在地市）"), model=Commissioner, group=Unit.name,
    joins=[(Unit, Unit.id == Commissioner.unit_id)],
    where=lambda: [Commissioner.kind == "individual", Commissioner.certified_at.isnot(None)],
    category_title=_l("地市"), value_title=_l("人数"), permission=REVIEWERS,
))
register(GroupCount(
    "ktp_applications_by_state", _l("个人申请审核状态"), model=Application, group=Application.review_state,
    kind="pie", label=lambda v: str(STATES.get(v, v)), category_title=_l("状态"), value_title=_l("份数"),
    permission=REVIEWERS,
))
register(GroupCount(
    "ktp_teams_by_unit", _l("法人单位团队数"), model=Team, group=Unit.name, joins=[(Unit, Unit.id == Team.unit_id)],
    category_title=_l("法人单位"), value_title=_l("团队数"), permission=REVIEWERS,
))

register(GroupCount(
    "ktp_members_by_unit", _l("团队成员人数（按法人单位，负责人另计于团队数）"), model=TeamMember, group=Unit.name,
    joins=[(Unit, Unit.id == TeamMember.unit_id)], category_title=_l("法人单位"), value_title=_l("人数"),
    permission=REVIEWERS,
))
