"""评审结果确认 (004 §1.2.6 item 7, §1.2.7, TR-19, TR-20): after the publicity, the passers go to the unit that
confirms them — the committee's 授权管理单位 for 直接评审, the entrusting unit for 委托评审 — which reads each
application, returns it to the committee for 补充材料 (the committee uploads and resubmits), uploads the
任职资格文件, and passes (一键通过 too) or rejects each person (不通过: the result is failed and the series is
barred for the year). The committee's unit sees the states; on its 确认通过 tab it sets the 职称文件文号 in batch
(〔year〕 brackets, the year = the approval year), 提交发证信息, uploads its 评审工作报告, and 办结 once every
confirmed person's certificate is issued (``app.services.title.cert.issued_for_applications``).

Driving a season, after ``publicity.publish`` and the end of its period:
    submit(user, activity) -> list[Application]                          (the committee's unit)
    upload_qualification(user, activity, stream, name)                  (the confirming unit)
    decide(user, application, "pass" | "reject" | "return", reason="")   (the confirming unit)
    pass_all(user, activity, kind="direct") -> int                       (一键通过)
    supplement(user, application, stream, name); resubmit(user, application)   (the committee, after a return)
    set_doc_numbers(user, activity, ids, doc_number, approved_on) -> int      (the committee)
    submit_issuance(user, activity, ids=None) -> int                     (the committee: 提交发证信息)
    upload_report(user, activity, stream, name)                          (the committee: 评审工作报告)
    close(user, activity)                                                (办结, once the certificates are issued)

Certificate sources (registered with the cert part when it offers ``register_source``): "review" (评审发证),
"entrusted" (委托发证), "initial" (初定发证); see :func:`register_sources`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from contextvars import ContextVar
from typing import IO, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.extensions import db
from app.services.core import attachments, audit, dicts
from app.services.core.validators import to_id
from app.services.title import publicity
from app.services.title.common import TitleError
from models.core.attachment import Attachment
from models.title.activity import Activity
from models.title.application import Application

MANAGE = ("can_manage", "title.Meeting")
CONFIRM_STATES: dict[str, Any] = {"pending": _l("未确认"), "resubmitted": _l("确认中"), "returned": _l("已退回"),
                                  "passed": _l("已通过"), "rejected": _l("不通过")}
OPEN_STATES = ("pending", "resubmitted")  # waiting for the confirming unit's decision
KINDS: dict[str, Any] = {"direct": _l("线上评审结果确认"), "entrusted": _l("线上委托结果确认")}
DOC_YEAR = re.compile(r"〔(\d{4})〕")
NOT_FOUND = _l("所选数据不存在或不在您的管理范围内")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _naive_utc() -> dt.datetime:
    return publicity.utcnow()


def state_label(state: str | None) -> str:
    return str(CONFIRM_STATES.get(state or "", "")) if state else ""


# -- attachments: the 补充材料 (the committee), the 任职资格文件 (the confirming unit), the 评审工作报告 (the committee) --


def _committee_unit(app: Application) -> int | None:
    return app.committee.unit_id if app.committee is not None else None


_UPLOADER: ContextVar[Any] = ContextVar("title_confirm_uploader", default=None)


def _confirming_user_unit(activity: Activity) -> int | None:
    """The uploading user's unit when it confirms persons of the activity (a writer of the 任职资格文件)."""
    unit_id = getattr(_UPLOADER.get() or attachments.get_user(), "unit_id", None)
    return unit_id if unit_id is not None and unit_id in confirm_unit_ids(activity) else None


def _add_slot(owner_code: str, slot: attachments.Slot) -> None:
    owner = attachments.OWNERS[owner_code]
    if slot.code not in owner.slot_map:
        owner.slots.append(slot)
        owner.slot_map[slot.code] = slot


