"""评审会议管理 — 会前准备 (004 §1.2.5): 参评资格审核, 设置评分标准, 导入答辩安排, 导入笔试成绩 — the pages of
one activity, reached from the hub's activity page. Reads: any unit whose scope holds the activity; writes:
the committee's own unit (the service refuses the others). The two imports run on the import pipeline's
screens (/imports/title.defense/?ctx=<activity>, /imports/title.written/?ctx=<activity>).
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _

from app.services.core import dicts
from app.services.title import meetings
from app.services.title import prep as service
from app.services.title.common import TitleError
from models.title.activity import Activity
from views.writes import write

WRITES = ("decide", "standard_save", "standard_delete", "standard_move", "defense_publish")


class TitlePrepView(BaseView):
    """会前准备: the committee's unit's work on an activity before its meetings."""

    class_permission_name = "title.Meeting"
    route_base = "/title/prep"
    base_permissions = ["can_list", "can_manage"]
    method_permission_name = {"qualification": "list", "standards": "list", "defense": "list", "written": "list",
                              **{m: "manage" for m in WRITES}}

    def _activity(self, activity_id: int) -> Activity:
        try:
            return meetings.activity_for(g.user, activity_id)
        except TitleError:
            abort(404)

    def _common(self, activity: Activity) -> dict[str, Any]:
        return {"activity": activity, "own": activity.unit_id == getattr(g.user, "unit_id", None),
                "activity_url": url_for("TitleMeetingView.activity", activity_id=activity.id)}

    # -- 参评资格审核 ----------------------------------------------------------------------------------

    @expose("/<int:activity_id>/qualification")
    @has_access
    def qualification(self, activity_id: int) -> Any:
        activity = self._activity(activity_id)
        filters = {k: request.args.get(k, "").strip() for k in ("series", "level", "major", "name", "state")}
        rows = service.received(activity, filters)
        pooled = service.pooled_ids(a.id for a in rows)
        return self.render_template("title/prep/qualification.html", rows=rows, pooled=pooled, filters=filters,
                                    counts=service.qualification_counts(activity), states=service.QUAL_STATES,
                                    title_series=dicts.choices("title_series"),
                                    title_levels=dicts.choices("title_level"),
                                    title=_("参评资格审核"), **self._common(activity))

    @expose("/<int:activity_id>/qualification/decide", methods=["POST"])
    @has_access
    def decide(self, activity_id: int) -> Any:
        self._activity(activity_id)  # outside the scope: 404, nothing written
        ids = request.form.getlist("application_id")
        decision = request.form.get("decision", "")
        one = request.form.get("one", "")  # a row's own button: "<application id>:<pass|fail>"
        if one:
            pk, _sep, decision = one.partition(":")
            ids = [pk]
        write(lambda: service.decide(g.user, activity_id, ids, decision, request.form.get("reason")),
              lambda apps: _("已审核%(n)s人：%(d)s", n=len(apps), d=str(service.QUAL_STATES.get(decision, ""))))
        back = request.form.get("next") or ""
        if not back.startswith("/title/prep/"):
            back = url_for("TitlePrepView.qualification", activity_id=activity_id)
        return redirect(back)

    # -- 设置评分标准 ----------------------------------------------------------------------------------

    @expose("/<int:activity_id>/standards")
    @has_access
    def standards(self, activity_id: int) -> Any:
        activity = self._activity(activity_id)
        items = service.standards_of(activity)
        editing = next((s for s in items if str(s.id) == request.args.get("edit")), None)
        return self.render_template("title/prep/standards.html", items=items, editing=editing,
                                    total=service._fmt(service.weights_total(activity)),
                                    problem=service.weights_problem(activity),
                                    locked=service.scoring_opened(activity), title=_("设置评分标准"),
                                    **self._common(activity))

    @expose("/<int:activity_id>/standards/save", methods=["POST"])
    @has_access
    def standard_save(self, activity_id: int) -> Any:
        self._activity(activity_id)  # outside the scope: 404, nothing written
        pk = request.form.get("standard_id") or None
        write(lambda: service.save_standard(g.user, activity_id, request.form, pk),
              _("评分项已修改") if pk else _("评分项已添加"))
        return redirect(url_for("TitlePrepView.standards", activity_id=activity_id))

    @expose("/<int:activity_id>/standards/delete", methods=["POST"])
    @has_access
    def standard_delete(self, activity_id: int) -> Any:
        self._activity(activity_id)  # outside the scope: 404, nothing written
        write(lambda: service.delete_standard(g.user, activity_id, request.form.get("standard_id")),
              _("评分项已删除"))
        return redirect(url_for("TitlePrepView.standards", activity_id=activity_id))

    @expose("/<int:activity_id>/standards/move", methods=["POST"])
    @has_access
    def standard_move(self, activity_id: int) -> Any:
        self._activity(activity_id)  # outside the scope: 404, nothing written
        write(lambda: service.move_standard(g.user, activity_id, request.form.get("standard_id"),
                                            request.form.get("direction") == "up"))
        return redirect(url_for("TitlePrepView.standards", activity_id=activity_id))

    # -- 导入答辩安排 ----------------------------------------------------------------------------------

    @expose("/<int:activity_id>/defense")
    @has_access
    def defense(self, activity_id: int) -> Any:
        activity = self._activity(activity_id)
        if activity.defense == "none":
            abort(404)
        rows = service.defenses(activity)
        return self.render_template("title/prep/defense.html", rows=rows,
                                    unpublished=sum(1 for d in rows if d.published_at is None),
                                    qualified=len(service.qualified(activity)), title=_("导入答辩安排"),
                                    **self._common(activity))

    @expose("/<int:activity_id>/defense/publish", methods=["POST"])
    @has_access
    def defense_publish(self, activity_id: int) -> Any:
        self._activity(activity_id)  # outside the scope: 404, nothing written
        write(lambda: service.publish_defense(g.user, activity_id),
              lambda n: _("已发布%(n)s人的答辩通知", n=n))
        return redirect(url_for("TitlePrepView.defense", activity_id=activity_id))

    # -- 导入笔试成绩 ----------------------------------------------------------------------------------

    @expose("/<int:activity_id>/written")
    @has_access
    def written(self, activity_id: int) -> Any:
        activity = self._activity(activity_id)
        if activity.written_test == "none":
            abort(404)
        try:
            service.require_written_open(activity)
            closed = None
        except TitleError as e:
            closed = str(e)
        rows = service.written_rows(activity)
        return self.render_template("title/prep/written.html", rows=rows, closed=closed,
                                    passed=sum(1 for a in rows if a.written_passed),
                                    failed=sum(1 for a in rows if a.written_passed is False),
                                    title=_("导入笔试成绩"), **self._common(activity))


def register_prep(appbuilder: Any) -> None:
    """Registers 会前准备 and the 答辩通知 partial's helper (``defense_notice`` in every template)."""
    appbuilder.add_view_no_menu(TitlePrepView)
    current_app.jinja_env.globals["defense_notice"] = service.defense_notice
