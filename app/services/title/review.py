"""职称申报 on the review engine (004 §1.2.3): the matter, its route through the configured 主管部门
to the committee's unit, its deadlines, what each step requires, and the application's attachment
slots. The material-review screens (views/title/review.py) stand on it.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, any_, case, false, func, literal, or_, select, true, union_all

from app.extensions import db
from app.services.core import attachments
from app.services.core.validators import to_id
from app.services.title.common import (
    ENTRUST_KINDS,
    TitleError,
    kinds_of,
    region_prefix,
    region_within,
    user_kinds,
)
from app.workflow import Deadlines, MatterType, Require, act, register
from models.core.unit import Unit
from models.core.workflow import Review, ReviewTrail, editable_state
from models.title.application import Application, Confirmation
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


def _edit_problem(record: Application) -> str | None:
    """The applicant's materials follow the form's rule (个人初次/修改提交截止时间 included)."""
    from app.services.title import applications

    return applications.edit_problem(record)


def _submit_check(record: Application, review: Any, user: Any) -> str | None:
    """The applicant part's checks before a submission (region, nature, year bar, complete sections)."""
    from app.services.title import applications

    check = getattr(applications, "submit_problem", None)
    return check(record, user) if check is not None else None


def _receive_check(record: Application, review: Any, user: Any) -> str | None:
    """接收 is the committee's unit approving at the last node: refused after 评委会接收申报截止时间 (the engine
    itself refuses passing a record on to that unit after it)."""
    import datetime as dt

    from app.filters import local_time

    if review is None or review.step != len(review.nodes) - 1 or record.activity is None:
        return None
    limit = record.activity.receive_until
    if review.current_unit_id != record.committee.unit_id or limit is None:
        return None
    aware = limit if limit.tzinfo else limit.replace(tzinfo=dt.UTC)
    if dt.datetime.now(dt.UTC) > aware:
        return _("评委会接收申报已于%(t)s截止，不能再接收", t=local_time(aware))
    return None


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
        Require(actions=("approve",), check=_receive_check),
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
                                                 states=attachments.EDITABLE_STATES, label=_l("申报人本人"),
                                                 check=lambda record, user: _edit_problem(record))),
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


# -- 申报材料审核: the tabs, the filters, 委托评审 (004 §1.2.3.1-2) ---------------------------------

# the tabs of 本单位人员审核 / 下级单位人员审核, defined on the engine's state for the user's unit
TABS = {"first": _l("初审"), "second": _l("复审"), "again": _l("上级单位退回,重审"), "passed": _l("已上报"),
        "returned": _l("已退回"), "rejected": _l("不通过")}
WAITING_TABS = ("first", "second", "again")  # waiting at the user's unit: the review actions apply
LAST_ACTION = {"passed": "approve", "returned": "return", "rejected": "reject"}
SIDES = {"own": _l("本单位人员审核"), "lower": _l("下级单位人员审核")}
# 申报材料综合查询's drill-down
QUERY_STATES = {"submitted": _l("申报"), "received": _l("接收"), "passed": _l("通过")}
PASSED_RESULTS = ("passed", "confirmed")  # the results (issue II/III) that count as 通过


def first_level(unit_id: int | None, matter: str = "title.application") -> int | None:
    """The in-unit post a record enters at (多岗审核: the lowest configured level); None without posts
    (then nothing is 复审). Looked up once per request."""
    from flask import g, has_request_context

    from app.workflow.engine import _levels

    key = ("title_first_level", unit_id, matter)
    cache = g.setdefault("title_review_cache", {}) if has_request_context() else {}
    if key not in cache:
        levels = _levels(unit_id, matter) if unit_id else {}
        cache[key] = min(levels) if levels else None
    return cache[key]


def _waiting_at(unit_id: int | None) -> Any:
    return and_(Application.review_state == "pending", Application.review_unit_id == unit_id)


