"""技术服务 (P-22): a page everybody reads, edited by the system administrator."""

from __future__ import annotations

from typing import Any

from flask import redirect, url_for
from flask_appbuilder import BaseView, ModelView, expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms.validators import Optional, Regexp

from app.extensions import db
from app.services.core.validators import check_phone
from models.core.setting import SupportInfo
from views.base import ChineseDisplayMixin, StrictActionsMixin
from views.fields import Checked, add_length_validators


def current_support() -> SupportInfo | None:
    return db.session.scalar(select(SupportInfo).order_by(SupportInfo.id))


class SupportView(BaseView):
    """The page itself: public, no login needed."""

    route_base = "/support"
    default_view = "page"

    @expose("/")
    def page(self) -> Any:
        return self.render_template("support.html", info=current_support(), title=_("技术服务"))


class SupportEditView(ChineseDisplayMixin, StrictActionsMixin, ModelView):
    route_base = "/supportedit"
    datamodel = SQLAInterface(SupportInfo)
    list_title = _l("技术服务设置")
    show_title = _l("技术服务设置")
    edit_title = _l("编辑技术服务信息")
    label_columns = {
        "title": _l("标题"), "contact": _l("联系人"), "phone": _l("电话"), "email": _l("电子邮箱"),
        "office_hours": _l("办公时间"), "address": _l("地址"), "note": _l("说明"), "changed_on": _l("修改时间"),
    }
    list_columns = ["title", "contact", "phone", "office_hours", "changed_on"]
    edit_columns = show_columns = ["title", "contact", "phone", "email", "office_hours", "address", "note"]
    base_permissions = ["can_list", "can_show", "can_edit"]
    validators_columns = {"phone": [Checked(check_phone)], "email": [Optional(), Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                                                                          message=_l("请填写正确的电子邮箱"))]}
    description_columns = {"phone": _l("固定电话（如 027-87654321）或11位手机号码")}

    def __init__(self, **kwargs: Any) -> None:
        add_length_validators(self, SupportInfo)  # the note is Text: TEXT_MAX_LENGTH
        super().__init__(**kwargs)

    @expose("/go/")
    def go(self) -> Any:
        info = current_support()
        if info is None:
            return redirect(url_for("SupportEditView.list"))
        return redirect(url_for("SupportEditView.edit", pk=info.id))
