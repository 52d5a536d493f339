"""多岗审核配置 and 常用意见: the review engine's settings screens."""

from __future__ import annotations

from typing import Any

from flask import g
from flask_appbuilder import ModelView
from flask_appbuilder.fields import QuerySelectField
from flask_appbuilder.fieldwidgets import Select2Widget
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import SelectField

from app.extensions import db
from app.workflow.engine import REGISTRY
from models.core.user import UnitUser
from models.core.workflow import CommonOpinion, ReviewPost
from views.base import ChineseDisplayMixin, FormError, ScopedModelView, StrictActionsMixin


def _own_staff() -> list[Any]:
    return list(db.session.scalars(
        select(UnitUser).where(UnitUser.unit_id == g.user.unit_id, UnitUser.active.is_(True)).order_by(UnitUser.id)
    ))


def _matters() -> list[tuple[str, str]]:
    """The matter types of the user's lines (a matter's code starts with its line's slug) and the platform's."""
    from app.modules import lines_of

    lines = lines_of(getattr(g, "user", None)) | {"core"}
    return [(code, str(m.name)) for code, m in sorted(REGISTRY.items()) if code.split(".")[0] in lines]


class ReviewPostView(ScopedModelView):
    """多岗审核配置: levels of review inside the own unit per matter type, lowest first."""

    route_base = "/reviewposts"
    datamodel = SQLAInterface(ReviewPost)
    entity_title = _l("多岗审核配置")
    label_columns = {"unit": _l("单位"), "matter": _l("审核事项"), "level": _l("审核级别"), "user": _l("审核人员"),
                     "mode": _l("通过方式")}
    list_columns = ["matter", "level", "user", "mode", "unit"]
    add_columns = edit_columns = ["matter", "level", "user", "mode"]
    search_columns = ["matter", "level"]
    base_order = ("level", "asc")
    formatters_columns = {
        "matter": lambda v: str(REGISTRY[v].name) if v in REGISTRY else v,
        "mode": lambda v: str(_l("全部人员通过")) if v == "all" else str(_l("任一人员通过")),
    }
    add_form_extra_fields = edit_form_extra_fields = {
        "matter": SelectField(_l("审核事项"), choices=_matters),
        "user": QuerySelectField(_l("审核人员"), query_func=_own_staff, get_pk_func=lambda u: u.id,
                                 widget=Select2Widget()),
        "mode": SelectField(_l("通过方式"), choices=[("any", _l("任一人员通过")), ("all", _l("全部人员通过"))]),
    }

    def pre_add(self, item: Any) -> None:
        item.unit_id = g.user.unit_id
        item.unit = g.user.unit
        if item.matter not in REGISTRY:
            raise FormError(str(_l("不是有效的选项")), "matter")
        if not item.level or item.level < 1:
            raise FormError(str(_l("审核级别从1开始")), "level")
        # a post only for someone who may review this matter (else the level would wait for nobody)
        permission = REGISTRY[item.matter].permission
        user = item.user
        if user is None or user.unit_id != g.user.unit_id:
            raise FormError(str(_l("请选择本单位的工作人员")), "user")
        if permission is not None and not self.appbuilder.sm.holds(user, *permission):
            raise FormError(str(_l("该人员没有“%(m)s”的审核权限，请先为其分配相应角色",
                                   m=str(REGISTRY[item.matter].name))), "user")

    pre_update = pre_add


class CommonOpinionView(ChineseDisplayMixin, StrictActionsMixin, ModelView):
    """常用意见: each user's own."""

    route_base = "/opinions"
    datamodel = SQLAInterface(CommonOpinion)
    list_title = _l("常用意见")
    add_title = _l("新增常用意见")
    edit_title = _l("编辑常用意见")
    show_title = _l("查看常用意见")
    label_columns = {"text": _l("意见内容")}
    list_columns = add_columns = edit_columns = show_columns = ["text"]

    def __init__(self, **kwargs: Any) -> None:
        from views.base import SCOPE_FILTER

        self.base_filters = [SCOPE_FILTER]
        super().__init__(**kwargs)

    def pre_add(self, item: Any) -> None:
        item.user_id = g.user.id
