"""职称申报 on the review engine (004 §1.2.3): the matter, its route through the configured 主管部门
to the committee's unit, its deadlines, what each step requires, and the application's attachment
slots. The material-review screens (views/title/review.py) stand on it.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.services.core import attachments
from app.services.title.common import region_prefix
from app.workflow import Deadlines, MatterType, Require, register
from models.core.unit import Unit
from models.title.application import Application
from models.title.config import CompetentConfig


def competent_for(committee_id: int, region_code: str | None) -> int | None:
    """主管部门配置: the 主管部门 set for the committee and the most specific region holding ``region_code``."""
    if not region_code:
        return None
    rows = db.session.execute(select(CompetentConfig.region_code, CompetentConfig.competent_unit_id)
                              .where(CompetentConfig.committee_id == committee_id)).all()
    best: tuple[int, int] | None = None
    for code, unit_id in rows:
        prefix = region_prefix(code)
        if region_code.startswith(prefix) and (best is None or len(prefix) > best[0]):
            best = (len(prefix), unit_id)
    return best[1] if best else None


def route_of(app: Application) -> list[int]:
    """The applicant's own unit (本单位人员审核), its ancestors up to the configured 主管部门 (or, without a
    configuration, up to the committee's unit when it is above), then the committee's unit."""
    unit = db.session.get(Unit, app.unit_id)
    target = app.committee.unit_id
    ancestors = list(reversed(unit.ancestor_ids[:-1]))  # parent first
    competent = competent_for(app.committee_id, unit.region_code)
    app.competent_unit_id = competent
    route = [unit.id]
    if competent is not None and competent in ancestors:
        route += ancestors[:ancestors.index(competent) + 1]
    elif competent is not None:
        route.append(competent)
    after = route[-1]
    if target in ancestors and (after == unit.id or after in ancestors):
        start = ancestors.index(after) + 1 if after in ancestors else 0
        stop = ancestors.index(target)
        route += ancestors[start:stop + 1] if start <= stop else []
    if route[-1] != target:
        route.append(target)
    out: list[int] = []
    for u in route:
        if not out or out[-1] != u:
            out.append(u)
    return out


def _submit_check(record: Application, review: Any, user: Any) -> str | None:
    """The applicant part's checks before a submission (region, nature, year bar, complete sections)."""
    from app.services.title import applications

    check = getattr(applications, "submit_problem", None)
    return check(record, user) if check is not None else None


APPLICATION = register(MatterType(
    code="title.application", name=_l("职称申报"), model=Application,
    route_builder=route_of,
    returns_to="any",  # 选择要退回的节点: a lower unit on the route, or the applicant
    reject_bars_year=True,
    list_endpoint="TitleApplicationView.list",
    permission=("can_review", "title.Application"),
    requires=[
        Require(actions=("submit",), check=_submit_check),
        # at the applicant's own unit: 公示证明 and 单位综合推荐意见 (事业单位岗位情况表 optional)
        Require(actions=("approve",), attachments=("gongshi", "tuijian"),
                when=lambda record, review, user: review is not None and review.step == 0),
    ],
    deadlines=Deadlines(
        submit=lambda r: r.activity.first_submit_until,  # 个人初次提交截止时间
        resubmit=lambda r: r.activity.resubmit_until,  # 个人修改提交截止时间
        receive=lambda r, unit_id: r.activity.receive_until if unit_id == r.committee.unit_id else None,
    ),
    title_of=lambda r: f"{r.name}（{r.activity.name if r.activity else ''}）",
))


attachments.register_owner("title.application", Application, [
    # the applicant's materials (评审会需求材料: the activity's list names them)
    attachments.Slot("material", _l("申报材料"), multiple=True,
                     writers=attachments.Writers(attachments.OWNER_PERSON, ("can_application", "title.My"),
                                                 states=attachments.EDITABLE_STATES, label=_l("申报人本人"))),
    # the applicant's own unit, while the application waits there
    attachments.Slot("gongshi", _l("公示证明附件"), required=True,
                     writers=attachments.Writers(attachments.CURRENT_REVIEWER, states=("pending",))),
    attachments.Slot("tuijian", _l("单位综合推荐意见"), required=True,
                     writers=attachments.Writers(attachments.CURRENT_REVIEWER, states=("pending",))),
    attachments.Slot("gangwei", _l("事业单位岗位情况表"),
                     writers=attachments.Writers(attachments.CURRENT_REVIEWER, states=("pending",))),
    # 委托评审函, uploaded by the 主管部门/人社部门 deciding 委托评审
    attachments.Slot("entrust", _l("委托评审函"),
                     writers=attachments.Writers(attachments.CURRENT_REVIEWER, states=("pending",))),
], personal=True)
