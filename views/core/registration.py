"""单位自行注册 (P-03): the public form, 用户权限申请 and the parent's 注册审核."""

from __future__ import annotations

from typing import Any

from flask import flash, g, jsonify, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget, BS3TextFieldWidget
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Optional

from app.extensions import db
from app.services.core import units as unit_service
from app.services.core import users as user_service
from app.services.core.registration import (
    EDITABLE,
    REGISTRATION,
    panels,
    pending_steps,
    register_unit,
    registration_of,
    update_returned,
)
from app.services.core.validators import column_length
from app.workflow import act, last_refusal, review_of
from models.core.registration import UnitRegistration
from models.core.unit import Category, Unit
from models.core.user import UnitUser
from models.core.workflow import STATES
from views.base import ScopedModelView
from views.core.units import MultiCheckboxField
from views.fields import DictSelectField, UnitSelectField, attach_error
from views.review import ACTION_LABELS, ReviewViewMixin
from views.writes import write


class RegisterForm(DynamicForm):
    parent = UnitSelectField(_l("上级单位"), any_unit=True, endpoint="RegisterView.units")
    credit_code = StringField(_l("统一社会信用代码"),
                              validators=[DataRequired(_l("请填写统一社会信用代码")), column_length(Unit.credit_code)],
                              widget=BS3TextFieldWidget())
    name = StringField(_l("单位名称"), validators=[DataRequired(_l("请填写单位名称")), column_length(Unit.name)],
                       widget=BS3TextFieldWidget())
    nature = DictSelectField(_l("单位性质"), dict_code="unit_nature")
    phone = StringField(_l("联系电话"), validators=[DataRequired(_l("请填写联系电话")), column_length(Unit.phone)],
                        widget=BS3TextFieldWidget())
    categories = MultiCheckboxField(_l("单位类型"), choices=[], description=_l("须为上级单位有权授予的单位类型"))
    username = StringField(_l("管理员登录名"), validators=[DataRequired(_l("请填写登录名")), column_length(UnitUser.username)],
                           widget=BS3TextFieldWidget())
    admin_name = StringField(_l("管理员姓名"), validators=[DataRequired(_l("请填写姓名")), column_length(UnitUser.first_name)],
                             widget=BS3TextFieldWidget())
    admin_phone = StringField(_l("管理员手机号码"),
                              validators=[DataRequired(_l("请填写手机号码")), column_length(UnitUser.phone)],
                              widget=BS3TextFieldWidget())
    email = StringField(_l("电子邮箱"), validators=[Optional(), column_length(UnitUser.email)], widget=BS3TextFieldWidget())
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请填写密码"))], widget=BS3PasswordFieldWidget())
    conf_password = PasswordField(_l("确认密码"), validators=[EqualTo("password", message=_l("两次输入的密码不一致"))],
                                  widget=BS3PasswordFieldWidget())


class RegistrationEditForm(DynamicForm):
    credit_code = RegisterForm.credit_code
    name = RegisterForm.name
    nature = RegisterForm.nature
    phone = RegisterForm.phone
    categories = MultiCheckboxField(_l("单位类型"), choices=[], description=_l("须为上级单位有权授予的单位类型"))


def _category_choices() -> list[tuple[str, str]]:
    return [(str(c.id), c.name) for c in db.session.scalars(
        select(Category).where(Category.code != "core.root").order_by(Category.sort))]


class RegisterView(BaseView):
    """单位注册: public; the unit can work once its parent approves."""

    route_base = "/register"
    default_view = "form"

    @expose("/", methods=["GET", "POST"])
    def form(self) -> Any:
        form = RegisterForm(request.form if request.method == "POST" else None)
        form.categories.choices = _category_choices()
        valid = False
        if request.method == "POST":
            valid = form.validate()
            data = unit_service.NewUnit(
                name=form.name.data or "", credit_code=form.credit_code.data or "", nature=form.nature.data,
                phone=form.phone.data or "",
                category_ids=[int(x) for x in form.categories.data or [] if str(x).isdigit()],
            )
            admin = {"username": form.username.data, "name": form.admin_name.data, "phone": form.admin_phone.data,
                     "email": form.email.data or None, "password": form.password.data}
            # every problem at once: the validators' and the rules' of the unit and of its administrator
            problems = unit_service.basic_problems(form.parent.data, data) + [
                ({"name": "admin_name", "phone": "admin_phone"}.get(f, f), m)
                for f, m in user_service.new_user_problems(admin)]
            for field, message in problems:
                target = getattr(form, field, None)
                if target is not None and not target.errors:
                    attach_error(form, str(message), field)
            valid = valid and not problems
        if request.method == "POST" and valid:
            try:
                register_unit(form.parent.data, data, admin)
            except unit_service.UnitError as e:
                attach_error(form, str(e), e.field)
            except user_service.UserError as e:
                attach_error(form, str(e), {"name": "admin_name", "phone": "admin_phone"}.get(e.field, e.field))
            else:
                flash(_("注册已提交，请登录后在“用户权限申请”查看上级单位的审核结果"), "success")
                return redirect(url_for("AuthDBView.login"))
        return self.render_template("review/register.html", form=form, title=_("单位注册"))

    @expose("/units")
    def units(self) -> Any:
        q = (request.args.get("q") or "").strip()
        stmt = select(Unit.id, Unit.name).where(Unit.active.is_(True))
        if q:
            stmt = stmt.where(Unit.name.contains(q, autoescape=True))
        rows = db.session.execute(stmt.order_by(Unit.depth, Unit.id).limit(20)).all()
        return jsonify({"results": [{"id": r.id, "text": r.name} for r in rows], "pagination": {"more": False}})


