"""P-05: predefined roles from one table, custom roles within held permissions."""

from __future__ import annotations

from flask_appbuilder.security.sqla.models import PermissionView, Role
from sqlalchemy import select

from app.extensions import db
from models.core.user import RoleOwner, UnitUser
from seed.roles import role_pairs, roles_table, sync_roles


def _perm_pairs(role):
    return {(pv.permission.name, pv.view_menu.name) for pv in role.permissions}


def test_sync_is_rerunnable_and_matches_table(app):
    with app.app_context():
        sm = app.appbuilder.sm
        sync_roles(app.appbuilder)
        first = {name: _perm_pairs(sm.find_role(name)) for name in roles_table()}
        sync_roles(app.appbuilder)
        for name in roles_table():
            assert _perm_pairs(sm.find_role(name)) == first[name] == role_pairs(name)
        assert ("menu_access", "Units") in first["单位管理员"]
        assert ("can_add", "NewChildUnitView") not in first["工作人员"]


def test_security_screens_edit_roles(app, login_as):
    c = login_as("secadmin")
    assert c.get("/roles/list/").status_code == 200
    with app.app_context():
        rid = app.appbuilder.sm.find_role("工作人员").id
    assert c.get(f"/roles/edit/{rid}").status_code == 200
    assert login_as("hb_admin").get("/roles/list/").status_code == 403
    assert login_as("sysadmin").get("/roles/list/").status_code == 403  # 三员: not the system administrator


def _held_and_foreign(app, login):
    with app.app_context():
        user = db.session.scalar(select(UnitUser).where(UnitUser.username == login))
        held = {pv.id for r in user.roles for pv in r.permissions}
        foreign = db.session.scalar(select(PermissionView.id).where(PermissionView.id.not_in(held)))
        return sorted(held), foreign


def test_custom_role_only_from_held_permissions(app, login_as):
    c = login_as("sc_my_admin")
    held, foreign = _held_and_foreign(app, "sc_my_admin")
    r = c.post("/unitroles/add", {"name": "绵阳越权角色", "permissions": [str(held[0]), str(foreign)]})
    assert r.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(Role).where(Role.name == "绵阳越权角色")) is None
    r = c.post("/unitroles/add", {"name": "绵阳查询岗", "permissions": [str(held[0]), str(held[1])]})
    assert r.status_code == 302
    with app.app_context():
        role = db.session.scalar(select(Role).where(Role.name == "绵阳查询岗"))
        owner = db.session.get(RoleOwner, role.id)
        from models.core.unit import Unit

        assert db.session.get(Unit, owner.unit_id).name == "绵阳市人力资源和社会保障局"
        assert {pv.id for pv in role.permissions} == {held[0], held[1]}
        rid = role.id
    # another unit neither sees nor assigns it
    other = login_as("sc_cd_admin")
    assert "绵阳查询岗" not in other.get("/unitroles/list/").get_data(as_text=True)
    assert other.get(f"/unitroles/edit/{rid}").status_code == 404


def test_staff_roles_limited_to_assignable(app, login_as):
    c = login_as("sc_my_admin")
    with app.app_context():
        admin_role = app.appbuilder.sm.find_role("单位管理员").id
        sysadmin_role = app.appbuilder.sm.find_role("系统管理员").id
        staff = db.session.scalar(select(UnitUser).where(UnitUser.username == "sc_my_staff"))
        sid = staff.id
    for forged in (admin_role, sysadmin_role):
        r = c.post(f"/staff/edit/{sid}", {"first_name": "改名", "phone": "13800001111", "roles": [str(forged)]})
        assert r.status_code == 200
    with app.app_context():
        names = {r.name for r in db.session.get(UnitUser, sid).roles}
        assert names == {"工作人员"}


def test_secadmin_creates_user_in_security_screen(app, login_as):
    c = login_as("secadmin")
    with app.app_context():
        from tests.conftest import unit_by_name

        uid = unit_by_name("青岛市人力资源和社会保障局").id
        staff_role = app.appbuilder.sm.find_role("工作人员").id
    r = c.post("/users/add", {"first_name": "屏幕新增", "username": "screen_user1", "unit": str(uid),
                              "phone": "13600001111", "email": "screen1@example.cn", "active": "y",
                              "roles": [str(staff_role)], "password": "Abcd@1234", "conf_password": "Abcd@1234"})
    assert r.status_code == 302
    with app.app_context():
        u = db.session.scalar(select(UnitUser).where(UnitUser.username == "screen_user1"))
        assert u.unit_id == uid and u.last_name == ""
    r = login_as("screen_user1", "Abcd@1234").get("/persons/list/")
    assert r.status_code == 302 and "/resetmypassword/form" in r.headers["Location"]  # first login: change it
