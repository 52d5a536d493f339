"""职称评审 申报材料审核 (004 §1.2.3, §1.2.14): 本单位人员审核 and 下级单位人员审核 (one scoped review list
opened by two menu entries), 申报材料综合查询, 评审人员统计, 主管部门配置, and 职称确认 (the person's request and
the units' review). Business rules live in app/services/title/review.py; the views parse and call it.
"""

from __future__ import annotations

from typing import Any

from flask import abort, g, has_request_context, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import select

from app.extensions import db
from app.filters import local_time
from app.security.interface import ScopedInterface
from app.services.core import dicts
from app.services.title import review as service
from app.services.title.common import TitleError
from models.core.workflow import EDITABLE_STATES
from models.title.application import CATEGORIES, EVAL_METHODS, Application, Confirmation
from models.title.config import CompetentConfig
from views.base import ScopedModelView, scoped_interface
from views.registry import add_link, add_view
from views.review import ReviewViewMixin
from views.title.common import unit_kind
from views.writes import write

ALL_KINDS = ("hr", "competent", "applicant", "self_review", "central")


def current_side() -> str | None:
    return request.args.get("side") if request.args.get("side") in service.SIDES else None


def current_tab() -> str | None:
    """The tab asked for; 本单位人员审核 / 下级单位人员审核 open on 初审 (``tab=all``: every record of the side)."""
    tab = request.args.get("tab")
    if tab in service.TABS:
        return tab
    return "first" if tab is None and current_side() else None


class TitleListFilter(BaseFilter):
    """The list's side (本单位 / 下级单位), tab and filters, read from the query string (the same
    conditions the tab counts use)."""

    name = "title_review"

    def apply(self, query: Any, value: Any) -> Any:
        unit_id = getattr(g.user, "unit_id", None)
        side = current_side()
        if side:
            query = query.filter(service.side_clause(side, unit_id))
        tab = current_tab()
        if tab:
            query = query.filter(service.tab_clause(tab, unit_id))
        for clause in service.filter_clauses(request.args):
            query = query.filter(clause)
        return query


class TitleApplicationInterface(ScopedInterface):
    """The scoped interface whose list count, on a tab, is the tab's badge counted beforehand."""

    def query_count(self, query: Any, filters: Any = None, select_columns: Any = None) -> int:
        known = g.get("title_list_count") if has_request_context() else None
        if known is not None:
            return int(known)
        return super().query_count(query, filters, select_columns)


