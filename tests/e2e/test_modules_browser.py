"""Business lines as modules, in the browser: each unit sees its own lines; an old /ktp/ bookmark
lands on the new address; the portal offers each enabled line's registration."""

from __future__ import annotations

from tests.e2e.conftest import login, shot


def test_a_unit_sees_its_lines_and_another_lines_page_is_refused(page):
    page.goto(page.base + "/")
    assert page.locator("a:has-text('科技特派员注册')").count() == 1  # the line's portal link
    shot(page, "80-modules-portal.png")

    login(page, "hb_admin")  # 湖北省人社厅: 专家服务基层 (and the lines still to come), not 科技特派员
    nav = page.locator(".navbar").inner_text()
    assert "专家服务基层" in nav and "科技特派员" not in nav
    shot(page, "81-modules-hb-home.png")
    page.goto(page.base + "/ktp/people/list/")  # an old bookmark of the other line
    assert "/commissioner/people/list/" in page.url or "/login/" in page.url or page.url.endswith("/")
    body = page.locator("body").inner_text()
    assert "王晓农" not in body and "Traceback" not in body
    shot(page, "82-modules-other-line-refused.png")
    page.goto(page.base + "/logout/")

    login(page, "hbkj_admin")  # 湖北省科学技术厅: 科技特派员 only
    nav = page.locator(".navbar").inner_text()
    assert "科技特派员" in nav and "专家服务基层" not in nav
    page.goto(page.base + "/ktp/people/list/")
    assert page.url.endswith("/commissioner/people/list/")
    body = page.locator("body").inner_text()
    assert "科技特派员人员" in body and "湖北省科学技术厅" in body  # the line's own list, with its people
    shot(page, "83-modules-commissioner-list-from-old-address.png")
    page.goto(page.base + "/logout/")


def test_a_person_finds_their_lines_pages(page):
    login(page, "ktp_city")
    body = page.locator("body").inner_text()
    assert "个人申请表" in body and "专家服务基层" not in body
    shot(page, "84-modules-person-home.png")
    page.goto(page.base + "/commissioner/my/application")
    assert page.locator("form.commissioner-application").count() == 1
    assert "审核状态" in page.locator("body").inner_text()
    shot(page, "85-modules-person-application.png")