def _register_slots() -> None:
    # the application's and the activity's owners are the review and the activity parts'; these slots are added
    _add_slot("title.application", attachments.Slot(
        "supplement", _l("补充材料"), multiple=True,
        writers=attachments.Writers(_committee_unit, MANAGE, states=("returned",),
                                    state_of=lambda r: r.confirm_state, label=_l("评委会组建单位"))))
    _add_slot("title.activity", attachments.Slot(
        "qualification", _l("任职资格文件"), multiple=True,
        writers=attachments.Writers(_confirming_user_unit, MANAGE, label=_l("确认单位"))))
    _add_slot("title.activity", attachments.Slot(
        "work_report", _l("评审工作报告"), multiple=True,
        writers=attachments.Writers(attachments.RECORD_UNIT, MANAGE, states=("confirming",),
                                    state_of=lambda r: r.stage, label=_l("评委会组建单位"))))


try:
    from app.services.title import activities as _activities  # noqa: F401  (the owners' registrations)
    from app.services.title import review as _review  # noqa: F401

    _register_slots()
except KeyError:  # pragma: no cover - a part switched off
    pass


# -- who confirms --------------------------------------------------------------------------------------------


def confirm_unit_of(app: Application) -> int | None:
    """委托评审: the entrusting unit; 直接评审: the committee's 授权管理单位."""
    if app.category == "entrusted" and app.entrust_unit_id:
        return app.entrust_unit_id
    return app.committee.authority_unit_id if app.committee is not None else None


def confirm_unit_ids(activity: Activity) -> set[int]:
    return set(db.session.scalars(select(Application.confirm_unit_id).where(
        Application.activity_id == activity.id, Application.confirm_unit_id.is_not(None)).distinct()))


def _kind_clause(kind: str | None) -> Any:
    if kind == "entrusted":
        return Application.category == "entrusted"
    if kind == "direct":
        return Application.category != "entrusted"
    return True


def _own(user: Any, activity: Activity) -> None:
    if activity.unit_id != getattr(user, "unit_id", None):
        raise TitleError(_("只有评委会组建单位可以办理"))


def _notify_units(unit_ids: Iterable[int | None], title: str, body: str, link: str | None = None) -> None:
    from app.services.core import messages
    from app.services.title.prep import _unit_user_ids

    messages.notify(_unit_user_ids([u for u in dict.fromkeys(unit_ids) if u]), title, body, link)


def _link(endpoint: str, **values: Any) -> str | None:
    from flask import has_request_context, url_for

    return url_for(endpoint, **values) if has_request_context() else None


# -- the committee submits ------------------------------------------------------------------------------------


def submittable(activity: Activity) -> list[Application]:
    """The normal meeting's passers not yet submitted to confirmation."""
    return [a for a in publicity.passers(activity) if a.result == "passed" and a.confirm_state is None]


def submit_problem(activity: Activity) -> str | None:
    """Why the committee cannot submit now (None: it can)."""
    pub = publicity.publicity_of(activity)
    if pub is None:
        return _("尚未发布评审结果公示，不能提交评审结果确认")
    if _naive_utc() <= pub.ends_at:
        from app.filters import local_time

        return _("评审结果公示期至%(e)s，公示结束后才能提交评审结果确认", e=local_time(pub.ends_at))
    if activity.stage == "closed":
        return _("评审活动已办结")
    if not submittable(activity):
        return _("没有待提交确认的评审通过人员")
    return None