class TitleApplicationView(ReviewViewMixin, ScopedModelView):
    """本单位人员审核 / 下级单位人员审核: the applications waiting at, passed on, returned or rejected by the
    user's unit; the review page shows the whole application beside the opinion and the actions."""

    class_permission_name = "title.Application"
    route_base = "/title/applications"
    datamodel = TitleApplicationInterface(Application)
    matter = service.APPLICATION
    entity_title = _l("职称申报")
    list_title = _l("申报材料审核")
    list_template = "title/review_list.html"
    review_template = "title/review_page.html"
    review_attachments = False  # the page draws the application's files itself
    base_permissions = ["can_list", "can_show"]
    base_filters = [["id", TitleListFilter, None]]
    base_order = ("id", "desc")
    label_columns = {
        "id": _l("序号"), "name": _l("姓名"), "eval_method": _l("评价方式"), "series": _l("申报系列"),
        "level": _l("申报层级"), "major": _l("申报专业"), "changed_on": _l("提交时间"), "committee_id": _l("申报评委会"),
        "committee.name": _l("申报评委会"), "category": _l("申报类别"), "id_number": _l("证件号码"),
        "workplace": _l("工作单位"), "review_state": _l("审核状态"), "activity.name": _l("评审活动"),
    }
    list_columns = ["id", "name", "eval_method", "series", "level", "major", "changed_on", "committee_id", "category"]
    export_columns = ["name", "id_number", "eval_method", "series", "level", "major", "workplace", "activity.name",
                      "committee.name", "category", "review_state"]
    search_columns: list[str] = []
    order_columns = ["id", "name", "series", "level"]
    formatters_columns = {"eval_method": lambda v: EVAL_METHODS.get(v, v or ""),
                          "category": lambda v: CATEGORIES.get(v, v or "")}

    def _init_properties(self) -> None:
        super()._init_properties()
        self.order_columns = ["id", "name", "series", "level"]

    def _get_list_widget(self, filters: Any, **kw: Any) -> Any:
        """The rows drawn with what the columns show of other tables (提交时间, 评委会, 委托单位) fetched for
        the whole page in one statement each — never per row."""
        tab = current_tab()
        if tab and not any(k.startswith("_flt_") for k in request.args):
            # the tab's rows are the count its badge shows (the same conditions; all of them within the
            # scope: the unit is on their route): one statement gives both
            side = current_side()
            g.title_tab_counts = service.tab_counts(getattr(g.user, "unit_id", None), side, request.args)
            g.title_list_count = g.title_tab_counts[tab]
        widgets = super()._get_list_widget(filters, **kw)
        args = widgets["list"].template_args
        rows = list(args.get("value_columns") or [])
        pks = list(args.get("pks") or [])
        extras = service.page_extras(pks)
        page, size = int(args.get("page") or 0), int(args.get("page_size") or self.page_size)
        cells = []
        for i, (pk, row) in enumerate(zip(pks, rows, strict=False)):
            submitted, committee, entrust = extras.get(pk, (None, "", None))
            category = CATEGORIES.get(row["category"], row["category"])
            if entrust:
                category = f"{category}（{entrust}）"
            values = [
                page * size + i + 1,
                Markup('<a href="{}">{}</a>').format(url_for("TitleApplicationView.review", pk=pk), row["name"]),
                EVAL_METHODS.get(row["eval_method"], row["eval_method"]), dicts.label("title_series", row["series"]),
                dicts.label("title_level", row["level"]), row["major"],
                local_time(submitted) if submitted else "", committee, category,
            ]
            cells.append(Markup("".join(f"<td>{escape(v)}</td>" for v in values)))
        args["row_cells"] = cells
        return widgets

    def render_template(self, template: str, **kwargs: Any) -> Any:
        if template == self.list_template:
            unit_id = getattr(g.user, "unit_id", None)
            side = current_side()
            kwargs.update(
                title_side=side, title_sides=service.SIDES, title_tabs=service.TABS, title_tab=current_tab(),
                title_counts=g.get("title_tab_counts") or service.tab_counts(unit_id, side, request.args),
                title_waiting=service.WAITING_TABS, title_methods=EVAL_METHODS,
                title_series=dicts.choices("title_series"), title_levels=dicts.choices("title_level"),
                title_committees=service.committee_choices(g.user), title_states=service.QUERY_STATES,
            )
        return super().render_template(template, **kwargs)

    def _do(self, record: Any, action: str, opinion: str | None, version: Any, target: Any,
            label: str | None = None) -> bool:
        """One action through the service (通过 with 是否委托评审 on the review page)."""
        raw = request.form.get("entrust") if label is None else None
        entrust = None if raw is None else raw == "1"
        return bool(write(lambda: service.decide(record, g.user, action, opinion=opinion, expected_version=version,
                                                 target=target, entrust=entrust), label=label, refuse=(ValueError,)))

    def review_context(self, record: Any) -> dict[str, Any]:
        return service.review_page(record, g.user)


class TitleQueryView(BaseView):
    """申报材料综合查询: per committee of the user's unit and activity, 申报 / 接收 / 通过, each a link to its list."""

    class_permission_name = "title.Query"
    route_base = "/title/query"
    default_view = "index"
    base_permissions = ["can_list"]
    method_permission_name = {"index": "list"}

    @expose("/")
    @has_access
    def index(self) -> Any:
        return self.render_template("title/review_query.html", rows=service.query_rows(g.user),
                                    states=service.QUERY_STATES, title=_("申报材料综合查询"))


