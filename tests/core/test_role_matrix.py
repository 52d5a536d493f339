"""角色权限矩阵 (P-05): menus × actions in Chinese; a unit administrator grants only what it holds."""

from __future__ import annotations

import re

from flask_appbuilder.security.sqla.models import PermissionView, Role
from sqlalchemy import select

from app.extensions import db
from tests.conftest import unique


def _pv(app, perm: str, view: str) -> int:
    with app.app_context():
        return app.appbuilder.sm.find_permission_view_menu(perm, view).id


def _role_pairs(app, role_id: int) -> set[tuple[str, str]]:
    with app.app_context():
        role = db.session.get(Role, role_id)
        return {(pv.permission.name, pv.view_menu.name) for pv in role.permissions}


def _new_role(app, login_as, admin: str) -> int:
    c = login_as(admin)
    name = unique("审核岗")
    r = c.post("/unitroles/add", data={"name": name})
    assert r.status_code == 302
    with app.app_context():
        return db.session.scalar(select(Role.id).where(Role.name == name))


def test_unit_admin_edits_own_role_in_the_matrix(app, login_as):
    role_id = _new_role(app, login_as, "hb_wh_admin")
    c = login_as("hb_wh_admin")
    page = c.get(f"/rolematrix/role/{role_id}").get_data(as_text=True)
    # Chinese rows grouped by menu, the fixed columns and the custom actions
    for text in ("单位及用户管理", "下级单位管理", "列表", "详情", "新增", "编辑", "删除", "其他操作", "停用", "专业技术人员"):
        assert text in page, text
    assert "can_list" not in re.sub(r'title="[^"]*"', "", page)
    ids = [_pv(app, "can_list", "PersonView"), _pv(app, "can_show", "PersonView"), _pv(app, "can_add", "PersonView"),
           _pv(app, "batch_approve", "ParentChangeView")]
    r = c.post(f"/rolematrix/role/{role_id}", data={"pv": [str(i) for i in ids]})
    assert r.status_code == 302
    pairs = _role_pairs(app, role_id)
    assert {("can_list", "PersonView"), ("can_add", "PersonView"), ("batch_approve", "ParentChangeView")} <= pairs
    # the menu item of the list view comes with it; nothing else
    assert ("menu_access", "Persons") in pairs and ("menu_access", "Talents") in pairs
    assert ("can_delete", "PersonView") not in pairs
    # a permission the administrator does not hold is refused, and nothing changes
    foreign = _pv(app, "can_edit", "DictTypeView")  # 数据字典: the system administrator's
    before = _role_pairs(app, role_id)
    r = c.post(f"/rolematrix/role/{role_id}", data={"pv": [str(i) for i in ids + [foreign]]})
    assert "不能授予本人不具有的权限" in r.get_data(as_text=True)
    assert _role_pairs(app, role_id) == before
    # a menu entry cannot be forged in either
    r = c.post(f"/rolematrix/role/{role_id}", data={"pv": [str(_pv(app, "menu_access", "Security"))]})
    assert _role_pairs(app, role_id) == before
    # the cell the administrator lacks is shown disabled, not offered
    assert "数据字典" not in c.get(f"/rolematrix/role/{role_id}").get_data(as_text=True)


def test_roles_of_other_units_and_builtin_roles_are_out_of_reach(app, login_as):
    role_id = _new_role(app, login_as, "hb_yc_admin")
    with app.app_context():
        staff_role = db.session.scalar(select(Role.id).where(Role.name == "工作人员"))
    c = login_as("hb_wh_admin")
    assert c.get(f"/rolematrix/role/{role_id}").status_code == 404
    assert c.post(f"/rolematrix/role/{role_id}", data={"pv": []}).status_code == 404
    assert c.get(f"/rolematrix/role/{staff_role}").status_code == 404
    # staff hold no matrix at all
    assert login_as("hb_wh_staff").get("/rolematrix/").status_code in (302, 403)


def test_security_admin_edits_any_role_but_not_its_own(app, login_as):
    role_id = _new_role(app, login_as, "hb_admin")
    c = login_as("secadmin")
    assert "系统管理员" in c.get("/rolematrix/").get_data(as_text=True)
    with app.app_context():
        own = db.session.scalar(select(Role.id).where(Role.name == "安全管理员"))
        admin_role = db.session.scalar(select(Role.id).where(Role.name == app.config["AUTH_ROLE_ADMIN"]))
        total = db.session.scalar(select(PermissionView.id).limit(1))
    assert total
    assert c.get(f"/rolematrix/role/{own}").status_code == 404  # nobody grants to themselves
    assert c.get(f"/rolematrix/role/{admin_role}").status_code == 404
    dict_edit = _pv(app, "can_edit", "DictTypeView")
    dict_list = _pv(app, "can_list", "DictTypeView")
    r = c.post(f"/rolematrix/role/{role_id}", data={"pv": [str(dict_list), str(dict_edit)]})
    assert r.status_code == 302
    pairs = _role_pairs(app, role_id)
    assert ("can_edit", "DictTypeView") in pairs and ("menu_access", "Dictionaries") in pairs
