"""科技特派员 screens: 注册, 基本信息, 个人申请表 (with its status and opinions), 个人服务协议 and its PDF,
and the review list of the city and province departments."""

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
from app.services.commissioner import individual as service
from app.services.core import attachments, dicts
from app.services.core import users as user_service
from app.workflow import ReviewError, act, allowed_actions
from models.commissioner.individual import KINDS, Agreement, Application, Commissioner
from models.core.workflow import STATES
from views.base import ScopedModelView, scoped_interface
from views.review import ACTION_LABELS, ReviewViewMixin


class CommissionerRegisterView(BaseView):
    """注册 (public): name, login, password, phone and the role the person takes."""
    class_permission_name = "commissioner.Register"
    previous_class_permission_name = "KtpRegisterView"

    route_base = "/commissioner/register"
    default_view = "form"

    @expose("/", methods=["GET", "POST"])
    def form(self) -> Any:
        errors: dict[str, str] = {}
        if request.method == "POST":
            try:
                user_service.check_person_phone(request.form.get("phone") or "")  # one number, one account
                service.register_person(request.form)
                db.session.commit()
            except service.CommissionerError as e:
                db.session.rollback()
                errors.update(e.errors())
            except user_service.UserError as e:
                db.session.rollback()
                errors[e.field or "_"] = str(e)
            else:
                flash(_("操作成功，请使用注册的账号登录"), "success")
                return redirect(self.appbuilder.get_url_for_login)
        return self.render_template("commissioner/register.html", form=request.form, errors=errors, kinds=service.PERSON_ROLES,
                                    title=_("科技特派员注册"))


class CommissionerMyView(BaseView):
    """The commissioner's own pages; every record is the account's own."""
    class_permission_name = "commissioner.My"
    previous_class_permission_name = "KtpMyView"

    route_base = "/commissioner/my"
    default_view = "profile"
    base_permissions = ["can_profile", "can_application", "can_agreement"]
    method_permission_name = {"profile": "profile", "application": "application", "submit": "application",
                              "agreement": "agreement", "agreement_pdf": "agreement"}

    @expose("/profile", methods=["GET", "POST"])
    @has_access
    def profile(self) -> Any:
        errors: dict[str, str] = {}
        rec = service.profile_of(g.user)
        if request.method == "POST":
            try:
                service.save_profile(g.user, request.form)
                db.session.commit()
            except service.CommissionerError as e:
                db.session.rollback()
                errors.update(e.errors())
                flash(e.summary(), "danger")
            else:
                flash(_("基本信息已保存"), "success")
                return redirect(url_for("CommissionerMyView.profile"))
        values = request.form if request.method == "POST" else {
            **{k: getattr(rec, k) for k, _l2 in service.PROFILE_FIELDS}, "city": rec.unit_id} if rec else {}
        return self.render_template(
            "commissioner/profile.html", values=values, errors=errors, fields=service.PROFILE_FIELDS, cities=service.cities(),
            sexes=dicts.choices("sex"), politics=dicts.choices("politics"), educations=dicts.choices("education"),
            certified=rec.certified_at if rec else None, need_city=service.rec_kind(g.user) == "individual",
            title=_("基本信息"))

    @expose("/application", methods=["GET", "POST"])
    @has_access
    def application(self) -> Any:
        errors: dict[str, str] = {}
        if request.method == "POST":
            try:
                service.save_application(g.user, request.form)
                db.session.commit()
            except service.CommissionerError as e:
                db.session.rollback()
                errors.update(e.errors())
                flash(e.summary(), "danger")
            else:
                flash(_("申请表已保存；确认无误后请点击“提交审核”"), "success")
                return redirect(url_for("CommissionerMyView.application"))
        st = service.status(g.user)
        rec = st["application"]
        values = request.form if request.method == "POST" else (
            {**{k: getattr(rec, k) for k, _l2 in service.APPLICATION_FIELDS}, "intended_city": rec.intended_city_id}
            if rec else {})
        return self.render_template(
            "commissioner/application.html", values=values, errors=errors, fields=service.APPLICATION_FIELDS,
            cities=service.cities(), rec=rec, review=st["review"], states=STATES,
            labels={**ACTION_LABELS, **service.INDIVIDUAL.labels},
            profile=service.profile_of(g.user), editable=rec is None or rec.editable,
            can_withdraw=rec is not None and "withdraw" in allowed_actions(service.INDIVIDUAL, st["review"], g.user),
            title=_("个人申请表"))

    @expose("/application/submit", methods=["POST"])
    @has_access
    def submit(self) -> Any:
        rec = service.application_of(g.user)
        if rec is None:
            flash(_("请先填写并保存申请表"), "warning")
            return redirect(url_for("CommissionerMyView.application"))
        action = "withdraw" if request.form.get("action") == "withdraw" else "submit"
        try:
            act(service.INDIVIDUAL, rec, g.user, action)
            db.session.commit()
        except ReviewError as e:
            db.session.rollback()
            flash(str(e), "danger")
        else:
            flash(_("已撤回，可修改后重新提交") if action == "withdraw" else _("已提交审核"), "success")
        return redirect(url_for("CommissionerMyView.application"))

    @expose("/agreement", methods=["GET", "POST"])
    @has_access
    def agreement(self) -> Any:
        app_rec = service.approved(g.user)
        if app_rec is None:
            return self.render_template("commissioner/agreement.html", locked=True, title=_("个人服务协议"))
        errors: dict[str, str] = {}
        rec = service.agreement_of(g.user)
        if request.method == "POST":
            try:
                service.save_agreement(g.user, request.form)
                db.session.commit()
            except service.CommissionerError as e:
                db.session.rollback()
                errors.update(e.errors())
                flash(e.summary(), "danger")
            else:
                flash(_("服务协议已保存，可下载打印"), "success")
                return redirect(url_for("CommissionerMyView.agreement"))
        values = request.form if request.method == "POST" else (
            {k: getattr(rec, k) for k, _l2 in service.AGREEMENT_FIELDS} if rec else {})
        return self.render_template(
            "commissioner/agreement.html", locked=False, values=values, errors=errors, fields=service.AGREEMENT_FIELDS, rec=rec,
            owner=attachments.OWNERS["commissioner.agreement"], files=attachments.current(rec) if rec else [],
            title=_("个人服务协议"))

    @expose("/agreement/pdf")
    @has_access
    def agreement_pdf(self) -> Any:
        rec = service.agreement_of(g.user)
        if rec is None:
            abort(404)
        body = service.agreement_pdf(rec)
        name = quote(f"个人服务协议_{rec.application.commissioner.name}.pdf")
        return Response(body, mimetype="application/pdf",
                        headers={"Content-Disposition": f"attachment; filename=agreement.pdf; filename*=UTF-8''{name}"})