class TitleStatsView(BaseView):
    """评审人员统计: the applicants the user's unit passed up, per committee; 修改 their level and evaluation
    method while the committee has not decided."""

    class_permission_name = "title.Stats"
    route_base = "/title/stats"
    default_view = "index"
    base_permissions = ["can_list", "can_edit"]
    method_permission_name = {"index": "list", "change": "edit"}

    @expose("/")
    @has_access
    def index(self) -> Any:
        committees = service.stats_committees(g.user)
        chosen = request.args.get("committee", type=int) or (committees[0][0] if committees else None)
        if chosen is not None and chosen not in {c for c, _n, _k in committees}:
            abort(404)
        people = service.stats_people(g.user, chosen) if chosen else []
        return self.render_template("title/review_stats.html", committees=committees, chosen=chosen, people=people,
                                    methods=EVAL_METHODS, changeable=service.method_changeable,
                                    title=_("评审人员统计"))

    @expose("/change/<int:pk>", methods=["GET", "POST"])
    @has_access
    def change(self, pk: int) -> Any:
        record = service.passed_up_record(g.user, pk)
        if record is None:
            abort(404)
        errors: dict[str, str] = {}
        if request.method == "POST":
            done = write(lambda: service.change_method(record, g.user, request.form.get("level"),
                                                       request.form.get("eval_method")),
                         _("评价方式已修改"), errors=errors)
            if done:
                return redirect(url_for("TitleStatsView.index", committee=record.committee_id))
        values = request.form if request.method == "POST" else {"level": record.level,
                                                                  "eval_method": record.eval_method}
        levels = [(lv.level, dicts.label("title_level", lv.level)) for lv in record.activity.levels]
        return self.render_template("title/review_method.html", record=record, values=values, errors=errors,
                                    levels=levels, methods=EVAL_METHODS, title=_("修改评价方式"))


class TitleCompetentConfigView(ScopedModelView):
    """主管部门配置: per committee and region, the 主管部门 the applicants' units submit through."""

    class_permission_name = "title.CompetentConfig"
    route_base = "/title/competent-config"
    datamodel = scoped_interface(CompetentConfig)
    entity_title = _l("主管部门配置")
    list_title = _l("主管部门配置")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_delete"]
    base_order = ("id", "desc")
    label_columns = {"committee": _l("评委会"), "region_code": _l("地区"), "competent_unit": _l("主管部门"),
                     "unit": _l("设置单位")}
    list_columns = ["committee", "region_code", "competent_unit", "unit"]
    show_columns = list_columns
    add_columns = ["committee", "region_code", "competent_unit"]
    edit_columns = add_columns
    search_columns = ["committee", "region_code"]

    def pre_add(self, item: Any) -> None:
        item.unit_id = g.user.unit_id
        service.check_config(item, g.user)

    def pre_update(self, item: Any) -> None:
        service.check_config(item, g.user)

    def form_problems(self, item: Any, is_created: bool) -> list[tuple[str | None, str]]:
        try:
            service.check_config(item, g.user)
        except TitleError as e:
            return e.problems
        return []


class TitleConfirmationView(ReviewViewMixin, ScopedModelView):
    """职称确认审核: the requests waiting at (or decided by) the unit; 通过 climbs to the next unit up to the
    人社部门, 退回 goes to the person, 不通过 is final."""

    class_permission_name = "title.Confirmation"
    route_base = "/title/confirmations"
    datamodel = scoped_interface(Confirmation)
    matter = service.CONFIRMATION
    entity_title = _l("职称确认")
    list_title = _l("职称确认审核")
    base_permissions = ["can_list", "can_show"]
    base_order = ("id", "desc")
    name_search = staticmethod(lambda text: Confirmation.name.contains(text, autoescape=True))
    label_columns = {"name": _l("姓名"), "sex": _l("性别"), "id_number": _l("证件号码"), "phone": _l("联系电话"),
                     "workplace": _l("工作单位"), "series": _l("职称系列"), "level": _l("职称层级"),
                     "title_name": _l("职称名称"), "obtained_on": _l("取得时间"), "issuer": _l("发证机构"),
                     "cert_no": _l("证书编号"), "doc_number": _l("职称文件文号"), "reason": _l("确认事由"),
                     "review_state": _l("审核状态"), "confirmed": _l("已确认"), "unit": _l("所在单位")}
    list_columns = ["name", "workplace", "series", "level", "title_name", "obtained_on", "issuer", "review_state"]
    show_columns = ["name", "sex", "id_number", "phone", "workplace", "series", "level", "title_name", "obtained_on",
                    "issuer", "cert_no", "doc_number", "reason", "confirmed"]
    search_columns = ["review_state", "series", "level"]