def again_ids(unit_id: int | None) -> Any:
    """上级单位退回,重审: waiting at the unit, brought there by a 退回 from above (in the current round)."""
    return (select(Review.record_id)
            .join(ReviewTrail, and_(ReviewTrail.review_id == Review.id, ReviewTrail.round == Review.round))
            .where(ReviewTrail.action == "return", Review.matter == APPLICATION.code, Review.state == "pending",
                   Review.current_unit_id == unit_id))


def second_ids(unit_id: int | None) -> Any:
    """复审: waiting at a later in-unit post than the first (None when the unit has no posts)."""
    first = first_level(unit_id)
    if first is None:
        return None
    return select(Review.record_id).where(Review.matter == APPLICATION.code, Review.state == "pending",
                                          Review.current_unit_id == unit_id, Review.level > first)


def last_decisions(unit_id: int | None) -> Any:
    """(application id, action) of the unit's latest decision (通过/退回/不通过) on each application."""
    last = (select(func.max(ReviewTrail.id).label("id"))
            .where(ReviewTrail.unit_id == unit_id, ReviewTrail.action.in_(tuple(LAST_ACTION.values())))
            .group_by(ReviewTrail.review_id).subquery())
    return (select(Review.record_id.label("record_id"), ReviewTrail.action.label("action"))
            .select_from(ReviewTrail).join(last, last.c.id == ReviewTrail.id)
            .join(Review, Review.id == ReviewTrail.review_id).where(Review.matter == APPLICATION.code))


def _among(ids: Any) -> Any:
    """``Application.id`` among a (small) set of ids: on PostgreSQL as ``id = ANY(<array>)`` computed once,
    so that the planner fetches those rows by key instead of scanning the applications with the scope's
    condition first (whose route subquery is costly at size)."""
    if db.engine.dialect.name == "postgresql":
        sub = ids.subquery()
        column = next(iter(sub.c))
        from sqlalchemy import Integer, cast
        from sqlalchemy.dialects.postgresql import ARRAY

        # the cast makes it ANY(<array expression>), not ANY(<subquery>)
        return Application.id == any_(cast(select(func.array_agg(column)).scalar_subquery(), ARRAY(Integer)))
    return Application.id.in_(ids)


def tab_clause(tab: str, unit_id: int | None) -> Any:
    """The condition on ``Application`` of one tab for the user's unit: the three waiting tabs are the
    records waiting at the unit, split by the (few) returned-from-above and later-post ones; the three
    decided tabs by the unit's latest decision on a record no longer waiting there."""
    if tab in WAITING_TABS:
        again, second = again_ids(unit_id), second_ids(unit_id)
        if tab == "again":
            return and_(_waiting_at(unit_id), _among(again))
        if tab == "second":
            if second is None:
                return false()
            return and_(_waiting_at(unit_id), _among(second), Application.id.notin_(again))
        out = and_(_waiting_at(unit_id), Application.id.notin_(again))
        return and_(out, Application.id.notin_(second)) if second is not None else out
    if tab in LAST_ACTION:
        decided = last_decisions(unit_id).subquery()
        return and_(_among(select(decided.c.record_id).where(decided.c.action == LAST_ACTION[tab])),
                    ~_waiting_at(unit_id))
    return true()


def side_clause(side: str | None, unit_id: int | None) -> Any:
    """本单位人员审核: the applicants of the user's own unit; 下级单位人员审核: of every other unit."""
    if side == "own":
        return Application.unit_id == unit_id
    if side == "lower":
        return Application.unit_id != unit_id
    return true()


def _text(args: Any, key: str, size: int = 50) -> str:
    return (args.get(key) or "").strip()[:size]