def submit(user: Any, activity: Activity) -> list[Application]:
    """提交评审结果确认: the passers go to their confirming units (direct → 授权管理单位, entrusted → the entrusting
    unit); the activity's stage becomes "confirming"."""
    _own(user, activity)
    db.session.execute(select(Activity.id).where(Activity.id == activity.id).with_for_update())
    db.session.refresh(activity)
    problem = submit_problem(activity)
    if problem:
        raise TitleError(problem)
    rows = submittable(activity)
    for app in rows:
        app.confirm_unit_id = confirm_unit_of(app)
        app.confirm_state = "pending"
        app.confirm_reason = None
    for unit_id in dict.fromkeys(a.confirm_unit_id for a in rows):
        mine = [a for a in rows if a.confirm_unit_id == unit_id]
        entrusted = any(a.category == "entrusted" for a in mine)
        _notify_units([unit_id], _("【评审结果确认】%(a)s", a=activity.name),
                      _("%(c)s提交了%(n)s名评审通过人员，请在“%(m)s”中审阅材料并确认。", c=activity.committee.name,
                        n=len(mine), m=KINDS["entrusted" if entrusted else "direct"]),
                      _link("TitleConfirmView.activity", activity_id=activity.id,
                            kind="entrusted" if entrusted else "direct"))
    before = activity.stage
    activity.stage = "confirming"
    activity.confirm_submitted_at = utcnow()
    db.session.flush()
    audit.record("submit", activity, detail=_("提交评审结果确认"),
                 changes={"stage": [before, "confirming"], "persons": [None, len(rows)]}, user=user)
    return rows


# -- the confirming unit ---------------------------------------------------------------------------------------


def confirm_activities(user: Any, kind: str = "direct") -> list[tuple[Activity, dict[str, int]]]:
    """The activities with persons the user's unit confirms (of ``kind``), with the count per state."""
    unit_id = getattr(user, "unit_id", None)
    if unit_id is None:
        return []
    rows = db.session.execute(
        select(Application.activity_id, Application.confirm_state, func.count())
        .where(Application.confirm_unit_id == unit_id, Application.confirm_state.is_not(None), _kind_clause(kind))
        .group_by(Application.activity_id, Application.confirm_state)).all()
    counts: dict[int, dict[str, int]] = {}
    for activity_id, state, n in rows:
        counts.setdefault(activity_id, {})[state] = int(n)
    if not counts:
        return []
    activities = db.session.scalars(select(Activity).where(Activity.id.in_(counts))
                                    .order_by(Activity.year.desc(), Activity.id.desc()))
    return [(a, counts[a.id]) for a in activities]


def confirm_activity_for(user: Any, activity_id: Any) -> Activity:
    """An activity with persons the user's unit confirms (anything else: not found)."""
    pk = to_id(activity_id)
    activity = db.session.get(Activity, pk) if pk else None
    unit_id = getattr(user, "unit_id", None)
    if activity is None or unit_id is None or unit_id not in confirm_unit_ids(activity):
        raise TitleError(str(NOT_FOUND))
    return activity


def persons(user: Any, activity: Activity, state: str | None = None, kind: str | None = None) -> list[Application]:
    """The activity's persons the user's unit confirms, by state (``state`` None: all)."""
    q = select(Application).where(Application.activity_id == activity.id,
                                  Application.confirm_unit_id == getattr(user, "unit_id", -1),
                                  Application.confirm_state.is_not(None), _kind_clause(kind))
    if state:
        q = q.where(Application.confirm_state.in_(OPEN_STATES) if state == "open"
                    else Application.confirm_state == state)
    return list(db.session.scalars(q.order_by(Application.id)))


def person_for(user: Any, application_id: Any, *, committee: bool = False) -> Application:
    """One person: of the user's unit as confirming unit, or (``committee``) of an activity of the user's unit."""
    pk = to_id(application_id)
    app = db.session.get(Application, pk) if pk else None
    unit_id = getattr(user, "unit_id", None)
    if app is None or app.confirm_state is None or unit_id is None:
        raise TitleError(str(NOT_FOUND))
    if committee:
        if app.activity is None or app.activity.unit_id != unit_id:
            raise TitleError(str(NOT_FOUND))
    elif app.confirm_unit_id != unit_id:
        raise TitleError(str(NOT_FOUND))
    return app


def qualification_files(activity: Activity, unit_id: int | None) -> list[Attachment]:
    """The 任职资格文件 uploaded by users of ``unit_id`` for the activity."""
    from models.core.user import UnitUser

    if unit_id is None:
        return []
    return list(db.session.scalars(
        select(Attachment).join(UnitUser, UnitUser.id == Attachment.uploaded_by)
        .where(Attachment.owner_type == "title.activity", Attachment.owner_id == activity.id,
               Attachment.slot == "qualification", UnitUser.unit_id == unit_id).order_by(Attachment.id)))