def scans_context(record: Any) -> dict[str, Any]:
    """The stamped scans of an application; upload and delete are offered on the slots the user
    may write now (the attachment service's rule, the one its endpoints apply)."""
    owner = attachments.owner_of(record)
    editable = any(attachments.can_write(record, slot.code) for slot in owner.slots)
    return {"scan_owner": owner, "scan_files": attachments.current(record), "scan_editable": editable}


STAGES = {"province": [("review", _l("申请审核")), ("push", _l("推送管理"))],
              "city": [("review", _l("申请审核")), ("accept", _l("对接审核"))],
              "legal": [("review", _l("申请审核"))]}


class CommissionerReviewListMixin:
    """选派管理: both commissioner review lists show the matter switch and the stages of this unit."""

    def render_template(self, template: str, **kwargs: Any) -> Any:
        if template == self.list_template:  # type: ignore[attr-defined]
            from app.services.commissioner.org import kind_of
            from app.services.commissioner.team import TEAM
            from views.review import stage_count

            stage = request.args.get("todo") if request.args.get("todo") in ("review", "push", "accept") else "1"
            kind = kind_of(g.user.unit) if getattr(g.user, "unit_id", None) else None
            kwargs["commissioner_counts"] = {"individual": stage_count(service.INDIVIDUAL, g.user, stage),
                                    "team": stage_count(TEAM, g.user, stage)}
            matter = self.matter  # type: ignore[attr-defined]
            kwargs["commissioner_kind"] = kind
            kwargs["commissioner_stages"] = [(code, str(label), stage_count(matter, g.user, code))
                                    for code, label in STAGES.get(kind or "", [])]
        return super().render_template(template, **kwargs)  # type: ignore[misc]


