"""历史职称数据管理 (004 §1.2.8.2, TR-22): 数据上传 (待提交 / 已提交), a batch's 详情 with the submission
to the 发证机构, 数据审核 (batch, 一键通过, export, 任职资格文件人员核验) and 历史评审机构管理. The import itself is
the pipeline's generic screens (/imports/title.history.<way>/?ctx=<way>|<文号>)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.services.core import attachments, dicts
from app.services.core.validators import to_id
from app.services.title import history as service
from app.services.title.common import TitleError
from app.workflow import review_of
from models.title.history import TITLE_STATES, WAYS, HistoryGroup
from views.base import xlsx_download
from views.registry import add_link
from views.writes import write

STATE_LABELS = {"draft": _l("待提交"), "withdrawn": _l("待提交"), "returned": _l("已退回"), "pending": _l("审核中"),
                "approved": _l("审核通过"), "rejected": _l("不通过")}


def _group(pk: int, write_: bool = False) -> Any:
    try:
        return service.group_for(g.user, pk, write=write_)
    except TitleError:
        abort(404)


def _ids(name: str = "id") -> list[int]:
    return [i for i in (to_id(x) for x in request.form.getlist(name)) if i]


class TitleHistoryView(BaseView):
    """数据上传、数据审核、历史评审机构管理."""

    scope_model = HistoryGroup  # the scope walker's records for <pk> (an import group)
    class_permission_name = service.PERMISSION
    route_base = "/title/history"
    default_view = "index"
    base_permissions = ["can_list", "can_manage", "can_review"]
    method_permission_name = {
        "index": "list", "start": "manage", "group": "list", "delete": "manage", "submit": "manage",
        "assess": "manage", "export": "list", "names": "list", "review_list": "review", "review_act": "review",
        "mark": "review", "review_export": "review", "institutions": "list", "institution_save": "manage",
        "institution_delete": "manage",
    }

    # -- 数据上传 -------------------------------------------------------------------------------------

    @expose("/")
    @has_access
    def index(self) -> Any:
        tab = request.args.get("tab", "draft")
        states = ("pending", "approved", "rejected") if tab == "submitted" else ("draft", "withdrawn", "returned")
        try:
            groups = service.own_groups(g.user, states)
        except TitleError as e:
            flash(str(e), "warning")
            groups = []
        return self.render_template("title/history/index.html", groups=groups, tab=tab, ways=WAYS,
                                    counts=service.counts([x.id for x in groups]), state_labels=STATE_LABELS,
                                    title=_("历史职称数据上传"))

    @expose("/start", methods=["POST"])
    @has_access
    def start(self) -> Any:
        """下一步: the way and the document number checked, then the pipeline's upload page."""
        way = request.form.get("way", "")
        try:
            if way not in WAYS:
                raise TitleError(_("请选择职称证书取得方式"))
            number, _year = service.parse_doc_number(request.form.get("doc_number"))
        except TitleError as e:
            flash(str(e), "danger")
            return redirect(url_for("TitleHistoryView.index"))
        return redirect(url_for("ImportView.start", spec=f"title.history.{way}", ctx=service.context_text(way, number)))

    @expose("/group/<int:pk>")
    @has_access
    def group(self, pk: int) -> Any:
        grp = _group(pk)
        own = grp.unit_id == g.user.unit_id
        if own and grp.assessed_at is None:
            write(lambda: service.assess(grp))
        issuing = to_id(request.args.get("issuing"))
        page = request.args.get("page", 1, type=int) or 1
        route: list[str] = []
        choices = service.issuing_choices(g.user, grp) if own and grp.editable else []
        if choices:
            issuing = issuing or (choices[0].id if len(choices) == 1 else None)
            if issuing:
                try:
                    route = service.route_names(grp, issuing)
                except TitleError as e:
                    flash(str(e), "warning")
        review = review_of(service.MATTER_CODE, grp.id)
        waiting_here = grp.review_state == "pending" and grp.review_unit_id == g.user.unit_id
        return self.render_template(
            "title/history/group.html", group=grp, rows=service.titles(grp, page=page), own=own, choices=choices,
            page=page, pages=max(1, -(-service.titles_left(grp.id) // 50)),
            issuing=issuing, route=route, review=review, waiting_here=waiting_here, title_states=TITLE_STATES,
            files=attachments.current(grp, "qualification"), owner=attachments.owner_of(grp),
            slot=attachments.owner_of(grp).slot_map["qualification"], state_labels=STATE_LABELS,
            checked=None, names_text="", title=_("采集证书列表"))

    @expose("/group/<int:pk>/delete", methods=["POST"])
    @has_access
    def delete(self, pk: int) -> Any:
        grp = _group(pk, write_=True)
        ids = None if request.form.get("all") else _ids()
        done = write(lambda: service.delete_titles(g.user, grp, ids), lambda n: _("已删除%(n)s条数据", n=n))
        if done and not service.titles_left(pk):
            return redirect(url_for("TitleHistoryView.index"))
        return redirect(url_for("TitleHistoryView.group", pk=pk))

    @expose("/group/<int:pk>/assess", methods=["POST"])
    @has_access
    def assess(self, pk: int) -> Any:
        grp = _group(pk, write_=True)
        write(lambda: service.assess(grp), lambda n: _("社保信息校验完成：高风险%(n)s人", n=n))
        return redirect(url_for("TitleHistoryView.group", pk=pk))

    @expose("/group/<int:pk>/submit", methods=["POST"])
    @has_access
    def submit(self, pk: int) -> Any:
        grp = _group(pk, write_=True)
        done = write(lambda: service.submit(g.user, grp, request.form.get("issuing_unit_id")),
                     _("已提交审核"))
        if done:
            return redirect(url_for("TitleHistoryView.index", tab="submitted"))
        return redirect(url_for("TitleHistoryView.group", pk=pk, issuing=request.form.get("issuing_unit_id")))

    @expose("/group/<int:pk>/export")
    @has_access
    def export(self, pk: int) -> Any:
        grp = _group(pk)
        return xlsx_download(_("采集证书列表"), *_table(grp), file_name=f"{grp.doc_number}.xlsx")

    @expose("/group/<int:pk>/names", methods=["POST"])
    @has_access
    def names(self, pk: int) -> Any:
        """任职资格文件人员核验: each person of the batch 存在 / 不存在 in the pasted list."""
        grp = _group(pk)
        text = request.form.get("names", "")
        try:
            checked = service.check_names(grp, text)
        except TitleError as e:
            flash(str(e), "danger")
            return redirect(url_for("TitleHistoryView.group", pk=pk))
        waiting_here = grp.review_state == "pending" and grp.review_unit_id == g.user.unit_id
        return self.render_template(
            "title/history/group.html", group=grp, rows=[r for r, _ok in checked], page=1, pages=1,
            own=grp.unit_id == g.user.unit_id,
            choices=[], issuing=None, route=[], review=review_of(service.MATTER_CODE, grp.id),
            waiting_here=waiting_here, title_states=TITLE_STATES, files=attachments.current(grp, "qualification"),
            owner=attachments.owner_of(grp), slot=attachments.owner_of(grp).slot_map["qualification"],
            state_labels=STATE_LABELS, checked={r.id: ok for r, ok in checked}, names_text=text,
            title=_("任职资格文件人员核验"))

    # -- 数据审核 -------------------------------------------------------------------------------------

    @expose("/review")
    @has_access
    def review_list(self) -> Any:
        tab = request.args.get("tab", "waiting")
        try:
            groups = service.reviewed(g.user) if tab == "done" else service.waiting(g.user)
        except TitleError:
            groups = []
        return self.render_template("title/history/review.html", groups=groups, tab=tab,
                                    counts=service.counts([x.id for x in groups]), state_labels=STATE_LABELS,
                                    title=_("历史职称数据审核"))

    @expose("/review/act", methods=["POST"])
    @has_access
    def review_act(self) -> Any:
        action = request.form.get("action", "")
        ids = None if request.form.get("all") else _ids()
        if ids is not None and not ids:
            flash(_("请选择要审核的数据"), "warning")
            return redirect(url_for("TitleHistoryView.review_list"))
        words = _("审核通过") if action == "approve" else _("退回")
        write(lambda: service.review(g.user, ids, action, request.form.get("opinion")),
              lambda n: _("已%(a)s%(n)s批数据", a=words, n=n))
        return redirect(url_for("TitleHistoryView.review_list"))

    @expose("/group/<int:pk>/mark", methods=["POST"])
    @has_access
    def mark(self, pk: int) -> Any:
        grp = _group(pk)
        write(lambda: service.mark_titles(g.user, grp, _ids(), request.form.get("action", ""),
                                          request.form.get("opinion")), lambda n: _("已标记%(n)s人", n=n))
        return redirect(url_for("TitleHistoryView.group", pk=pk))

    @expose("/review/export")
    @has_access
    def review_export(self) -> Any:
        try:
            groups = service.waiting(g.user)
        except TitleError:
            groups = []
        headers: list[str] = [_("职称文件文号"), _("取得方式"), _("采集单位")]
        rows: list[list[Any]] = []
        for grp in groups:
            head, body = _table(grp)
            if len(headers) == 3:
                headers += head
            rows += [[grp.doc_number, grp.way_label, grp.unit.name, *r] for r in body]
        return xlsx_download(_("历史职称数据审核"), headers, rows)

    # -- 历史评审机构管理 -------------------------------------------------------------------------------

    @expose("/institutions")
    @has_access
    def institutions(self) -> Any:
        try:
            rows = service.institutions(g.user)
        except TitleError:
            rows = []
        editing = None
        if request.args.get("edit"):
            try:
                editing = service.institution(g.user, request.args.get("edit"), write=True)
            except TitleError:
                abort(404)
        return self.render_template("title/history/institutions.html", rows=rows, editing=editing,
                                    series=dicts.choices("title_series"), levels=dicts.choices("title_level"),
                                    title=_("历史评审机构管理"))

    @expose("/institutions/save", methods=["POST"])
    @has_access
    def institution_save(self) -> Any:
        form = {k: request.form.get(k) for k in ("name", "series", "unit_id", "year_from", "year_to", "note")}
        form["levels"] = request.form.getlist("levels")
        pk = request.form.get("pk") or None
        done = write(lambda: service.save_institution(g.user, form, pk), _("历史评审机构已保存"))
        if not done and pk:
            return redirect(url_for("TitleHistoryView.institutions", edit=pk))
        return redirect(url_for("TitleHistoryView.institutions"))

    @expose("/institutions/<int:pk>/delete", methods=["POST"])
    @has_access
    def institution_delete(self, pk: int) -> Any:
        try:
            service.institution(g.user, pk)
        except TitleError:
            abort(404)  # an institution the unit does not even see: nothing to say about it
        write(lambda: service.delete_institution(g.user, pk), _("历史评审机构已删除"))
        return redirect(url_for("TitleHistoryView.institutions"))


def _table(grp: Any) -> tuple[list[str], list[list[Any]]]:
    from app.security.personal import shown

    headers = [_("行政区划代码"), _("姓名"), _("证件号码"), _("性别"), _("出生日期"), _("工作单位"), _("职称系列"),
               _("职称层级"), _("资格名称"), _("评审机构"), _("评审时间"), _("批准时间"), _("纸质证书编号"), _("审核状态"),
               _("社保风险提醒")]
    rows = [[t.region_code, t.name, shown("id", t.id_number), dicts.label("sex", t.sex) if t.sex else "",
             t.birth_date, t.workplace, dicts.label("title_series", t.series), dicts.label("title_level", t.level),
             t.qualification, t.institution, t.review_date, t.approved_on, t.paper_number,
             TITLE_STATES.get(t.state, t.state), t.risk_reason or ""] for t in service.titles(grp)]
    return headers, rows


def register_history(appbuilder: Any) -> None:
    appbuilder.add_view_no_menu(TitleHistoryView)
    add_link(appbuilder, TitleHistoryView, "TitleHistoryUpload", "TitleHistoryView.index", "can_list",
             "TitleHistory", label=_l("数据上传"), icon="fa-upload", category_label=_l("历史职称数据管理"),
             category_icon="fa-history")
    add_link(appbuilder, TitleHistoryView, "TitleHistoryReview", "TitleHistoryView.review_list", "can_review",
             "TitleHistory", label=_l("数据审核"), icon="fa-check-square")
    add_link(appbuilder, TitleHistoryView, "TitleHistoryInstitutions", "TitleHistoryView.institutions", "can_list",
             "TitleHistory", label=_l("历史评审机构管理"), icon="fa-university")
