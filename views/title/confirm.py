"""评审结果确认 (004 §1.2.6 item 7, §1.2.7, TR-19, TR-20).

The confirming unit (授权管理单位; for 委托评审 the entrusting unit): 线上评审结果确认 / 线上委托结果确认 — per
activity its persons by state (未确认 / 确认中 / 已通过 / 已退回 / 不通过), the application read whole, 通过 / 不通过 /
退回补充材料, 一键通过, the 任职资格文件, 数据导出. The committee's unit (组建单位): 评审结果确认 of its activity —
提交确认 after the publicity, the states, 补充材料 and resubmission, and on 确认通过 批量设置职称文件文号, 提交发证信息,
上传评审工作报告, 办结.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.services.core import attachments
from app.services.title import confirm as service
from app.services.title import meetings
from app.services.title.common import TitleError
from views.base import xlsx_download
from views.registry import add_link
from views.title.common import unit_kind
from views.title.meetings import COMMITTEE_KINDS
from views.writes import write

TABS = ("pending", "resubmitted", "returned", "passed", "rejected")
REFUSE = (attachments.AttachmentError,)


def _kind(value: Any) -> str:
    return "entrusted" if value == "entrusted" else "direct"


def _tab(value: Any) -> str:
    return value if value in TABS else "pending"


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


def _file() -> tuple[Any, str]:
    f = request.files.get("file")
    if f is None or not f.filename:
        return None, ""
    return f.stream, f.filename


class TitleConfirmView(BaseView):
    """The confirming unit's pages and the committee's unit's pages of 评审结果确认."""

    class_permission_name = "title.Meeting"
    route_base = "/title/confirm"
    default_view = "index"
    base_permissions = ["can_list", "can_manage"]
    method_permission_name = {
        "index": "list", "entrusted": "list", "activity": "list", "person": "list", "export": "list",
        "decide": "manage", "pass_all": "manage", "qualification": "manage", "qualification_file": "list",
        "committee_list": "list", "committee": "list", "committee_person": "list", "committee_export": "list",
        "submit": "manage", "supplement": "manage", "resubmit": "manage", "doc_numbers": "manage",
        "issuance": "manage", "report": "manage", "close": "manage",
    }

    # -- the confirming unit ---------------------------------------------------------------------------------

    def _confirm_activity(self, activity_id: int) -> Any:
        try:
            return service.confirm_activity_for(g.user, activity_id)
        except TitleError:
            abort(404)

    def _list(self, kind: str) -> Any:
        return self.render_template("title/confirm/index.html", kind=kind, kinds=service.KINDS,
                                    rows=service.confirm_activities(g.user, kind), states=service.CONFIRM_STATES,
                                    title=str(service.KINDS[kind]))

    @expose("/")
    @has_access
    def index(self) -> Any:
        """线上评审结果确认: the activities with direct persons the user's unit confirms."""
        return self._list("direct")

    @expose("/entrusted/")
    @has_access
    def entrusted(self) -> Any:
        """线上委托结果确认: the activities with entrusted persons the user's unit confirms."""
        return self._list("entrusted")

    @expose("/activity/<int:activity_id>")
    @has_access
    def activity(self, activity_id: int) -> Any:
        activity = self._confirm_activity(activity_id)
        kind, tab = _kind(request.args.get("kind")), _tab(request.args.get("tab"))
        everyone = service.persons(g.user, activity, kind=kind)
        counts = {t: sum(1 for a in everyone if a.confirm_state == t) for t in TABS}
        return self.render_template(
            "title/confirm/activity.html", activity=activity, kind=kind, tab=tab, tabs=TABS, counts=counts,
            rows=[a for a in everyone if a.confirm_state == tab], states=service.CONFIRM_STATES,
            files=service.qualification_files(activity, g.user.unit_id), kinds=service.KINDS,
            open_count=counts["pending"] + counts["resubmitted"], title=str(service.KINDS[kind]))

    @expose("/person/<int:application_id>")
    @has_access
    def person(self, application_id: int) -> Any:
        """材料审阅: the applicant's whole application, for the confirming unit."""
        try:
            record = service.person_for(g.user, application_id)
        except TitleError:
            abort(404)
        return self._person_page(record, back=url_for("TitleConfirmView.activity", activity_id=record.activity_id,
                                                      kind=_kind(record.category), tab=record.confirm_state),
                                 deciding=record.confirm_state in service.OPEN_STATES)

    def _person_page(self, record: Any, back: str, deciding: bool = False) -> Any:
        from app.services.title.review import review_page

        return self.render_template("title/confirm/person.html", record=record, back=back, deciding=deciding,
                                    kind=_kind(record.category),
                                    state=service.state_label(record.confirm_state),
                                    supplements=service.supplement_files(record), **review_page(record, g.user),
                                    title=_("材料审阅"))

    @expose("/activity/<int:activity_id>/decide", methods=["POST"])
    @has_access
    def decide(self, activity_id: int) -> Any:
        activity = self._confirm_activity(activity_id)
        f = request.form
        labels = {"pass": _("已确认通过"), "reject": _("已确认不通过"), "return": _("已退回评委会补充材料")}

        def run() -> Any:
            app = service.person_for(g.user, f.get("application"))
            if app.activity_id != activity.id:
                raise TitleError(str(service.NOT_FOUND))
            return service.decide(g.user, app, f.get("action", ""), f.get("reason", ""))

        write(run, labels.get(f.get("action", ""), _("已保存")))
        return redirect(url_for("TitleConfirmView.activity", activity_id=activity_id, kind=_kind(f.get("kind")),
                                tab=_tab(f.get("tab"))))

    @expose("/activity/<int:activity_id>/pass_all", methods=["POST"])
    @has_access
    def pass_all(self, activity_id: int) -> Any:
        """一键通过."""
        activity = self._confirm_activity(activity_id)
        kind = _kind(request.form.get("kind"))
        write(lambda: service.pass_all(g.user, activity, kind), lambda n: _("已一键通过%(n)s人", n=n))
        return redirect(url_for("TitleConfirmView.activity", activity_id=activity_id, kind=kind, tab="passed"))

    @expose("/activity/<int:activity_id>/qualification", methods=["POST"])
    @has_access
    def qualification(self, activity_id: int) -> Any:
        """上传任职资格文件."""
        activity = self._confirm_activity(activity_id)
        stream, name = _file()

        def run() -> Any:
            if stream is None:
                raise TitleError(_("请选择要上传的文件"))
            return service.upload_qualification(g.user, activity, stream, name)

        write(run, _("任职资格文件已上传"), refuse=REFUSE)
        return redirect(url_for("TitleConfirmView.activity", activity_id=activity_id,
                                kind=_kind(request.form.get("kind")), tab=_tab(request.form.get("tab"))))

    @expose("/activity/<int:activity_id>/file/<int:file_id>")
    @has_access
    def qualification_file(self, activity_id: int, file_id: int) -> Any:
        """A 任职资格文件 the user's unit uploaded."""
        from flask import send_file

        activity = self._confirm_activity(activity_id)
        try:
            row = service.qualification_file(g.user, activity, file_id)
            fh = attachments.storage().open(row.storage_key)
        except (TitleError, attachments.AttachmentError):
            abort(404)
        return send_file(fh, mimetype=attachments.MIME.get(row.kind, "application/octet-stream"), as_attachment=True,
                         download_name=row.file_name, max_age=0)

    @expose("/activity/<int:activity_id>/export")
    @has_access
    def export(self, activity_id: int) -> Any:
        """数据导出: the persons of the current tab (未确认 / 已通过 / 已退回 …)."""
        activity = self._confirm_activity(activity_id)
        kind, tab = _kind(request.args.get("kind")), _tab(request.args.get("tab"))
        rows = service.persons(g.user, activity, tab, kind)
        name = f"{activity.name}-{service.state_label(tab)}"
        return xlsx_download(str(service.KINDS[kind]), [str(h) for h in service.ROSTER_HEADERS],
                             service.roster_rows(rows), f"{name}.xlsx")

    # -- the committee's unit --------------------------------------------------------------------------------

    def _activity(self, activity_id: int, write: bool = False) -> Any:
        try:
            return meetings.activity_for(g.user, activity_id, write=write)
        except TitleError:
            abort(404)

    @expose("/committee/")
    @has_access
    def committee_list(self) -> Any:
        """评审结果确认 (the committee's unit): its activities after the meeting."""
        rows = [a for a in meetings.meeting_activities(g.user) if a.stage in ("publicity", "confirming", "closed")]
        return self.render_template("title/confirm/committee_list.html", rows=rows, title=_("评审结果确认"))

    @expose("/committee/<int:activity_id>")
    @has_access
    def committee(self, activity_id: int) -> Any:
        activity = self._activity(activity_id)
        tab = _tab(request.args.get("tab"))
        everyone = service.committee_persons(activity)
        counts = {t: sum(1 for a in everyone if a.confirm_state == t) for t in TABS}
        own = activity.unit_id == getattr(g.user, "unit_id", None)
        return self.render_template(
            "title/confirm/committee.html", activity=activity, tab=tab, tabs=TABS, counts=counts, own=own,
            rows=[a for a in everyone if a.confirm_state == tab], states=service.CONFIRM_STATES,
            submit_problem=service.submit_problem(activity) if activity.stage != "confirming" or
            service.submittable(activity) else None, waiting=service.submittable(activity),
            pub=service.publicity.publicity_of(activity), reports=service.report_files(activity),
            close_problem=service.close_problem(activity), supplements={a.id: service.supplement_files(a)
                                                                         for a in everyone if a.confirm_state == tab},
            title=_("评审结果确认"))

    @expose("/committee/person/<int:application_id>")
    @has_access
    def committee_person(self, application_id: int) -> Any:
        try:
            record = service.person_for(g.user, application_id, committee=True)
        except TitleError:
            abort(404)
        return self._person_page(record, back=url_for("TitleConfirmView.committee", activity_id=record.activity_id,
                                                      tab=record.confirm_state))

    def _back(self, activity_id: int, tab: str | None = None) -> Any:
        return redirect(url_for("TitleConfirmView.committee", activity_id=activity_id,
                                tab=_tab(tab or request.form.get("tab"))))

    @expose("/committee/<int:activity_id>/submit", methods=["POST"])
    @has_access
    def submit(self, activity_id: int) -> Any:
        """提交评审结果确认 (after the publicity)."""
        activity = self._activity(activity_id, write=True)
        write(lambda: service.submit(g.user, activity), lambda rows: _("已提交%(n)s人进行评审结果确认", n=len(rows)))
        return self._back(activity_id, "pending")

    @expose("/committee/<int:activity_id>/supplement/<int:application_id>", methods=["POST"])
    @has_access
    def supplement(self, activity_id: int, application_id: int) -> Any:
        """补充材料 (a person returned to the committee)."""
        activity = self._activity(activity_id, write=True)
        stream, name = _file()

        def run() -> Any:
            app = service.person_for(g.user, application_id, committee=True)
            if app.activity_id != activity.id:
                raise TitleError(str(service.NOT_FOUND))
            if stream is None:
                raise TitleError(_("请选择要上传的文件"))
            return service.supplement(g.user, app, stream, name)

        write(run, _("补充材料已上传"), refuse=REFUSE)
        return self._back(activity_id, "returned")

    @expose("/committee/<int:activity_id>/resubmit/<int:application_id>", methods=["POST"])
    @has_access
    def resubmit(self, activity_id: int, application_id: int) -> Any:
        activity = self._activity(activity_id, write=True)

        def run() -> Any:
            app = service.person_for(g.user, application_id, committee=True)
            if app.activity_id != activity.id:
                raise TitleError(str(service.NOT_FOUND))
            return service.resubmit(g.user, app)

        write(run, _("已再次提交确认"))
        return self._back(activity_id, "returned")

    @expose("/committee/<int:activity_id>/doc_numbers", methods=["POST"])
    @has_access
    def doc_numbers(self, activity_id: int) -> Any:
        """批量设置职称文件文号."""
        activity = self._activity(activity_id, write=True)
        f = request.form
        write(lambda: service.set_doc_numbers(g.user, activity, f.getlist("rowid"), f.get("doc_number", ""),
                                              _date(f.get("approved_on"))),
              lambda n: _("已为%(n)s人设置职称文件文号", n=n))
        return self._back(activity_id, "passed")

    @expose("/committee/<int:activity_id>/issuance", methods=["POST"])
    @has_access
    def issuance(self, activity_id: int) -> Any:
        """提交发证信息 (the chosen persons, or every confirmed one)."""
        activity = self._activity(activity_id, write=True)
        ids = request.form.getlist("rowid") or None
        write(lambda: service.submit_issuance(g.user, activity, ids), lambda n: _("已提交%(n)s人的发证信息", n=n))
        return self._back(activity_id, "passed")

    @expose("/committee/<int:activity_id>/report", methods=["POST"])
    @has_access
    def report(self, activity_id: int) -> Any:
        """上传评审工作报告."""
        activity = self._activity(activity_id, write=True)
        stream, name = _file()

        def run() -> Any:
            if stream is None:
                raise TitleError(_("请选择要上传的文件"))
            return service.upload_report(g.user, activity, stream, name)

        write(run, _("评审工作报告已上传"), refuse=REFUSE)
        return self._back(activity_id, "passed")

    @expose("/committee/<int:activity_id>/close", methods=["POST"])
    @has_access
    def close(self, activity_id: int) -> Any:
        """办结."""
        activity = self._activity(activity_id, write=True)
        write(lambda: service.close(g.user, activity), _("评审活动已办结"))
        return self._back(activity_id, "passed")

    @expose("/committee/<int:activity_id>/export")
    @has_access
    def committee_export(self, activity_id: int) -> Any:
        activity = self._activity(activity_id)
        tab = _tab(request.args.get("tab"))
        rows = service.committee_persons(activity, tab)
        return xlsx_download(str(_("评审结果确认")), [str(h) for h in service.ROSTER_HEADERS],
                             service.roster_rows(rows), f"{activity.name}-{service.state_label(tab)}.xlsx")


def register_confirm(appbuilder: Any) -> None:
    appbuilder.add_view_no_menu(TitleConfirmView)
    # the committee's unit, beside its meetings
    add_link(appbuilder, TitleConfirmView, "TitleConfirmCommittee", "TitleConfirmView.committee_list", "can_list",
             "TitleMeeting", label=_l("评审结果确认"), icon="fa-check-square-o", cond=unit_kind(*COMMITTEE_KINDS))
    # the confirming units (授权管理单位, the entrusting units): 评审结果确认 (§1.2.7)
    add_link(appbuilder, TitleConfirmView, "TitleConfirmDirect", "TitleConfirmView.index", "can_list", "TitleConfirm",
             label=_l("线上评审结果确认"), icon="fa-check-circle", cond=unit_kind(*COMMITTEE_KINDS),
             category_label=_l("评审结果确认"), category_icon="fa-check-circle")
    add_link(appbuilder, TitleConfirmView, "TitleConfirmEntrusted", "TitleConfirmView.entrusted", "can_list",
             "TitleConfirm", label=_l("线上委托结果确认"), icon="fa-share-square-o", cond=unit_kind(*COMMITTEE_KINDS))
