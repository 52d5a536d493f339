"""审计日志: read-only, filterable, exportable; only the audit administrator sees it."""

from __future__ import annotations

import io
from typing import Any

from flask import Response
from flask_appbuilder import ModelView, expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.urltools import get_filter_args, get_order_args
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook

from app.filters import local_time
from models.core.audit import AuditLog
from views.base import ChineseDisplayMixin, StrictActionsMixin

ACTIONS = {
    "login_success": _l("登录成功"), "login_failure": _l("登录失败"), "lockout": _l("账号锁定"), "logout": _l("退出登录"),
    "create": _l("新增"), "update": _l("修改"), "delete": _l("删除"), "role_change": _l("角色变更"),
    "permission_change": _l("权限变更"), "view_full": _l("查看完整个人信息"), "export": _l("导出"), "import": _l("导入"),
    "download": _l("下载"), "review": _l("审核"), "password_change": _l("修改密码"),
    "password_reset": _l("重置密码"),
}
OBJECT_TYPES = {
    "user": _l("用户"), "ab_user": _l("用户"), "ab_role": _l("角色"), "ab_group": _l("用户组"),
    "core_unit": _l("单位"), "core_department": _l("内设部门"), "core_person": _l("专业技术人员"),
    "core_dict_type": _l("数据字典"), "core_dict_item": _l("字典项"), "core_support_info": _l("技术服务信息"),
    "core_role_owner": _l("自定义角色"), "core_audit_log": _l("审计日志"),
}
EXPORT_FORMATTED = ("created_at", "action", "result", "object_type")
RESULTS = {"ok": _l("成功"), "refused": _l("拒绝"), "error": _l("错误")}
LABELS = {
    "created_at": _l("时间"), "username": _l("用户"), "unit_name": _l("单位"), "ip": _l("IP地址"),
    "action": _l("操作"), "object_type": _l("对象类型"), "object_id": _l("对象编号"),
    "object_repr": _l("对象"), "changes": _l("变更内容"), "result": _l("结果"), "detail": _l("说明"),
}


def _when(v: Any) -> str:
    return local_time(v, "%Y-%m-%d %H:%M:%S") if v else ""


def _safe_cell(v: Any) -> Any:
    """Spreadsheet formula injection: text starting with = + - @ is kept as text."""
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@"):
        return "'" + v
    return v


class AuditLogView(ChineseDisplayMixin, StrictActionsMixin, ModelView):
    route_base = "/auditlog"
    datamodel = SQLAInterface(AuditLog)
    list_title = _l("审计日志")
    show_title = _l("查看审计日志")
    label_columns = LABELS
    list_columns = ["created_at", "username", "unit_name", "ip", "action", "object_type", "object_repr", "result"]
    show_columns = list(LABELS)
    search_columns = ["created_at", "username", "unit_name", "ip", "action", "object_type", "result"]
    base_order = ("id", "desc")
    base_permissions = ["can_list", "can_show", "can_export"]
    formatters_columns = {
        "created_at": _when,
        "action": lambda v: str(ACTIONS[v]) if v in ACTIONS else v,
        "result": lambda v: str(RESULTS[v]) if v in RESULTS else v,
        "object_type": lambda v: str(OBJECT_TYPES[v]) if v in OBJECT_TYPES else v,
    }
    list_template = "audit/list.html"

    @expose("/export/")
    @has_access
    def export(self) -> Response:
        """The current filters' rows as .xlsx (write-only workbook, Chinese headers).

        Rows are read in batches (``yield_per``) and written row by row, so a long
        log is never held in memory as objects.
        """
        from flask import request

        from app.extensions import db
        from app.services.core import audit

        get_filter_args(self._filters)
        order = get_order_args().get(self.__class__.__name__) or ("id", "desc")
        query = self.datamodel.apply_all(db.session.query(AuditLog), self._filters, order[0], order[1])
        wb = Workbook(write_only=True)
        ws = wb.create_sheet(str(_("审计日志")))
        cols = self.show_columns
        ws.append([str(LABELS[c]) for c in cols])
        count = 0
        for row in query.yield_per(500):
            values = []
            for c in cols:
                v = getattr(row, c)
                fmt = self.formatters_columns.get(c) if c in EXPORT_FORMATTED else None
                values.append(_safe_cell(fmt(v) if fmt else v))
            ws.append(values)
            count += 1
        buf = io.BytesIO()
        wb.save(buf)
        filters = request.query_string.decode()[:500]
        audit.record_now("export", object_type="core_audit_log",
                         detail=f"{count}" + (f" ({filters})" if filters else ""))
        return Response(
            buf.getvalue(),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": "attachment; filename=audit-log.xlsx"},
        )