def qualification_file(user: Any, activity: Activity, file_id: Any) -> Attachment:
    """One 任职资格文件 of the activity uploaded by the user's unit (the confirming unit reads its own files here:
    the activity itself may be outside its scope, e.g. an entrusting 主管部门)."""
    pk = to_id(file_id)
    for row in qualification_files(activity, getattr(user, "unit_id", None)):
        if row.id == pk:
            return row
    raise TitleError(str(NOT_FOUND))


def upload_qualification(user: Any, activity: Activity, stream: IO[bytes], file_name: str) -> Attachment:
    """上传任职资格文件 (the confirming unit)."""
    if getattr(user, "unit_id", None) not in confirm_unit_ids(activity):
        raise TitleError(str(NOT_FOUND))
    token = _UPLOADER.set(user)
    try:
        row = attachments.save_upload(activity, "qualification", stream, file_name, user, owner_checked=True)
    finally:
        _UPLOADER.reset(token)
    audit.record("upload", activity, detail=_("任职资格文件"), changes={"file": [None, row.file_name]}, user=user)
    return row


def _lock(app: Application) -> None:
    db.session.execute(select(Application.id).where(Application.id == app.id).with_for_update())
    db.session.refresh(app)


def decide(user: Any, app: Application, action: str, reason: str = "") -> Application:
    """The confirming unit's decision on one person: "pass" (通过: result confirmed; the 任职资格文件 must be
    uploaded first), "reject" (不通过, with the reason: result failed, the series barred for the year) or
    "return" (退回评委会补充材料, with the reason)."""
    if app.confirm_unit_id != getattr(user, "unit_id", None):
        raise TitleError(str(NOT_FOUND))
    _lock(app)
    if app.confirm_state not in OPEN_STATES:
        raise TitleError(_("%(n)s当前为“%(s)s”，不能办理", n=app.name, s=state_label(app.confirm_state)))
    reason = (reason or "").strip()
    before = app.confirm_state
    if action == "pass":
        if not qualification_files(app.activity, app.confirm_unit_id):
            raise TitleError(_("请先上传任职资格文件，再确认通过"))
        app.confirm_state, app.result, app.result_reason = "passed", "confirmed", None
        app.confirm_reason = None
    elif action in ("reject", "return"):
        if not reason:
            raise TitleError(_("请填写不通过原因") if action == "reject" else _("请填写退回原因"))
        if len(reason) > 500:
            raise TitleError(_("原因不能超过500个字"))
        app.confirm_reason = reason
        if action == "reject":
            app.confirm_state, app.result = "rejected", "failed"
            app.result_reason = _("评审结果确认不通过：%(r)s", r=reason)[:500]
        else:
            app.confirm_state = "returned"
    else:
        raise TitleError(_("请选择操作"))
    app.confirmed_at = utcnow()
    if action == "return":
        _notify_units([_committee_unit(app)], _("【补充材料】%(n)s", n=app.name),
                      _("%(a)s的%(n)s被退回补充材料：%(r)s", a=app.activity.name, n=app.name, r=reason),
                      _link("TitleConfirmView.committee", activity_id=app.activity_id, tab="returned"))
    db.session.flush()
    audit.record("review", app, detail=_("评审结果确认：%(a)s", a=state_label(app.confirm_state)),
                 changes={"confirm_state": [before, app.confirm_state], "reason": [None, reason or None]}, user=user)
    return app


def pass_all(user: Any, activity: Activity, kind: str | None = None) -> int:
    """一键通过: every person the user's unit has not decided yet (of ``kind``)."""
    rows = persons(user, activity, "open", kind)
    if not rows:
        raise TitleError(_("没有待确认的人员"))
    for app in rows:
        decide(user, app, "pass")
    return len(rows)


# -- the committee's side: 补充材料, 文号, 提交发证信息, 评审工作报告, 办结 ------------------------------------------