class TitleConfirmMyView(ReviewViewMixin, ScopedModelView):
    """职称确认申请 (the person): fill the request, upload the certificate, 提交; after a 退回 change and submit
    again; a request under review, confirmed or 不通过 cannot be deleted."""

    class_permission_name = "title.MyConfirmation"
    route_base = "/title/my-confirmations"
    datamodel = scoped_interface(Confirmation)
    matter = service.CONFIRMATION
    entity_title = _l("职称确认申请")
    list_title = _l("职称确认申请")
    review_attachments = True
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_delete"]
    base_order = ("id", "desc")
    label_columns = TitleConfirmationView.label_columns
    list_columns = ["title_name", "series", "level", "obtained_on", "issuer", "review_state"]
    show_columns = TitleConfirmationView.show_columns
    add_columns = ["name", "sex", "id_number", "phone", "workplace", "series", "level", "title_name", "obtained_on",
                   "issuer", "cert_no", "doc_number", "reason"]
    edit_columns = add_columns
    search_columns = ["review_state"]
    list_template = "platform/list.html"

    def pre_add(self, item: Any) -> None:
        service.prepare_confirmation(item, g.user)

    pre_update = pre_add

    def pre_delete(self, item: Any) -> None:
        service.check_confirmation_deletable(item)

    def post_add_redirect(self) -> Any:
        latest = db.session.scalar(select(Confirmation.id).where(Confirmation.user_id == g.user.id)
                                   .order_by(Confirmation.id.desc()))
        return redirect(url_for("TitleConfirmMyView.review", pk=latest)) if latest else super().post_add_redirect()

    def row_rule(self) -> tuple[Any, Any] | None:
        editable = Confirmation.review_state.in_(EDITABLE_STATES)
        return editable, editable

    def can_add_here(self) -> bool:
        return getattr(g.user, "unit_id", None) is not None


def register_review(appbuilder: Any) -> None:
    cat, label = "TitleReview", _l("申报材料审核")
    first = {"category_label": label, "category_icon": "fa-clipboard-check"}
    every = unit_kind(*ALL_KINDS)
    appbuilder.add_view_no_menu(TitleApplicationView)
    for name, text, icon, side in [
        ("TitleOwnReview", _l("本单位人员审核"), "fa-user-check", "own"),
        ("TitleLowerReview", _l("下级单位人员审核"), "fa-users", "lower"),
    ]:
        add_link(appbuilder, TitleApplicationView, name, "TitleApplicationView.list", "can_list", cat, label=text,
                 icon=icon, cond=every, args={"side": side, "tab": "first"}, **first)
        first = {"category_label": label}
    appbuilder.add_view_no_menu(TitleQueryView)
    add_link(appbuilder, TitleQueryView, "TitleQuery", "TitleQueryView.index", "can_list", cat,
             label=_l("申报材料综合查询"), icon="fa-search", cond=every, category_label=label)
    appbuilder.add_view_no_menu(TitleStatsView)
    add_link(appbuilder, TitleStatsView, "TitleStats", "TitleStatsView.index", "can_list", cat,
             label=_l("评审人员统计"), icon="fa-user-edit", cond=every, category_label=label)
    add_view(appbuilder, TitleCompetentConfigView, "TitleCompetentConfig", cat, label=_l("主管部门配置"),
             icon="fa-sitemap", category_label=label, menu_cond=every)
    appbuilder.add_view_no_menu(TitleConfirmationView)
    add_link(appbuilder, TitleConfirmationView, "TitleConfirmations", "TitleConfirmationView.list", "can_list", cat,
             label=_l("职称确认审核"), icon="fa-stamp", cond=unit_kind("hr", "competent"), args={"todo": "1"},
             category_label=label)
    # the person's own request (职称申报人)
    add_view(appbuilder, TitleConfirmMyView, "TitleMyConfirmation", "TitleConfirm", label=_l("职称确认申请"),
             icon="fa-certificate", category_label=_l("职称确认"), category_icon="fa-certificate")
