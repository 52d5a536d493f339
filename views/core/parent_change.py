"""更换上级部门 (P-07): request on the own unit; reviewed by the old, then the new parent."""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.fieldwidgets import BS3TextAreaFieldWidget
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import Optional

from app.services.core.parent_change import PARENT_CHANGE, request_change
from app.workflow import ReviewError
from models.core.parent_change import ParentChange
from views.base import ScopedModelView
from views.fields import UnitSelectField, attach_error
from views.review import ReviewViewMixin


class ParentChangeForm(DynamicForm):
    new_parent = UnitSelectField(_l("新的上级单位"), any_unit=True)
    reason = TextAreaField(_l("变更理由"), validators=[Optional()], widget=BS3TextAreaFieldWidget())


class ParentChangeView(ReviewViewMixin, ScopedModelView):
    route_base = "/parentchanges"
    datamodel = SQLAInterface(ParentChange)
    matter = PARENT_CHANGE
    entity_title = _l("更换上级部门")
    list_title = _l("更换上级部门")
    label_columns = {
        "unit": _l("申请单位"), "old_parent": _l("原上级单位"), "new_parent": _l("新上级单位"),
        "reason": _l("变更理由"), "review_state": _l("审核状态"), "created_on": _l("申请时间"),
    }
    list_columns = ["unit", "old_parent", "new_parent", "review_state", "created_on"]
    show_columns = ["unit", "old_parent", "new_parent", "reason", "review_state", "created_on"]
    search_columns = ["review_state"]
    base_order = ("id", "desc")
    base_permissions = ["can_list", "can_show", "can_request"]
    method_permission_name = {"request_change": "request"}

    @expose("/request", methods=["GET", "POST"])
    @has_access
    def request_change(self) -> Any:
        unit = g.user.unit
        form = ParentChangeForm(request.form if request.method == "POST" else None)
        if request.method == "POST" and form.validate():
            try:
                record = request_change(unit, form.new_parent.data, form.reason.data, g.user)
            except ReviewError as e:
                attach_error(form, str(e), "new_parent")
            else:
                flash(_("已提交更换上级部门申请，待原上级单位和新上级单位审核"), "success")
                return redirect(url_for("ParentChangeView.review", pk=record.id))
        return self.render_template("review/parent_change_request.html", form=form, unit=unit,
                                    title=_("更换上级部门"))