def filter_clauses(args: Any) -> list[Any]:
    """The list's filters (the manual's 姓名, 申报系列, 申报层级, 申报专业, 评价方式, 工作单位, 申报评委会, and
    评审活动, 证件号码 (exact), 综合查询's state) as conditions on ``Application``."""
    out: list[Any] = []
    if _text(args, "q_name", 30):
        out.append(Application.name.contains(_text(args, "q_name", 30), autoescape=True))
    for key, col in (("q_series", Application.series), ("q_level", Application.level),
                     ("q_method", Application.eval_method), ("q_category", Application.category)):
        if _text(args, key, 12):
            out.append(col == _text(args, key, 12))
    if _text(args, "q_major"):
        out.append(Application.major.contains(_text(args, "q_major"), autoescape=True))
    if _text(args, "q_workplace", 100):
        out.append(Application.workplace.contains(_text(args, "q_workplace", 100), autoescape=True))
    for key, col in (("q_committee", Application.committee_id), ("q_activity", Application.activity_id)):
        if to_id(args.get(key)):
            out.append(col == to_id(args.get(key)))
    if _text(args, "q_id", 18):
        out.append(Application.id_number == _text(args, "q_id", 18).upper())  # personal: exact match only
    state = args.get("q_state")
    if state == "submitted":
        out.append(Application.review_state.notin_(("draft",)))
    elif state == "received":
        out.append(Application.review_state == "approved")
    elif state == "passed":
        out.append(Application.result.in_(PASSED_RESULTS))
    return out


def tab_counts(unit_id: int | None, side: str | None, args: Any) -> dict[str, int]:
    """The tabs' badges in one statement, with the side and the list's filters: what waits at the unit
    (all of it, the returned-from-above, the later-post) and the unit's latest decisions."""
    where = [side_clause(side, unit_id), *filter_clauses(args)]
    waiting = and_(_waiting_at(unit_id), *where)
    parts = [select(literal("waiting").label("k"), func.count().label("n")).select_from(Application).where(waiting),
             select(literal("again"), func.count()).select_from(Application).where(
                 waiting, Application.id.in_(again_ids(unit_id)))]
    second = second_ids(unit_id)
    if second is not None:
        parts.append(select(literal("second"), func.count()).select_from(Application).where(
            waiting, Application.id.in_(second), Application.id.notin_(again_ids(unit_id))))
    decided = last_decisions(unit_id).subquery()
    parts.append(select(decided.c.action, func.count()).select_from(Application)
                 .join(decided, decided.c.record_id == Application.id)
                 .where(~_waiting_at(unit_id), *where).group_by(decided.c.action))
    rows = dict(db.session.execute(union_all(*parts)).all())
    by_action = {a: t for t, a in LAST_ACTION.items()}
    out = dict.fromkeys(TABS, 0)
    for key, n in rows.items():
        if key in by_action:
            out[by_action[key]] = int(n)
    out["again"], out["second"] = int(rows.get("again") or 0), int(rows.get("second") or 0)
    out["first"] = int(rows.get("waiting") or 0) - out["again"] - out["second"]
    return out


def may_entrust(record: Application, user: Any) -> bool:
    """委托评审 is decided by a 主管部门/人社部门 reviewing a lower unit's applicant waiting there."""
    return (bool(user_kinds(user) & set(ENTRUST_KINDS)) and record.unit_id != getattr(user, "unit_id", None)
            and record.review_state == "pending" and record.review_unit_id == getattr(user, "unit_id", None))


def set_entrust(record: Application, user: Any, entrust: bool) -> None:
    """是否委托评审: with the uploaded 委托评审函, the application becomes 委托评审 of the user's unit (the
    result later returns there); without it, a 委托 this unit set earlier is undone."""
    if not may_entrust(record, user):
        raise TitleError(_("只有主管部门或人社部门审核下级单位的申报时可以选择委托评审"), "entrust")
    if entrust:
        if attachments.missing(record, ("entrust",)):
            raise TitleError(_("选择委托评审时请先上传委托评审函"), "entrust")
        record.category, record.entrust_unit_id = "entrusted", user.unit_id
    elif record.entrust_unit_id == user.unit_id:
        record.category, record.entrust_unit_id = "direct", None


def decide(record: Application, user: Any, action: str, *, opinion: str | None = None,
           expected_version: Any = None, target: Any = None, entrust: bool | None = None) -> Review:
    """One review action on an application (通过 with 是否委托评审 where it applies); the caller commits."""
    if entrust is not None and action == "approve" and (entrust or may_entrust(record, user)):
        set_entrust(record, user, entrust)
    return act(APPLICATION, record, user, action, opinion=opinion, expected_version=expected_version, target=target)


