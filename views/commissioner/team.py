"""法人科技特派员 screens: the leader's team, members, application and agreement; the member's team
choice; the review list of the legal units, the province and the cities."""

from __future__ import annotations

from typing import Any

from flask import g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.services.commissioner import individual as ind
from app.services.commissioner import team as service
from models.commissioner.team import Team, TeamAgreement, TeamApplication, TeamMember
from views.base import ScopedModelView, scoped_interface
from views.commissioner.individual import CommissionerReviewListMixin, scans_context
from views.commissioner.pages import ApplicantPagesMixin
from views.review import ReviewViewMixin
from views.writes import write


class CommissionerTeamView(ApplicantPagesMixin, BaseView):
    class_permission_name = "commissioner.Team"
    previous_class_permission_name = "KtpTeamView"
    route_base = "/commissioner/team"
    default_view = "team"
    service = service
    application_template = "commissioner/team_application.html"
    application_title, agreement_title = _l("团队申请表"), _l("团队服务协议")
    agreement_owner, agreement_file = "commissioner.team_agreement", _l("团队服务协议")
    base_permissions = ["can_team", "can_join"]
    method_permission_name = {m: "team" for m in ("team", "remove", "application", "submit", "agreement",
                                                  "agreement_pdf")} | {"join": "join"}

    def _redirect(self, endpoint: str, ok: str, fn: Any) -> Any:
        write(fn, ok, errors={})  # the problems' summary is flashed
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

    def application_record(self) -> Any:
        return service.application_of(service.team_of_leader(g.user))

    def application_context(self, rec: Any) -> dict[str, Any]:
        return {"team": service.team_of_leader(g.user), "min_team": service.MIN_TEAM}

    def agreement_name(self, rec: Any) -> str:
        return rec.application.team.name

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
    matter_service = service
    zip_sheet_name, zip_scans, zip_agreement, zip_file = "团队申请表", "unit_stamped", TeamAgreement, "teams.zip"

    def zip_label(self, rec: Any) -> str:
        return rec.team.name

    def review_context(self, record: Any) -> dict[str, Any]:
        return {"push_units": [record.intended_city], "leader": ind.profile_of(record.team.leader),
                **scans_context(record)}


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
