"""忘记密码 (P-10): login name + registered phone or e-mail, then a one-time code."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, session, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget, BS3TextFieldWidget
from flask_appbuilder.forms import DynamicForm
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo

from app.services.core import otp


class RequestCodeForm(DynamicForm):
    username = StringField(_l("登录名"), validators=[DataRequired(_l("请填写登录名"))], widget=BS3TextFieldWidget())
    phone = StringField(_l("手机号码或电子邮箱"), validators=[DataRequired(_l("请填写注册的手机号码或电子邮箱"))],
                        widget=BS3TextFieldWidget(), description=_l("验证码将发送到您注册的手机号码或电子邮箱"))


class ResetForm(DynamicForm):
    code = StringField(_l("验证码"), validators=[DataRequired(_l("请填写验证码"))], widget=BS3TextFieldWidget())
    password = PasswordField(_l("新密码"), validators=[DataRequired(_l("请填写新密码"))], widget=BS3PasswordFieldWidget(),
                             description=_l("至少8位，不能包含登录名"))
    conf_password = PasswordField(_l("确认新密码"), validators=[EqualTo("password", message=_l("两次输入的密码不一致"))],
                                  widget=BS3PasswordFieldWidget())


class ForgotPasswordView(BaseView):
    route_base = "/forgot"
    default_view = "start"

    @expose("/", methods=["GET", "POST"])
    def start(self) -> Any:
        form = RequestCodeForm(request.form if request.method == "POST" else None)
        if request.method == "POST" and form.validate():
            otp.request_code(form.username.data, form.phone.data)
            session["forgot"] = {"username": form.username.data.strip(), "phone": form.phone.data.strip()}
            flash(_("如登录名与手机号码（或电子邮箱）匹配，验证码已发送到该手机（或邮箱），请在10分钟内使用"), "info")
            return redirect(url_for("ForgotPasswordView.reset"))
        return self.render_template("forgot.html", form=form, step=1, title=_("找回密码"))

    @expose("/reset", methods=["GET", "POST"])
    def reset(self) -> Any:
        who = session.get("forgot")
        if not who:
            return redirect(url_for("ForgotPasswordView.start"))
        form = ResetForm(request.form if request.method == "POST" else None)
        if request.method == "POST" and form.validate():
            try:
                otp.reset_with_code(who["username"], who["phone"], form.code.data, form.password.data)
            except otp.OtpError as e:
                field = getattr(form, e.field or "", None)
                if field is not None:
                    field.errors = list(field.errors) + [str(e)]
            else:
                session.pop("forgot", None)
                flash(_("密码已重置，请用新密码登录"), "success")
                return redirect(url_for("AuthDBView.login"))
        return self.render_template("forgot.html", form=form, step=2, who=who, title=_("找回密码"))
