"""专家服务基层示范团: the team list, the executing unit's run page, the managing units' review lists."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from app.extensions import db
from app.security.scope import scope_clause
from app.services.core import attachments
from app.services.core.validators import to_id
from app.services.grassroots import teams as service
from models.core.workflow import STATES, editable_state
from models.experts.expert import Expert
from models.grassroots.team import (
    RATINGS,
    TEAM_MODES,
    ProjectExpert,
    ServiceProject,
    ServiceTeam,
    TeamEvaluation,
    TeamFunding,
    TeamFundingItem,
    TeamSummary,
)
from views.base import FormError, ScopedModelView, scoped_interface
from views.review import ReviewViewMixin
from views.writes import write


def _date(name: str) -> dt.date | None:
    return service.parse_date(request.form.get(name))


class GrassrootsServiceTeamView(ScopedModelView):
    """服务团: recorded by a managing unit, run by the executing unit (the run page)."""
    class_permission_name = "grassroots.ServiceTeam"
    previous_class_permission_name = "ServiceTeamView"

    route_base = "/grassroots/teams"
    datamodel = scoped_interface(ServiceTeam)
    entity_title = _l("专家服务基层示范团")
    list_title = _l("专家服务基层示范团")
    label_columns = {"name": _l("服务团名称"), "year": _l("年度"), "field": _l("服务领域"), "approval_no": _l("批准文号"),
                     "unit": _l("执行单位"), "managing_unit": _l("管理单位"), "status": _l("开展状态"),
                     "start_date": _l("启动时间"), "end_date": _l("结束时间"), "mode": _l("开展形式")}
    list_columns = ["name", "year", "field", "unit", "status", "start_date", "end_date"]
    add_columns = edit_columns = ["name", "year", "field", "approval_no", "unit"]
    search_columns = ["name", "year", "field", "started", "ended"]
    order_columns = ["name", "year", "start_date", "end_date"]
    base_order = ("id", "desc")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_delete", "can_run"]
    method_permission_name = {
        "run": "list", **{m: "run" for m in ("start", "batch", "end", "project", "project_edit", "project_delete", "match", "unmatch",
                                             "evaluate", "funding", "funding_delete", "evaluation", "summary_upload",
                                             "submit")},
    }
    formatters_columns = {"mode": lambda v: TEAM_MODES.get(v, "")}
    description_columns = {"unit": _l("承办服务团的基层执行单位（本单位的下级单位）")}

    def pre_add(self, item: ServiceTeam) -> None:
        try:
            service.check_new_team(item, g.user)
        except service.TeamError as e:
            raise FormError(str(e), e.field) from e

    def can_add_here(self) -> bool:
        """服务团 are recorded by managing units (a unit with executing units below it)."""
        return service.can_record_teams(g.user)

    def row_rule(self) -> tuple[Any, Any]:
        mine_not_started = (ServiceTeam.managing_unit_id == g.user.unit_id) & ServiceTeam.started.is_(False)
        return mine_not_started, mine_not_started

    def pre_update(self, item: ServiceTeam) -> None:
        if item.managing_unit_id != g.user.unit_id:
            raise FormError(_("只有录入服务团的管理单位可以修改"))
        if item.started:
            raise FormError(_("服务团已启动，基本信息不可修改"))
        try:
            service.check_new_team(item, g.user)
        except service.TeamError as e:
            raise FormError(str(e), e.field) from e

    def pre_delete(self, item: ServiceTeam) -> None:
        if item.managing_unit_id != g.user.unit_id or item.started:
            raise FormError(_("只有录入单位可以删除未启动的服务团"))

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk: Any) -> Any:
        self.get_scoped(pk)
        return redirect(url_for("GrassrootsServiceTeamView.run", pk=pk))

    @expose("/edit/<pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk: Any) -> Any:
        team = self.get_scoped(pk)
        if team.managing_unit_id != g.user.unit_id:
            flash(_("只有录入服务团的管理单位可以修改"), "danger")
            return redirect(url_for("GrassrootsServiceTeamView.run", pk=pk))
        if team.started:
            flash(_("服务团已启动，基本信息不可修改"), "danger")
            return redirect(url_for("GrassrootsServiceTeamView.run", pk=pk))
        return super().edit(pk)

    # -- the run page --------------------------------------------------------------------

    @expose("/run/<pk>")
    @has_access
    def run(self, pk: Any) -> Any:
        team = self.get_scoped(pk)
        tab = request.args.get("tab", "settings")
        executor = service.is_executor(team, g.user)
        projects = db.session.scalars(select(ServiceProject).where(ServiceProject.team_id == team.id)
                                      .order_by(ServiceProject.id)).all()
        q = (request.args.get("q") or "").strip()[:30]
        candidates: list[Any] = []
        if executor and tab == "experts":
            stmt = select(Expert).where(scope_clause(Expert))
            if q:
                stmt = stmt.where(or_(Expert.name.contains(q), Expert.major.contains(q), Expert.work_unit.contains(q)))
            candidates = list(db.session.scalars(stmt.order_by(Expert.id.desc()).limit(20)).all())
        mats = service.materials(team)
        summary = mats.get(service.SUMMARY.code)
        states = service.review_states(team)
        return self.render_template(
            "grassroots/team_run.html", team=team, tab=tab, executor=executor, projects=projects,
            candidates=candidates, q=q, ratings=RATINGS, modes=TEAM_MODES, progress=service.progress(team),
            mats=mats, states=states, state_label=lambda v: STATES.get(v, v),
            submittable=any(editable_state(s) for s in states.values()),
            opinions=service.return_opinions(team) if tab == "summary" else {},
            editing=next((p for p in projects if str(p.id) == request.args.get("edit")), None),
            summary_owner=attachments.OWNERS["grassroots.summary"],
            summary_files=attachments.current(summary) if summary is not None else [],
            editable=service.editable_material, today=dt.date.today().isoformat(),
            title=team.name, crumb_tail=[(team.name, None)],
        )

    def _done(self, pk: Any, tab: str, fn: Any, ok: str) -> Any:
        write(fn, ok)
        return redirect(url_for("GrassrootsServiceTeamView.run", pk=pk, tab=tab))

    @expose("/run/<pk>/start", methods=["POST"])
    @has_access
    def start(self, pk: Any) -> Any:
        team = self.get_scoped(pk)
        return self._done(pk, "settings", lambda: service.start(
            team, g.user, started=request.form.get("started") == "1", start_date=_date("start_date"),
            mode=request.form.get("mode")), _("服务团已启动"))

    @expose("/run/<pk>/batch", methods=["POST"])
    @has_access
    def batch(self, pk: Any) -> Any:
        team = self.get_scoped(pk)
        return self._done(pk, "settings", lambda: service.add_batch(team, g.user, _date("start_date")),
                          _("已新增批次，上一批次已结束"))

    @expose("/run/<pk>/end", methods=["POST"])
    @has_access
    def end(self, pk: Any) -> Any:
        team = self.get_scoped(pk)
        return self._done(pk, "settings", lambda: service.end(
            team, g.user, ended=request.form.get("ended") == "1", end_date=_date("end_date")), _("服务团已结束"))

    @expose("/run/<pk>/project", methods=["POST"])
    @has_access
    def project(self, pk: Any) -> Any:
        team = self.get_scoped(pk)
        return self._done(pk, "projects", lambda: service.new_project(team, g.user, request.form), _("已新增服务项目"))

    @expose("/run/<pk>/project/<int:project_id>/edit", methods=["POST"])
    @has_access
    def project_edit(self, pk: Any, project_id: int) -> Any:
        team = self.get_scoped(pk)
        project = self._project(team, project_id)
        return self._done(pk, "projects", lambda: service.update_project(project, g.user, request.form),
                          _("已修改服务项目"))

    def _project(self, team: ServiceTeam, project_id: int) -> ServiceProject:
        project = db.session.get(ServiceProject, project_id)
        if project is None or project.team_id != team.id:
            abort(404)
        return project

    @expose("/run/<pk>/project/<int:project_id>/delete", methods=["POST"])
    @has_access
    def project_delete(self, pk: Any, project_id: int) -> Any:
        team = self.get_scoped(pk)
        project = self._project(team, project_id)

        def delete() -> None:
            service.check_running(team, g.user)
            db.session.delete(project)

        return self._done(pk, "projects", delete, _("已删除服务项目"))

    @expose("/run/<pk>/project/<int:project_id>/match", methods=["POST"])
    @has_access
    def match(self, pk: Any, project_id: int) -> Any:
        team = self.get_scoped(pk)
        project = self._project(team, project_id)
        raw = request.form.get("expert_id", "")
        expert = db.session.get(Expert, to_id(raw)) if to_id(raw) else None
        return self._done(pk, "experts", lambda: service.match_expert(project, expert, g.user), _("已匹配专家"))

    @expose("/run/<pk>/expert/<int:row_id>/remove", methods=["POST"])
    @has_access
    def unmatch(self, pk: Any, row_id: int) -> Any:
        team = self.get_scoped(pk)
        row = db.session.get(ProjectExpert, row_id)
        if row is None or row.project.team_id != team.id:
            abort(404)

        def remove() -> None:
            service.check_running(team, g.user)
            db.session.delete(row)

        return self._done(pk, "experts", remove, _("已移除参团专家"))

    @expose("/run/<pk>/expert/<int:row_id>/evaluate", methods=["POST"])
    @has_access
    def evaluate(self, pk: Any, row_id: int) -> Any:
        team = self.get_scoped(pk)
        row = db.session.get(ProjectExpert, row_id)
        if row is None or row.project.team_id != team.id:
            abort(404)
        return self._done(pk, "evaluations", lambda: service.evaluate(
            row, g.user, request.form.get("rating"), request.form.get("comment")), _("已保存专家评价"))

    # -- summary materials ---------------------------------------------------------------

    @expose("/run/<pk>/funding", methods=["POST"])
    @has_access
    def funding(self, pk: Any) -> Any:
        team = self.get_scoped(pk)

        f = request.form
        return self._done(pk, "summary", lambda: service.add_funding_item(team, g.user, f.get("item", ""),
                                                                          f.get("amount", ""), f.get("note")),
                          _("已新增支出项目"))

    @expose("/run/<pk>/funding/<int:item_id>/delete", methods=["POST"])
    @has_access
    def funding_delete(self, pk: Any, item_id: int) -> Any:
        team = self.get_scoped(pk)
        item = db.session.get(TeamFundingItem, item_id)
        if item is None or item.funding.team_id != team.id:
            abort(404)

        return self._done(pk, "summary", lambda: service.delete_funding_item(team, g.user, item), _("已删除支出项目"))

    @expose("/run/<pk>/evaluation", methods=["POST"])
    @has_access
    def evaluation(self, pk: Any) -> Any:
        team = self.get_scoped(pk)

        return self._done(pk, "summary", lambda: service.save_evaluation(team, g.user, request.form), _("成效评估已保存"))

    @expose("/run/<pk>/summary_upload", methods=["POST"])
    @has_access
    def summary_upload(self, pk: Any) -> Any:
        team = self.get_scoped(pk)

        files = [f for f in request.files.getlist("file") if f and f.filename]
        return self._done(pk, "summary", lambda: service.upload_summary(team, g.user, files), _("总结材料已上传"))

    @expose("/run/<pk>/submit", methods=["POST"])
    @has_access
    def submit(self, pk: Any) -> Any:
        team = self.get_scoped(pk)
        return self._done(pk, "summary", lambda: service.submit_materials(team, g.user),
                          _("总结材料已提交管理单位审核"))


class _MaterialView(ReviewViewMixin, ScopedModelView):
    """A summary material reviewed by the managing units (approve / return with opinion)."""

    label_columns = {"team": _l("服务团"), "unit": _l("执行单位"), "review_state": _l("审核状态")}
    list_columns = ["team", "unit", "review_state"]
    search_columns = ["review_state"]
    base_permissions = ["can_list", "can_show"]
    base_order = ("id", "desc")
    review_detail_template = "grassroots/material_detail.html"

    def review_context(self, record: Any) -> dict[str, Any]:
        files = attachments.current(record) if isinstance(record, TeamSummary) else []
        return {"material": record, "files": files, "progress": service.progress(record.team)}


class GrassrootsTeamFundingView(_MaterialView):
    class_permission_name = "grassroots.TeamFunding"
    previous_class_permission_name = "TeamFundingView"
    route_base = "/grassroots/funding"
    datamodel = scoped_interface(TeamFunding)
    matter = service.FUNDING
    list_title = _l("经费管理审核")


class GrassrootsTeamEvaluationView(_MaterialView):
    class_permission_name = "grassroots.TeamEvaluation"
    previous_class_permission_name = "TeamEvaluationView"
    route_base = "/grassroots/evaluation"
    datamodel = scoped_interface(TeamEvaluation)
    matter = service.EVALUATION
    list_title = _l("成效评估审核")


class GrassrootsTeamSummaryView(_MaterialView):
    class_permission_name = "grassroots.TeamSummary"
    previous_class_permission_name = "TeamSummaryView"
    route_base = "/grassroots/summary"
    datamodel = scoped_interface(TeamSummary)
    matter = service.SUMMARY
    list_title = _l("服务团总结审核")
