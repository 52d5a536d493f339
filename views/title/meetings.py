"""评审会议管理 (004 §1.2.5–1.2.6): the hub of the committee's unit — its published activities, and for
each one the work before the meeting (参评资格审核, 设置评分标准, 导入答辩安排, 导入笔试成绩), its
meetings (破格评审会议, 普通评审会议: 专家抽选 … 计票, the steps of ``meetings.STEPS``) and after it
(评审结果公示, 异议人员). The steps' own pages are in prep.py, draw.py, assign.py, voting.py and
publicity.py beside this file; each includes ``title/meeting/_steps.html``.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, g, redirect, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.services.title import meetings as service
from app.services.title.common import TitleError
from models.title.meeting import MEETING_KINDS, MEETING_STATES
from views.registry import add_link
from views.title.common import unit_kind
from views.writes import write

COMMITTEE_KINDS = ("hr", "competent", "self_review", "central")
KIND_LABELS = {"exceptional": _l("破格评审会议"), "normal": _l("普通评审会议")}
STATE_LABELS = {"drawing": _l("专家抽选"), "grouping": _l("专家分组"), "assigning": _l("人员分配"),
                "voting": _l("专家投票"), "tallied": _l("计票完成")}
assert set(KIND_LABELS) == set(MEETING_KINDS) and set(STATE_LABELS) == set(MEETING_STATES)


def step_url(endpoint: str, **values: Any) -> str | None:
    """The URL of a step's page, or None while that page is not registered (a module part switched off)."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


def steps_context(meeting: Any, current: str) -> dict[str, Any]:
    """What ``title/meeting/_steps.html`` needs: the meeting, its steps with their URLs, the current one."""
    steps = [(key, label, step_url(endpoint, meeting_id=meeting.id)) for key, label, endpoint
             in service.steps_of(meeting)]
    return {"meeting": meeting, "meeting_steps": steps, "current_step": current,
            "meeting_kind_label": KIND_LABELS[meeting.kind], "meeting_state_label": STATE_LABELS[meeting.state],
            "activity_url": url_for("TitleMeetingView.activity", activity_id=meeting.activity_id)}


class TitleMeetingView(BaseView):
    """评审会议管理: the committee's unit's activities and, per activity, every step of its meetings."""

    class_permission_name = "title.Meeting"
    route_base = "/title/meetings"
    default_view = "index"
    base_permissions = ["can_list", "can_manage"]
    method_permission_name = {"index": "list", "activity": "list", "open_meeting": "list"}

    @expose("/")
    @has_access
    def index(self) -> Any:
        activities = service.meeting_activities(g.user)
        return self.render_template("title/meeting/index.html", activities=activities, title=_("评审会议管理"))

    @expose("/activity/<int:activity_id>")
    @has_access
    def activity(self, activity_id: int) -> Any:
        try:
            activity = service.activity_for(g.user, activity_id)
        except TitleError:
            abort(404)
        own = activity.unit_id == getattr(g.user, "unit_id", None)
        # the committee's unit opening the page makes the activity's meetings (the exceptional one when asked for)
        meetings = (write(lambda: service.meetings_of(activity, create=True)).value or {}) if own else \
            service.meetings_of(activity)
        before = [(_("参评资格审核"), step_url("TitlePrepView.qualification", activity_id=activity.id)),
                  (_("设置评分标准"), step_url("TitlePrepView.standards", activity_id=activity.id))]
        if activity.defense != "none":
            before.append((_("导入答辩安排"), step_url("TitlePrepView.defense", activity_id=activity.id)))
        if activity.written_test != "none":
            before.append((_("导入笔试成绩"), step_url("TitlePrepView.written", activity_id=activity.id)))
        after = [(_("评审结果公示"), step_url("TitlePublicityView.publicity", activity_id=activity.id)),
                 (_("异议人员列表"), step_url("TitlePublicityView.objections", activity_id=activity.id)),
                 (_("评审结果确认"), step_url("TitleConfirmView.committee", activity_id=activity.id))]
        rows = [(KIND_LABELS[kind], meetings[kind], STATE_LABELS[meetings[kind].state])
                for kind in service.kinds_of_activity(activity) if kind in meetings]
        return self.render_template("title/meeting/activity.html", activity=activity, before=before, after=after,
                                    rows=rows, title=_("评审会议管理"))

    @expose("/meeting/<int:meeting_id>")
    @has_access
    def open_meeting(self, meeting_id: int) -> Any:
        """A meeting opens on the step it has reached."""
        try:
            meeting = service.meeting_for(g.user, meeting_id)
        except TitleError:
            abort(404)
        step = {"drawing": "draw", "grouping": "grouping", "assigning": "assign", "voting": "tally",
                "tallied": "tally"}[meeting.state]
        for key, _label, endpoint in service.steps_of(meeting):
            if key == step:
                url = step_url(endpoint, meeting_id=meeting.id)
                if url:
                    return redirect(url)
        abort(404)


def register_meetings(appbuilder: Any) -> None:
    appbuilder.add_view_no_menu(TitleMeetingView)
    add_link(appbuilder, TitleMeetingView, "TitleMeetings", "TitleMeetingView.index", "can_list", "TitleMeeting",
             label=_l("评审会议管理"), icon="fa-gavel", cond=unit_kind(*COMMITTEE_KINDS),
             category_label=_l("评审会议管理"), category_icon="fa-gavel")