def committee_persons(activity: Activity, state: str | None = None) -> list[Application]:
    q = select(Application).where(Application.activity_id == activity.id, Application.confirm_state.is_not(None))
    if state:
        q = q.where(Application.confirm_state.in_(OPEN_STATES) if state == "open"
                    else Application.confirm_state == state)
    return list(db.session.scalars(q.order_by(Application.id)))


def supplement(user: Any, app: Application, stream: IO[bytes], file_name: str) -> Attachment:
    """补充材料: the committee's unit uploads a file for a person returned to it."""
    if app.activity is None or app.activity.unit_id != getattr(user, "unit_id", None):
        raise TitleError(str(NOT_FOUND))
    row = attachments.save_upload(app, "supplement", stream, file_name, user, owner_checked=True)
    audit.record("upload", app, detail=_("补充材料"), changes={"file": [None, row.file_name]}, user=user)
    return row


def supplement_files(app: Application) -> list[Attachment]:
    return attachments.current(app, "supplement")


def resubmit(user: Any, app: Application) -> Application:
    """补充材料后再次提交: back to the confirming unit (确认中)."""
    if app.activity is None or app.activity.unit_id != getattr(user, "unit_id", None):
        raise TitleError(str(NOT_FOUND))
    _lock(app)
    if app.confirm_state != "returned":
        raise TitleError(_("%(n)s当前为“%(s)s”，不能再次提交", n=app.name, s=state_label(app.confirm_state)))
    if not supplement_files(app):
        raise TitleError(_("请先上传补充材料"))
    app.confirm_state = "resubmitted"
    db.session.flush()
    audit.record("submit", app, detail=_("补充材料后再次提交确认"),
                 changes={"confirm_state": ["returned", "resubmitted"]}, user=user)
    return app


def doc_number_problem(doc_number: str, approved_on: dt.date | None) -> str | None:
    """A 职称文件文号 must carry its year in 〔〕 brackets, the year of the approval date: 乐人社函〔2026〕18号."""
    doc_number = (doc_number or "").strip()
    if not doc_number:
        return _("请填写职称文件文号")
    if len(doc_number) > 50:
        return _("职称文件文号不能超过50个字")
    if approved_on is None:
        return _("请填写批准日期")
    found = DOC_YEAR.search(doc_number)
    if found is None:
        return _("职称文件文号须用六角括号〔〕标注年份，如：乐人社函〔%(y)s〕18号", y=approved_on.year)
    if int(found.group(1)) != approved_on.year:
        return _("职称文件文号中的年份（%(a)s）应与批准日期的年份（%(y)s）一致", a=found.group(1), y=approved_on.year)
    return None


def _own_persons(activity: Activity, ids: Iterable[Any]) -> list[Application]:
    """The chosen persons, each one of the activity's confirmed direct persons (a forged id is refused)."""
    wanted = [to_id(i) for i in ids]
    if not wanted:
        raise TitleError(_("请选择人员"))
    if any(i is None for i in wanted):
        raise TitleError(str(NOT_FOUND))
    rows = {a.id: a for a in db.session.scalars(select(Application).where(
        Application.id.in_(wanted), Application.activity_id == activity.id, Application.confirm_state == "passed",
        Application.category != "entrusted"))}
    if len(rows) != len(set(wanted)):
        raise TitleError(_("所选人员不是本活动确认通过的人员"))
    return [rows[i] for i in dict.fromkeys(wanted)]  # type: ignore[index]


def set_doc_numbers(user: Any, activity: Activity, ids: Iterable[Any], doc_number: str,
                    approved_on: dt.date | None) -> int:
    """批量设置职称文件文号 for the chosen confirmed persons (not yet submitted for issuance)."""
    _own(user, activity)
    problem = doc_number_problem(doc_number, approved_on)
    if problem:
        raise TitleError(problem)
    rows = _own_persons(activity, ids)
    done = [a.name for a in rows if a.issuance_at is not None]
    if done:
        raise TitleError(_("以下人员已提交发证信息，不能再修改文号：%(n)s", n="、".join(done)))
    doc_number = doc_number.strip()
    for app in rows:
        before = [app.doc_number, app.approved_on.isoformat() if app.approved_on else None]
        app.doc_number, app.approved_on = doc_number, approved_on
        audit.record("update", app, detail=_("设置职称文件文号"),
                     changes={"doc_number": [before[0], doc_number],
                              "approved_on": [before[1], approved_on.isoformat()]}, user=user)
    return len(rows)


