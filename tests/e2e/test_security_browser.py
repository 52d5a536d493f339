"""The security baseline in a real browser: forced password change, the audit screen."""

from __future__ import annotations

from sqlalchemy import text

from app.extensions import db
from tests.e2e.conftest import login, shot


def test_first_login_forces_a_new_password(app, page):
    with app.app_context():
        db.session.execute(text("UPDATE ab_user SET must_change_password = true WHERE username = 'sd_jn_lx_staff'"))
        db.session.commit()
    login(page, "sd_jn_lx_staff")
    assert "/resetmypassword/form" in page.url
    assert "请先修改密码" in page.content()
    shot(page, "07_forced_password_change.png")
    page.fill("input[name=old_password]", "Demo@2026")
    page.fill("input[name=password]", "abc12345")  # two classes only
    page.fill("input[name=conf_password]", "abc12345")
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "至少三类" in page.content()
    page.fill("input[name=old_password]", "Demo@2026")
    page.fill("input[name=password]", "Jinan#2026")
    page.fill("input[name=conf_password]", "Jinan#2026")
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.goto(page.base + "/persons/list/")
    assert "/resetmypassword/form" not in page.url


def test_audit_administrator_screen(page):
    login(page, "auditadmin")
    page.goto(page.base + "/auditlog/list/")
    assert "审计日志" in page.content() and "登录成功" in page.content()
    shot(page, "08_audit_log.png")
    page.goto(page.base + "/no/such/page")
    assert "您访问的页面或数据不存在" in page.content()
    shot(page, "09_error_404.png")