class MyApplicationView(BaseView):
    """用户权限申请: the registering unit's status, opinions and resubmission."""

    route_base = "/myapplication"
    default_view = "page"

    @expose("/", methods=["GET", "POST"])
    def page(self) -> Any:
        if not current_user.is_authenticated:
            return redirect(url_for("AuthDBView.login"))
        record = registration_of(g.user)
        review = review_of(REGISTRATION.code, record.id) if record else None
        if request.method == "POST" and record is not None and g.user.is_unit_admin:
            write(lambda: act(REGISTRATION, record, g.user, "submit"), _("已重新提交"))
            return redirect(url_for("MyApplicationView.page"))
        return self.render_template("review/my_application.html", record=record, review=review, states=STATES,
                                    labels=ACTION_LABELS, unit=g.user.unit, steps=pending_steps(g.user), title=_("用户权限申请"),
                                    editable=bool(review and review.state in EDITABLE and g.user.is_unit_admin))

    @expose("/edit", methods=["GET", "POST"])
    def edit(self) -> Any:
        """修改注册信息 while the registration is back with the unit (P-03)."""
        if not current_user.is_authenticated:
            return redirect(url_for("AuthDBView.login"))
        record = registration_of(g.user)
        review = review_of(REGISTRATION.code, record.id) if record else None
        if record is None or review is None or review.state not in EDITABLE or not g.user.is_unit_admin:
            flash(_("注册申请审核中或已办结，不能修改"), "warning")
            return redirect(url_for("MyApplicationView.page"))
        unit = g.user.unit
        form = RegistrationEditForm(request.form if request.method == "POST" else None)
        form.categories.choices = _category_choices()
        if request.method == "GET":
            form.credit_code.data, form.name.data = unit.credit_code, unit.name
            form.nature.data, form.phone.data = unit.nature, unit.phone
            form.categories.data = [str(c.id) for c in unit.categories]
        if request.method == "POST" and form.validate():
            data = unit_service.NewUnit(name=form.name.data, credit_code=form.credit_code.data, nature=form.nature.data,
                                        phone=form.phone.data, category_ids=[int(x) for x in form.categories.data or []])
            if write(lambda: update_returned(record, data, g.user), _("注册信息已保存；确认无误后请点击“重新提交审核”"),
                     form=form, refusal=None):
                return redirect(url_for("MyApplicationView.page"))
        last = last_refusal(review, ("return",))
        return self.render_template("review/registration_edit.html", form=form, title=_("修改注册信息"),
                                    opinion=last.opinion if last else None)


class UnitRegistrationView(ReviewViewMixin, ScopedModelView):
    """下级单位注册审核 by the parent."""

    route_base = "/unitregistrations"
    datamodel = SQLAInterface(UnitRegistration)
    matter = REGISTRATION
    entity_title = _l("下级单位注册审核")
    list_title = _l("下级单位注册审核")
    label_columns = {"unit": _l("注册单位"), "review_state": _l("审核状态"), "created_on": _l("注册时间")}
    list_columns = ["unit", "review_state", "created_on"]
    show_columns = ["unit", "review_state", "created_on"]
    search_columns = ["review_state"]
    base_order = ("id", "desc")
    base_permissions = ["can_list", "can_show"]
    review_detail_template = "review/registration_detail.html"

    def review_context(self, record: Any) -> dict[str, Any]:
        unit = db.session.get(Unit, record.unit_id)
        return {"unit": unit, "panels": panels(unit)}


def unit_is_pending(user: Any) -> bool:
    unit = db.session.get(Unit, user.unit_id) if getattr(user, "unit_id", None) else None
    return unit is not None and not unit.active

