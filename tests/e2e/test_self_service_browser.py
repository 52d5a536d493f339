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


def test_fab_widgets_speak_chinese(page):
    """Issue 15.6: FAB's own alert and select2's strings in Chinese."""
    login(page, "hb_wh_admin")
    page.goto(page.base + "/staff/list/")
    page.click("a.dropdown-toggle:has-text('操作'), button.dropdown-toggle:has-text('操作')")
    page.click(".dropdown-menu a:has-text('禁用')")
    page.wait_for_selector("#modal-alert .modal-text", state="visible")
    assert page.locator("#modal-alert .modal-text").inner_text() == "请先选择记录"
    texts = page.evaluate("""() => {
        const lang = $.fn.select2.defaults.defaults.language;
        return [lang.removeAllItems(), lang.noResults()];
    }""")
    assert texts == ["清除全部", "无匹配结果"]
