"""科技特派员 screens: 注册, 基本信息, 个人申请表 (with its status and opinions), 个人服务协议 and its PDF,
and the review list of the city and province departments."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Response, g, redirect, request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.services.commissioner import individual as service
from app.services.core import attachments, dicts
from app.services.core import users as user_service
from models.commissioner.individual import KINDS, Agreement, Application, Commissioner
from views.base import ScopedModelView, scoped_interface
from views.commissioner.pages import ApplicantPagesMixin
from views.review import ReviewViewMixin
from views.writes import save_then_redirect, write


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
            def register() -> None:
                user_service.check_person_phone(request.form.get("phone") or "")  # one number, one account
                service.register_person(request.form)

            if write(register, _("操作成功，请使用注册的账号登录"), errors=errors, refusal=None):
                return redirect(self.appbuilder.get_url_for_login)
        return self.render_template("commissioner/register.html", form=request.form, errors=errors, kinds=service.PERSON_ROLES,
                                    title=_("科技特派员注册"))


class CommissionerMyView(ApplicantPagesMixin, BaseView):
    """The commissioner's own pages; every record is the account's own."""
    class_permission_name = "commissioner.My"
    previous_class_permission_name = "KtpMyView"

    route_base = "/commissioner/my"
    default_view = "profile"
    service = service
    application_template = "commissioner/application.html"
    application_title, agreement_title = _l("个人申请表"), _l("个人服务协议")
    agreement_owner, agreement_file = "commissioner.agreement", _l("个人服务协议")
    base_permissions = ["can_profile", "can_application", "can_agreement"]
    method_permission_name = {"profile": "profile", "application": "application", "submit": "application",
                              "agreement": "agreement", "agreement_pdf": "agreement"}

    @expose("/profile", methods=["GET", "POST"])
    @has_access
    def profile(self) -> Any:
        errors: dict[str, str] = {}
        rec = service.profile_of(g.user)
        if request.method == "POST":
            done = save_then_redirect(lambda: service.save_profile(g.user, request.form), _("基本信息已保存"),
                                      "CommissionerMyView.profile", errors)
            if done is not None:
                return done
        values = request.form if request.method == "POST" else {
            **{k: getattr(rec, k) for k, _l2 in service.PROFILE_FIELDS}, "city": rec.unit_id} if rec else {}
        return self.render_template(
            "commissioner/profile.html", values=values, errors=errors, fields=service.PROFILE_FIELDS, cities=service.cities(),
            sexes=dicts.choices("sex"), politics=dicts.choices("politics"), educations=dicts.choices("education"),
            certified=rec.certified_at if rec else None, need_city=service.rec_kind(g.user) == "individual",
            title=_("基本信息"))

    def application_record(self) -> Any:
        return service.application_of(g.user)

    def application_context(self, rec: Any) -> dict[str, Any]:
        return {"profile": service.profile_of(g.user)}

    def agreement_name(self, rec: Any) -> str:
        return rec.application.commissioner.name


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

    # 打包下载: what each list bundles
    zip_sheet_name: str  # the sheets' name in the zip: 个人申请表 / 团队申请表
    zip_scans: str  # the slot of the stamped application scan
    zip_agreement: type  # the agreement model whose stamped scans go along
    zip_file: str  # the ASCII file name beside the Chinese one

    def zip_label(self, rec: Any) -> str:
        raise NotImplementedError

    @expose("/zip")
    @has_access
    def zip(self) -> Any:
        """打包下载: every application of the current list as a PDF sheet, with the stamped agreement scans."""
        from app.services.commissioner.bundles import zip_sheets
        from app.services.core import audit

        agreement = self.zip_agreement
        body, n = zip_sheets(
            self._export_query().limit(500), label=self.zip_label, sheet_name=self.zip_sheet_name,  # type: ignore[attr-defined]
            sheet=self.matter_service.sheet_pdf, scans=self.zip_scans,
            agreement_of=lambda rec: db.session.scalar(select(agreement).where(agreement.application_id == rec.id)),
        )
        audit.record_now("export", object_type=self.class_permission_name, object_repr="zip",  # type: ignore[attr-defined]
                         detail=f"files={n}")
        name = quote(f"{self.zip_sheet_name}_{n}份.zip")
        return Response(body, mimetype="application/zip",
                        headers={"Content-Disposition": f"attachment; filename={self.zip_file}; filename*=UTF-8''{name}"})


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
    matter_service = service
    zip_sheet_name, zip_scans, zip_agreement, zip_file = "个人申请表", "city_stamped", Agreement, "applications.zip"

    def zip_label(self, rec: Any) -> str:
        return rec.commissioner.name

    def review_context(self, record: Any) -> dict[str, Any]:
        return {"person": record.commissioner, "push_units": [record.intended_city], **scans_context(record)}


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