def return_targets(review: Review | None) -> list[tuple[str, str]]:
    """退回: the applicant, or a lower node of the route (选择要退回的节点)."""
    out = [("applicant", str(_l("申报人")))]
    if review is None:
        return out
    for n in review.nodes:
        if n.position < review.step:
            unit = db.session.get(Unit, n.unit_id)  # the page has loaded the route's units
            out.append((str(n.position), unit.name if unit else ""))
    return out


def page_extras(ids: list[int]) -> dict[int, tuple[Any, str, str | None]]:
    """提交时间, 申报评委会 and the entrusting unit of a page of applications, in one statement."""
    from models.title.committee import Committee

    if not ids:
        return {}
    rows = db.session.execute(
        select(Application.id, Review.submitted_at, Committee.name, Unit.name).select_from(Application)
        .outerjoin(Review, and_(Review.matter == APPLICATION.code, Review.record_id == Application.id))
        .outerjoin(Committee, Committee.id == Application.committee_id)
        .outerjoin(Unit, Unit.id == Application.entrust_unit_id)
        .where(Application.id.in_(ids))).all()
    return {i: (t, c or "", e) for i, t, c, e in rows}


# -- 申报材料综合查询 (§1.2.3.3) ----------------------------------------------------------------------


def query_rows(user: Any) -> list[dict[str, Any]]:
    """Per committee of the user's unit and per activity: 申报 (submitted), 接收 (received at the committee's
    unit: approved at the last node), 通过 (the committee's result) — one statement."""
    from models.title.activity import Activity
    from models.title.committee import Committee

    unit_id = getattr(user, "unit_id", None)
    submitted = func.sum(case((Application.review_state != "draft", 1), else_=0))
    received = func.sum(case((Application.review_state == "approved", 1), else_=0))
    passed = func.sum(case((Application.result.in_(PASSED_RESULTS), 1), else_=0))
    rows = db.session.execute(
        select(Committee.id, Committee.name, Activity.id, Activity.name, Activity.year, submitted, received, passed)
        .select_from(Committee).join(Activity, Activity.committee_id == Committee.id)
        .outerjoin(Application, Application.activity_id == Activity.id)
        .where(Committee.unit_id == unit_id)
        .group_by(Committee.id, Committee.name, Activity.id, Activity.name, Activity.year)
        .order_by(Committee.id, Activity.year.desc(), Activity.id.desc())).all()
    return [{"committee_id": c, "committee": cn, "activity_id": a, "activity": an, "year": y,
             "submitted": int(s or 0), "received": int(r or 0), "passed": int(p or 0)}
            for c, cn, a, an, y, s, r, p in rows]


# -- 评审人员统计: change of the evaluation method (§1.2.3.4) ---------------------------------------


def passed_up_ids(unit_id: int | None) -> Any:
    """The applications the unit passed up (通过 by the unit, at any time)."""
    return (select(Review.record_id).join(ReviewTrail, ReviewTrail.review_id == Review.id)
            .where(Review.matter == APPLICATION.code, ReviewTrail.unit_id == unit_id,
                   ReviewTrail.action == "approve"))


def stats_committees(user: Any) -> list[tuple[int, str, int]]:
    """(committee id, name, applicants) of the committees the user's unit passed applicants up to."""
    from models.title.committee import Committee

    rows = db.session.execute(
        select(Committee.id, Committee.name, func.count(Application.id)).join(Application,
                                                                             Application.committee_id == Committee.id)
        .where(Application.id.in_(passed_up_ids(user.unit_id))).group_by(Committee.id, Committee.name)
        .order_by(Committee.id)).all()
    return [(c, n, int(k)) for c, n, k in rows]


def stats_people(user: Any, committee_id: int) -> list[Application]:
    return list(db.session.scalars(
        select(Application).where(Application.committee_id == committee_id,
                                  Application.id.in_(passed_up_ids(user.unit_id)))
        .order_by(Application.id)).all())


def method_changeable(record: Application) -> bool:
    """The committee has not decided: no result yet and not 不通过 (final)."""
    return record.result is None and record.review_state not in ("rejected", "draft")


