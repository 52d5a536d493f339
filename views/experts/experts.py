"""专家库: list, add, edit (own entries only), import, export, the information sheet PDF."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Response, abort, g, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired

from app.extensions import db
from app.services import experts as service
from app.services.core import audit
from app.services.documents import pdf
from models.experts.expert import Expert
from views.base import FormError, ScopedModelView, scoped_interface
from views.writes import write


class ExpertView(ScopedModelView):
    route_base = "/experts"
    datamodel = scoped_interface(Expert)
    entity_title = _l("专家")
    list_title = _l("专家库")
    import_spec = "experts"
    show_template = "experts/show.html"
    label_columns = {**{c.key: c.header for c in service.COLUMNS}, "unit": _l("录入单位"), "age": _l("年龄"),
                     "created_on": _l("录入时间")}
    list_columns = ["name", "sex", "age", "work_unit", "series", "title", "major", "phone", "unit"]
    export_columns = [c.key for c in service.COLUMNS] + ["age", "unit", "created_on"]
    show_fieldsets = [
        (_l("基本信息"), {"fields": ["nationality", "name", "id_type", "id_number", "sex", "birth_ym", "age", "retired",
                                 "work_unit", "supervising_unit", "admin_post", "admin_level", "phone", "phone2",
                                 "honours"]}),
        (_l("专业技术人员职称信息"), {"fields": ["series", "major", "title"]}),
        (_l("录入信息"), {"fields": ["unit", "created_on"]}),
    ]
    add_columns = edit_columns = [c.key for c in service.COLUMNS]
    order_columns = ["name", "sex", "work_unit", "series", "title", "major", "phone"]
    search_columns = ["name", "work_unit", "series", "title", "major", "id_number", "sex"]
    base_order = ("id", "desc")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_delete", "can_import",
                        "can_sheet"]
    method_permission_name = {"sheet": "sheet"}
    add_form_extra_fields = edit_form_extra_fields = {
        "honours": TextAreaField(_l("所获荣誉、称号"), render_kw={"rows": 4, "maxlength": 300},
                                 validators=[DataRequired(_l("所获荣誉、称号为必填项，若无相关信息请填写“无”"))],
                                 description=_l("无荣誉填“无”")),
        "retired": BooleanField(_l("是否退休")),
    }
    description_columns = {"birth_ym": _l("格式 yyyyMM，如 197805"), "admin_post": _l("无职务填“无”")}

    def form_problems(self, item: Expert, is_created: bool) -> list[tuple[str | None, str]]:
        """Every problem of the typed expert at once: each column's format, the identity, a duplicate."""
        problems: list[tuple[str | None, str]] = []
        values = {c.key: getattr(item, c.key) for c in service.COLUMNS}
        for col in service.COLUMNS:
            raw = values[col.key]
            if col.kind == "bool" or col.kind == "dict":
                continue
            _v, reason = col.parse(raw if raw is not None else "")
            if reason:
                problems.append((col.key, str(reason)))
        problems.extend((key, str(reason)) for key, reason in service.check_identity(values))
        id_number = (item.id_number or "").upper()
        if id_number and db.session.scalar(select(Expert.id).where(Expert.id_number == id_number,
                                                                   Expert.id != item.id)):
            problems.append(("id_number", _("该证件号码的专家已在专家库中，一人只能录入一次")))
        return problems

    def _check_form(self, item: Expert) -> None:
        problems = self.form_problems(item, item.id is None)
        if problems:
            raise FormError.of(problems)
        item.id_number = (item.id_number or "").upper()

    def pre_add(self, item: Expert) -> None:
        item.unit_id = g.user.unit_id
        item.unit = g.user.unit
        item.entered_by = g.user.id
        item.nationality = item.nationality or "中国"
        self._check_form(item)

    def row_rule(self) -> tuple[Any, Any]:
        own = Expert.unit_id == g.user.unit_id
        return own, own

    def _match_target(self) -> Any:
        """新增专家 from a team's project (G-06): ?project=<id> of a team the user runs."""
        from app.services.grassroots import teams as team_service

        return team_service.project_run_by(request.args.get("project"), g.user)

    def post_add(self, item: Expert) -> None:
        """Added from a team's project: the new expert is matched to it in the same step."""
        project = self._match_target()
        if project is None:
            return
        from app.services.grassroots import teams as team_service

        write(lambda: team_service.match_expert(project, item, g.user),
              lambda _m: _("专家已加入专家库，并已匹配到服务项目“%(p)s”", p=project.name), refusal="warning")

    def post_add_redirect(self) -> Any:
        project = self._match_target()
        if project is not None:
            return redirect(url_for("GrassrootsServiceTeamView.run", pk=project.team_id, tab="experts"))
        return super().post_add_redirect()

    def pre_update(self, item: Expert) -> None:
        if item.unit_id != g.user.unit_id:
            raise FormError(_("只能修改本单位录入的专家"))
        self._check_form(item)

    def pre_delete(self, item: Expert) -> None:
        if item.unit_id != g.user.unit_id:
            raise FormError(_("只能删除本单位录入的专家"))

    @expose("/edit/<pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk: Any) -> Any:
        if self.get_scoped(pk).unit_id != g.user.unit_id:
            abort(403)
        return super().edit(pk)

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk: Any) -> Any:
        item = self.get_scoped(pk)
        widgets = self._get_show_widget(pk, item, show_fieldsets=self.show_fieldsets)
        return self.render_template(self.show_template, pk=pk, title=str(self.show_title), widgets=widgets,
                                    related_views=[], expert=item, own=item.unit_id == g.user.unit_id)

    @expose("/sheet/<pk>")
    @has_access
    def sheet(self, pk: Any) -> Any:
        """专家信息表 (PDF), masked as the user sees the expert on screen."""
        item = self.get_scoped(pk)
        body = pdf.render("pdf/expert_sheet.html", **service.sheet_context(item))
        audit.record_now("download", item, detail="expert_sheet.pdf")
        name = quote(f"专家信息表_{item.name}.pdf")
        return Response(body, mimetype="application/pdf",
                        headers={"Content-Disposition": f"inline; filename=expert.pdf; filename*=UTF-8''{name}"})