def submit_issuance(user: Any, activity: Activity, ids: Iterable[Any] | None = None) -> int:
    """提交发证信息: the chosen (default: every) confirmed direct person with a 文号 is ready for the certificate."""
    _own(user, activity)
    if ids is None:
        rows = [a for a in committee_persons(activity, "passed") if a.category != "entrusted" and a.issuance_at is None]
        if not rows:
            raise TitleError(_("没有待提交发证信息的人员"))
    else:
        rows = [a for a in _own_persons(activity, ids) if a.issuance_at is None]
        if not rows:
            raise TitleError(_("所选人员已提交发证信息"))
    missing = [a.name for a in rows if not a.doc_number or a.approved_on is None]
    if missing:
        raise TitleError(_("请先设置职称文件文号：%(n)s", n="、".join(missing)))
    now = utcnow()
    for app in rows:
        app.issuance_at = now
        audit.record("submit", app, detail=_("提交发证信息"), user=user)
    return len(rows)


def report_files(activity: Activity) -> list[Attachment]:
    return attachments.current(activity, "work_report")


def upload_report(user: Any, activity: Activity, stream: IO[bytes], file_name: str) -> Attachment:
    """上传评审工作报告 (the committee's unit, while confirming)."""
    _own(user, activity)
    row = attachments.save_upload(activity, "work_report", stream, file_name, user, owner_checked=True)
    audit.record("upload", activity, detail=_("评审工作报告"), changes={"file": [None, row.file_name]}, user=user)
    return row


def issued_ids(ids: list[int]) -> set[int] | None:
    """The applications whose certificates are issued (None: the certificate part is not there)."""
    try:
        from app.services.title import cert
    except ImportError:  # pragma: no cover
        return None
    issued = getattr(cert, "issued_for_applications", None)
    return set(issued(ids)) if callable(issued) else None


def close_problem(activity: Activity) -> str | None:
    if activity.stage == "closed":
        return _("评审活动已办结")
    if activity.stage != "confirming":
        return _("评审结果提交确认后才能办结")
    rows = committee_persons(activity)
    waiting = [a.name for a in rows if a.confirm_state not in ("passed", "rejected")]
    if waiting:
        return _("以下人员尚未完成评审结果确认：%(n)s", n="、".join(waiting))
    confirmed = [a for a in rows if a.confirm_state == "passed"]
    direct = [a.name for a in confirmed if a.category != "entrusted" and a.issuance_at is None]
    if direct:
        return _("以下人员尚未提交发证信息：%(n)s", n="、".join(direct))
    if not report_files(activity):
        return _("请先上传评审工作报告")
    if confirmed:
        issued = issued_ids([a.id for a in confirmed])
        if issued is None:
            return _("证书尚未发放，不能办结")
        missing = [a.name for a in confirmed if a.id not in issued]
        if missing:
            return _("以下人员的证书尚未发放，不能办结：%(n)s", n="、".join(missing))
    return None


def close(user: Any, activity: Activity) -> Activity:
    """办结: only once every confirmed person's certificate is issued."""
    _own(user, activity)
    db.session.execute(select(Activity.id).where(Activity.id == activity.id).with_for_update())
    db.session.refresh(activity)
    problem = close_problem(activity)
    if problem:
        raise TitleError(problem)
    activity.stage, activity.closed_at = "closed", utcnow()
    audit.record("end", activity, detail=_("办结"), changes={"stage": ["confirming", "closed"]}, user=user)
    return activity


# -- the roster -----------------------------------------------------------------------------------------------

