"""专技人才审核 and 专技人才统计 (004 §1.2.13, TR-24): the person's 专技人才信息 (fill, 提交, after a 退回 change and
submit again), the units' review list (审核通过 to the parent unit, 审核不通过 ends it, 审核退回 to the person,
批量通过) and the statistics page (each table with its chart and 导出Excel, within the user's unit subtree).
Business rules live in app/services/title/talent.py."""

from __future__ import annotations

from typing import Any

from flask import abort, g, jsonify, redirect, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.fieldwidgets import Select2Widget
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField

from app.services.core import audit
from app.services.title import talent as service
from models.core.workflow import EDITABLE_STATES
from models.title.talent import KINDS, Talent
from views.base import ScopedModelView, scoped_interface, xlsx_download
from views.registry import add_link, add_view
from views.review import ReviewViewMixin
from views.title.common import unit_kind

ALL_KINDS = ("hr", "competent", "applicant", "self_review", "central")
LABELS = {"name": _l("姓名"), "sex": _l("性别"), "id_number": _l("身份证号码"), "birth_date": _l("出生日期"),
          "phone": _l("联系电话"), "ethnicity": _l("民族"), "politics": _l("政治面貌"), "education": _l("学历"),
          "kind": _l("专业技术人员类别"), "series": _l("职称系列"), "level": _l("职称层级"),
          "title_name": _l("现专业技术职称"), "major": _l("从事专业"), "overseas": _l("港澳台及外籍人士"),
          "review_state": _l("审核状态"), "unit": _l("所在单位")}
COLUMNS = ["name", "sex", "id_number", "birth_date", "phone", "ethnicity", "politics", "education", "kind", "series",
           "level", "title_name", "major", "overseas"]
FORMATTERS = {"kind": lambda v: str(_l(KINDS.get(v, v))) if v else "",
              "overseas": lambda v: _("是") if v else _("否")}


def _kind_field() -> SelectField:
    return SelectField(_l("专业技术人员类别"), choices=[(k, _l(v)) for k, v in KINDS.items()], default="title",
                       widget=Select2Widget())


class TitleTalentView(ReviewViewMixin, ScopedModelView):
    """专技人才审核: the records waiting at (or decided by) the unit and its subtree; 审核通过 passes one to the
    parent unit, 审核不通过 ends it, 审核退回 sends it to the person; 批量通过."""

    class_permission_name = "title.Talent"
    route_base = "/title/talents"
    datamodel = scoped_interface(Talent)
    matter = service.TALENT
    entity_title = _l("专技人才信息")
    list_title = _l("专技人才审核")
    review_attachments = False
    base_permissions = ["can_list", "can_show"]
    base_order = ("id", "desc")
    name_search = staticmethod(lambda text: Talent.name.contains(text, autoescape=True))
    label_columns = LABELS
    list_columns = ["name", "unit", "series", "level", "education", "politics", "review_state"]
    show_columns = ["unit", *COLUMNS]
    search_columns = ["review_state", "series", "level", "education"]
    formatters_columns = FORMATTERS


class TitleTalentMyView(ReviewViewMixin, ScopedModelView):
    """专技人才信息 (the person): fill it, 提交; after a 审核退回 change it and submit again; a record under
    review or decided cannot be changed or deleted."""

    class_permission_name = "title.MyTalent"
    route_base = "/title/my-talent"
    datamodel = scoped_interface(Talent)
    matter = service.TALENT
    entity_title = _l("专技人才信息")
    list_title = _l("专技人才信息")
    review_attachments = False
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_delete"]
    method_permission_name = {"mine": "list"}
    base_order = ("id", "desc")
    label_columns = LABELS
    list_columns = ["name", "series", "level", "title_name", "review_state"]
    show_columns = COLUMNS
    add_columns = COLUMNS
    edit_columns = COLUMNS
    add_form_extra_fields = {"kind": _kind_field(), "overseas": BooleanField(_l("港澳台及外籍人士"))}
    edit_form_extra_fields = {"kind": _kind_field(), "overseas": BooleanField(_l("港澳台及外籍人士"))}
    search_columns = ["review_state"]
    formatters_columns = FORMATTERS
    list_template = "platform/list.html"

    @expose("/mine")
    @has_access
    def mine(self) -> Any:
        """The person's link: their record's page, or the form when they have none."""
        rec = service.own_record(g.user)
        if rec is None:
            return redirect(url_for("TitleTalentMyView.add"))
        return redirect(url_for("TitleTalentMyView.review", pk=rec.id))

    def pre_add(self, item: Any) -> None:
        service.prepare(item, g.user)

    pre_update = pre_add

    def pre_delete(self, item: Any) -> None:
        service.check_deletable(item)

    def post_add_redirect(self) -> Any:
        rec = service.own_record(g.user)
        return redirect(url_for("TitleTalentMyView.review", pk=rec.id)) if rec else super().post_add_redirect()

    def row_rule(self) -> tuple[Any, Any] | None:
        editable = Talent.review_state.in_(EDITABLE_STATES)
        return editable, editable

    def can_add_here(self) -> bool:
        return getattr(g.user, "unit_id", None) is not None


class TitleTalentStatsView(BaseView):
    """专技人才统计: the approved talent of the user's unit subtree by 系列×层级, 学历, 年龄段, 少数民族, 中共党员,
    港澳台及外籍 — each a chart with its table and 导出Excel."""

    class_permission_name = "title.TalentStats"
    route_base = "/title/talent-stats"
    default_view = "index"
    base_permissions = ["can_list", "can_export"]
    method_permission_name = {"index": "list", "data": "list", "export": "export"}

    def _table(self, code: str) -> tuple[str, list[str], list[list[Any]]]:
        if code not in service.CODES:
            abort(404)
        return service.tables(g.user)[code]

    @expose("/")
    @has_access
    def index(self) -> Any:
        tables = service.tables(g.user)
        return self.render_template("title/talent/stats.html", tables=[(c, *tables[c]) for c in service.CODES],
                                    title=_("专技人才统计"))

    @expose("/data/<code>")
    @has_access
    def data(self, code: str) -> Any:
        return jsonify(service.chart_option(code, self._table(code)))

    @expose("/export/<code>")
    @has_access
    def export(self, code: str) -> Any:
        title, headers, rows = self._table(code)
        audit.record_now("export", object_type="title.TalentStats", object_repr=title, detail=f"rows={len(rows)}")
        return xlsx_download(_("专技人才统计-%(t)s", t=title), headers, rows)


def register_talent(appbuilder: Any) -> None:
    cat, label = "TitleTalent", _l("专技人才")
    every = unit_kind(*ALL_KINDS)
    appbuilder.add_view_no_menu(TitleTalentView)
    add_link(appbuilder, TitleTalentView, "TitleTalents", "TitleTalentView.list", "can_list", cat,
             label=_l("专技人才审核"), icon="fa-user-check", cond=every, args={"todo": "1"},
             category_label=label, category_icon="fa-user-graduate")
    appbuilder.add_view_no_menu(TitleTalentStatsView)
    add_link(appbuilder, TitleTalentStatsView, "TitleTalentStats", "TitleTalentStatsView.index", "can_list", cat,
             label=_l("专技人才统计"), icon="fa-chart-bar", cond=every, category_label=label)
    # the person's own record (职称申报人)
    add_view(appbuilder, TitleTalentMyView, "TitleMyTalent", "TitleMyTalentCat", label=_l("专技人才信息"),
             icon="fa-id-badge", category_label=_l("专技人才信息"), category_icon="fa-id-badge")
