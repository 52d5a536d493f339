"""P-04, P-09, P-10: administrators, staff, child admins, passwords."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from models.core.user import UnitUser
from tests.conftest import make_unit, unique, unit_by_name


def _user(name):
    return db.session.scalar(select(UnitUser).where(UnitUser.username == name))


def test_one_admin_per_unit_enforced_by_database(app):
    with app.app_context():
        unit = make_unit(unit_by_name("部专家中心"), "唯一管理员测试")
        extra = UnitUser(first_name="二号", last_name="", username=unique("dup"), email=unique("e") + "@x.invalid",
                         unit_id=unit.id, is_unit_admin=True, active=True)
        db.session.add(extra)
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_parent_appoints_only_when_no_admin(app, login_as):
    c = login_as("hb_admin")
    with app.app_context():
        wuhan = unit_by_name("武汉市人力资源和社会保障局")
        wid = wuhan.id
        hb = unit_by_name("湖北省人力资源和社会保障厅")
        empty = make_unit(hb, "暂无管理员单位", admin=False)
        eid = empty.id
    r = c.post(f"/units/appoint/{wid}", {"username": unique("x"), "name": "第二管理员", "phone": "13900001111",
                                          "password": "Abcd@1234", "conf_password": "Abcd@1234"})
    assert "已有管理员" in r.get_data(as_text=True)
    login = unique("appointed")
    r = c.post(f"/units/appoint/{eid}", {"username": login, "name": "新管理员", "phone": "13900001111",
                                          "password": "Abcd@1234", "conf_password": "Abcd@1234"})
    assert r.status_code == 302
    with app.app_context():
        assert _user(login).is_unit_admin and _user(login).unit_id == eid


def test_staff_added_by_own_admin_login_name_fixed(app, login_as):
    c = login_as("sc_cd_admin")
    login = unique("staff")
    r = c.post("/staff/add", {"username": login, "first_name": "新同事", "phone": "13700001111",
                              "password": "Abcd@1234", "conf_password": "Abcd@1234"})
    assert r.status_code == 302, r.get_data(as_text=True)[-1500:]
    with app.app_context():
        u = _user(login)
        assert u.unit.name == "成都市人力资源和社会保障局" and not u.is_unit_admin
        uid = u.id
    r = c.post(f"/staff/edit/{uid}", {"username": "renamed", "first_name": "新同事改", "phone": "13700001112"})
    assert r.status_code == 302, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r.get_data(as_text=True)))[-1500:]
    with app.app_context():
        u = db.session.get(UnitUser, uid)
        assert u.username == login and u.first_name == "新同事改"
    # staff cannot add staff
    s = login_as("sc_cd_staff")
    assert s.get("/staff/add").status_code == 403


def test_hand_over_admin(app, login_as):
    with app.app_context():
        unit = make_unit(unit_by_name("部专家中心"), "移交测试单位")
        from app.services.core import users as user_service

        old = user_service.unit_admin(unit.id)
        old_login = old.username
        staff = user_service.create_user(unit, username=unique("heir"), name="接任者", phone="13900003333",
                                         password="Abcd@1234")
        staff.must_change_password = False
        db.session.commit()
        sid, heir = staff.id, staff.username
    c = login_as(old_login)
    r = c.post(f"/staff/action/makeadmin/{sid}")
    assert r.status_code == 302
    with app.app_context():
        assert _user(heir).is_unit_admin
        assert not _user(old_login).is_unit_admin
        assert "单位管理员" not in {r.name for r in _user(old_login).roles}


def test_child_admins_disable_enable_reset(app, login_as):
    c = login_as("sd_admin")
    body = c.get("/childadmins/list/").get_data(as_text=True)
    assert "sd_jn_admin" in body and "sd_qd_admin" in body and "sd_jn_lx_admin" not in body
    with app.app_context():
        target = _user("sd_qd_admin").id
    c.post("/childadmins/action_post", {"action": "disable", "rowid": str(target)})
    with app.app_context():
        assert not _user("sd_qd_admin").active
    from tests.conftest import Client

    disabled = Client(app)
    disabled.login("sd_qd_admin")
    r = disabled.get("/units/list/")  # no session for a disabled account
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    c.post("/childadmins/action_post", {"action": "enable", "rowid": str(target)})
    r = c.post("/childadmins/action_post", {"action": "resetpassword", "rowid": str(target)}, follow_redirects=True)
    m = re.search(r"新密码：([A-Za-z0-9@]+)", r.get_data(as_text=True))
    assert m, "the new password is shown to the parent administrator"
    r = login_as("sd_qd_admin", m.group(1)).get("/units/list/")
    assert r.status_code == 302 and "/resetmypassword/form" in r.headers["Location"]  # reset: change forced


def test_change_own_password_requires_old(app, login_as):
    with app.app_context():
        unit = make_unit(unit_by_name("部专家中心"), "改密测试单位")
        from app.services.core import users as user_service

        login = user_service.unit_admin(unit.id).username
    c = login_as(login)
    r = c.post("/resetmypassword/form", {"old_password": "wrong", "password": "New@12345", "conf_password": "New@12345"})
    assert "原密码不正确" in r.get_data(as_text=True)
    r = c.post("/resetmypassword/form", {"old_password": "Demo@2026", "password": "New@12345",
                                         "conf_password": "New@12345"})
    assert r.status_code == 302
    assert login_as(login, "New@12345").get("/").status_code == 200


def test_forgot_password_with_code(app, client):
    from app.services.core.otp import LogSender

    with app.app_context():
        unit = make_unit(unit_by_name("部专家中心"), "找回密码单位")
        from app.services.core import users as user_service

        admin = user_service.unit_admin(unit.id)
        login, phone = admin.username, admin.phone
    client.token()
    LogSender.sent.clear()
    r = client.post("/forgot/", {"username": login, "phone": "13000000000"})
    assert r.status_code == 302 and not LogSender.sent  # wrong phone: same answer, no code
    r = client.post("/forgot/", {"username": login, "phone": phone})
    assert r.status_code == 302 and LogSender.sent
    code = re.search(r"验证码为(\d{6})", LogSender.sent[-1][1]).group(1)
    r = client.post("/forgot/reset", {"code": "000000" if code != "000000" else "111111", "password": "Reset@123",
                                      "conf_password": "Reset@123"})
    assert "验证码不正确或已过期" in r.get_data(as_text=True)
    r = client.post("/forgot/reset", {"code": code, "password": "Reset@123", "conf_password": "Reset@123"})
    assert r.status_code == 302
    from tests.conftest import Client

    c2 = Client(app)
    assert c2.login(login, "Reset@123").status_code == 302


def test_forgot_password_by_email(app, client):
    """P-10 (manual 002): the administrator's e-mail address works like the mobile number."""
    from app.services.core.otp import LogSender

    with app.app_context():
        unit = make_unit(unit_by_name("部专家中心"), unique("邮箱找回单位"))
        from app.services.core import users as user_service

        admin = user_service.unit_admin(unit.id)
        admin.email = f"{admin.username}@example.gov.cn"
        db.session.commit()
        login, email = admin.username, admin.email
    client.token()
    LogSender.sent.clear()
    r = client.post("/forgot/", {"username": login, "phone": "other@example.gov.cn"})
    assert r.status_code == 302 and not LogSender.sent
    r = client.post("/forgot/", {"username": login, "phone": email.upper()})
    assert r.status_code == 302 and LogSender.sent[-1][0] == email
    code = re.search(r"验证码为(\d{6})", LogSender.sent[-1][1]).group(1)
    r = client.post("/forgot/reset", {"code": code, "password": "Mail@2026x", "conf_password": "Mail@2026x"})
    assert r.status_code == 302
    from tests.conftest import Client

    assert Client(app).login(login, "Mail@2026x").status_code == 302


def test_own_info_and_password_are_reachable(app, client, login_as):
    """Issue 15.3: 忘记密码 on the login page; 个人信息 with its buttons and 修改密码 in the user menu."""
    page = client.get("/login/").get_data(as_text=True)
    assert "/forgot/" in page and "忘记密码" in page and "Sign In" not in page
    for login in ("hb_wh_admin", "hb_wh_staff", "secadmin", "auditadmin"):
        c = login_as(login)
        home = c.get("/").get_data(as_text=True)
        assert "个人信息" in home and "修改密码" in home, login
        info = c.get("/users/userinfo/")
        body = info.get_data(as_text=True)
        assert info.status_code == 200 and "修改密码" in body and "@users.invalid" not in body, login
    body = login_as("hb_wh_admin").get("/users/userinfo/").get_data(as_text=True)
    assert "修改个人信息" in body
