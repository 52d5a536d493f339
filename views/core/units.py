"""单位管理: unit list, own unit, lazy tree, the 3-step child wizard, appoint, move."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, g, jsonify, redirect, request, session, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.actions import action
from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget, BS3TextFieldWidget
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access, has_access_api
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import PasswordField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, EqualTo, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.extensions import db
from app.security.scope import scope_clause
from app.services.core import units as unit_service
from app.services.core import users as user_service
from app.services.core.validators import check_phone, column_length
from models.core.unit import Department, Unit
from models.core.user import UnitUser
from views.base import FormError, ScopedModelRestApi, ScopedModelView
from views.fields import DictSelectField, RegionField, UnitSelectField, attach_error
from views.writes import write

UNIT_LABELS = {
    "name": _l("单位名称"),
    "credit_code": _l("统一社会信用代码"),
    "parent": _l("上级单位"),
    "categories": _l("单位类型"),
    "nature": _l("单位性质"),
    "region_code": _l("职称业务归属地"),
    "phone": _l("联系电话"),
    "address": _l("地址"),
    "legal_name": _l("法定代表人"),
    "legal_id_type": _l("法定代表人证件类型"),
    "legal_id_number": _l("法定代表人证件号码"),
    "legal_phone": _l("法定代表人电话"),
    "active": _l("启用"),
    "depth": _l("层级"),
    "created_on": _l("创建时间"),
    "changed_on": _l("修改时间"),
    "admin_name": _l("管理员"),
}


class MultiCheckboxField(SelectMultipleField):
    """Check boxes; the service checks the values (so a refusal reads in Chinese)."""

    widget = ListWidget(prefix_label=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("validate_choice", False)
        super().__init__(*args, **kwargs)
    option_widget = CheckboxInput()


def _category_choices(parent: Unit | None) -> list[tuple[str, str]]:
    return [(str(c.id), c.name) for c in unit_service.grantable_categories(parent)]


class UnitView(ScopedModelView):
    """下级单位管理: every unit of the user's subtree."""

    route_base = "/units"
    datamodel = SQLAInterface(Unit)
    entity_title = _l("单位")
    list_title = _l("单位信息管理")
    label_columns = UNIT_LABELS
    list_columns = ["name", "credit_code", "parent", "categories", "nature", "region_code", "active"]
    show_fieldsets = [
        (_l("基本信息"), {"fields": ["name", "credit_code", "parent", "categories", "nature", "region_code", "phone", "address", "active"]}),
        (_l("法人信息"), {"fields": ["legal_name", "legal_id_type", "legal_id_number", "legal_phone"]}),
    ]
    edit_columns = ["name", "nature", "region_code", "phone", "address", "legal_name", "legal_id_type", "legal_id_number", "legal_phone"]
    search_columns = ["name", "credit_code", "categories", "nature", "active"]
    order_columns = ["name", "credit_code"]
    base_order = ("path", "asc")
    base_permissions = ["can_list", "can_show", "can_edit", "can_appoint", "can_move", "activate", "deactivate"]
    edit_form_extra_fields = {"legal_id_type": DictSelectField(_l("法定代表人证件类型"), dict_code="id_type")}
    list_template = "units/list.html"
    show_template = "units/show.html"

    def pre_update(self, item: Any) -> None:
        unit_service.check_record(item)  # the same rule as PUT /api/v1/unit/<id>; shown beside the fields

    @expose("/appoint/<pk>", methods=["GET", "POST"])
    @has_access
    def appoint(self, pk: Any) -> Any:
        """分配管理员 for a child unit that has none."""
        unit = self.get_scoped(pk)
        form = OperatorForm(request.form if request.method == "POST" else None)
        if request.method == "POST" and form.validate():
            if write(lambda: user_service.appoint_admin(unit, g.user, _operator_data(form)),
                     _("已为%(unit)s分配管理员", unit=unit.name), form=form, refusal=None):
                return redirect(url_for("UnitView.show", pk=unit.id))
        return self.render_template(
            "units/appoint.html", form=form, unit=unit, title=_("分配管理员"),
            admin=user_service.unit_admin(unit.id),
        )

    @expose("/move/<pk>", methods=["GET", "POST"])
    @has_access
    def move(self, pk: Any) -> Any:
        """Move a unit (and its subtree) under another unit of the user's scope."""
        unit = self.get_scoped(pk)
        form = MoveForm(request.form if request.method == "POST" else None)
        if request.method == "POST" and form.validate():
            if write(lambda: unit_service.move_subtree(unit, form.parent.data),
                     lambda n: _("已移动，共更新%(n)s个单位", n=n), form=form, refusal=None):
                return redirect(url_for("UnitView.show", pk=unit.id))
        return self.render_template("units/move.html", form=form, unit=unit, title=_("移动单位"))

    @action("activate", _l("启用"), _l("确定启用所选单位？"), "fa-check", single=False)
    def activate(self, items: Any) -> Any:
        return self._set_active(items, True)

    @action("deactivate", _l("停用"), _l("停用后该单位及其用户将无法访问数据，确定停用？"), "fa-ban", single=False)
    def deactivate(self, items: Any) -> Any:
        return self._set_active(items, False)

    def _set_active(self, items: Any, active: bool) -> Any:
        items = items if isinstance(items, list) else [items]

        def set_active() -> int:
            done = 0
            for item in items:
                if item.id == g.user.unit_id or item.parent_id is None:
                    flash(_("不能停用本单位或根单位：%(n)s", n=item.name), "warning")
                    continue
                item.active = active
                done += 1
            return done

        write(set_active, lambda done: _("已处理%(n)s个单位", n=done))
        return redirect(self.get_redirect())


