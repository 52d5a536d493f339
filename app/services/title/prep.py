"""评审会议管理 — 会前准备 (004 §1.2.5, TR-11 … TR-14), the work of the committee's unit before its meetings:

* 参评资格审核 (§1.2.5.1): each application the committee received passes or fails (a fail names its
  reason and ends the application: ``result="failed"``); one by one or in a batch; a decision may change
  until the person is in a meeting's pool.
* 设置评分标准 (§1.2.5.2): the items of the activity's scoring standard (weights in %, totalling 100),
  shown to the experts of a scoring round; ``weighted_score`` is the voting part's total.
* 导入答辩安排 (§1.2.5.3): the import pipeline (spec ``title.defense``) from a template listing each
  qualified applicant; 确认发布答辩通知 sends the notice to the applicant and the units on the route and
  shows it on their pages (``defense_notice``).
* 导入笔试成绩 (§1.2.5.4): the import pipeline (spec ``title.written``); a failer's application ends
  (``result="failed"``, 笔试不通过), the passers enter the normal meeting's pool (the assign part reads
  ``Application.written_passed``). Each imported score is audited: the spec's rows ARE the audit rows
  (one ``core_audit_log`` row per applicant, written by the pipeline's bulk insert), the application's
  columns being set alongside.

Every write takes the user and the activity's id, reads the activity through
``meetings.activity_for(write=True)`` (the committee's own unit) and refuses with a ``TitleError``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from flask import g, has_app_context, has_request_context, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from app.extensions import db
from app.services.core import audit, messages
from app.services.core.validators import to_id
from app.services.documents import imports
from app.services.documents.columns import Column
from app.services.title import meetings
from app.services.title.common import TitleError
from models.core.audit import AuditLog
from models.title.activity import Activity
from models.title.application import Application
from models.title.meeting import Defense, Meeting, MeetingApplicant, ScoringStandard, VoteRound

QUAL_STATES = {"pending": _l("待审核"), "pass": _l("审核通过"), "fail": _l("审核不通过")}
WRITTEN_FAILED = "笔试不通过"  # result_reason of a written-test failer (kept as data, shown to the applicant)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _own_activity(user: Any, activity_id: Any) -> Activity:
    return meetings.activity_for(user, activity_id, write=True)


# -- 参评资格审核 ----------------------------------------------------------------------------------------


def received_query(activity: Activity) -> Any:
    """The applications the committee received for the activity (review approved at the committee's unit)."""
    return select(Application).where(Application.activity_id == activity.id,
                                     Application.review_state == "approved")


def received(activity: Activity, filters: Mapping[str, Any] | None = None) -> list[Application]:
    """The received applications, filtered (series, level, major, name: a part of it, state: pending / pass
    / fail), in the order received."""
    f = filters or {}
    q = received_query(activity)
    if f.get("series"):
        q = q.where(Application.series == f["series"])
    if f.get("level"):
        q = q.where(Application.level == f["level"])
    if f.get("major"):
        q = q.where(Application.major.contains(str(f["major"]).strip()))
    if f.get("name"):
        q = q.where(Application.name.contains(str(f["name"]).strip()))
    state = f.get("state")
    if state == "pending":
        q = q.where(Application.qualification.is_(None))
    elif state in ("pass", "fail"):
        q = q.where(Application.qualification == state)
    return list(db.session.scalars(q.order_by(Application.id)))


def qualification_counts(activity: Activity) -> dict[str, int]:
    rows = db.session.execute(select(Application.qualification, func.count()).where(
        Application.activity_id == activity.id, Application.review_state == "approved")
        .group_by(Application.qualification)).all()
    out = {"pending": 0, "pass": 0, "fail": 0}
    for q, n in rows:
        out[q or "pending"] = out.get(q or "pending", 0) + int(n)
    return out


def pooled_ids(application_ids: Iterable[int]) -> set[int]:
    """The applications already in a meeting's pool (their decision no longer changes)."""
    ids = list(application_ids)
    if not ids:
        return set()
    return set(db.session.scalars(select(MeetingApplicant.application_id)
                                  .where(MeetingApplicant.application_id.in_(ids))))


def _received_of(activity: Activity, raw_ids: Iterable[Any]) -> list[Application]:
    """The chosen applications, each a received application of this activity, or a refusal."""
    ids = [to_id(r) for r in raw_ids]
    if not ids:
        raise TitleError(_("请选择申报人"))
    if any(i is None for i in ids):
        raise TitleError(_("所选申报人不是本次评审活动已接收的申报人"))
    found = {a.id: a for a in db.session.scalars(received_query(activity).where(Application.id.in_(ids)))}
    if set(ids) - set(found):
        raise TitleError(_("所选申报人不是本次评审活动已接收的申报人"))
    return [found[i] for i in dict.fromkeys(ids)]  # type: ignore[index]


def decide(user: Any, activity_id: Any, application_ids: Iterable[Any], decision: str,
           reason: str | None = None) -> list[Application]:
    """参评资格审核 (one or a batch): ``decision`` "pass" or "fail" (a fail needs ``reason``, which ends the
    application: result failed with the reason). Refused as a whole when an application is not a received
    one of this activity or is already in a meeting's pool. Each decision is audited."""
    activity = _own_activity(user, activity_id)
    if decision not in ("pass", "fail"):
        raise TitleError(_("请选择审核结果"))
    reason = (reason or "").strip()
    if decision == "fail" and not reason:
        raise TitleError(_("审核不通过时请填写不通过原因"))
    if len(reason) > 500:
        raise TitleError(_("不通过原因不能超过500个字"))
    apps = _received_of(activity, application_ids)
    pooled = pooled_ids(a.id for a in apps)
    if pooled:
        names = "、".join(a.name for a in apps if a.id in pooled)
        raise TitleError(_("申报人%(n)s已进入评审会议，不能更改参评资格审核结果", n=names))
    at = _now()
    for app in apps:
        before = (app.qualification, app.qualification_reason, app.result, app.result_reason)
        if decision == "fail":
            app.qualification, app.qualification_reason = "fail", reason
            app.result, app.result_reason = "failed", reason
        else:
            if app.result == "failed" and app.qualification == "fail" and app.result_reason == app.qualification_reason:
                app.result, app.result_reason = None, None  # the earlier fail's end is undone
            app.qualification, app.qualification_reason = "pass", None
        app.qualified_at, app.qualified_by = at, user.id
        audit.record("qualify", app, changes={
            "qualification": [before[0], app.qualification], "qualification_reason": [before[1], app.qualification_reason],
            "result": [before[2], app.result], "result_reason": [before[3], app.result_reason]},
            detail=_("参评资格审核：%(d)s", d=str(QUAL_STATES[decision])) + (f"（{reason}）" if reason else ""))
    db.session.flush()
    return apps


# -- 设置评分标准 ----------------------------------------------------------------------------------------


def standards_of(activity: Activity) -> list[ScoringStandard]:
    """The activity's scoring standard, in order."""
    return list(db.session.scalars(select(ScoringStandard).where(ScoringStandard.activity_id == activity.id)
                                   .order_by(ScoringStandard.sort, ScoringStandard.id)))


def weights_total(activity: Activity) -> Decimal:
    return sum((s.weight for s in standards_of(activity)), Decimal(0))


def weights_problem(activity: Activity) -> str | None:
    """Why the standard cannot be used as it stands (weights not totalling 100), or None."""
    items = standards_of(activity)
    if not items:
        return None
    total = sum((s.weight for s in items), Decimal(0))
    if total != HUNDRED:
        return _("各评分项权重合计应为100%%，当前合计%(t)s%%", t=_fmt(total))
    return None


def _fmt(value: Decimal) -> str:
    text = format(Decimal(value).quantize(CENT), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def scoring_opened(activity: Activity) -> bool:
    """A scoring round has opened in one of the activity's meetings (the standard is then fixed)."""
    return db.session.scalar(select(func.count(VoteRound.id)).join(Meeting, Meeting.id == VoteRound.meeting_id).where(
        Meeting.activity_id == activity.id, VoteRound.method == "score")) > 0


def _require_standards_editable(activity: Activity) -> None:
    if scoring_opened(activity):
        raise TitleError(_("评分投票已开启，评分标准不能再修改"))


def _decimal(raw: Any, label: str, low: Decimal, high: Decimal, *, low_open: bool = True) -> Decimal:
    text = str(raw if raw is not None else "").strip()
    if not text:
        raise TitleError(_("请填写%(f)s", f=label))
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise TitleError(_("%(f)s应为数字", f=label)) from None
    if not value.is_finite() or (value <= low if low_open else value < low) or value > high:
        raise TitleError(_("%(f)s应大于%(a)s且不超过%(b)s", f=label, a=_fmt(low), b=_fmt(high)) if low_open
                         else _("%(f)s应在%(a)s至%(b)s之间", f=label, a=_fmt(low), b=_fmt(high)))
    if value != value.quantize(CENT):
        raise TitleError(_("%(f)s最多保留两位小数", f=label))
    return value


def _standard_of(activity: Activity, standard_id: Any) -> ScoringStandard:
    row = db.session.get(ScoringStandard, to_id(standard_id)) if to_id(standard_id) else None
    if row is None or row.activity_id != activity.id:
        raise TitleError(_("该评分项不存在"))
    return row


def save_standard(user: Any, activity_id: Any, data: Mapping[str, Any], standard_id: Any = None) -> ScoringStandard:
    """Add (no ``standard_id``) or edit one item: 评分项 name, 权重 weight (%), 满分 max_score, 评分说明."""
    activity = _own_activity(user, activity_id)
    _require_standards_editable(activity)
    name = str(data.get("name") or "").strip()
    if not name:
        raise TitleError(_("请填写评分项名称"))
    if len(name) > 50:
        raise TitleError(_("评分项名称不能超过50个字"))
    weight = _decimal(data.get("weight"), _("权重"), Decimal(0), HUNDRED)
    max_score = _decimal(data.get("max_score") or "100", _("满分"), Decimal(0), Decimal(1000))
    description = str(data.get("description") or "").strip() or None
    if description and len(description) > 500:
        raise TitleError(_("评分说明不能超过500个字"))
    items = standards_of(activity)
    row = _standard_of(activity, standard_id) if standard_id else None
    if any(s.name == name and s is not row for s in items):
        raise TitleError(_("评分项“%(n)s”已存在", n=name))
    if row is None:
        row = ScoringStandard(activity_id=activity.id, sort=max((s.sort for s in items), default=0) + 1)
        db.session.add(row)
    row.name, row.weight, row.max_score, row.description = name, weight, max_score, description
    db.session.flush()
    audit.record("standard", row, object_repr=f"{activity.name}·{name}",
                 detail=_("评分项“%(n)s”：权重%(w)s%%，满分%(m)s", n=name, w=_fmt(weight), m=_fmt(max_score)))
    return row


def delete_standard(user: Any, activity_id: Any, standard_id: Any) -> None:
    activity = _own_activity(user, activity_id)
    _require_standards_editable(activity)
    row = _standard_of(activity, standard_id)
    audit.record("delete", row, object_repr=f"{activity.name}·{row.name}", detail=_("删除评分项“%(n)s”", n=row.name))
    db.session.delete(row)
    db.session.flush()


def move_standard(user: Any, activity_id: Any, standard_id: Any, up: bool) -> None:
    """Move one item up or down (the items are renumbered 1…n)."""
    activity = _own_activity(user, activity_id)
    _require_standards_editable(activity)
    row = _standard_of(activity, standard_id)
    items = standards_of(activity)
    i = items.index(row)
    j = i - 1 if up else i + 1
    if 0 <= j < len(items):
        items[i], items[j] = items[j], items[i]
    for n, item in enumerate(items, start=1):
        item.sort = n
    db.session.flush()


def weighted_score(activity: Activity, scores: Mapping[int, Any]) -> Decimal:
    """One expert's total on one applicant: Σ score / max_score × weight over the activity's items (0…100,
    to 0.01). Each score must be a number from 0 to the item's max_score; a missing item is refused by name."""
    items = standards_of(activity)
    if not items:
        raise TitleError(_("尚未设置评分标准"))
    problem = weights_problem(activity)
    if problem:
        raise TitleError(problem)
    known = {s.id for s in items}
    given = {to_id(k): v for k, v in scores.items()}
    if any(k not in known for k in given):
        raise TitleError(_("评分项不属于本次评审活动的评分标准"))
    total = Decimal(0)
    for s in items:
        raw = given.get(s.id)
        if raw is None or str(raw).strip() == "":
            raise TitleError(_("请为评分项“%(n)s”打分", n=s.name))
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            raise TitleError(_("评分项“%(n)s”的分数应为数字", n=s.name)) from None
        if not value.is_finite() or value < 0 or value > s.max_score:
            raise TitleError(_("评分项“%(n)s”的分数应在0至%(m)s之间", n=s.name, m=_fmt(s.max_score)))
        total += value / Decimal(s.max_score) * Decimal(s.weight)
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


# -- the imports' shared parts ---------------------------------------------------------------------------


def qualified(activity: Activity) -> list[Application]:
    """The received applications that passed 参评资格审核, in the order received."""
    return list(db.session.scalars(received_query(activity).where(Application.qualification == "pass")
                                   .order_by(Application.id)))


def _import_activity() -> Activity | None:
    """The activity of the running import: set by the spec's context (upload, template, commit); a row
    fixed on the preview page reads it from its batch."""
    if not has_app_context():
        return None
    activity = g.get("title_prep_activity")
    if activity is None and has_request_context():
        from models.core.document import ImportBatch

        pk = (request.view_args or {}).get("pk")
        batch = db.session.get(ImportBatch, pk) if pk else None
        if batch is not None and batch.spec in ("title.defense", "title.written") and batch.context:
            activity = db.session.get(Activity, to_id(batch.context)) if to_id(batch.context) else None
            if activity is not None:
                g.title_prep_activity = activity
    return activity


def _by_id_number(activity: Activity) -> dict[str, Application]:
    """The activity's received applications by ID number (upper-cased), read once per import."""
    cache = g.get("title_prep_people")
    if cache is None or cache[0] != activity.id:
        found = {a.id_number.upper(): a for a in db.session.scalars(received_query(activity))}
        cache = (activity.id, found)
        g.title_prep_people = cache
    return cache[1]


def _pooled(activity: Activity) -> set[int]:
    """The activity's applications in a meeting's pool, read once per import."""
    cache = g.get("title_prep_pooled")
    if cache is None or cache[0] != activity.id:
        found = set(db.session.scalars(select(MeetingApplicant.application_id).join(
            Meeting, Meeting.id == MeetingApplicant.meeting_id).where(Meeting.activity_id == activity.id)))
        cache = (activity.id, found)
        g.title_prep_pooled = cache
    return cache[1]


def _person_check(values: Mapping[str, Any], need_pass: bool) -> list[tuple[str, str]]:
    activity = _import_activity()
    number = str(values.get("id_number") or "").upper()
    if activity is None or not number:
        return []
    app = _by_id_number(activity).get(number)
    if app is None:
        return [("id_number", _("不是本次评审活动已接收的申报人"))]
    name = str(values.get("name") or "").strip()
    if name and name != app.name:
        return [("name", _("与身份证号对应的申报人姓名“%(n)s”不符", n=app.name))]
    if app.qualification == "fail" or (need_pass and app.qualification != "pass"):
        return [("id_number", _("该申报人未通过参评资格审核"))]
    return []


def _context(ctx: str, user: Any, what: str) -> Activity:
    try:
        activity = _own_activity(user, ctx)
    except TitleError as e:
        raise imports.ImportError_(str(e)) from e
    if what == "defense" and activity.defense == "none":
        raise imports.ImportError_(_("本次评审活动不组织面试答辩"))
    if what == "written":
        if activity.written_test == "none":
            raise imports.ImportError_(_("本次评审活动不组织笔试"))
        try:
            require_written_open(activity)
        except TitleError as e:
            raise imports.ImportError_(str(e)) from e
    g.title_prep_activity = activity
    return activity


# -- 导入答辩安排 -----------------------------------------------------------------------------------------


DEFENSE_COLUMNS = [
    Column("name", _l("姓名"), required=True, max_len=30, width=12),
    Column("id_number", _l("身份证号"), required=True, kind="idcard", width=22),
    Column("workplace", _l("工作单位"), max_len=100, width=28),
    Column("day", _l("答辩日期"), required=True, kind="date", width=14),
    Column("arrive_at", _l("答辩到会时间"), required=True, max_len=20, width=14, note=_l("如 08:30")),
    Column("address", _l("答辩地址"), required=True, max_len=200, width=30),
    Column("checkin", _l("答辩签到处"), max_len=100, width=20),
    Column("seq", _l("答辩序号"), kind="int", width=10),
    Column("room", _l("答辩会议室"), max_len=50, width=16),
    Column("group", _l("答辩分组"), max_len=50, width=14),
]


def _defense_check(values: dict[str, Any]) -> list[tuple[str, str]]:
    problems = _person_check(values, need_pass=False)
    seq = values.get("seq")
    if seq is not None and not 0 < int(seq) <= 99999:
        problems.append(("seq", _("答辩序号应为1至99999的整数")))
    return problems


def _defense_values(values: dict[str, Any], user: Any, activity: Activity) -> dict[str, Any]:
    """One row: the applicant's arrangement replaces an earlier one (to be published again)."""
    app = _by_id_number(activity)[str(values["id_number"]).upper()]
    old = db.session.scalar(select(Defense).where(Defense.application_id == app.id))
    if old is not None:
        db.session.delete(old)
        db.session.flush()
    return {"application_id": app.id, "activity_id": activity.id, "day": values.get("day"),
            "arrive_at": values.get("arrive_at"), "address": values.get("address"),
            "checkin": values.get("checkin"), "seq": values.get("seq"), "room": values.get("room"),
            "group": values.get("group"), "imported_at": _now(), "imported_by": user.id,
            "published_at": None, "published_by": None}


def _defense_template(activity: Activity, user: Any) -> list[list[Any]]:
    return [[a.name, a.id_number, a.workplace] + [None] * (len(DEFENSE_COLUMNS) - 3) for a in qualified(activity)]


DEFENSE_IMPORT = imports.register(imports.ImportSpec(
    code="title.defense", title=_l("答辩安排"), model=Defense, columns=DEFENSE_COLUMNS,
    row_values=_defense_values, row_check=_defense_check, key="id_number", key_in_database=False,
    max_rows=imports.STAGE_ROWS, permission=("can_manage", "title.Meeting"),
    context=lambda ctx, user: _context(ctx, user, "defense"),
    context_endpoint=lambda ctx: f"/title/prep/{ctx}/defense", template_rows=_defense_template,
))


def defenses(activity: Activity) -> list[Defense]:
    """The activity's defense arrangements (by day, number)."""
    return list(db.session.scalars(select(Defense).where(Defense.activity_id == activity.id)
                                   .order_by(Defense.day, Defense.seq, Defense.id)))


def route_unit_ids(app: Application) -> list[int]:
    """The units on the application's review route (申报单位 first), once each."""
    from app.workflow import review_of
    from models.core.workflow import ReviewNode

    out = [app.unit_id] if app.unit_id else []
    review = review_of("title.application", app.id)
    if review is not None:
        for uid in db.session.scalars(select(ReviewNode.unit_id).where(ReviewNode.review_id == review.id)
                                      .order_by(ReviewNode.position)):
            if uid not in out:
                out.append(uid)
    return out


def _unit_user_ids(unit_ids: list[int]) -> list[int]:
    """The active staff accounts of the units (a unit's personal accounts — other applicants — excluded)."""
    from models.core.user import UnitUser

    if not unit_ids:
        return []
    return list(db.session.scalars(select(UnitUser.id).where(
        UnitUser.unit_id.in_(unit_ids), UnitUser.active.is_(True),
        or_(UnitUser.user_type.is_(None), UnitUser.user_type != "person"))))  # the units' staff, not persons


def notice_text(d: Defense) -> str:
    parts = [_("答辩日期：%(d)s", d=d.day.isoformat()), _("到会时间：%(t)s", t=d.arrive_at),
             _("答辩地址：%(a)s", a=d.address)]
    if d.checkin:
        parts.append(_("签到处：%(c)s", c=d.checkin))
    if d.room:
        parts.append(_("会议室：%(r)s", r=d.room))
    if d.seq:
        parts.append(_("答辩序号：%(n)s", n=d.seq))
    if d.group:
        parts.append(_("答辩分组：%(g)s", g=d.group))
    return "；".join(parts)


def publish_defense(user: Any, activity_id: Any) -> int:
    """确认发布答辩通知: every arrangement not yet published is published — a message to the applicant and
    to the users of each unit on the application's route; the 答辩通知 shows on their pages. Returns how
    many were published."""
    activity = _own_activity(user, activity_id)
    if activity.defense == "none":
        raise TitleError(_("本次评审活动不组织面试答辩"))
    rows = [d for d in defenses(activity) if d.published_at is None]
    if not rows:
        raise TitleError(_("没有待发布的答辩安排，请先导入答辩安排") if not defenses(activity)
                         else _("答辩安排均已发布"))
    at = _now()
    for d in rows:
        app = d.application
        d.published_at, d.published_by = at, user.id
        title = _("【答辩通知】%(a)s：%(n)s", a=activity.name, n=app.name)
        body = _("%(n)s（%(w)s）参加%(a)s面试答辩。", n=app.name, w=app.workplace, a=activity.name) + notice_text(d)
        messages.notify([app.user_id], title, body)
        unit_users = [i for i in _unit_user_ids(route_unit_ids(app)) if i != app.user_id]
        messages.notify(unit_users, title, body)
    audit.record("publish", activity, object_type="title_defense", detail=_("发布答辩通知%(n)s人", n=len(rows)))
    db.session.flush()
    return len(rows)


def defense_notice(application: Any) -> Defense | None:
    """The published 答辩通知 of an application, or None."""
    if application is None or getattr(application, "id", None) is None:
        return None
    return db.session.scalar(select(Defense).where(Defense.application_id == application.id,
                                                   Defense.published_at.is_not(None)))


# -- 导入笔试成绩 -----------------------------------------------------------------------------------------


def require_written_open(activity: Activity) -> None:
    """笔试成绩 change until the normal meeting's vote opens."""
    normal = meetings.meetings_of(activity).get("normal")
    if normal is not None and (normal.vote_opened_at is not None or normal.state in ("voting", "tallied")):
        raise TitleError(_("普通评审会议已开启投票，笔试成绩不能再导入"))


WRITTEN_COLUMNS = [
    Column("name", _l("姓名"), required=True, max_len=30, width=12),
    Column("id_number", _l("身份证号"), required=True, kind="idcard", width=22),
    Column("workplace", _l("工作单位"), max_len=100, width=28),
    Column("score", _l("笔试成绩"), required=True, max_len=10, width=12, note=_l("0至999.99的数字")),
    Column("passed", _l("是否通过"), required=True, kind="bool", width=10),
]


def _score(raw: Any) -> Decimal | None:
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0 or value >= 1000 or value != value.quantize(CENT):
        return None
    return value


def _written_check(values: dict[str, Any]) -> list[tuple[str, str]]:
    problems = _person_check(values, need_pass=True)
    activity = _import_activity()
    app = _by_id_number(activity).get(str(values.get("id_number") or "").upper()) if activity else None
    if not problems and app is not None and app.id in _pooled(activity):
        problems.append(("id_number", _("该申报人已进入评审会议人员库，笔试成绩不能再修改")))
    if values.get("score") is not None and _score(values["score"]) is None:
        problems.append(("score", _("笔试成绩应为0至999.99的数字（最多两位小数）")))
    return problems


def _written_values(values: dict[str, Any], user: Any, activity: Activity) -> dict[str, Any]:
    """One row: the application's score and pass mark (a failer's application ends); the row inserted is
    the audit entry of that score."""
    app = _by_id_number(activity)[str(values["id_number"]).upper()]
    score, passed = _score(values["score"]), bool(values["passed"])
    before = [str(app.written_score) if app.written_score is not None else None, app.written_passed,
              app.result, app.result_reason]
    app.written_score, app.written_passed = score, passed
    if not passed:
        app.result, app.result_reason = "failed", WRITTEN_FAILED
    elif app.result == "failed" and app.result_reason == WRITTEN_FAILED:
        app.result, app.result_reason = None, None
    row = audit._row("written", app, actor_user=user, changes={
        "written_score": [before[0], str(score)], "written_passed": [before[1], passed],
        "result": [before[2], app.result], "result_reason": [before[3], app.result_reason]},
        detail=_("导入笔试成绩：%(s)s，%(p)s", s=_fmt(score or Decimal(0)), p=_("通过") if passed else _("不通过")))
    return {c.key: getattr(row, c.key) for c in AuditLog.__table__.columns if c.key != "id"}


def _written_template(activity: Activity, user: Any) -> list[list[Any]]:
    return [[a.name, a.id_number, a.workplace, None, None] for a in qualified(activity)]


WRITTEN_IMPORT = imports.register(imports.ImportSpec(
    code="title.written", title=_l("笔试成绩"), model=AuditLog, columns=WRITTEN_COLUMNS,
    row_values=_written_values, row_check=_written_check, key="id_number", key_in_database=False,
    max_rows=imports.STAGE_ROWS, permission=("can_manage", "title.Meeting"),
    context=lambda ctx, user: _context(ctx, user, "written"),
    context_endpoint=lambda ctx: f"/title/prep/{ctx}/written", template_rows=_written_template,
))


def written_rows(activity: Activity) -> list[Application]:
    """The qualified applicants with their written results (imported or not)."""
    return qualified(activity)
