"""评审会议管理 — after the meeting (004 §1.2.6, TR-18): 发布公示公告 (图2.5.22), 录入线下投诉结果 (图2.5.24) and
异议人员列表 for the committee's unit (the units above it read); 我要反馈 (图2.5.23) for any logged-in user
during the period; the portal panel of the publicities running now (title/publicity/_portal.html).
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.services.core import attachments, notices
from app.services.title import meetings
from app.services.title import publicity as service
from app.services.title.activities import local_input, parse_local_time
from app.services.title.common import TitleError
from models.title.meeting import OBJECTION_KINDS, Publicity
from views.registry import add_link
from views.title.common import unit_kind
from views.title.meetings import COMMITTEE_KINDS
from views.writes import write

KIND_LABELS = {"online": _l("我要反馈"), "offline": _l("线下投诉")}
assert set(KIND_LABELS) == set(OBJECTION_KINDS)


def _activity(activity_id: int, write: bool = False) -> Any:
    try:
        return meetings.activity_for(g.user, activity_id, write=write)
    except TitleError:
        abort(404)


class TitlePublicityView(BaseView):
    """评审结果公示 and 异议人员列表 of one activity (the committee's unit writes, the units above read)."""

    class_permission_name = "title.Meeting"
    route_base = "/title/publicity"
    default_view = "index"
    base_permissions = ["can_list", "can_manage"]
    method_permission_name = {"index": "list", "publicity": "list", "objections": "list", "publish": "manage",
                              "offline": "manage"}

    def _page(self, activity: Any, form: Any = None, errors: dict[str, str] | None = None) -> Any:
        pub = service.publicity_of(activity)
        meeting = service.normal_meeting(activity)
        own = activity.unit_id == getattr(g.user, "unit_id", None)
        if form is None:
            form = {"starts_at": local_input(pub.starts_at), "ends_at": local_input(pub.ends_at),
                    "contact": pub.contact} if pub else {}
        now = service.utcnow()
        return self.render_template(
            "title/publicity/index.html", activity=activity, pub=pub, meeting=meeting, own=own, form=form,
            errors=errors or {}, rows=service.passer_rows(activity), tallied=meeting is not None
            and meeting.state == "tallied", editable=pub is None or pub.starts_at > now,
            running=service.running(pub, now), title=_("评审结果公示"))

    @expose("/<int:activity_id>/")
    @has_access
    def publicity(self, activity_id: int) -> Any:
        return self._page(_activity(activity_id))

    @expose("/<int:activity_id>/publish", methods=["POST"])
    @has_access
    def publish(self, activity_id: int) -> Any:
        activity = _activity(activity_id, write=True)
        f = request.form
        errors: dict[str, str] = {}
        starts, ends = parse_local_time(f.get("starts_at")), parse_local_time(f.get("ends_at"))
        if write(lambda: service.publish(g.user, activity, starts, ends, f.get("contact", "")),
                 _("公示公告已发布"), errors=errors):
            return redirect(url_for("TitlePublicityView.publicity", activity_id=activity_id))
        return self._page(_activity(activity_id), form=f, errors=errors)

    @expose("/<int:activity_id>/offline", methods=["GET", "POST"])
    @has_access
    def offline(self, activity_id: int) -> Any:
        """录入线下投诉结果 (图2.5.24)."""
        activity = _activity(activity_id, write=True)
        errors: dict[str, str] = {}
        if request.method == "POST":
            files = [(f.stream, f.filename) for f in request.files.getlist("evidence") if f and f.filename]
            if write(lambda: service.record_offline(g.user, activity, request.form, files), _("线下投诉已录入"),
                     errors=errors, refuse=(attachments.AttachmentError,)):
                return redirect(url_for("TitlePublicityView.objections", activity_id=activity_id))
            activity = _activity(activity_id, write=True)
        return self.render_template("title/publicity/offline.html", activity=activity, form=request.form,
                                    errors=errors, passers=service.passers(activity),
                                    published=service.publicity_of(activity) is not None, title=_("录入线下投诉结果"))

    @expose("/<int:activity_id>/objections")
    @has_access
    def objections(self, activity_id: int) -> Any:
        """异议人员列表: the activity's objections, online and offline, with their evidence."""
        activity = _activity(activity_id)
        rows = service.objections_of(activity)
        files = {o.id: attachments.current(o, "evidence") for o in rows if o.kind == "offline"}
        return self.render_template("title/publicity/objections.html", activity=activity, rows=rows, files=files,
                                    kinds=KIND_LABELS, own=activity.unit_id == getattr(g.user, "unit_id", None),
                                    pub=service.publicity_of(activity), title=_("异议人员列表"))

    @expose("/objections/")
    @has_access
    def index(self) -> Any:
        """异议人员列表 (menu): the activities in the user's scope that have objections."""
        return self.render_template("title/publicity/list.html", rows=service.activities_with_objections(g.user),
                                    title=_("异议人员列表"))


class TitlePublicityPortalView(BaseView):
    """我要反馈 (图2.5.23) on a publicity running now: any logged-in account; anonymous users are sent to
    login. Outside the period the page answers 404."""

    route_base = "/title/publicity-portal"
    default_view = "feedback"
    scope_model = Publicity  # only a publicity within its period answers

    @expose("/<int:pk>/feedback", methods=["GET", "POST"])
    def feedback(self, pk: int) -> Any:
        pub = service.running_publicity(pk)
        if pub is None:
            abort(404)
        user = getattr(g, "user", None)
        if user is None or not getattr(user, "is_authenticated", False):
            return redirect(self.appbuilder.get_url_for_login_with(request.path))
        activity = pub.activity
        errors: dict[str, str] = {}
        done = None
        if request.method == "POST":
            f = request.form
            saved = write(lambda: service.feedback(user, activity, f.get("application"), f.get("reason", ""),
                                                   f.get("phone", "")), errors=errors, refusal=None)
            if saved:
                done = saved.value
        return self.render_template("title/publicity/feedback.html", pub=pub, activity=activity,
                                    passers=service.passer_rows(activity), form=request.form,
                                    errors=errors, done=done, title=_("我要反馈"))


def notice_actions(notice: Any) -> list[tuple[str, str]]:
    """我要反馈 on the portal page of a 评审结果公示 notice while its period runs."""
    if notice.kind != service.NOTICE_KIND or "TitlePublicityPortalView.feedback" not in current_app.view_functions:
        return []
    pub = service.publicity_of_notice(notice)
    if pub is None or service.running_publicity(pub.id) is None:
        return []
    return [(_("我要反馈"), url_for("TitlePublicityPortalView.feedback", pk=pub.id))]


def register_publicity(appbuilder: Any) -> None:
    appbuilder.add_view_no_menu(TitlePublicityView)
    appbuilder.add_view_no_menu(TitlePublicityPortalView)
    add_link(appbuilder, TitlePublicityView, "TitleObjections", "TitlePublicityView.index", "can_list", "TitleMeeting",
             label=_l("异议人员列表"), icon="fa-exclamation-circle", cond=unit_kind(*COMMITTEE_KINDS))
    # the portal home page's panel reads its rows through this global (app.modules: portal_panels)
    current_app.jinja_env.globals["title_publicity_portal"] = service.portal_panel
    # 我要反馈 on the notice's portal page (app.services.core.notices: ACTION_PROVIDERS)
    if notice_actions not in notices.ACTION_PROVIDERS:
        notices.ACTION_PROVIDERS.append(notice_actions)