class OperatorForm(DynamicForm):
    username = StringField(_l("登录名"), validators=[DataRequired(_l("请填写登录名")), column_length(UnitUser.username)],
                           widget=BS3TextFieldWidget(), description=_l("登录名创建后不可修改"))
    name = StringField(_l("姓名"), validators=[DataRequired(_l("请填写姓名")), column_length(UnitUser.first_name)],
                       widget=BS3TextFieldWidget())
    phone = StringField(_l("手机号码"), validators=[DataRequired(_l("请填写手机号码")), column_length(UnitUser.phone)],
                        widget=BS3TextFieldWidget(), description=_l("用于找回密码"))
    email = StringField(_l("电子邮箱"), validators=[Optional(), column_length(UnitUser.email)], widget=BS3TextFieldWidget())
    password = PasswordField(_l("初始密码"), validators=[DataRequired(_l("请填写初始密码"))], widget=BS3PasswordFieldWidget())
    conf_password = PasswordField(
        _l("确认密码"), validators=[EqualTo("password", message=_l("两次输入的密码不一致"))], widget=BS3PasswordFieldWidget()
    )


class MoveForm(DynamicForm):
    parent = UnitSelectField(_l("新的上级单位"))


def _operator_data(form: Any) -> dict[str, Any]:
    return {
        "username": (form.username.data or "").strip(),
        "name": (form.name.data or "").strip(),
        "phone": (form.phone.data or "").strip(),
        "email": (form.email.data or "").strip() or None,
        "password": form.password.data or "",
    }


def _attach(form: Any, err: Any) -> None:
    attach_error(form, str(err), getattr(err, "field", None))


class BasicInfoForm(DynamicForm):
    credit_code = StringField(_l("统一社会信用代码"),
                              validators=[DataRequired(_l("请填写统一社会信用代码")), column_length(Unit.credit_code)],
                              widget=BS3TextFieldWidget(), description=_l("18位，按 GB 32100 校验"))
    name = StringField(_l("单位名称"), validators=[DataRequired(_l("请填写单位名称")), column_length(Unit.name)],
                       widget=BS3TextFieldWidget())
    nature = DictSelectField(_l("单位性质"), dict_code="unit_nature")
    region_code = RegionField(_l("职称业务归属地"), description=_l("办理职称业务的归属地，非单位所在地"))
    phone = StringField(_l("联系电话"), validators=[DataRequired(_l("请填写联系电话")), column_length(Unit.phone)],
                        widget=BS3TextFieldWidget())
    address = StringField(_l("地址"), validators=[Optional(), column_length(Unit.address)], widget=BS3TextFieldWidget())
    categories = MultiCheckboxField(_l("单位类型"), choices=[], description=_l("只能选择上级单位有权授予的单位类型"))


class LegalForm(DynamicForm):
    legal_name = StringField(_l("法定代表人"), validators=[Optional(), column_length(Unit.legal_name)],
                             widget=BS3TextFieldWidget())
    legal_id_type = DictSelectField(_l("证件类型"), dict_code="id_type")
    legal_id_number = StringField(_l("证件号码"), validators=[Optional(), column_length(Unit.legal_id_number)],
                                  widget=BS3TextFieldWidget())
    legal_phone = StringField(_l("联系电话"), validators=[Optional(), column_length(Unit.legal_phone)],
                              widget=BS3TextFieldWidget())


WIZARD_KEY = "new_unit_wizard"


