"""Chinese names for permissions, so role screens read as 菜单 - 操作, not can_list on UnitView."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l

_PERMS = {
    "can_list": _l("查看列表"),
    "can_show": _l("查看详情"),
    "can_add": _l("新增"),
    "can_edit": _l("编辑"),
    "can_delete": _l("删除"),
    "can_get": _l("接口读取"),
    "can_post": _l("接口新增"),
    "can_put": _l("接口修改"),
    "can_info": _l("接口说明"),
    "can_index": _l("打开"),
    "can_this_form_get": _l("打开表单"),
    "can_this_form_post": _l("提交表单"),
    "can_userinfo": _l("查看本人信息"),
    "can_appoint": _l("分配管理员"),
    "can_move": _l("移动单位"),
    "can_download": _l("下载"),
    "menu_access": _l("菜单"),
    "can_view_full": _l("查看完整个人信息"),
    "can_review": _l("审核"),
    "can_request": _l("申请"),
    "can_export": _l("导出"),
    "can_compose": _l("写消息"),
    "can_push": _l("消息推送"),
    "can_run": _l("开展服务"),
    "can_legacy": _l("新增2022年之前基地"),
    "can_org": _l("机构信息"),
    "can_files": _l("附件上传下载"),
    "can_upload": _l("上传"),
    "can_sheet": _l("打印信息表"),
    "can_import": _l("批量导入"),
    "can_transfer": _l("转移"),
    "can_profile": _l("基本信息"),
    "can_application": _l("申请表"),
    "can_agreement": _l("服务协议"),
    "can_team": _l("团队管理"),
    "can_join": _l("加入团队"),
    "can_stats": _l("统计"),
    "can_zip": _l("打包下载"),
    "can_status": _l("任务状态"),
    "can_chart": _l("统计图表"),
    "can_api_read": _l("接口读取"),
    "resetmypassword": _l("修改本人密码"),
    "resetpasswords": _l("重置密码"),
    "userinfoedit": _l("修改本人信息"),
    "copyrole": _l("复制角色"),
}


def _view_labels() -> dict[str, str]:
    labels: dict[str, str] = {}
    appbuilder = current_app.appbuilder
    for item in appbuilder.menu.get_list():
        for child in item.childs or []:
            if getattr(child, "name", "") and child.label:
                labels[child.name] = str(child.label)
        if item.name and item.label:
            labels[item.name] = str(item.label)
    from views.registry import MENU_OF

    for view in appbuilder.baseviews:
        name = getattr(view, "class_permission_name", None) or type(view).__name__
        menus = MENU_OF.get(name, [])
        title = (
            (labels.get(menus[0][0]) if menus else None)
            or getattr(view, "permission_title", None)
            or getattr(view, "list_title", None)
            or getattr(view, "form_title", None)
        )
        if title:
            labels[name] = str(title)
    return labels


def _action_labels() -> dict[tuple[str, str], str]:
    out = {}
    for view in current_app.appbuilder.baseviews:
        name = getattr(view, "class_permission_name", None) or type(view).__name__
        for action_name, act in (getattr(view, "actions", None) or {}).items():
            out[(name, action_name)] = str(act.text)
    return out


_PSEUDO_VIEWS = {"PersonalData": _l("个人信息")}


def view_label(view: str) -> str:
    """A view or menu name as the security administrator reads it."""
    if view in _PSEUDO_VIEWS:
        return str(_PSEUDO_VIEWS[view])
    return _view_labels().get(view, view)


def perm_label(perm: str, view: str | None = None) -> str:
    """A permission name (an action's own label where the view declares it)."""
    if view is not None:
        found = _action_labels().get((view, perm))
        if found:
            return found
    return str(_PERMS[perm]) if perm in _PERMS else perm


def permission_label(pv: Any) -> str:
    view = pv.view_menu.name
    return f"{view_label(view)} - {perm_label(pv.permission.name, view)}"
