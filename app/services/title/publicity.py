"""评审会议管理 — after the meeting (004 §1.2.6 图2.5.22–2.5.24, TR-18, TR-12 second half): 发布公示公告,
我要反馈 (online objections), 录入线下投诉结果 (offline complaints with evidence), 异议人员列表.

The publicity's window: the generated notice (core Notice, type "07" 评后公示) carries the period as
``visible_from`` / ``visible_until`` (naive UTC), which the portal's queries honour
(app.services.core.notices.on_portal): the notice is listed, shown and downloadable for exactly the
period, and the portal panel (title/publicity/_portal.html) lists the publicities running now.

For the seed, in this order after the normal meeting is tallied:
    publish(user, activity, starts_at, ends_at, contact) -> Publicity
    feedback(user, activity, application_id, reason, phone) -> Objection      (within the period)
    record_offline(user, activity, data, files=()) -> Objection
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import IO, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.extensions import db
from app.security.scope import scope_clause
from app.services.core import attachments, audit, dicts, notices
from app.services.core.validators import check_id_number, check_mobile, to_id
from app.services.title.common import TitleError
from models.core.notice import Notice
from models.title.activity import Activity
from models.title.application import Application
from models.title.meeting import Meeting, MeetingApplicant, Objection, Publicity

NOTICE_KIND = "07"  # notice_type 评后公示
MANAGE = ("can_manage", "title.Meeting")

attachments.register_owner(
    "title.objection", Objection,
    [attachments.Slot("evidence", _l("证据材料"), multiple=True, max_mb=20)],
    edit_permission=MANAGE,
    # the committee's unit (the objection's unit) records the complaint and its evidence
    writers=attachments.Writers(attachments.RECORD_UNIT, MANAGE),
)


def utcnow() -> dt.datetime:
    """Now, as the stored times are (naive UTC)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _naive(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value


def normal_meeting(activity: Activity) -> Meeting | None:
    return db.session.scalar(select(Meeting).where(Meeting.activity_id == activity.id, Meeting.kind == "normal"))


def passers(activity: Activity) -> list[Application]:
    """The activity's passers: the normal meeting's pool members whose result is pass, in the pool's order."""
    meeting = normal_meeting(activity)
    if meeting is None:
        return []
    return list(db.session.scalars(
        select(Application).join(MeetingApplicant, MeetingApplicant.application_id == Application.id)
        .where(MeetingApplicant.meeting_id == meeting.id, MeetingApplicant.result == "pass",
               Application.activity_id == activity.id)
        .order_by(MeetingApplicant.sort, MeetingApplicant.id)))


def passer_rows(activity: Activity) -> list[dict[str, Any]]:
    """What the publicity shows of each passer: 姓名, 工作单位, 申报系列, 申报层级 (no ID number, no phone); ``id`` is the application's, the choice of 我要反馈."""
    return [{"id": a.id, "name": a.name, "workplace": a.workplace, "series": dicts.label("title_series", a.series),
             "level": dicts.label("title_level", a.level)} for a in passers(activity)]


def publicity_of(activity: Activity) -> Publicity | None:
    return db.session.scalar(select(Publicity).where(Publicity.activity_id == activity.id))


def publicity_of_notice(notice: Notice) -> Publicity | None:
    return db.session.scalar(select(Publicity).where(Publicity.notice_id == notice.id))


def running(pub: Publicity | None, now: dt.datetime | None = None) -> bool:
    """The publicity's period holds now (start and end included)."""
    now = now or utcnow()
    return pub is not None and pub.starts_at <= now <= pub.ends_at


def _own(user: Any, activity: Activity) -> None:
    if activity.unit_id != getattr(user, "unit_id", None):
        raise TitleError(_("只有评委会组建单位可以办理评审会议"))


def notice_text(activity: Activity, starts_at: dt.datetime, ends_at: dt.datetime, contact: str) -> str:
    from app.filters import local_time

    lines = [_("根据职称评审有关规定，现将%(a)s评审通过人员名单予以公示。", a=activity.name),
             _("公示时间：%(s)s 至 %(e)s", s=local_time(starts_at), e=local_time(ends_at)), "",
             _("序号　姓名　工作单位　申报系列　申报层级")]
    for i, row in enumerate(passer_rows(activity), start=1):
        lines.append(f"{i}　{row['name']}　{row['workplace']}　{row['series']}　{row['level']}")
    lines += ["", _("公示期间，如有异议，请登录平台在门户首页“评审结果公示”栏目点击“我要反馈”，或与我们联系。"),
              _("联系方式：%(c)s", c=contact)]
    return "\n".join(lines)


def publish(user: Any, activity: Activity, starts_at: dt.datetime, ends_at: dt.datetime, contact: str) -> Publicity:
    """发布公示公告 (图2.5.22): once the normal meeting is tallied; the notice lists the passers and is on the
    portal for exactly [starts_at, ends_at]. A second call edits the period and contact, until the period starts."""
    _own(user, activity)
    meeting = normal_meeting(activity)
    if meeting is None or meeting.state != "tallied":
        raise TitleError(_("普通评审会议计票完成后才能发布公示公告"))
    contact = (contact or "").strip()
    problems: list[str] = []
    if starts_at is None:
        problems.append(_("请填写公示开始时间"))
    if ends_at is None:
        problems.append(_("请填写公示结束时间"))
    if not contact:
        problems.append(_("请填写联系方式"))
    elif len(contact) > 100:
        problems.append(_("联系方式不能超过100个字"))
    if problems:
        raise TitleError("；".join(problems))
    starts_at, ends_at = _naive(starts_at), _naive(ends_at)
    if ends_at <= starts_at:
        raise TitleError(_("公示结束时间应晚于公示开始时间"))
    if not passers(activity):
        raise TitleError(_("本次评审没有通过人员，无需公示"))
    # one publicity per activity: two staff publishing at once wait for each other here (PostgreSQL)
    db.session.execute(select(Activity.id).where(Activity.id == activity.id).with_for_update())
    pub = publicity_of(activity)
    now = utcnow()
    if pub is not None:
        if pub.starts_at <= now:
            raise TitleError(_("公示已于%(s)s开始，不能再修改", s=_local(pub.starts_at)))
        if ends_at <= now:
            raise TitleError(_("公示结束时间应晚于当前时间"))
        before = {"starts_at": _local(pub.starts_at), "ends_at": _local(pub.ends_at), "contact": pub.contact}
        pub.starts_at, pub.ends_at, pub.contact = starts_at, ends_at, contact
        notice = db.session.get(Notice, pub.notice_id) if pub.notice_id else None
        action = "update"
    else:
        if ends_at <= now:
            raise TitleError(_("公示结束时间应晚于当前时间"))
        before = {}
        pub = Publicity(activity_id=activity.id, unit_id=activity.unit_id, starts_at=starts_at, ends_at=ends_at,
                        contact=contact)
        db.session.add(pub)
        notice = None
        action = "publish"
    if notice is None:
        notice = Notice(unit_id=activity.unit_id, kind=NOTICE_KIND, author_id=getattr(user, "id", None))
        db.session.add(notice)
    notice.title = _("%(a)s评审结果公示", a=activity.name)[:200]
    notice.content = notice_text(activity, starts_at, ends_at, contact)
    notice.state = "published"
    notice.published_at = starts_at.replace(tzinfo=dt.UTC)
    notice.visible_from, notice.visible_until = starts_at, ends_at
    db.session.flush()
    pub.notice_id = notice.id
    activity.stage = "publicity"
    after = {"starts_at": _local(starts_at), "ends_at": _local(ends_at), "contact": contact}
    audit.record(action, pub, changes={k: [before.get(k), v] for k, v in after.items()}, user=user)
    return pub


def _local(value: dt.datetime) -> str:
    from app.filters import local_time

    return local_time(value)


def _passer(activity: Activity, application_id: Any) -> Application:
    """The person complained about: one of the activity's publicised passers (a forged id is refused)."""
    pk = to_id(application_id)
    for app in passers(activity):
        if app.id == pk:
            return app
    raise TitleError(_("请选择被投诉人（公示名单中的人员）"))


def feedback(user: Any, activity: Activity, application_id: Any, reason: str, phone: str = "") -> Objection:
    """我要反馈 (图2.5.23): a logged-in user's objection to a publicised passer, during the period only."""
    if user is None or not getattr(user, "is_authenticated", True) or getattr(user, "id", None) is None:
        raise TitleError(_("请先登录"))
    pub = publicity_of(activity)
    if pub is None or running_publicity(pub.id) is None:
        raise TitleError(_("不在公示期内，不能反馈"))
    target = _passer(activity, application_id)
    reason = (reason or "").strip()
    phone = (phone or "").strip()
    problems = []
    if not reason:
        problems.append(_("请填写投诉原因"))
    elif len(reason) > 2000:
        problems.append(_("投诉原因不能超过2000个字"))
    if phone and check_mobile(phone):
        problems.append(str(check_mobile(phone)))
    if problems:
        raise TitleError("；".join(problems))
    name = (getattr(user, "name", None) or str(user) or "").strip()[:30] or _("匿名")
    row = Objection(activity_id=activity.id, application_id=target.id, kind="online", unit_id=activity.unit_id,
                    complainant_name=name, complainant_id_number=(getattr(user, "id_number", None) or None),
                    complainant_phone=phone or None, reason=reason, user_id=user.id)
    db.session.add(row)
    db.session.flush()
    audit.record("feedback", row, user=user)
    return row


def record_offline(user: Any, activity: Activity, data: Mapping[str, Any],
                   files: Iterable[tuple[IO[bytes], str]] = ()) -> Objection:
    """录入线下投诉结果 (图2.5.24): the committee's unit records a complaint received offline, with its result and
    evidence files. ``data``: application (the passer's application id), name, id_number, phone, reason, result."""
    _own(user, activity)
    if publicity_of(activity) is None:
        raise TitleError(_("尚未发布公示公告，不能录入投诉"))
    target = _passer(activity, data.get("application"))
    name = str(data.get("name") or "").strip()
    number = str(data.get("id_number") or "").strip().upper()
    phone = str(data.get("phone") or "").strip()
    reason = str(data.get("reason") or "").strip()
    result = str(data.get("result") or "").strip()
    problems = []
    if not name:
        problems.append(_("请填写投诉人姓名"))
    elif len(name) > 30:
        problems.append(_("投诉人姓名不能超过30个字"))
    bad = check_id_number(number)
    if bad:
        problems.append(_("投诉人身份证号：%(r)s", r=bad))
    bad = check_mobile(phone)
    if bad:
        problems.append(str(bad))
    if not reason:
        problems.append(_("请填写投诉原因"))
    if not result:
        problems.append(_("请填写处理结果"))
    if problems:
        raise TitleError("；".join(str(p) for p in problems))
    row = Objection(activity_id=activity.id, application_id=target.id, kind="offline", unit_id=activity.unit_id,
                    complainant_name=name, complainant_id_number=number, complainant_phone=phone, reason=reason,
                    result=result, user_id=None)
    db.session.add(row)
    db.session.flush()
    for stream, file_name in files:
        attachments.save_upload(row, "evidence", stream, file_name, user)
    audit.record("create", row, user=user)
    return row


def objections_of(activity: Activity) -> list[Objection]:
    return list(db.session.scalars(select(Objection).where(Objection.activity_id == activity.id)
                                   .order_by(Objection.created_on.desc(), Objection.id.desc())))


def activities_with_objections(user: Any) -> list[tuple[Activity, int]]:
    """The activities within the user's scope (their objections' scope: the committee's unit and the units
    above it) that have objections, with the count, newest first."""
    count = func.count(Objection.id)
    rows = db.session.execute(
        select(Activity, count).join(Objection, Objection.activity_id == Activity.id)
        .where(scope_clause(Objection, user)).group_by(Activity.id)
        .order_by(Activity.year.desc(), Activity.id.desc())).all()
    return [(a, int(n)) for a, n in rows]


def portal_panel() -> list[dict[str, Any]]:
    """The portal panel: the publicities running now whose notice the portal shows (a notice revoked by
    its unit takes the publicity off the portal too)."""
    now = utcnow()
    rows = db.session.execute(
        select(Publicity, Activity).join(Activity, Activity.id == Publicity.activity_id)
        .join(Notice, Notice.id == Publicity.notice_id)
        .where(Publicity.starts_at <= now, Publicity.ends_at >= now, notices.on_portal())
        .order_by(Publicity.starts_at.desc())).all()
    return [{"publicity": p, "activity": a} for p, a in rows]


def running_publicity(pk: Any) -> Publicity | None:
    """A publicity by id when its period holds now and its notice is on the portal (the public pages answer
    nothing else)."""
    pub = db.session.get(Publicity, to_id(pk)) if to_id(pk) else None
    if not running(pub) or pub.notice_id is None:
        return None
    notice = db.session.get(Notice, pub.notice_id)
    return pub if notice is not None and notices.shown_now(notice) else None
