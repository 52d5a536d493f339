"""数据字典 screens (system administrator) and the JSON the cascades read."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask_appbuilder import BaseView, ModelView, expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access_api
from flask_babel import lazy_gettext as _l

from app.services.core import dicts
from models.core.dictionary import DictItem, DictType
from views.base import ChineseDisplayMixin, StrictActionsMixin


class DictItemView(ChineseDisplayMixin, StrictActionsMixin, ModelView):
    route_base = "/dictitems"
    datamodel = SQLAInterface(DictItem)
    list_title = _l("字典项")
    show_title = _l("查看字典项")
    add_title = _l("新增字典项")
    edit_title = _l("编辑字典项")
    label_columns = {
        "dict_type": _l("字典"), "code": _l("代码"), "name": _l("名称"),
        "parent_code": _l("上级代码"), "sort": _l("排序"), "active": _l("启用"),
    }
    list_columns = ["dict_type", "code", "name", "parent_code", "sort", "active"]
    add_columns = edit_columns = ["dict_type", "code", "name", "parent_code", "sort", "active"]
    search_columns = ["dict_type", "code", "name", "parent_code", "active"]
    base_order = ("sort", "asc")

    def post_add(self, item: Any) -> None:
        dicts.clear_cache()

    post_update = post_delete = post_add


class DictTypeView(ChineseDisplayMixin, StrictActionsMixin, ModelView):
    route_base = "/dicttypes"
    datamodel = SQLAInterface(DictType)
    list_title = _l("数据字典")
    show_title = _l("查看字典")
    add_title = _l("新增字典")
    edit_title = _l("编辑字典")
    label_columns = {"code": _l("字典代码"), "name": _l("字典名称"), "hierarchical": _l("分级"), "remark": _l("说明")}
    list_columns = ["code", "name", "hierarchical", "remark"]
    add_columns = edit_columns = ["code", "name", "hierarchical", "remark"]
    search_columns = ["code", "name"]
    related_views = [DictItemView]


class DictOptionsApi(BaseView):
    """Children of a dictionary item, for cascading selects (省 → 市 → 区县)."""
    permission_title = _l("字典选项")

    route_base = "/dictoptions"
    method_permission_name = {"children": "list"}
    base_permissions = ["can_list"]

    @expose("/<string:type_code>/")
    @has_access_api
    def children(self, type_code: str) -> Any:
        parent = request.args.get("parent")
        items = dicts.choices(type_code, parent=parent) if parent else dicts.choices(type_code, top=True)
        return jsonify([{"code": c, "name": n} for c, n in items])
