"""法人科技特派员 screens: the leader's team, members, application and agreement; the member's team
choice; the review list of the legal units, the province and the cities."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Response, abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.services.commissioner import individual as ind
from app.services.commissioner import team as service
from app.services.core import attachments
from app.workflow import ReviewError, act, allowed_actions, review_of
from models.commissioner.team import Team, TeamAgreement, TeamApplication, TeamMember
from models.core.workflow import STATES
from views.base import ScopedModelView, scoped_interface
from views.commissioner.individual import CommissionerReviewListMixin, scans_context
from views.review import ACTION_LABELS, ReviewViewMixin


class CommissionerTeamView(BaseView):
    class_permission_name = "commissioner.Team"
    previous_class_permission_name = "KtpTeamView"
    route_base = "/commissioner/team"
    default_view = "team"
    base_permissions = ["can_team", "can_join"]
    method_permission_name = {m: "team" for m in ("team", "remove", "application", "submit", "agreement",
                                                  "agreement_pdf")} | {"join": "join"}

    def _redirect(self, endpoint: str, ok: str, fn: Any) -> Any:
        try:
            fn()
            db.session.commit()
        except (ind.CommissionerError, ReviewError) as e:
            db.session.rollback()
            flash(str(e), "danger")
        else:
            flash(ok, "success")
        return redirect(url_for(endpoint))

    @expose("/", methods=["GET", "POST"])
    @has_access
    def team(self) -> Any:
        if request.method == "POST":
            return self._redirect("CommissionerTeamView.team", _("团队信息已保存"), lambda: service.save_team(g.user, request.form))
        team = service.team_of_leader(g.user)
        return self.render_template("commissioner/team.html", team=team, units=service.legal_units(),
                                    profile=ind.profile_of(g.user), title=_("团队信息"))

    @expose("/remove/<int:member_id>", methods=["POST"])
    @has_access
    def remove(self, member_id: int) -> Any:
        return self._redirect("CommissionerTeamView.team", _("已删除团队成员"), lambda: service.remove_member(g.user, member_id))

    @expose("/application", methods=["GET", "POST"])
    @has_access
    def application(self) -> Any:
        errors: dict[str, str] = {}
        team = service.team_of_leader(g.user)
        if request.method == "POST":
            try:
                service.save_application(g.user, request.form)
                db.session.commit()
            except ind.CommissionerError as e:
                db.session.rollback()
                errors.update(e.errors())
                flash(e.summary(), "danger")
            else:
                flash(_("申请表已保存；确认无误后请点击“提交审核”"), "success")
                return redirect(url_for("CommissionerTeamView.application"))
        rec = service.application_of(team)
        values = request.form if request.method == "POST" else (
            {**{k: getattr(rec, k) for k, _v in service.APPLICATION_FIELDS}, "intended_city": rec.intended_city_id}
            if rec else {})
        return self.render_template(
            "commissioner/team_application.html", team=team, rec=rec, values=values, errors=errors,
            fields=service.APPLICATION_FIELDS, cities=ind.cities(), states=STATES,
            labels={**ACTION_LABELS, **service.TEAM.labels},
            review=review_of(service.TEAM.code, rec.id) if rec else None, min_team=service.MIN_TEAM,
            can_withdraw=rec is not None and "withdraw" in allowed_actions(
                service.TEAM, review_of(service.TEAM.code, rec.id), g.user),
            editable=rec is None or rec.editable, title=_("团队申请表"))

    @expose("/application/submit", methods=["POST"])
    @has_access
    def submit(self) -> Any:
        rec = service.application_of(service.team_of_leader(g.user))
        if rec is None:
            flash(_("请先填写并保存申请表"), "warning")
            return redirect(url_for("CommissionerTeamView.application"))
        if request.form.get("action") == "withdraw":
            return self._redirect("CommissionerTeamView.application", _("已撤回，可修改后重新提交"),
                                  lambda: act(service.TEAM, rec, g.user, "withdraw"))
        return self._redirect("CommissionerTeamView.application", _("已提交审核"),
                              lambda: act(service.TEAM, rec, g.user, "submit"))

    @expose("/agreement", methods=["GET", "POST"])
    @has_access
    def agreement(self) -> Any:
        if service.approved(g.user) is None:
            return self.render_template("commissioner/agreement.html", locked=True, team_mode=True, title=_("团队服务协议"))
        errors: dict[str, str] = {}
        rec = service.agreement_of(g.user)
        if request.method == "POST":
            try:
                service.save_agreement(g.user, request.form)
                db.session.commit()
            except ind.CommissionerError as e:
                db.session.rollback()
                errors.update(e.errors())
                flash(e.summary(), "danger")
            else:
                flash(_("服务协议已保存，可下载打印"), "success")
                return redirect(url_for("CommissionerTeamView.agreement"))
        values = request.form if request.method == "POST" else (
            {k: getattr(rec, k) for k, _v in service.AGREEMENT_FIELDS} if rec else {})
        return self.render_template(
            "commissioner/agreement.html", locked=False, team_mode=True, values=values, errors=errors,
            fields=service.AGREEMENT_FIELDS, rec=rec, owner=attachments.OWNERS["commissioner.team_agreement"],
            files=attachments.current(rec) if rec else [], pdf_endpoint="CommissionerTeamView.agreement_pdf",
            title=_("团队服务协议"))

    @expose("/agreement/pdf")
    @has_access
    def agreement_pdf(self) -> Any:
        rec = service.agreement_of(g.user)
        if rec is None:
            abort(404)
        body = service.agreement_pdf(rec)
        name = quote(f"团队服务协议_{rec.application.team.name}.pdf")
        return Response(body, mimetype="application/pdf",
                        headers={"Content-Disposition": f"attachment; filename=team.pdf; filename*=UTF-8''{name}"})

    @expose("/join", methods=["GET", "POST"])
    @has_access
    def join(self) -> Any:
        """团队成员: choose the unit and the team."""
        if request.method == "POST":
            return self._redirect("CommissionerTeamView.join", _("已加入团队"), lambda: service.join_team(g.user, request.form.get("team")))
        teams = db.session.scalars(select(Team).where(Team.unit_id.in_([u.id for u in service.legal_units()]))
                                   .order_by(Team.unit_id, Team.id)).all()
        mine = db.session.scalar(select(TeamMember).where(TeamMember.user_id == g.user.id))
        return self.render_template("commissioner/join.html", teams=teams, mine=mine, profile=ind.profile_of(g.user),
                                    title=_("所属团队"))


class CommissionerTeamApplicationView(CommissionerReviewListMixin, ReviewViewMixin, ScopedModelView):
    """团队申请审核: the legal unit first, then the province, the pushed city, the province."""
    class_permission_name = "commissioner.TeamApplication"
    previous_class_permission_name = "KtpTeamApplicationView"

    route_base = "/commissioner/team-applications"
    datamodel = scoped_interface(TeamApplication)
    matter = service.TEAM
    entity_title = _l("法人科技特派员团队申请")
    list_title = _l("团队申请审核")
    review_detail_template = "commissioner/team_application_detail.html"
    review_attachments = False  # the detail shows the scans itself
    name_search = staticmethod(lambda text: TeamApplication.team.has(Team.name.contains(text)))
    name_search_label = _l("团队名称")
    label_columns = {"team": _l("团队"), "unit": _l("法人单位"), "intended_city": _l("拟服务地市"),
                     "field": _l("专业技术领域"), "review_state": _l("审核状态"),
                     "intended_county": _l("拟服务县（市）"), "intended_enterprise": _l("拟服务企业"),
                     "chain": _l("依托产业链")}
    list_columns = ["team", "unit", "intended_city", "field", "review_state"]
    search_columns = ["review_state", "field", "intended_county", "intended_enterprise", "chain"]
    base_permissions = ["can_list", "can_show"]
    method_permission_name = {"zip": "list"}
    base_order = ("id", "desc")
    list_template = "commissioner/team_application_list.html"

    def review_context(self, record: Any) -> dict[str, Any]:
        return {"push_units": [record.intended_city], "leader": ind.profile_of(record.team.leader),
                **scans_context(record)}

    @expose("/zip")
    @has_access
    def zip(self) -> Any:
        """打包下载 for a legal unit (or the departments): every team application as a PDF sheet, with the
        stamped team agreement scans."""
        from app.services.commissioner.bundles import zip_sheets
        from app.services.core import audit

        body, n = zip_sheets(
            self._export_query().limit(500), label=lambda rec: rec.team.name, sheet_name="团队申请表",
            sheet=service.sheet_pdf, scans="unit_stamped",
            agreement_of=lambda rec: db.session.scalar(
                select(TeamAgreement).where(TeamAgreement.application_id == rec.id)),
        )
        audit.record_now("export", object_type="commissioner.TeamApplication", object_repr="zip", detail=f"files={n}")
        name = quote(f"团队申请表_{n}份.zip")
        return Response(body, mimetype="application/zip",
                        headers={"Content-Disposition": f"attachment; filename=teams.zip; filename*=UTF-8''{name}"})


class CommissionerTeamListView(ScopedModelView):
    """团队 (for the legal units, cities and province): every team in scope, with 导出Excel."""
    class_permission_name = "commissioner.TeamList"
    previous_class_permission_name = "KtpTeamListView"

    route_base = "/commissioner/teams"
    datamodel = scoped_interface(Team)
    entity_title = _l("团队")
    list_title = _l("团队")
    label_columns = {"name": _l("团队名称"), "unit": _l("法人单位"), "leader": _l("负责人"), "size": _l("团队人数")}
    list_columns = ["name", "unit", "leader", "size"]
    show_columns = list_columns
    search_columns = ["name"]
    base_permissions = ["can_list", "can_show"]
    base_order = ("id", "desc")


class CommissionerTeamAgreementListView(ScopedModelView):
    """团队服务协议: the agreements of the teams in scope and their stamped scans."""
    class_permission_name = "commissioner.TeamAgreementList"
    previous_class_permission_name = "KtpTeamAgreementListView"

    route_base = "/commissioner/team-agreements"
    datamodel = scoped_interface(TeamAgreement)
    entity_title = _l("团队服务协议")
    list_title = _l("团队服务协议")
    show_template = "commissioner/agreement_show.html"
    label_columns = {"application": _l("团队申请"), "unit": _l("法人单位"), "enterprise_business": _l("服务企业主营业务"),
                     "needs": _l("科技服务需求"), "work_plan": _l("工作内容及时间安排"), "targets": _l("预期完成任务指标"),
                     "created_on": _l("填写时间")}
    list_columns = ["application", "unit", "created_on"]
    show_columns = ["application", "unit", "enterprise_business", "needs", "work_plan", "targets"]
    base_permissions = ["can_list", "can_show"]
    base_order = ("id", "desc")

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk: Any) -> Any:
        return self.show_with_attachments(pk)