def change_method(record: Application, user: Any, level: str | None, method: str | None) -> Application:
    """修改 the evaluation method (and level) of an applicant passed up by the user's unit; audited."""
    from app.services.core import audit, dicts
    from models.title.application import EVAL_METHODS

    if not db.session.scalar(select(func.count()).select_from(passed_up_ids(user.unit_id).where(
            Review.record_id == record.id).subquery())):
        raise TitleError(_("只能修改本单位已上报的申报人"))
    if not method_changeable(record):
        raise TitleError(_("评委会已作出决定，不能再修改评价方式"))
    levels = {lv.level for lv in record.activity.levels} if record.activity else set()
    problems: list[tuple[str | None, str]] = []
    if level not in levels:
        problems.append(("level", _("请选择本次评审活动开设的申报层级")))
    if method not in EVAL_METHODS:
        problems.append(("eval_method", _("请选择评价方式")))
    if problems:
        raise TitleError.of(problems)
    changes = {}
    if record.level != level:
        changes["level"] = [dicts.label("title_level", record.level), dicts.label("title_level", level)]
    if record.eval_method != method:
        changes["eval_method"] = [EVAL_METHODS.get(record.eval_method, record.eval_method), EVAL_METHODS[method]]
    record.level, record.eval_method = str(level), str(method)
    audit.record("update", record, changes=changes or None, detail="title.method", user=user)
    return record


# -- 主管部门配置 (§1.2.3.5) -----------------------------------------------------------------------


def check_config(item: CompetentConfig, user: Any) -> None:
    """A 主管部门配置 row: a committee, a region (inside the user's region) and a 主管部门 (or 人社部门); one
    row per committee and region."""
    from app.services.core import dicts

    problems: list[tuple[str | None, str]] = []
    if not item.committee_id and getattr(item, "committee", None) is None:
        problems.append(("committee", _("请选择评委会")))
    code = (item.region_code or "").strip()
    own_region = getattr(getattr(user, "unit", None), "region_code", None)
    root = getattr(getattr(user, "unit", None), "parent_id", 0) is None
    if not code or code not in dicts.labels("region"):
        problems.append(("region_code", _("请选择地区")))
    elif not root and not region_within(code, own_region):
        problems.append(("region_code", _("只能设置本地区（%(r)s）的主管部门", r=dicts.full_label("region", own_region))))
    unit = item.competent_unit or (db.session.get(Unit, item.competent_unit_id) if item.competent_unit_id else None)
    if unit is None:
        problems.append(("competent_unit", _("请选择主管部门")))
    elif not kinds_of(unit) & {"competent", "hr"}:
        problems.append(("competent_unit", _("“%(u)s”不是主管部门或人社部门", u=unit.name)))
    committee_id = item.committee_id or getattr(getattr(item, "committee", None), "id", None)
    if committee_id and code:
        dup = db.session.scalar(select(CompetentConfig.id).where(
            CompetentConfig.committee_id == committee_id, CompetentConfig.region_code == code,
            CompetentConfig.id != (item.id or 0)))
        if dup:
            problems.append(("region_code", _("该评委会在这个地区已设置主管部门")))
    if problems:
        raise TitleError.of(problems)
    item.region_code = code


# -- 职称确认审核 (TR-25, §1.2.14) --------------------------------------------------------------------


def confirmation_route(record: Confirmation) -> list[int]:
    """From the person's unit (when it reviews: a 主管部门 or 人社部门) up to the first 人社部门 above it."""
    unit = db.session.get(Unit, record.unit_id)
    ids = list(reversed(unit.ancestor_ids))  # the unit first
    units = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(ids)))}
    route: list[int] = []
    if kinds_of(unit) & {"hr", "competent"}:
        route.append(unit.id)
    for uid in ids[1:]:
        route.append(uid)
        if "hr" in kinds_of(units.get(uid)):
            break
    if not route:
        raise TitleError(_("找不到审核职称确认的人社部门"))
    return route


def _confirmed(record: Confirmation, review: Any) -> None:
    record.confirmed = True


