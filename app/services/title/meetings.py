"""评审会议管理 (004 §1.2.5–1.2.6): what every part of the meetings shares — the activities whose
meetings a unit runs, the meetings of an activity (created when first asked for), reading a meeting
or an activity within the scope, and the rule that only the committee's own unit (组建单位) changes
anything. The parts live beside this file: prep.py (资格审核, 评分标准, 答辩, 笔试), draw.py (专家抽选),
assign.py (分组, 人员分配, 开启投票), voting.py (专家投票, 计票), publicity.py (公示, 异议).
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.security.scope import record_in_scope
from app.services.title.common import TitleError
from models.title.activity import Activity
from models.title.meeting import Meeting

# the hub's steps of a meeting: (key, label, endpoint); the endpoint takes ``meeting_id``
STEPS: list[tuple[str, Any, str]] = [
    ("draw", _l("专家抽选"), "TitleDrawView.groups"),
    ("attendance", _l("确认出席专家"), "TitleDrawView.attendance"),
    ("grouping", _l("专家分组"), "TitleAssignView.groups"),
    ("assign", _l("人员分配"), "TitleAssignView.pool"),
    ("vote", _l("开启专家投票"), "TitleAssignView.vote"),
    ("tally", _l("计票"), "TitleTallyView.tally"),
]
NOT_FOUND = _l("所选数据不存在或不在您的管理范围内")
# Application.result as the applicant and the units read it
RESULT_LABELS = {"failed": _l("不通过"), "passed": _l("评审通过"), "confirmed": _l("已确认")}
# the review state as the applicant reads it: approved at the last node is the committee's receipt
APPLICANT_STATES = {"approved": _l("评委会已接收")}


def result_label(app: Any) -> str:
    """The application's result with its reason: "不通过（笔试不通过）", "评审通过", or "" (none yet)."""
    if not getattr(app, "result", None):
        return ""
    label = str(RESULT_LABELS.get(app.result, app.result))
    return f"{label}（{app.result_reason}）" if app.result_reason else label


def steps_of(meeting: Meeting) -> list[tuple[str, Any, str]]:
    """The steps the meeting has: 专家分组 only for a normal meeting of an activity with professional groups."""
    groups = meeting.kind == "normal" and bool(meeting.activity.groups)
    return [s for s in STEPS if s[0] != "grouping" or groups]


def meeting_activities(user: Any) -> list[Activity]:
    """The published activities of the user's unit (its committees' activities), newest first."""
    unit_id = getattr(user, "unit_id", None)
    if unit_id is None:
        return []
    return list(db.session.scalars(
        select(Activity).where(Activity.unit_id == unit_id, Activity.published_at.is_not(None))
        .order_by(Activity.year.desc(), Activity.id.desc())))


def kinds_of_activity(activity: Activity) -> list[str]:
    """The meetings an activity holds: the exceptional one only when it opens exceptional review."""
    return (["exceptional"] if activity.exceptional else []) + ["normal"]


def meetings_of(activity: Activity, *, create: bool = False) -> dict[str, Meeting]:
    """The activity's meetings by kind; ``create`` makes the missing ones (the committee's unit's work)."""
    found = {m.kind: m for m in db.session.scalars(select(Meeting).where(Meeting.activity_id == activity.id))}
    if create:
        for kind in kinds_of_activity(activity):
            if kind not in found:
                found[kind] = Meeting(activity_id=activity.id, kind=kind, unit_id=activity.unit_id, state="drawing")
                db.session.add(found[kind])
        db.session.flush()
    return found


def activity_for(user: Any, activity_id: Any, *, write: bool = False) -> Activity:
    """A published activity within the user's scope; ``write``: of the user's own unit (the committee's
    unit does the meeting work; the units above may look)."""
    try:
        activity = db.session.get(Activity, int(activity_id))
    except (TypeError, ValueError):
        activity = None
    if activity is None or activity.published_at is None or not record_in_scope(activity, user):
        raise TitleError(str(NOT_FOUND))
    if write and activity.unit_id != getattr(user, "unit_id", None):
        raise TitleError(str(_l("只有评委会组建单位可以办理评审会议")))
    return activity


def meeting_for(user: Any, meeting_id: Any, *, write: bool = False) -> Meeting:
    """A meeting within the user's scope (and of the user's own unit when ``write``)."""
    try:
        meeting = db.session.get(Meeting, int(meeting_id))
    except (TypeError, ValueError):
        meeting = None
    if meeting is None or not record_in_scope(meeting, user):
        raise TitleError(str(NOT_FOUND))
    if write and meeting.unit_id != getattr(user, "unit_id", None):
        raise TitleError(str(_l("只有评委会组建单位可以办理评审会议")))
    return meeting


def require_state(meeting: Meeting, *states: str) -> None:
    """Refuse a step the meeting is not at (e.g. a draw after the vote opened)."""
    from models.title.meeting import MEETING_STATES

    if meeting.state not in states:
        raise TitleError(str(_l("评审会议当前处于“%(s)s”环节，不能办理此操作",
                                s=MEETING_STATES.get(meeting.state, meeting.state))))
