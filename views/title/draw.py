"""评审会议管理 — 专家抽选 (设置抽取范围, 开始抽选/重新抽选, 重放抽选) and 确认出席专家名单 (004 §1.2.5 一,
TR-15 §1, TR-16 §1). The pages parse the form and call one function of app/services/title/draw.py; a
meeting is read only through meetings.meeting_for (writes: the committee's own unit)."""

from __future__ import annotations

from typing import Any

from flask import abort, g, jsonify, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.security.personal import shown
from app.services.core import dicts
from app.services.title import draw as service
from app.services.title import meetings
from app.services.title.common import TitleError
from models.title.meeting import ATTENDANCE, MULTIPLIERS, Draw
from views.title.meetings import step_url, steps_context
from views.writes import write

READS = ("groups", "attendance", "count", "replay")
WRITES = ("add_group", "edit_group", "delete_group", "start", "set_attendance", "replace", "executive", "finish")
ATTENDANCE_LABELS = {"pending": _l("待确认"), "confirmed": _l("确认参评"), "cancelled": _l("取消参评")}


class TitleDrawView(BaseView):
    """专家抽选 and 确认出席 of one meeting."""

    class_permission_name = "title.Meeting"
    route_base = "/title/draw"
    default_view = "groups"
    base_permissions = ["can_list", "can_manage"]
    method_permission_name = {**{m: "list" for m in READS}, **{m: "manage" for m in WRITES}}

    # -- helpers -----------------------------------------------------------------------------------

    def render_template(self, template: str, **kwargs: Any) -> Any:
        return super().render_template(template, dict_label=dicts.label, **kwargs)

    def _meeting(self, meeting_id: int, write_: bool = False) -> Any:
        try:
            return meetings.meeting_for(g.user, meeting_id, write=write_)
        except TitleError:
            abort(404)

    def _back(self, meeting_id: int, page: str = "groups") -> Any:
        return redirect(url_for(f"TitleDrawView.{page}", meeting_id=meeting_id))

    # -- 设置抽取范围 / 开始抽选 --------------------------------------------------------------------

    @expose("/<int:meeting_id>/")
    @has_access
    def groups(self, meeting_id: int) -> Any:
        meeting = self._meeting(meeting_id)
        own = meeting.unit_id == getattr(g.user, "unit_id", None)
        pool = service.build_pool(meeting)
        counts = {grp["id"]: {"candidates": len(grp["ids"]),
                              "eligible": len(service.eligible_of(grp, service.RULES))}
                  for grp in pool["groups"]}
        current = service.current_draw(meeting)
        rows = list(meeting.experts)
        return self.render_template(
            "title/draw/groups.html", title=_("专家抽选"), own=own and meeting.state == "drawing",
            majors=service.majors_of(meeting), levels=service.levels_of(meeting), counts=counts,
            multipliers=MULTIPLIERS, current=current, draws=service.draws_of(meeting), rows=rows,
            edit=request.args.get("edit", type=int),
            **steps_context(meeting, "draw"))

    @expose("/<int:meeting_id>/count")
    @has_access
    def count(self, meeting_id: int) -> Any:
        """The live number of eligible experts for the group form (major, level)."""
        meeting = self._meeting(meeting_id)
        return jsonify(service.eligible_count(meeting, request.args.get("major", ""),
                                              request.args.get("title_level", ""),
                                              exclude_group_id=request.args.get("group_id", type=int)))

    @expose("/<int:meeting_id>/group/add", methods=["POST"])
    @has_access
    def add_group(self, meeting_id: int) -> Any:
        meeting = self._meeting(meeting_id, True)
        write(lambda: service.add_group(g.user, meeting, request.form), _("已新增抽选小组"))
        return self._back(meeting_id)

    @expose("/<int:meeting_id>/group/<int:group_id>/edit", methods=["POST"])
    @has_access
    def edit_group(self, meeting_id: int, group_id: int) -> Any:
        meeting = self._meeting(meeting_id, True)
        write(lambda: service.edit_group(g.user, meeting, group_id, request.form), _("已保存抽选小组"))
        return self._back(meeting_id)

    @expose("/<int:meeting_id>/group/<int:group_id>/delete", methods=["POST"])
    @has_access
    def delete_group(self, meeting_id: int, group_id: int) -> Any:
        meeting = self._meeting(meeting_id, True)
        write(lambda: service.delete_group(g.user, meeting, group_id), _("已删除抽选小组"))
        return self._back(meeting_id)

    @expose("/<int:meeting_id>/start", methods=["POST"])
    @has_access
    def start(self, meeting_id: int) -> Any:
        """开始抽选, or 重新抽选 (with the required reason)."""
        meeting = self._meeting(meeting_id, True)
        def save() -> tuple[int, int]:  # the numbers read before the commit (the row's snapshot is large)
            d = service.start_draw(g.user, meeting, request.form.get("multiplier", ""), request.form.get("reason"))
            return d.number, len(d.result)

        write(save, lambda v: _("已完成第%(n)d次抽选，共抽中%(c)d人", n=v[0], c=v[1]))
        return self._back(meeting_id)

    @expose("/<int:meeting_id>/replay/<int:draw_id>")
    @has_access
    def replay(self, meeting_id: int, draw_id: int) -> Any:
        """重放抽选: recompute the draw from its stored pool, rules and seed; compare; check the rules."""
        meeting = self._meeting(meeting_id)
        draw = db.session.get(Draw, draw_id)
        if draw is None or draw.meeting_id != meeting.id:
            abort(404)
        verdict = write(lambda: service.verify(g.user, draw)).value  # the replay is logged
        if verdict is None:
            abort(404)
        from models.experts.expert import Expert

        ids = {int(r["expert"]) for r in draw.result} | {int(r["expert"]) for r in verdict["replayed"]}
        names = {e.id: e.name for e in db.session.query(Expert).filter(Expert.id.in_(ids))} if ids else {}
        group_names = {grp["id"]: grp["name"] for grp in draw.pool.get("groups", [])}
        stats = {grp["id"]: {"candidates": len(grp["ids"]), "chairs": sum(grp["chair"]),
                             "last_chairs": sum(grp["last_chair"]),
                             "excluded": sum(1 for c in service.candidates(grp) if service.is_excluded(c, draw.rules))}
                 for grp in draw.pool.get("groups", [])}
        return self.render_template("title/draw/replay.html", title=_("重放抽选"), draw=draw, verdict=verdict,
                                    names=names, group_names=group_names, stats=stats, **steps_context(meeting, "draw"))

    # -- 确认出席 ----------------------------------------------------------------------------------

    @expose("/<int:meeting_id>/attendance")
    @has_access
    def attendance(self, meeting_id: int) -> Any:
        meeting = self._meeting(meeting_id)
        own = meeting.unit_id == getattr(g.user, "unit_id", None)
        replaced = {r.replaces_id: r for r in meeting.experts if r.replaces_id}
        confirmed_chairs = [r for r in meeting.experts if r.chair and not r.reserve and r.attendance == "confirmed"]
        return self.render_template(
            "title/draw/attendance.html", title=_("确认出席专家名单"), own=own and meeting.state == "drawing",
            rows=list(meeting.experts), replaced=replaced, summary=service.attendance_summary(meeting),
            labels=ATTENDANCE_LABELS, confirmed_chairs=confirmed_chairs, shown=shown,
            current=service.current_draw(meeting), **steps_context(meeting, "attendance"))

    @expose("/<int:meeting_id>/attendance/set", methods=["POST"])
    @has_access
    def set_attendance(self, meeting_id: int) -> Any:
        meeting = self._meeting(meeting_id, True)
        state = request.form.get("state", "")
        ok = _("已确认参评") if state == "confirmed" else _("已取消参评")
        write(lambda: service.set_attendance(g.user, meeting, request.form.getlist("rowid"), state), ok)
        return self._back(meeting_id, "attendance")

    @expose("/<int:meeting_id>/replace/<int:expert_id>", methods=["POST"])
    @has_access
    def replace(self, meeting_id: int, expert_id: int) -> Any:
        meeting = self._meeting(meeting_id, True)
        write(lambda: service.replace_from_reserve(g.user, meeting, expert_id),
              lambda r: _("已由候补专家“%(n)s”替补", n=r.expert.name))
        return self._back(meeting_id, "attendance")

    @expose("/<int:meeting_id>/executive/<int:expert_id>", methods=["POST"])
    @has_access
    def executive(self, meeting_id: int, expert_id: int) -> Any:
        meeting = self._meeting(meeting_id, True)
        write(lambda: service.set_executive_chair(g.user, meeting, expert_id),
              lambda r: _("已设置“%(n)s”为本年度执行主任", n=r.expert.name))
        return self._back(meeting_id, "attendance")

    @expose("/<int:meeting_id>/finish", methods=["POST"])
    @has_access
    def finish(self, meeting_id: int) -> Any:
        meeting = self._meeting(meeting_id, True)
        if write(lambda: service.finish_attendance(g.user, meeting), _("已完成出席确认")):
            step = "grouping" if meeting.state == "grouping" else "assign"
            for key, _label, endpoint in meetings.steps_of(meeting):
                if key == step and step_url(endpoint, meeting_id=meeting_id):
                    return redirect(url_for(endpoint, meeting_id=meeting_id))
        return self._back(meeting_id, "attendance")


assert set(ATTENDANCE_LABELS) == set(ATTENDANCE)


def register_draw(appbuilder: Any) -> None:
    """Registers the part's views (no menu: reached from the meetings hub)."""
    appbuilder.add_view_no_menu(TitleDrawView)