class CommissionerApplicationView(CommissionerReviewListMixin, ReviewViewMixin, ScopedModelView):
    """申请审核 / 对接审核 / 推送管理: one list; the engine decides what each unit may do."""
    class_permission_name = "commissioner.Application"
    previous_class_permission_name = "KtpApplicationView"

    route_base = "/commissioner/applications"
    datamodel = scoped_interface(Application)
    matter = service.INDIVIDUAL
    entity_title = _l("个人科技特派员申请")
    list_title = _l("个人科技特派员申请审核")
    review_detail_template = "commissioner/application_detail.html"
    review_attachments = False  # the detail shows the scans itself
    name_search = staticmethod(lambda text: Application.commissioner.has(Commissioner.name.contains(text)))
    label_columns = {"commissioner": _l("姓名"), "unit": _l("所在地市"), "intended_city": _l("拟服务地市"),
                     "major": _l("专业"), "intended_enterprise": _l("拟服务企业"), "review_state": _l("审核状态"),
                     "intended_county": _l("拟服务县（市、区）"), "industry": _l("服务产业领域")}
    list_columns = ["commissioner", "unit", "intended_city", "major", "intended_enterprise", "review_state"]
    search_columns = ["review_state", "major", "intended_county", "intended_enterprise", "industry"]
    base_permissions = ["can_list", "can_show"]
    method_permission_name = {"zip": "list"}
    base_order = ("id", "desc")
    list_template = "commissioner/application_list.html"

    def review_context(self, record: Any) -> dict[str, Any]:
        return {"person": record.commissioner, "push_units": [record.intended_city], **scans_context(record)}

    @expose("/zip")
    @has_access
    def zip(self) -> Any:
        """打包下载: every application of the current list as a PDF sheet, with stamped agreement scans."""
        from app.services.commissioner.bundles import zip_sheets
        from app.services.core import audit

        body, n = zip_sheets(
            self._export_query().limit(500), label=lambda rec: rec.commissioner.name, sheet_name="个人申请表",
            sheet=service.sheet_pdf, scans="city_stamped",
            agreement_of=lambda rec: db.session.scalar(select(Agreement).where(Agreement.application_id == rec.id)),
        )
        audit.record_now("export", object_type="commissioner.Application", object_repr="zip", detail=f"files={n}")
        name = quote(f"个人申请表_{n}份.zip")
        return Response(body, mimetype="application/zip",
                        headers={"Content-Disposition": f"attachment; filename=applications.zip; filename*=UTF-8''{name}"})


class CommissionerDispatchedView(BaseView):
    """派驻单位 (TC-10): the role exists; its screens are still being built (as the manual says)."""
    class_permission_name = "commissioner.Dispatched"
    previous_class_permission_name = "KtpDispatchedView"

    route_base = "/commissioner/dispatched"
    default_view = "index"
    base_permissions = ["can_index"]

    @expose("/")
    @has_access
    def index(self) -> Any:
        return self.render_template("commissioner/dispatched.html", title=_("派驻单位"))


class CommissionerPeopleView(ScopedModelView):
    """科技特派员 (people): everyone in scope with their basic information, with 导出Excel."""
    class_permission_name = "commissioner.People"
    previous_class_permission_name = "KtpCommissionerView"

    route_base = "/commissioner/people"
    datamodel = scoped_interface(Commissioner)
    entity_title = _l("科技特派员")
    list_title = _l("科技特派员人员")
    label_columns = {"name": _l("姓名"), "kind": _l("类别"), "sex": _l("性别"), "birth_ym": _l("出生年月"),
                     "native_place": _l("籍贯"), "politics": _l("政治面貌"), "education": _l("学历"),
                     "workplace": _l("工作单位"), "post": _l("单位职务"), "title": _l("职称"), "phone": _l("联系电话"),
                     "unit": _l("所在地市"), "certified_at": _l("认定为省级科技特派员")}
    list_columns = ["name", "kind", "sex", "workplace", "title", "unit", "certified_at"]
    show_columns = ["name", "kind", "sex", "birth_ym", "native_place", "politics", "education", "workplace", "post",
                    "title", "phone", "unit", "certified_at"]
    export_columns = show_columns
    search_columns = ["name", "kind", "workplace"]
    base_permissions = ["can_list", "can_show"]
    base_order = ("id", "desc")
    formatters_columns = {"kind": lambda v: KINDS.get(v, v)}


class CommissionerAgreementListView(ScopedModelView):
    """个人服务协议: agreements of the individuals in scope and their stamped scans."""
    class_permission_name = "commissioner.AgreementList"
    previous_class_permission_name = "KtpAgreementListView"

    route_base = "/commissioner/agreements"
    datamodel = scoped_interface(Agreement)
    entity_title = _l("个人服务协议")
    list_title = _l("个人服务协议")
    show_template = "commissioner/agreement_show.html"
    label_columns = {"application": _l("个人申请"), "unit": _l("所在地市"), "specialty": _l("专业技术特长"),
                     "enterprise_business": _l("服务企业主营业务"), "needs": _l("科技服务需求"),
                     "work_plan": _l("工作内容及时间安排"), "targets": _l("预期完成任务指标"), "created_on": _l("填写时间")}
    list_columns = ["application", "unit", "created_on"]
    show_columns = ["application", "unit", "specialty", "enterprise_business", "needs", "work_plan", "targets"]
    base_permissions = ["can_list", "can_show"]
    base_order = ("id", "desc")

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk: Any) -> Any:
        return self.show_with_attachments(pk)
