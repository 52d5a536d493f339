"""用户管理 of the 科技特派员 province (TC-09, seed 003 七): every account of the line, persons included."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from models.core.user import UnitUser
from tests.conftest import DEMO_PASSWORD, unique, unique_phone, unit_by_name


def _user(login: str) -> UnitUser:
    return db.session.scalar(select(UnitUser).where(UnitUser.username == login))


def _rows(body: str) -> set[str]:
    return set(re.findall(r"<td>\s*([a-z0-9_]+)\s*</td>", body))


def test_the_province_lists_every_account_of_its_line_and_nothing_else(app, login_as):
    province = login_as("hbkj_admin")
    assert "/lineusers/list/" in province.get("/").get_data(as_text=True)  # 系统管理 · 用户管理
    assert "hbkj_wh_admin" in _rows(province.get("/lineusers/list/?_flt_0_username=hbkj_wh").get_data(as_text=True))
    body = province.get("/lineusers/list/?_flt_0_username=ktp_push").get_data(as_text=True)
    assert "ktp_push" in _rows(body) and "个人用户" in body  # the commissioners' own accounts too
    for outside in ("hb_admin", "sysadmin", "secadmin"):  # another line; the three administrators
        assert not _rows(province.get(f"/lineusers/list/?_flt_0_username={outside}").get_data(as_text=True))
    # a city is no line administrator: no menu item and an empty list, whatever it types
    city = login_as("hbkj_wh_admin")
    assert "/lineusers/list/" not in city.get("/").get_data(as_text=True)
    assert not _rows(city.get("/lineusers/list/?_flt_0_username=hbkj_wh").get_data(as_text=True))
    with app.app_context():
        pid = _user("hbkj_wh_admin").id
    assert city.get(f"/lineusers/show/{pid}").status_code == 404


def test_the_province_adds_edits_resets_disables_and_deletes_an_account(app, login_as):
    with app.app_context():
        wuhan = unit_by_name("武汉市科学技术局").id
        outside = unit_by_name("湖北省人力资源和社会保障厅") or unit_by_name("部专家中心")
        outside_id = outside.id
    province = login_as("hbkj_admin")
    login, phone = unique("kwh"), unique_phone()
    form = {"unit": str(wuhan), "username": login, "first_name": "", "phone": "1380000", "email": "",
            "password": "Kwh@2026abc", "conf_password": "Kwh@2026abc"}
    body = province.post("/lineusers/add", data=form).get_data(as_text=True)
    assert "请填写姓名" in body and login in body  # refused, the typed login name kept
    # a unit outside the line, typed into the form
    r = province.post("/lineusers/add", data={**form, "unit": str(outside_id), "first_name": "李新员", "phone": phone})
    assert "所选单位不存在或不在您的管理范围内" in r.get_data(as_text=True)
    with app.app_context():
        assert _user(login) is None
    r = province.post("/lineusers/add", data={**form, "first_name": "李新员", "phone": phone})
    assert r.status_code == 302, r.get_data(as_text=True)[-600:]
    with app.app_context():
        made = _user(login)
        assert made.unit_id == wuhan and not made.is_unit_admin and [r.name for r in made.roles] == ["工作人员"]
        uid = made.id
    # 编辑: a bad mobile number is refused beside the field, then saved
    r = province.post(f"/lineusers/edit/{uid}", data={"first_name": "李新", "phone": "12", "email": ""})
    assert "手机号码" in r.get_data(as_text=True) and "李新" in r.get_data(as_text=True)
    r = province.post(f"/lineusers/edit/{uid}", data={"first_name": "李新", "phone": phone, "email": ""})
    assert r.status_code == 302
    # 重置密码, 禁用, 启用
    r = province.post("/lineusers/action_post", {"action": "resetpassword", "rowid": str(uid)}, follow_redirects=True)
    assert re.search(r"新密码：([A-Za-z0-9@]+)", r.get_data(as_text=True))
    province.post("/lineusers/action_post", {"action": "disable", "rowid": str(uid)})
    with app.app_context():
        assert _user(login).first_name == "李新" and not _user(login).active
    province.post("/lineusers/action_post", {"action": "enable", "rowid": str(uid)})
    with app.app_context():
        assert _user(login).active
    # 删除: an account without records goes; a unit's administrator and an account with records stay
    with app.app_context():
        admin_id = _user("hbkj_wh_admin").id
        person_id = _user("ktp_push").id
    for kept, reason in ((admin_id, "单位管理员账号不能删除"), (person_id, "不能删除，可改为禁用")):
        r = province.post(f"/lineusers/delete/{kept}", follow_redirects=True)
        assert reason in r.get_data(as_text=True)
        with app.app_context():
            assert db.session.get(UnitUser, kept) is not None
    province.post(f"/lineusers/delete/{uid}")
    with app.app_context():
        assert db.session.get(UnitUser, uid) is None


def test_only_the_line_administrator_manages_line_accounts(app, login_as):
    from app.services.core import users as user_service

    with app.app_context():
        person = _user("ktp_push")
        assert user_service.can_manage_account(_user("hbkj_admin"), person)
        assert not user_service.can_manage_account(_user("hbkj_wh_admin"), person)
        assert not user_service.can_manage_account(_user("hbkj_admin"), _user("hb_admin"))  # another line
        assert not user_service.can_manage_account(_user("hbkj_admin"), _user("secadmin"))
        pid = person.id
    city = login_as("hbkj_wh_admin")
    r = city.post("/lineusers/action_post", {"action": "disable", "rowid": str(pid)})
    assert r.status_code in (403, 404)
    with app.app_context():
        assert _user("ktp_push").active
    r = city.post("/lineusers/add", data={"unit": "", "username": unique("x"), "first_name": "某", "phone": unique_phone(),
                                          "password": DEMO_PASSWORD, "conf_password": DEMO_PASSWORD})
    assert r.status_code != 302