CONFIRMATION = register(MatterType(
    code="title.confirmation", name=_l("职称确认"), model=Confirmation,
    route_builder=confirmation_route,
    returns_to="applicant",  # 退回: straight back to the person
    list_endpoint="TitleConfirmationView.list",
    permission=("can_review", "title.Confirmation"),
    on_approved=_confirmed,
    title_of=lambda r: f"{r.name}（{r.title_name}）",
))

attachments.register_owner("title.confirmation", Confirmation, [
    attachments.Slot("cert", _l("职称证书及相关证明材料"), multiple=True,
                     writers=attachments.Writers(attachments.OWNER_PERSON, ("can_edit", "title.MyConfirmation"),
                                                 states=attachments.EDITABLE_STATES, label=_l("申请人本人"))),
], personal=True)


def confirmation_deletable(record: Confirmation) -> bool:
    """不通过 is final: such a record (and one under review or confirmed) cannot be deleted."""
    return editable_state(record.review_state)


def prepare_confirmation(item: Confirmation, user: Any) -> None:
    """A person's 职称确认 request: theirs, in their unit; the title obtained in the past."""
    import datetime as dt

    if getattr(user, "unit_id", None) is None:
        raise TitleError(_("您的账号没有所在单位，不能申请职称确认"))
    if not item.editable:
        raise TitleError(_("职称确认申请已提交，不能修改"))
    if item.user_id is None:
        item.user_id, item.unit_id = user.id, user.unit_id
    if item.obtained_on and item.obtained_on > dt.date.today():
        raise TitleError(_("取得时间不能晚于今天"), "obtained_on")


def check_confirmation_deletable(record: Confirmation) -> None:
    if not confirmation_deletable(record):
        raise TitleError(_("该职称确认申请已提交或已办结（不通过的记录不能删除），不能删除"))


# -- the list's and the review page's data ---------------------------------------------------------


def committee_choices(user: Any) -> list[tuple[int, str]]:
    """申报评委会 of the filter: the committees (a short table)."""
    from models.title.committee import Committee

    return [(c, n) for c, n in db.session.execute(select(Committee.id, Committee.name).order_by(Committee.id)).all()]


def passed_up_record(user: Any, pk: int) -> Application | None:
    """An application the user's unit passed up (评审人员统计 reaches nothing else)."""
    return db.session.scalar(select(Application).where(Application.id == pk,
                                                       Application.id.in_(passed_up_ids(user.unit_id))))


REVIEWER_SLOTS = ("gongshi", "tuijian", "gangwei")


def loaded_review(record: Application) -> Review | None:
    """The application's review: the one the review page has just loaded (from the session, no statement),
    else read."""
    from app.workflow import review_of

    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Review) and obj.matter == APPLICATION.code and obj.record_id == record.id:
            return obj
    return review_of(APPLICATION.code, record.id)