class NewChildUnitView(BaseView):
    """新增下级单位 in three steps; what was typed stays in the session between steps."""

    route_base = "/newunit"
    default_view = "step1"
    method_permission_name = {"step1": "add", "step2": "add", "step3": "add", "cancel": "add"}
    base_permissions = ["can_add"]

    def _parent(self) -> Unit:
        unit = g.user.unit
        if unit is None or not unit_service.can_manage_children(g.user, unit):
            abort(403)
        return unit

    def _data(self) -> dict[str, Any]:
        return dict(session.get(WIZARD_KEY) or {})

    def _store(self, data: dict[str, Any]) -> None:
        session[WIZARD_KEY] = data

    def _render(self, step: int, form: Any, parent: Unit) -> Any:
        return self.render_template(
            "units/wizard.html", form=form, step=step, parent=parent, title=_("新增下级单位"),
            steps=[_("维护基本信息"), _("维护法人信息"), _("添加经办人员")],
        )

    @expose("/", methods=["GET", "POST"])
    @has_access
    def step1(self) -> Any:
        parent = self._parent()
        data = self._data()
        form = BasicInfoForm(request.form if request.method == "POST" else None, data=data.get("basic") or None)
        form.categories.choices = _category_choices(parent)
        if request.method == "POST" and form.validate():
            basic = {k: form[k].data for k in ("credit_code", "name", "nature", "region_code", "phone", "address")}
            basic["category_ids"] = [int(x) for x in form.categories.data or []]
            basic["categories"] = form.categories.data or []
            try:
                unit_service.check_basic(parent, unit_service.NewUnit(**{k: v for k, v in basic.items() if k != "categories"}))
                reason = check_phone(basic.get("phone") or "")
                if reason:
                    raise unit_service.UnitError(reason, "phone")
            except unit_service.UnitError as e:
                _attach(form, e)
            else:
                data["basic"] = basic
                self._store(data)
                return redirect(url_for("NewChildUnitView.step2"))
        return self._render(1, form, parent)

    @expose("/legal", methods=["GET", "POST"])
    @has_access
    def step2(self) -> Any:
        parent = self._parent()
        data = self._data()
        if not data.get("basic"):
            return redirect(url_for("NewChildUnitView.step1"))
        form = LegalForm(request.form if request.method == "POST" else None, data=data.get("legal") or None)
        if request.method == "POST":
            if request.form.get("back"):
                data["legal"] = {k: form[k].data for k in ("legal_name", "legal_id_type", "legal_id_number", "legal_phone")}
                self._store(data)
                return redirect(url_for("NewChildUnitView.step1"))
            if form.validate():
                ok = True
                if form.legal_id_type.data == "01" and form.legal_id_number.data:
                    from app.services.core.validators import check_id_number

                    reason = check_id_number(form.legal_id_number.data)
                    if reason:
                        form.legal_id_number.errors = list(form.legal_id_number.errors) + [reason]
                        ok = False
                reason = check_phone(form.legal_phone.data or "")
                if reason:
                    form.legal_phone.errors = list(form.legal_phone.errors) + [reason]
                    ok = False
                if ok:
                    data["legal"] = {k: form[k].data for k in ("legal_name", "legal_id_type", "legal_id_number", "legal_phone")}
                    self._store(data)
                    return redirect(url_for("NewChildUnitView.step3"))
        return self._render(2, form, parent)

    @expose("/operator", methods=["GET", "POST"])
    @has_access
    def step3(self) -> Any:
        parent = self._parent()
        data = self._data()
        if not data.get("basic"):
            return redirect(url_for("NewChildUnitView.step1"))
        op = dict(data.get("operator") or {})
        form = OperatorForm(request.form if request.method == "POST" else None, data=op or None)
        if request.method == "POST":
            if request.form.get("back"):
                data["operator"] = {k: form[k].data for k in ("username", "name", "phone", "email")}
                self._store(data)
                return redirect(url_for("NewChildUnitView.step2"))
            if form.validate():
                basic = dict(data["basic"])
                basic.pop("categories", None)
                new = unit_service.NewUnit(**basic, **(data.get("legal") or {}), admin=_operator_data(form))
                try:
                    unit = unit_service.create_child_unit(parent, new, g.user)
                except user_service.UserError as e:
                    _attach(form, e)
                except unit_service.UnitError as e:
                    flash(str(e), "danger")
                    data["operator"] = {k: form[k].data for k in ("username", "name", "phone", "email")}
                    self._store(data)
                    return redirect(url_for("NewChildUnitView.step1"))
                else:
                    session.pop(WIZARD_KEY, None)
                    flash(_("已新增下级单位“%(n)s”，经办人员“%(u)s”为其管理员", n=unit.name, u=form.username.data), "success")
                    return redirect(url_for("UnitView.show", pk=unit.id))
        return self._render(3, form, parent)

    @expose("/cancel", methods=["POST"])
    @has_access
    def cancel(self) -> Any:
        session.pop(WIZARD_KEY, None)
        return redirect(url_for("UnitView.list"))


