"""评审会议管理 — the pages of 专家分组, 人员分配 and 开启专家投票 (004 §1.2.5 二 2–3, §1.2.6 2–4). Business
rules live in app/services/title/assign.py; the views read the meeting within the scope, parse the
form and call one service function through ``views.writes.write``.
"""

from __future__ import annotations

from typing import Any

from flask import abort, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _

from app.extensions import db
from app.security.personal import can_view_full
from app.services.core import attachments, audit, dicts
from app.services.title import assign as service
from app.services.title import meetings
from app.services.title.common import TitleError
from models.title.meeting import ATTENDANCE, Meeting
from views.base import xlsx_download
from views.title.meetings import step_url, steps_context
from views.writes import write

READS = ("groups", "pool", "vote", "export")
WRITES = ("add_group", "delete_group", "set_group", "set_leader", "finish_grouping", "assign", "auto_assign",
          "save_plan", "open_vote")


def _read(meeting_id: int) -> Meeting:
    try:
        return meetings.meeting_for(g.user, meeting_id)
    except TitleError:
        abort(404)


def _own(meeting: Meeting) -> bool:
    return meeting.unit_id == getattr(g.user, "unit_id", None)


def _expert_label(me: Any) -> str:
    e = me.expert
    parts = [e.name, e.work_unit or "", dicts.label("title_level", e.title)]
    if me.prof_group is not None:
        parts.append(me.prof_group.name)
    return "｜".join(p for p in parts if p)


