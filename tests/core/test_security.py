"""Security baseline (issue 3): each test fails on bare Flask-AppBuilder 5.3."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from models.core.user import UnitUser
from tests.conftest import Client, make_unit, make_user, unique, unit_by_name


def _user(login):
    return db.session.scalar(select(UnitUser).where(UnitUser.username == login))


def _new_user(app, must_change=False):
    with app.app_context():
        unit = make_unit(unit_by_name("部专家中心"), unique("安全测试"))
        u = make_user(unit)
        u.must_change_password = must_change
        db.session.commit()
        return u.username


# -- 1. passwords -------------------------------------------------------------------

@pytest.mark.parametrize("weak", ["a", "abcdefgh", "Abcdefgh", "abcd1234", "ABCD1234"])
def test_weak_passwords_refused_in_forms(login_as, weak):
    c = login_as("sc_cd_admin")
    r = c.post("/staff/add", {"username": unique("weak"), "first_name": "弱密码", "phone": "13700001111",
                              "password": weak, "conf_password": weak})
    assert r.status_code == 200
    assert "密码至少8位" in r.get_data(as_text=True) or "至少三类" in r.get_data(as_text=True)


def test_password_containing_login_refused(app, login_as):
    login = _new_user(app)
    c = login_as(login)
    new = f"X{login}@9"
    r = c.post("/resetmypassword/form", {"old_password": "Demo@2026", "password": new, "conf_password": new})
    assert "密码不能包含登录名" in r.get_data(as_text=True)


def test_cli_refuses_weak_password(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["fab", "create-admin", "--username", "cliweak", "--firstname", "a", "--lastname", "b",
                        "--email", "cliweak@example.cn", "--password", "a"])
    with app.app_context():
        assert _user("cliweak") is None
    result = runner.invoke(args=["seed", "admins", "--password", "a"])
    assert result.exit_code != 0


def test_security_screen_refuses_weak_password(app, login_as):
    c = login_as("secadmin")
    r = c.post("/users/add", {"first_name": "弱", "username": "weakscreen", "phone": "13600001111",
                              "email": "weakscreen@example.cn", "active": "y", "password": "abc",
                              "conf_password": "abc"})
    with app.app_context():
        assert _user("weakscreen") is None
    assert r.status_code in (200, 302)


def test_forced_change_at_first_login_and_after_expiry(app, login_as):
    login = _new_user(app, must_change=True)
    c = login_as(login)
    r = c.get("/persons/list/")
    assert r.status_code == 302 and "/resetmypassword/form" in r.headers["Location"]
    assert c.json("GET", "/api/v1/person/").status_code == 403
    r = c.post("/resetmypassword/form", {"old_password": "Demo@2026", "password": "Fresh#2026x",
                                         "conf_password": "Fresh#2026x"})
    assert r.status_code == 302
    assert c.get("/persons/list/").status_code == 200  # this session stays after its own change
    with app.app_context():
        u = _user(login)
        u.password_changed_at = dt.datetime.now() - dt.timedelta(days=91)
        db.session.commit()
    r = c.get("/persons/list/")
    assert r.status_code == 302 and "/resetmypassword/form" in r.headers["Location"]


# -- 2. lockout ---------------------------------------------------------------------

def test_lockout_after_five_failures_same_message(app):
    login = _new_user(app)
    c = Client(app)
    messages = set()
    for _ in range(5):
        r = c.login(login, "Wrong#12345")
        assert r.status_code == 302
        messages.add(_flash(c))
    r = c.login(login, "Demo@2026")  # the right password, but locked
    messages.add(_flash(c))
    r = c.login("no_such_user_x", "Wrong#12345")
    messages.add(_flash(c))
    assert len(messages) == 1, messages
    with app.app_context():
        u = _user(login)
        assert u.locked_until is not None and u.locked_until > dt.datetime.now() + dt.timedelta(minutes=29)
        u.locked_until = dt.datetime.now() - dt.timedelta(seconds=1)
        db.session.commit()
    r = Client(app).login(login, "Demo@2026")
    assert r.status_code == 302 and "/login" not in r.headers["Location"]


def _flash(c):
    body = c.get("/login/").get_data(as_text=True)
    return tuple(re.findall(r'alert-[a-z]+[^>]*>\s*<button[^>]*>[^<]*</button>\s*([^<]+)', body))


def test_unknown_user_runs_one_hash_check(app, monkeypatch):
    import app.security.manager as manager

    calls = []
    real = manager.check_password_hash
    monkeypatch.setattr(manager, "check_password_hash", lambda *a: calls.append(1) or real(*a))
    Client(app).login("nobody_here", "Wrong#12345")
    login = _new_user(app)
    Client(app).login(login, "Wrong#12345")
    assert len(calls) == 2  # one each: unknown users cost the same as wrong passwords


# -- 3. sessions --------------------------------------------------------------------

def _cookie(c):
    return c.http.get_cookie("session").value


def _replay(app, cookie):
    fresh = app.test_client()
    fresh.set_cookie("session", cookie)
    return fresh.get("/persons/list/")


def test_logout_ends_every_session_and_old_cookie_is_refused(app, login_as):
    login = _new_user(app)
    a = login_as(login)
    b = login_as(login)
    old = _cookie(a)
    assert _replay(app, old).status_code == 200
    a.get("/logout/")
    assert _replay(app, old).status_code == 302
    assert b.get("/persons/list/").status_code == 302  # the other device too


@pytest.mark.parametrize("change", ["disable", "password", "roles"])
def test_account_changes_end_sessions(app, login_as, change):
    login = _new_user(app)
    c = login_as(login)
    assert c.get("/persons/list/").status_code == 200
    with app.app_context():
        u = _user(login)
        if change == "disable":
            u.active = False
        elif change == "password":
            from werkzeug.security import generate_password_hash

            u.password = generate_password_hash("Other#2026x")
        else:
            u.roles = list(u.roles) + [app.appbuilder.sm.find_role("单位管理员")]
        db.session.commit()
    assert c.get("/persons/list/").status_code == 302


def test_idle_and_absolute_timeouts(app, login_as):
    import time

    login = _new_user(app)
    c = login_as(login)
    with c.http.session_transaction() as s:
        s["_seen"] = time.time() - 31 * 60
    assert c.get("/persons/list/").status_code == 302
    c = login_as(login)
    with c.http.session_transaction() as s:
        s["_login_at"] = time.time() - 9 * 3600
    assert c.get("/persons/list/").status_code == 302


# -- 4. CSRF, cookies, headers, redirects, error pages --------------------------------

def test_csrf_required_on_forms_actions_and_api(app, login_as):
    c = login_as("hb_admin")
    r = c.http.post("/departments/add", data={"name": "无令牌部门"})
    assert r.status_code == 400
    r = c.http.post("/childadmins/action_post", data={"action": "disable", "rowid": "1"})
    assert r.status_code == 400
    r = c.http.open("/api/v1/person/1", method="DELETE")
    assert r.status_code == 400
    assert "CSRF" not in r.get_data(as_text=True) or "令牌" in r.get_data(as_text=True)


def test_cookies_and_security_headers(app):
    c = Client(app)
    r = c.http.get("/login/")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "same-origin"
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert all(n == nonce for n in re.findall(r'<script[^>]*nonce="([^"]*)"', r.get_data(as_text=True)))
    r = c.login("hb_admin", "Demo@2026")
    cookie = r.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_no_open_redirect(app):
    c = Client(app)
    token = c.token()
    r = c.http.post("/login/?next=//evil.example/x", data={"username": "hb_admin", "password": "Demo@2026",
                                                          "csrf_token": token})
    assert "evil.example" not in r.headers.get("Location", "")
    r = c.http.get("/persons/list/", headers={"Host": "evil.example"})
    assert "evil.example" not in r.headers.get("Location", "")


def test_generic_chinese_error_pages(app, login_as):
    c = login_as("hb_staff")
    r = c.get("/no/such/page")
    body = r.get_data(as_text=True)
    assert r.status_code == 404 and "您访问的页面或数据不存在" in body and "Traceback" not in body
    r = c.get("/newunit/")
    assert r.status_code == 403 and "您没有权限" in r.get_data(as_text=True)
    assert c.get("/swagger/v1").status_code == 404
    assert c.get("/api/v1/_openapi").status_code == 404


# -- 6. 三员分立 -----------------------------------------------------------------------

def test_no_user_holds_two_of_the_three(app, login_as):
    c = login_as("secadmin")
    with app.app_context():
        target = _user("sysadmin").id
        before = {r.name for r in _user("sysadmin").roles}
        roles = [app.appbuilder.sm.find_role(n).id for n in ("系统管理员", "安全管理员")]
    c.post(f"/users/edit/{target}", {"first_name": "系统管理员", "phone": "13900000000",
                                     "email": "sysadmin@users.invalid", "active": "y",
                                     "roles": [str(r) for r in roles]})
    with app.app_context():
        assert {r.name for r in _user("sysadmin").roles} == before and "安全管理员" not in before


def test_nobody_grants_roles_to_themselves(app, login_as):
    c = login_as("secadmin")
    with app.app_context():
        me = _user("secadmin")
        mid = me.id
        before = {r.name for r in me.roles}
        staff = app.appbuilder.sm.find_role("单位管理员").id
        sec = app.appbuilder.sm.find_role("安全管理员").id
    c.post(f"/users/edit/{mid}", {"first_name": "安全管理员", "phone": "13900000001",
                                  "email": "secadmin@users.invalid", "active": "y",
                                  "roles": [str(sec), str(staff)]})
    with app.app_context():
        assert {r.name for r in _user("secadmin").roles} == before and "单位管理员" not in before


def test_three_admins_separated(login_as):
    sysadmin, secadmin = login_as("sysadmin"), login_as("secadmin")
    assert sysadmin.get("/users/list/").status_code == 403
    assert sysadmin.get("/dicttypes/list/").status_code == 200
    assert secadmin.get("/dicttypes/list/").status_code == 403
    assert secadmin.get("/users/list/").status_code == 200
    assert login_as("auditadmin").get("/persons/list/").status_code == 403  # the audit log only


# -- issue 14.4: the REST security API ------------------------------------------------------

def test_jwt_login_and_refresh_are_closed(app):
    """Tokens would ignore the forced password change, logout and the login limit: nothing uses them."""
    from tests.conftest import DEMO_PASSWORD

    c = Client(app)
    for headers in ({}, {"Authorization": "Bearer x"}):
        r = c.http.post("/api/v1/security/login", json={"username": "hb_admin", "password": DEMO_PASSWORD,
                                                          "provider": "db", "refresh": True}, headers=headers)
        assert r.status_code == 404 and "access_token" not in r.get_data(as_text=True)
        assert c.http.post("/api/v1/security/refresh", headers=headers).status_code == 404


def test_api_writes_need_csrf_whatever_the_headers(app, login_as):
    c = login_as("hb_admin")
    with app.app_context():
        from models.core.person import Person

        unit = unit_by_name("湖北省人力资源和社会保障厅")
        pid = db.session.scalar(select(Person.id).order_by(Person.id))
        before = db.session.scalar(select(db.func.count()).select_from(Person))
    for headers in ({"Authorization": "Bearer anything"}, {"Authorization": "Basic eDp5"}):
        r = c.http.open(f"/api/v1/person/{pid}", method="DELETE", headers=headers)
        assert r.status_code == 400, r.status_code
        r = c.http.post("/api/v1/person/", json={"name": "绕过令牌", "sex": "1", "unit": unit.id}, headers=headers)
        assert r.status_code == 400, r.status_code
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Person)) == before


def test_api_info_shows_no_catalogue_header(login_as):
    body = login_as("hb_admin").get("/api/v1/person/_info").get_data(as_text=True)
    assert "Project-Id-Version" not in body and "Content-Transfer-Encoding" not in body


# -- issue 14.9: 三员分立 — none of the three changes another's account -------------------------------


def _account(login):
    u = _user(login)
    return u.active, u.password, sorted(r.name for r in u.roles), u.session_version


def test_three_admins_cannot_disable_or_reset_each_other(app, login_as):
    sec = login_as("secadmin")
    with app.app_context():
        target = _user("auditadmin").id
        before = _account("auditadmin")
        staff = app.appbuilder.sm.find_role("工作人员").id
        audit_role = app.appbuilder.sm.find_role("审计管理员").id
    # disable through FAB's user screen (the active box left out)
    r = sec.post(f"/users/edit/{target}", {"first_name": "审计管理员", "phone": "13900000002",
                                           "email": "auditadmin@users.invalid",
                                           "roles": [str(audit_role)]},
                 follow_redirects=True)
    assert "不能由他人禁用、删除、修改角色或重置密码" in r.get_data(as_text=True)
    # another role in place of 审计管理员
    sec.post(f"/users/edit/{target}", {"first_name": "审计管理员", "phone": "13900000002",
                                       "email": "auditadmin@users.invalid", "active": "y", "roles": [str(staff)]})
    # a new password through FAB's 重置密码
    r = sec.post(f"/resetpassword/form?pk={target}", {"password": "Taken#2026x", "conf_password": "Taken#2026x"},
                 follow_redirects=True)
    assert "不能由他人禁用、删除、修改角色或重置密码" in r.get_data(as_text=True)
    with app.app_context():
        assert _account("auditadmin") == before
    assert login_as("auditadmin").get("/auditlog/list/").status_code in (200, 302)


def test_unit_screens_and_any_path_leave_the_three_alone(app, login_as):
    centre = login_as("center_admin")  # the administrator of the unit the three belong to
    with app.app_context():
        ids = [_user(n).id for n in ("sysadmin", "secadmin", "auditadmin")]
        before = [_account(n) for n in ("sysadmin", "secadmin", "auditadmin")]
    for act in ("disable", "resetpassword"):
        r = centre.post("/staff/action_post", {"action": act, "rowid": [str(i) for i in ids]}, follow_redirects=True)
        assert "不能由他人禁用、删除、修改角色或重置密码" in r.get_data(as_text=True)
    with app.app_context():
        assert [_account(n) for n in ("sysadmin", "secadmin", "auditadmin")] == before
    # whatever the path, a change written by another logged-in user is refused at flush
    from flask import g

    from app.services.core.users import UserError

    with app.test_request_context("/"):
        g.user = _user("secadmin")
        victim = _user("auditadmin")
        victim.active = False
        with pytest.raises(UserError):
            db.session.flush()
        db.session.rollback()
        db.session.delete(_user("sysadmin"))
        with pytest.raises(UserError):
            db.session.flush()
        db.session.rollback()
        # an ordinary account is still the security administrator's to disable
        other = make_user(unit_by_name("部专家中心"))
        other.active = False
        db.session.commit()
        assert _user(other.username).active is False
    with app.app_context():
        assert [_account(n) for n in ("sysadmin", "secadmin", "auditadmin")] == before


# -- issue 14.9: a per-address login limit; the owner hears of the failures -------------------------


def _from(app, address):
    c = Client(app)
    c.http.environ_base["REMOTE_ADDR"] = address
    return c


def _state_of(app, login):
    with app.app_context():
        u = _user(login)
        return u.fail_login_count or 0, u.locked_until


def _notices(app, login):
    from models.core.message import Message, MessageRecipient

    with app.app_context():
        uid = _user(login).id
        return list(db.session.scalars(select(Message.body).join(MessageRecipient, MessageRecipient.message_id == Message.id)
                                       .where(MessageRecipient.user_id == uid, Message.kind == "system")
                                       .order_by(Message.id)))


def test_one_address_cannot_lock_every_account(app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_LIMIT_ENABLED", True)
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_MAX_FAILURES", 6)
    a, b, c = _new_user(app), _new_user(app), _new_user(app)
    attacker = _from(app, "10.14.9.1")
    for _ in range(4):
        attacker.login(a, "Wrong#12345")
    for _ in range(2):
        attacker.login(b, "Wrong#12345")
    assert _state_of(app, a) == (4, None) and _state_of(app, b) == (2, None)
    # the address has had its six: its further attempts are refused unchecked and count against nobody
    for _ in range(5):
        r = attacker.login(c, "Wrong#12345")
        assert r.status_code == 302
    attacker.login(a, "Wrong#12345")
    assert _state_of(app, c) == (0, None) and _state_of(app, a) == (4, None)
    r = attacker.login(c, "Demo@2026")  # even the right password, from there
    assert "/login" in r.headers["Location"]
    # the owners, from their own addresses, log in as usual
    r = _from(app, "10.14.9.2").login(c, "Demo@2026")
    assert r.status_code == 302 and "/login" not in r.headers["Location"]
    r = _from(app, "10.14.9.3").login(a, "Demo@2026")
    assert r.status_code == 302 and "/login" not in r.headers["Location"]
    # … and hear how many failures preceded the login: 4 counted and 1 refused by the address limit
    notes = _notices(app, a)
    assert len(notes) == 1 and "有5次登录失败" in notes[0] and "10.14.9.1" in notes[0] and "锁定" not in notes[0]
    assert len(_notices(app, c)) == 1 and "有6次登录失败" in _notices(app, c)[0]


def test_owner_told_of_failures_and_lockout_at_next_login(app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_LIMIT_ENABLED", True)
    login = _new_user(app)
    guesser = _from(app, "10.14.9.4")
    for _ in range(5):
        guesser.login(login, "Wrong#12345")
    assert _state_of(app, login)[1] is not None  # the lockout is kept
    with app.app_context():
        u = _user(login)
        u.locked_until = dt.datetime.now() - dt.timedelta(seconds=1)
        db.session.commit()
    owner = _from(app, "10.14.9.5")
    r = owner.login(login, "Demo@2026")
    assert r.status_code == 302 and "/login" not in r.headers["Location"]
    notes = _notices(app, login)
    assert len(notes) == 1 and "有5次登录失败" in notes[0] and "10.14.9.4" in notes[0] and "被锁定" in notes[0]
    # no failures since: no new notice
    _from(app, "10.14.9.5").login(login, "Demo@2026")
    assert len(_notices(app, login)) == 1
