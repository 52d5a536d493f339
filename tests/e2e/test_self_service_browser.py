"""Issue 15.3 in the browser: 忘记密码 from the login page, 个人信息 and 修改密码 from the user menu."""

from __future__ import annotations

from tests.e2e.conftest import login, shot


def test_login_page_user_menu_and_own_info(page):
    page.goto(page.base + "/login/")
    assert page.is_visible("text=忘记密码")
    shot(page, "51-login.png")
    page.click("text=忘记密码")
    page.wait_for_load_state("networkidle")
    assert page.is_visible("text=手机号码或电子邮箱")
    login(page, "hb_wh_staff")
    page.click(".navbar-right a.dropdown-toggle:has(.fa-user)")
    assert page.is_visible(".dropdown-menu >> text=修改密码")
    shot(page, "52-user-menu.png")
    page.click(".dropdown-menu >> text=个人信息")
    page.wait_for_load_state("networkidle")
    assert page.is_visible(".userinfo-actions >> text=修改个人信息")
    shot(page, "53-user-info.png")
    page.click(".userinfo-actions >> text=修改密码")
    page.wait_for_load_state("networkidle")
    assert "原密码" in page.content() or "旧密码" in page.content() or "当前密码" in page.content()
    shot(page, "54-change-password.png")