class TitleAssignView(BaseView):
    """专家分组, 人员分配, 开启专家投票 of one meeting (the committee's unit; the units above may look)."""

    class_permission_name = "title.Meeting"
    route_base = "/title/assign"
    base_permissions = ["can_list", "can_manage"]
    method_permission_name = {**dict.fromkeys(READS, "list"), **dict.fromkeys(WRITES, "manage")}

    def _write(self, meeting_id: int, call: Any, ok: str, endpoint: str) -> Any:
        """The meeting of the user's own unit (refused in Chinese otherwise), then ``call(meeting)``."""
        _read(meeting_id)

        def save() -> Any:
            return call(meetings.meeting_for(g.user, meeting_id, write=True))

        write(save, ok)
        return redirect(url_for(endpoint, meeting_id=meeting_id))

    # -- 专家分组 ---------------------------------------------------------------------------------

    @expose("/<int:meeting_id>/groups")
    @has_access
    def groups(self, meeting_id: int) -> Any:
        meeting = _read(meeting_id)
        if not service.uses_groups(meeting):
            abort(404)
        experts = service.confirmed_experts(meeting)
        groups = service.prof_groups(meeting)
        members = {gr.id: [me for me in experts if me.prof_group_id == gr.id] for gr in groups}
        editable = _own(meeting) and meeting.state == "grouping"
        return self.render_template(
            "title/assign/groups.html", experts=experts, groups=groups, members=members, editable=editable,
            problems=service.grouping_problems(meeting) if meeting.state == "grouping" else [],
            expert_label=_expert_label, title=_("专家分组"), **steps_context(meeting, "grouping"))

    @expose("/<int:meeting_id>/groups/add", methods=["POST"])
    @has_access
    def add_group(self, meeting_id: int) -> Any:
        name = request.form.get("name", "")
        return self._write(meeting_id, lambda m: service.add_prof_group(g.user, m, name),
                           _("专业组已新增"), "TitleAssignView.groups")

    @expose("/<int:meeting_id>/groups/delete", methods=["POST"])
    @has_access
    def delete_group(self, meeting_id: int) -> Any:
        pk = request.form.get("prof_group_id")
        return self._write(meeting_id, lambda m: service.delete_prof_group(g.user, m, pk),
                           _("专业组已删除"), "TitleAssignView.groups")

    @expose("/<int:meeting_id>/groups/members", methods=["POST"])
    @has_access
    def set_group(self, meeting_id: int) -> Any:
        ids, pk = request.form.getlist("meeting_expert_id"), request.form.get("prof_group_id")
        return self._write(meeting_id, lambda m: service.set_prof_group(g.user, m, ids, pk),
                           _("专家分组已保存"), "TitleAssignView.groups")

    @expose("/<int:meeting_id>/groups/leader", methods=["POST"])
    @has_access
    def set_leader(self, meeting_id: int) -> Any:
        pk, me = request.form.get("prof_group_id"), request.form.get("meeting_expert_id")
        return self._write(meeting_id, lambda m: service.set_leader(g.user, m, pk, me),
                           _("组长已设置"), "TitleAssignView.groups")

    @expose("/<int:meeting_id>/groups/finish", methods=["POST"])
    @has_access
    def finish_grouping(self, meeting_id: int) -> Any:
        _read(meeting_id)
        done = write(lambda: service.finish_grouping(g.user, meetings.meeting_for(g.user, meeting_id, write=True)),
                     _("专家分组已完成，请进行人员分配"))
        endpoint = "TitleAssignView.pool" if done else "TitleAssignView.groups"
        return redirect(url_for(endpoint, meeting_id=meeting_id))

    # -- 人员分配 ---------------------------------------------------------------------------------

    @expose("/<int:meeting_id>/pool")
    @has_access
    def pool(self, meeting_id: int) -> Any:
        meeting = _read(meeting_id)
        if _own(meeting) and meeting.state not in service.CLOSED_STATES:
            write(lambda: service.sync_pool(meeting))  # the pool follows 资格审核, 笔试 and the exceptional meeting
        rows = service.pool(meeting)
        grouped = service.uses_groups(meeting)
        experts = service.confirmed_experts(meeting)
        editable = _own(meeting) and meeting.state == "assigning"
        return self.render_template(
            "title/assign/pool.html", rows=rows, counts=service.pool_counts(meeting), grouped=grouped,
            experts=experts, groups=service.prof_groups(meeting) if grouped else [], editable=editable,
            reorderable=_own(meeting) and meeting.state not in service.CLOSED_STATES,
            source_labels=service.SOURCE_LABELS, expert_label=_expert_label,
            dict_label=dicts.label, title=_("人员分配"), **steps_context(meeting, "assign"))

    @expose("/<int:meeting_id>/pool/assign", methods=["POST"])
    @has_access
    def assign(self, meeting_id: int) -> Any:
        f = request.form
        ids = f.getlist("meeting_applicant_id")
        return self._write(meeting_id, lambda m: service.assign(g.user, m, ids, f.get("main_id"), f.get("assistant_id"),
                                                                f.get("prof_group_id") or None),
                           _("主辅审专家已设置"), "TitleAssignView.pool")

    @expose("/<int:meeting_id>/pool/auto", methods=["POST"])
    @has_access
    def auto_assign(self, meeting_id: int) -> Any:
        _read(meeting_id)
        write(lambda: service.auto_assign(g.user, meetings.meeting_for(g.user, meeting_id, write=True)),
              lambda n: _("已自动分配%(n)s人", n=n))
        return redirect(url_for("TitleAssignView.pool", meeting_id=meeting_id))

    # -- 开启专家投票 -----------------------------------------------------------------------------

    @expose("/<int:meeting_id>/vote")
    @has_access
    def vote(self, meeting_id: int) -> Any:
        meeting = _read(meeting_id)
        own = _own(meeting)
        choices = service.supervisor_choices(g.user, meeting) if meeting.kind == "normal" else []
        supervisor = db.session.get(service.Committee, meeting.supervisor_committee_id) \
            if meeting.supervisor_committee_id else None
        return self.render_template(
            "title/assign/vote.html", own=own, editable=own and meeting.state not in service.CLOSED_STATES,
            choices=choices, supervisor=supervisor, thresholds=service.THRESHOLD_LABELS,
            threshold=service.threshold_key(meeting), owner=service.MEETING_OWNER,
            files=attachments.current(meeting), problems=service.vote_problems(meeting) if own else [],
            attendance=ATTENDANCE, title=_("开启专家投票"), **steps_context(meeting, "vote"))

    @expose("/<int:meeting_id>/vote/plan", methods=["POST"])
    @has_access
    def save_plan(self, meeting_id: int) -> Any:
        data = {k: request.form.get(k) for k in ("plan", "threshold")}
        if "supervisor_committee_id" in request.form:
            data["supervisor_committee_id"] = request.form.get("supervisor_committee_id")
        return self._write(meeting_id, lambda m: service.save_plan(g.user, m, data), _("评审方案已保存"),
                           "TitleAssignView.vote")

    @expose("/<int:meeting_id>/vote/open", methods=["POST"])
    @has_access
    def open_vote(self, meeting_id: int) -> Any:
        _read(meeting_id)
        done = write(lambda: service.open_vote(g.user, meetings.meeting_for(g.user, meeting_id, write=True)),
                     _("专家投票已开启"))
        url = step_url("TitleTallyView.tally", meeting_id=meeting_id) if done else None  # on to 计票
        return redirect(url or url_for("TitleAssignView.vote", meeting_id=meeting_id))

    @expose("/<int:meeting_id>/export/<code>")
    @has_access
    def export(self, meeting_id: int, code: str) -> Any:
        meeting = _read(meeting_id)
        make = service.EXPORTS.get(code)
        if make is None:
            abort(404)
        if code == "experts":
            title, headers, rows = service.expert_sheet(meeting, full=can_view_full())
        else:
            title, headers, rows = make(meeting)
        audit.record_now("export", meeting, object_type="title.Meeting", object_repr=str(meeting),
                         detail=_("%(m)s：导出%(t)s（%(n)s行）", m=str(meeting), t=title, n=len(rows)))
        return xlsx_download(title, headers, rows)


def register_assign(appbuilder: Any) -> None:
    """Registers the part's views (no menu: the hub links to them)."""
    appbuilder.add_view_no_menu(TitleAssignView)
