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
from app.services.core import audit
from models.core.audit import AuditLog
from views.base import ChineseDisplayMixin, StrictActionsMixin

ACTIONS = {
    "login_success": _l("登录成功"), "login_failure": _l("登录失败"), "lockout": _l("账号锁定"), "logout": _l("退出登录"),
    "create": _l("新增"), "update": _l("修改"), "delete": _l("删除"), "role_change": _l("角色变更"),
    "permission_change": _l("权限变更"), "view_full": _l("查看完整个人信息"), "export": _l("导出"), "import": _l("导入"),
    "download": _l("下载"), "review": _l("审核"), "password_change": _l("修改密码"),
    "password_reset": _l("重置密码"),
    "batch": _l("批量处理"), "end": _l("结束"), "message": _l("发送消息"), "publish": _l("发布"),
    "register": _l("注册"), "revoke": _l("撤销"), "start": _l("启动"), "transfer": _l("转移"), "upload": _l("上传"),
    "submit": _l("提交"),
    # 职称评审 评审会议 (issue II)
    "qualify": _l("参评资格审核"), "standard": _l("设置评分标准"), "written": _l("导入笔试成绩"),
    "draw": _l("专家抽选"), "redraw": _l("重新抽选"), "draw_replay": _l("重放抽选"), "draw_attendance": _l("确认出席"),
    "draw_replace": _l("候补替补"), "draw_executive_chair": _l("设置执行主任"), "draw_finish": _l("完成出席确认"),
    "open_vote": _l("开启专家投票"), "expert_accounts": _l("领取专家账号通知单"), "submit_ballot": _l("提交投票"),
    "send_back_ballot": _l("回退投票"), "absent_expert": _l("置为缺席"), "seal_round": _l("计票完成"),
    "meeting_tallied": _l("评审会议结束"), "feedback": _l("我要反馈"),
    # 职称评审 III
    "issue": _l("发放证书"),
}
OBJECT_TYPES = {
    "user": _l("用户"), "ab_user": _l("用户"), "ab_role": _l("角色"), "ab_group": _l("用户组"),
    "core_unit": _l("单位"), "core_department": _l("内设部门"), "core_person": _l("专业技术人员"),
    "core_dict_type": _l("数据字典"), "core_dict_item": _l("字典项"), "core_support_info": _l("技术服务信息"),
    "core_role_owner": _l("自定义角色"), "core_audit_log": _l("审计日志"),
    # tables that no screen lists on its own
    "core_attachment": _l("附件"), "core_import_batch": _l("导入批次"), "core_import_row": _l("导入数据行"),
    "core_job": _l("后台任务"), "core_review_node": _l("审核节点"), "core_review_trail": _l("经办记录"),
    "core_unit_category": _l("单位类别"), "core_category_grant": _l("类别授权"), "core_category": _l("单位类别"),
    "ab_permission_view_role": _l("角色权限"), "ab_user_role": _l("用户角色"), "ab_user_group": _l("用户组成员"),
    "ab_group_role": _l("用户组角色"), "ab_register_user": _l("注册申请"), "ab_api_key": _l("接口密钥"),
    "core_password_reset": _l("找回密码验证码"), "core_menu_setting": _l("系统菜单"),
}
EXPORT_FORMATTED = ("created_at", "action", "result", "object_type", "object_repr")


def object_type_label(code: str | None) -> str:
    """An object type as the audit administrator reads it: the table's or the view's Chinese name
    (the list title of the screen that shows it), else the review matter's name."""
    if not code:
        return ""
    if code in OBJECT_TYPES:
        return str(OBJECT_TYPES[code])
    from app.modules import each

    for _module, own in each("object_types"):  # a line's tables that no screen lists on its own
        if code in own:
            return str(own[code])
    labels = _screen_labels()
    return labels.get(code, code)


def _screen_labels() -> dict[str, str]:
    from flask import current_app

    cached = current_app.extensions.get("audit_type_labels")
    if cached is not None:
        return cached
    from app.workflow.engine import REGISTRY

    labels: dict[str, str] = {"core_review": str(_l("审核")), "chart": str(_l("统计图表"))}
    for view in current_app.appbuilder.baseviews:
        title = getattr(view, "list_title", None) or getattr(view, "entity_title", None)
        if not title:
            continue
        labels.setdefault(type(view).__name__, str(title))
        labels.setdefault(view.class_permission_name, str(title))  # a line's views: "commissioner.Files"
        model = getattr(getattr(view, "datamodel", None), "obj", None)
        if model is not None and hasattr(model, "__tablename__"):
            labels.setdefault(model.__tablename__, str(getattr(view, "entity_title", None) or title))
    for code, matter in REGISTRY.items():
        labels.setdefault(code, str(matter.name))
        table = getattr(matter.model, "__tablename__", None)
        if table:
            labels.setdefault(table, str(matter.name))
    current_app.extensions["audit_type_labels"] = labels
    return labels
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
        "object_type": lambda v: object_type_label(v),
        "object_repr": lambda v: "" if v and audit.DEFAULT_REPR.match(v) else (v or ""),
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
