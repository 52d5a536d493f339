"""The platform's first charts (P-20): units by type and level, users by role, logins by day."""

from __future__ import annotations

from flask_appbuilder.security.sqla.models import Role, assoc_user_role
from flask_babel import lazy_gettext as _l

from app.security.scope import unit_column_in_scope
from app.services.core.charts import GroupCount, TimeSeries, register
from models.core.audit import AuditLog
from models.core.unit import Category, Unit, unit_category
from models.core.user import UnitUser

LEVELS = {0: _l("部级"), 1: _l("省级"), 2: _l("市级"), 3: _l("县级"), 4: _l("基层单位")}

register(GroupCount(
    "units_by_category", _l("单位按类型统计"), model=Unit, group=Category.name,
    joins=[(unit_category, unit_category.c.unit_id == Unit.id), (Category, Category.id == unit_category.c.category_id)],
    where=lambda: [Unit.active.is_(True)], category_title=_l("单位类型"), value_title=_l("单位数"),
))
register(GroupCount(
    "units_by_level", _l("单位按层级统计"), model=Unit, group=Unit.depth, kind="pie",
    label=lambda d: str(LEVELS.get(d, _l("第%(n)s级", n=(d or 0) + 1))),
    where=lambda: [Unit.active.is_(True)], category_title=_l("单位层级"), value_title=_l("单位数"),
))
register(GroupCount(
    "users_by_role", _l("用户按角色统计"), model=UnitUser, group=Role.name,
    joins=[(assoc_user_role, assoc_user_role.c.user_id == UnitUser.id), (Role, Role.id == assoc_user_role.c.role_id)],
    where=lambda: [UnitUser.active.is_(True)], category_title=_l("角色"), value_title=_l("用户数"),
))
register(TimeSeries(
    "logins_by_day", _l("近30天登录次数"), model=AuditLog, column=AuditLog.created_at, last=30,
    where=lambda: [AuditLog.action == "login_success"],
    scope=lambda user: unit_column_in_scope(AuditLog.unit_id, user), value_title=_l("登录次数"),
))
