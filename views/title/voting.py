"""评审会议管理 — the voting part's pages (004 §1.2.5–1.2.6, TR-15 §3–4, TR-16 §4–5, TR-17).

* ``TitleExpertVoteView`` (/title/vote/, "title.ExpertVote", the role 评审专家): 我的评审任务 — the expert's
  open rounds; per round the assigned applicants in the set order with their materials (read-only), a vote
  or scores, 保存 and 提交.
* ``TitleTallyView`` (/title/tally/<meeting_id>/, "title.Meeting"): 计票 — 专家投票进度 and 计票结果 per round,
  回退, 置为缺席, 刷新, 导出评委会表决票结果, 计票完成; 专家账号通知单 (the accounts created at the opening,
  shown once).
"""

from __future__ import annotations

from typing import Any

from flask import abort, g, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.services.core import attachments
from app.services.core import audit as audit_service
from app.services.title import meetings as meetings_service
from app.services.title import voting as service
from app.services.title.common import TitleError
from models.title.meeting import CHOICES, EXPERT_STATES, ROUND_KINDS, ROUND_STATES, Meeting, VoteRound
from views.base import xlsx_download
from views.writes import write

CHOICE_LABELS = {"agree": _l("同意"), "disagree": _l("不同意"), "abstain": _l("弃权")}
EXPERT_STATE_LABELS = {"open": _l("未提交"), "submitted": _l("已提交"), "absent": _l("缺席")}
ROUND_KIND_LABELS = {"group": _l("专业组计票"), "full": _l("评委会计票")}
ROUND_STATE_LABELS = {"open": _l("投票中"), "sealed": _l("计票完成")}
assert set(CHOICE_LABELS) == set(CHOICES) and set(EXPERT_STATE_LABELS) == set(EXPERT_STATES)
assert set(ROUND_KIND_LABELS) == set(ROUND_KINDS) and set(ROUND_STATE_LABELS) == set(ROUND_STATES)


def round_label(r: VoteRound) -> str:
    method = _("评分") if r.method == "score" else _("投票")
    return _("第%(n)s轮 %(k)s（%(m)s）", n=r.number, k=ROUND_KIND_LABELS[r.kind], m=method)


class TitleExpertVoteView(BaseView):
    """我的评审任务: the expert's own rounds, applicants, materials and ballots."""

    class_permission_name = "title.ExpertVote"
    route_base = "/title/vote"
    scope_model = VoteRound  # what ``round_id`` names (reached only as one of its experts)
    default_view = "tasks"
    base_permissions = ["can_list", "can_vote"]
    method_permission_name = {"tasks": "list", "round": "list", "applicant": "list", "file": "list",
                              "save": "vote"}

    def _round(self, round_id: int) -> tuple[VoteRound, Any]:
        try:
            return service.round_for_expert(g.user, round_id)
        except TitleError:
            abort(404)

    @expose("/")
    @has_access
    def tasks(self) -> Any:
        rows = [(r, x, round_label(r)) for r, x in service.tasks(g.user)]
        return self.render_template("title/voting/tasks.html", rows=rows, state_labels=EXPERT_STATE_LABELS,
                                    round_states=ROUND_STATE_LABELS, title=_("我的评审任务"))

    @expose("/round/<int:round_id>")
    @has_access
    def round(self, round_id: int) -> Any:
        round_, rex = self._round(round_id)
        if rex.state == "absent":
            abort(404)
        entries = service.assigned_entries(round_, rex)
        mine = service.ballots_of(rex)
        standards = service.standards_of(round_) if round_.method == "score" else []
        meeting = round_.meeting
        return self.render_template(
            "title/voting/round.html", round=round_, rex=rex, entries=entries, mine=mine, standards=standards,
            choices=CHOICE_LABELS, meeting=meeting, files=service.meeting_files(meeting),
            locked=round_.state != "open" or rex.state != "open", round_label=round_label(round_),
            state_label=EXPERT_STATE_LABELS[rex.state], title=_("专家投票"))

    @expose("/round/<int:round_id>/save", methods=["POST"])
    @has_access
    def save(self, round_id: int) -> Any:
        round_, _rex = self._round(round_id)
        choices: dict[str, str] = {}
        scores: dict[str, dict[str, str]] = {}
        for key, value in request.form.items():
            if key.startswith("choice_"):
                choices[key[7:]] = value
            elif key.startswith("score_"):
                parts = key.split("_")
                if len(parts) == 3:
                    scores.setdefault(parts[1], {})[parts[2]] = value
        final = request.form.get("action") == "submit"
        write(lambda: service.save_form(g.user, round_, choices, scores, final),
              _("已提交，投票已锁定") if final else _("已保存"))
        return redirect(url_for("TitleExpertVoteView.round", round_id=round_.id))

    @expose("/round/<int:round_id>/applicant/<int:entry_id>")
    @has_access
    def applicant(self, round_id: int, entry_id: int) -> Any:
        round_, rex = self._round(round_id)
        try:
            entry = service.entry_for_expert(round_, rex, entry_id)
        except TitleError:
            abort(404)
        from app.services.title.review import review_page

        record = entry.applicant.application
        ctx = review_page(record, g.user)
        return self.render_template("title/voting/applicant.html", round=round_, entry=entry, record=record,
                                    page=ctx, title=_("申报人材料"))

    @expose("/round/<int:round_id>/file/<int:attachment_id>")
    @has_access
    def file(self, round_id: int, attachment_id: int) -> Any:
        round_, rex = self._round(round_id)
        row = write(lambda: service.expert_file(g.user, round_, rex, attachment_id), refusal=None).value
        if row is None:  # not one of this expert's applicants' files (nor the meeting's): refused, nothing written
            abort(404)
        fh = attachments.storage().open(row.storage_key)
        return send_file(fh, mimetype=attachments.MIME.get(row.kind, "application/octet-stream"), as_attachment=True,
                         download_name=row.file_name, max_age=0)