class OwnUnitView(BaseView):
    """本单位信息: the administrator edits the own unit; staff see it."""

    route_base = "/ownunit"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self) -> Any:
        unit = g.user.unit
        if unit is None:
            abort(404)
        if g.user.is_unit_admin and self.appbuilder.sm.has_access("can_edit", "UnitView"):
            return redirect(url_for("UnitView.edit", pk=unit.id))
        if self.appbuilder.sm.has_access("can_show", "UnitView"):
            return redirect(url_for("UnitView.show", pk=unit.id))
        # 安全管理员, 审计管理员 and others without the unit screens: the unit's card, read only
        return self.render_template("units/own_info.html", unit=unit, admin=user_service.unit_admin(unit.id),
                                    title=_("本单位信息"))


class UnitTreeView(BaseView):
    """单位树: expands lazily, one level per request."""

    route_base = "/unittree"
    default_view = "tree"
    method_permission_name = {"tree": "list", "children": "list"}
    base_permissions = ["can_list"]

    @expose("/")
    @has_access
    def tree(self) -> Any:
        root = g.user.unit
        if root is None:
            abort(404)
        return self.render_template("units/tree.html", root=root, title=_("单位树"),
                                    has_children=bool(unit_service.children_page(root.id, 0, 1)))

    @expose("/children/<int:pk>")
    @has_access
    def children(self, pk: int) -> Any:
        parent = db.session.scalar(select(Unit).where(Unit.id == pk, scope_clause(Unit)))
        if parent is None:
            abort(404)
        page = max(int(request.args.get("offset", 0) or 0), 0)
        limit = int(current_app.config.get("UNIT_TREE_PAGE", 200))
        rows = unit_service.children_page(parent.id, page, limit)
        more = len(rows) > limit
        return jsonify({"items": rows[:limit], "more": more, "next": page + limit if more else None})


class UnitOptionsApi(BaseView):
    """JSON for the unit picker: in-scope units whose name matches."""
    permission_title = _l("单位选择")

    route_base = "/unitoptions"
    method_permission_name = {"options": "list"}
    base_permissions = ["can_list"]

    @expose("/")
    @has_access_api
    def options(self) -> Any:
        q = (request.args.get("q") or "").strip()
        page = max(int(request.args.get("page", 1) or 1), 1)
        stmt = select(Unit.id, Unit.name).where(Unit.active.is_(True))
        if request.args.get("all") != "1":  # names of every unit only where a form allows any unit
            stmt = stmt.where(scope_clause(Unit))
        if q:
            stmt = stmt.where(Unit.name.contains(q, autoescape=True))
        stmt = stmt.order_by(Unit.depth, Unit.id).offset((page - 1) * 20).limit(21)
        rows = db.session.execute(stmt).all()
        return jsonify({
            "results": [{"id": r.id, "text": r.name} for r in rows[:20]],
            "pagination": {"more": len(rows) > 20},
        })


class DepartmentView(ScopedModelView):
    """内设部门."""

    route_base = "/departments"
    datamodel = SQLAInterface(Department)
    entity_title = _l("内设部门")
    label_columns = {
        "name": _l("部门名称"), "unit": _l("所属单位"), "head": _l("负责人"),
        "phone": _l("联系电话"), "remark": _l("备注"), "sort": _l("排序"),
    }
    list_columns = ["name", "unit", "head", "phone", "sort"]
    add_columns = ["unit", "name", "head", "phone", "remark"]
    edit_columns = ["name", "head", "phone", "remark"]
    show_columns = ["name", "unit", "head", "phone", "sort", "remark"]
    search_columns = ["name", "head"]

    def process_form(self, form: Any, is_created: bool) -> None:
        pass

    def prefill_form(self, form: Any, pk: Any) -> None:
        pass

    def pre_update(self, item: Any) -> None:
        reason = check_phone(item.phone or "")
        if reason:
            raise FormError(reason, "phone")

    pre_add = pre_update


class UnitApi(ScopedModelRestApi):
    permission_title = _l("单位数据接口")
    resource_name = "unit"
    datamodel = SQLAInterface(Unit)
    list_columns = ["id", "name", "credit_code", "parent_id", "depth", "nature", "region_code", "active"]
    show_columns = list_columns + ["phone", "address"]
    add_columns = ["name", "credit_code", "parent", "nature", "region_code", "phone"]
    edit_columns = ["name", "nature", "region_code", "phone", "address"]
    base_permissions = ["can_get", "can_put"]

    def pre_update(self, item: Any) -> None:
        super().pre_update(item)
        unit_service.check_record(item)  # the edit screen's rule: a refusal answers 400 with every field