ROSTER_HEADERS = [_l("序号"), _l("姓名"), _l("性别"), _l("证件号码"), _l("工作单位"), _l("申报系列"), _l("申报层级"),
                  _l("申报专业"), _l("评价方式"), _l("申报类别"), _l("评委会"), _l("评审结果"), _l("确认状态"), _l("原因"),
                  _l("职称文件文号"), _l("批准日期")]


def roster_rows(rows: list[Application]) -> list[list[Any]]:
    """数据导出: the applicants' basic data and the committee's result, one row each."""
    from models.title.application import CATEGORIES, EVAL_METHODS

    d = dicts.label
    return [[i, a.name, d("sex", a.sex), a.id_number, a.workplace, d("title_series", a.series), d("title_level", a.level),
             a.major, EVAL_METHODS.get(a.eval_method, a.eval_method), CATEGORIES.get(a.category, a.category),
             a.committee.name if a.committee else "", _("评审通过"), state_label(a.confirm_state), a.confirm_reason or "",
             a.doc_number or "", a.approved_on.isoformat() if a.approved_on else ""] for i, a in enumerate(rows, 1)]


# -- the certificate part's sources ---------------------------------------------------------------------------


def qualification_name(app: Application) -> str:
    return f"{dicts.label('title_series', app.series) or app.series}{dicts.label('title_level', app.level) or app.level}"


def facts(app: Application) -> dict[str, Any]:
    """What a certificate prints of a confirmed application."""
    issuing = app.entrust_unit_id if app.category == "entrusted" and app.entrust_unit_id else (
        app.committee.authority_unit_id if app.committee else None)
    return {"holder_user_id": app.user_id, "name": app.name, "id_number": app.id_number,
            "series": app.series, "level": app.level, "qualification": qualification_name(app),
            "approved_on": app.approved_on, "doc_number": app.doc_number or "", "issuing_unit_id": issuing,
            "source_id": app.id}


def _eligible(user: Any, kind: str) -> list[Application]:
    from models.title.committee import Committee

    unit_id = getattr(user, "unit_id", None)
    if unit_id is None:
        return []
    q = select(Application).where(Application.confirm_state == "passed", Application.result == "confirmed")
    if kind == "entrusted":
        q = q.where(Application.category == "entrusted", Application.entrust_unit_id == unit_id)
    else:
        q = (q.join(Committee, Committee.id == Application.committee_id)
             .where(Application.category != "entrusted", Committee.authority_unit_id == unit_id,
                    Application.issuance_at.is_not(None)))
        q = q.where(Application.eval_method == "first") if kind == "initial" else \
            q.where(Application.eval_method != "first")
    rows = list(db.session.scalars(q.order_by(Application.id)))
    issued = issued_ids([a.id for a in rows]) if rows else set()
    return [a for a in rows if a.id not in (issued or set())]


def eligible_review(user: Any) -> list[Application]:
    """评审发证: confirmed direct persons (not 初次认定) whose issuance data is submitted, the user's unit the issuer."""
    return _eligible(user, "review")


def eligible_entrusted(user: Any) -> list[Application]:
    """委托发证: confirmed entrusted persons, the user's unit the entrusting (issuing) unit."""
    return _eligible(user, "entrusted")


def eligible_initial(user: Any) -> list[Application]:
    """初定发证: confirmed 初次认定 persons whose issuance data is submitted, the user's unit the issuer."""
    return _eligible(user, "initial")


SOURCES = (("review", _l("评审发证"), eligible_review), ("entrusted", _l("委托发证"), eligible_entrusted),
           ("initial", _l("初定发证"), eligible_initial))


def register_sources() -> bool:
    """Registers the three sources with the certificate part, when it offers ``register_source``."""
    try:
        from app.services.title import cert
    except ImportError:  # pragma: no cover
        return False
    register = getattr(cert, "register_source", None)
    if not callable(register):
        return False
    for kind, label, eligible in SOURCES:
        register(kind, label, eligible, facts)
    return True


register_sources()