class TitleTallyView(BaseView):
    """计票 (图2.5.14, 图2.5.15): progress per expert, result per applicant, 回退, 缺席, export, 计票完成."""

    class_permission_name = "title.Meeting"
    route_base = "/title/tally"
    scope_model = Meeting  # what ``meeting_id`` names (the scope walker's records)
    default_view = "tally"
    base_permissions = ["can_list", "can_manage"]
    method_permission_name = {"tally": "list", "export": "list", "accounts": "manage", "send_back": "manage",
                              "absent": "manage", "seal": "manage"}

    def _meeting(self, meeting_id: int, write_: bool = False) -> Any:
        try:
            return meetings_service.meeting_for(g.user, meeting_id, write=write_)
        except TitleError:
            abort(404)

    def _round(self, meeting: Any, round_id: Any) -> VoteRound | None:
        try:
            return service.round_of_meeting(meeting, round_id)
        except TitleError:
            abort(404)

    @expose("/<int:meeting_id>/")
    @has_access
    def tally(self, meeting_id: int) -> Any:
        from views.title.meetings import steps_context

        meeting = self._meeting(meeting_id)
        round_ = self._round(meeting, request.args.get("round"))
        tab = request.args.get("tab") if request.args.get("tab") in ("progress", "result") else "progress"
        progress, results, problems = [], [], []
        submitted = request.args.get("submitted", "")
        outcome = request.args.get("result", "")
        if round_ is not None:
            if tab == "progress":
                progress = service.progress(round_)
                if submitted in ("1", "0"):
                    progress = [p for p in progress if (p.rex.state == "submitted") == (submitted == "1")]
            else:
                results = service.results(round_, sealed=round_.state == "sealed")
                if outcome in ("pass", "fail"):
                    results = [r for r in results if r.result == outcome]
            if round_.state == "sealed":
                problems = service.verify(round_)  # on every view of a sealed round
        group_scores = service.group_scores(round_) if round_ is not None and tab == "result" else {}
        own = meeting.unit_id == getattr(g.user, "unit_id", None)
        return self.render_template(
            "title/voting/tally.html", round=round_, rounds=[(r, round_label(r)) for r in meeting.rounds],
            tab=tab, progress=progress, results=results, problems=problems, submitted=submitted, outcome=outcome,
            group_scores=group_scores,
            own=own, state_labels=EXPERT_STATE_LABELS, round_states=ROUND_STATE_LABELS,
            has_accounts=own and any(r.accounts for r in meeting.rounds), title=_("计票"),
            **steps_context(meeting, "tally"))

    def _back(self, meeting: Any, round_: VoteRound | None, tab: str = "progress") -> Any:
        return redirect(url_for("TitleTallyView.tally", meeting_id=meeting.id, round=round_.id if round_ else None,
                                tab=tab))

    def _open_round(self, meeting_id: int) -> tuple[Any, VoteRound]:
        meeting = self._meeting(meeting_id, write_=True)
        round_ = self._round(meeting, request.form.get("round_id") or "0")
        assert round_ is not None
        return meeting, round_

    @expose("/<int:meeting_id>/send_back", methods=["POST"])
    @has_access
    def send_back(self, meeting_id: int) -> Any:
        meeting, round_ = self._open_round(meeting_id)
        write(lambda: service.send_back(g.user, round_, request.form.get("round_expert_id"),
                                        request.form.get("reason", "")), _("已回退，专家可重新投票"))
        return self._back(meeting, round_)

    @expose("/<int:meeting_id>/absent", methods=["POST"])
    @has_access
    def absent(self, meeting_id: int) -> Any:
        meeting, round_ = self._open_round(meeting_id)
        write(lambda: service.mark_absent(g.user, round_, request.form.get("round_expert_id")), _("已置为缺席"))
        return self._back(meeting, round_)

    @expose("/<int:meeting_id>/seal", methods=["POST"])
    @has_access
    def seal(self, meeting_id: int) -> Any:
        meeting, round_ = self._open_round(meeting_id)
        done = write(lambda: service.seal(g.user, round_),
                     lambda nxt: _("计票完成，已生成下一轮评委会投票名单") if nxt else _("计票完成"))
        if done and done.value is not None:
            return self._back(meeting, done.value, "progress")
        return self._back(meeting, round_, "result")

    @expose("/<int:meeting_id>/export")
    @has_access
    def export(self, meeting_id: int) -> Any:
        meeting = self._meeting(meeting_id)
        round_ = self._round(meeting, request.args.get("round"))
        if round_ is None:
            abort(404)
        headers, rows = service.export_rows(round_)
        title = _("评委会表决票结果")
        audit_service.record_now("export", meeting, detail=f"round={round_.number} rows={len(rows)}")
        return xlsx_download(title, headers, rows)

    @expose("/<int:meeting_id>/accounts", methods=["POST"])
    @has_access
    def accounts(self, meeting_id: int) -> Any:
        """专家账号通知单: the initial passwords of the accounts created at the opening — shown once (POST:
        the page is not kept in the history nor re-fetched by a refresh)."""
        from views.title.meetings import steps_context

        meeting = self._meeting(meeting_id, write_=True)
        done = write(lambda: service.take_accounts(meeting, g.user))
        rows = done.value or []
        return self.render_template("title/voting/accounts.html", rows=rows, title=_("专家账号通知单"),
                                    **steps_context(meeting, "tally"))


def register_voting(appbuilder: Any) -> None:
    appbuilder.add_view_no_menu(TitleExpertVoteView)
    appbuilder.add_view_no_menu(TitleTallyView)