def review_page(record: Application, user: Any) -> dict[str, Any]:
    """Everything the review page shows of an application: each section, the achievement entries in their
    template's fields with their files, the materials, and what the reviewer uploads or decides here."""
    from app.security.personal import shown
    from app.services.core import dicts
    from app.services.title.templates import TEMPLATES
    from models.core.attachment import Attachment
    from models.title.application import CATEGORIES, EVAL_METHODS, AchievementEntry

    activity = record.activity
    d = dicts.label
    personal = [
        (_l("姓名"), record.name), (_l("性别"), d("sex", record.sex)), (_l("证件号码"), shown("id", record.id_number)),
        (_l("出生日期"), record.birth_date), (_l("民族"), d("ethnicity", record.ethnicity)),
        (_l("政治面貌"), d("politics", record.politics)), (_l("联系电话"), shown("phone", record.phone)),
        (_l("工作单位"), record.workplace), (_l("现任职务"), record.post), (_l("参加工作时间"), record.work_start),
    ]
    applied = [
        (_l("评审活动"), activity.name if activity else ""), (_l("申报评委会"), record.committee.name if record.committee else ""),
        (_l("申报系列"), d("title_series", record.series)), (_l("申报层级"), d("title_level", record.level)),
        (_l("申报专业"), record.major), (_l("评价方式"), EVAL_METHODS.get(record.eval_method, record.eval_method)),
        (_l("申报类别"), CATEGORIES.get(record.category, record.category)
         + (f"（{record.entrust_unit.name}）" if record.entrust_unit_id and record.entrust_unit else "")),
    ]
    current = [
        (_l("现职称系列"), d("title_series", record.current_series)), (_l("现职称层级"), d("title_level", record.current_level)),
        (_l("现专业技术职称"), record.current_title), (_l("取得时间"), record.current_title_date),
        (_l("最高学历"), d("education", record.education)), (_l("毕业院校"), record.school),
        (_l("所学专业"), record.school_major), (_l("毕业时间"), record.graduated_on),
    ]
    entries = list(record.entries)
    # the application's files and its entries' files in one statement
    owner = attachments.owner_of(record)
    entry_owner = getattr(AchievementEntry, "__attachment_owner__", None)
    which = and_(Attachment.owner_type == owner.code, Attachment.owner_id == record.id)
    if entry_owner and entries:
        which = or_(which, and_(Attachment.owner_type == entry_owner,
                                Attachment.owner_id.in_([e.id for e in entries])))
    files: list[Any] = []
    entry_files: dict[int, list[Any]] = {}
    for row in db.session.scalars(select(Attachment).where(which).order_by(Attachment.id)):
        if row.owner_type == owner.code and row.owner_id == record.id:
            files.append(row)
        else:
            entry_files.setdefault(row.owner_id, []).append(row)
    by_item: dict[int, list[Any]] = {}
    for e in entries:
        tpl = TEMPLATES.get(e.template)
        fields = [(f.label, (e.data or {}).get(f.name, "")) for f in (tpl.fields if tpl else ())]
        by_item.setdefault(e.item_id, []).append({"entry": e, "template": tpl.label if tpl else e.template,
                                                  "fields": fields, "files": entry_files.get(e.id, [])})
    items = [{"item": it, "entries": by_item.pop(it.id, [])} for it in (activity.items if activity else [])]
    items += [{"item": None, "entries": rest} for rest in by_item.values()]
    from app.workflow.engine import _is_reviewer

    review = loaded_review(record)
    # the uploads of the unit the application waits at (the slots' writers: the current reviewer)
    reviewing = review is not None and _is_reviewer(APPLICATION, review, user)
    reviewer_slots = [s for s in owner.slots if s.code in REVIEWER_SLOTS] if reviewing and review.step == 0 else []
    entrust = reviewing and may_entrust(record, user)
    # 评审会需求材料: each uploaded file is named after its material (【材料名】…)
    material_files = [f for f in files if f.slot == "material"]
    materials = [(m, [f for f in material_files if f.file_name.startswith(f"【{m.name}】")])
                 for m in (activity.materials if activity else [])]
    placed = {f.id for _m, fs in materials for f in fs}
    other_materials = [f for f in material_files if f.id not in placed]

    def plain(rows: list[tuple[Any, Any]]) -> list[tuple[Any, str]]:
        return [(k, v.strftime("%Y-%m-%d") if hasattr(v, "strftime") else ("" if v is None else str(v)))
                for k, v in rows]

    for block in items:
        for en in block["entries"]:
            en["fields"] = plain(en["fields"])
    return {
        "personal": plain(personal), "applied": plain(applied), "current": plain(current), "educations": record.educations,
        "works": record.works, "items": items, "materials": materials, "other_materials": other_materials,
        "files": files, "owner": owner, "reviewer_slots": reviewer_slots, "may_entrust": entrust,
        "entrust_slot": owner.slot_map["entrust"] if entrust else None,
        "return_targets": return_targets(review),
        # the committee's unit, at the last node, receives (接收) the application
        "approve_label": _l("接收") if review is not None and review.state == "pending"
        and review.step == len(review.nodes) - 1 and record.committee is not None
        and review.current_unit_id == record.committee.unit_id else None,
        "slot_labels": {s.code: s.label for s in owner.slots},
    }
