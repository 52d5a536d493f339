"""个人科技特派员 in the browser: from registration to the uploaded stamped agreement."""

from __future__ import annotations

from tests.conftest import unique, unique_phone
from tests.e2e.conftest import login, shot

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _go(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def _review(page, user: str, name: str, action: str, opinion: str = "", shot_name: str | None = None) -> None:
    login(page, user)
    page.goto(page.base + "/commissioner/applications/list/?todo=1")
    link = page.locator(f"tr:has-text('{name}') a[href*='/show/']").first.get_attribute("href")
    page.goto(page.base + link.replace("/show/", "/review/"))
    if opinion:
        page.fill("#opinion", opinion)
    if shot_name:
        shot(page, shot_name)
    _go(page, f"button[value={action}]")
    page.goto(page.base + "/logout/")


def test_individual_from_registration_to_stamped_agreement(page):
    login_name, name = unique("ktpe2e"), "周橘红"
    page.goto(page.base + "/")
    _go(page, "text=科技特派员注册")
    page.fill("#f-name", name)
    page.fill("#f-username", login_name)
    phone = unique_phone()
    page.fill("#f-phone", phone)
    page.fill("#f-password", "Ktp@2026x")
    page.select_option("#f-kind", "individual")
    shot(page, "33-commissioner-register.png")
    _go(page, "button[type=submit]")
    login(page, login_name, "Ktp@2026x")
    page.goto(page.base + "/commissioner/my/profile")
    for field, value in [("name", name), ("birth_ym", "198507"), ("native_place", "湖北宜昌"), ("workplace", "三峡大学"),
                         ("post", "无"), ("title", "副高级"), ("phone", phone)]:
        page.fill(f"#f-{field}", value)
    page.select_option("#f-sex", "2")
    page.select_option("#f-politics", "01")
    page.select_option("#f-education", "14")
    page.select_option("#f-city", label="宜昌市科学技术局")
    _go(page, ".commissioner-profile button[type=submit]")
    page.goto(page.base + "/commissioner/my/application")
    page.fill("#f-major", "柑橘栽培")
    page.select_option("#f-intended_city", label="黄冈市科学技术局")
    page.fill("#f-intended_county", "蕲春县")
    page.fill("#f-intended_enterprise", "蕲春县橘园专业合作社")
    page.fill("#f-industry", "柑橘")
    page.fill("#f-introduction", "长期从事柑橘栽培技术推广。")
    page.fill("#f-achievements", "无")
    _go(page, ".commissioner-application button[type=submit]")
    _go(page, ".commissioner-submit button")
    assert "审核中" in page.locator(".commissioner-state").inner_text()
    shot(page, "34-commissioner-application-submitted.png")
    page.goto(page.base + "/logout/")

    _review(page, "hbkj_yc_admin", name, "approve", "同意推荐")
    _review(page, "hbkj_admin", name, "approve", "初审通过")
    _review(page, "hbkj_admin", name, "push", shot_name="35-commissioner-push.png")
    _review(page, "hbkj_hg_admin", name, "accept", shot_name="36-commissioner-accept.png")
    _review(page, "hbkj_admin", name, "approve", "同意选派")

    login(page, login_name, "Ktp@2026x")
    page.goto(page.base + "/commissioner/my/application")
    assert "审核成功" in page.locator(".commissioner-state").inner_text()
    page.goto(page.base + "/commissioner/my/agreement")
    for field, value in [("specialty", "柑橘品种改良"), ("enterprise_business", "柑橘种植与销售"), ("needs", "提高优质果率"),
                         ("work_plan", "每季度驻企指导10天"), ("targets", "优质果率提高10%")]:
        page.fill(f"#f-{field}", value)
    _go(page, ".commissioner-agreement button[type=submit]")
    with page.expect_download() as dl:
        page.click("text=下载个人服务协议")
    assert dl.value.suggested_filename == f"个人服务协议_{name}.pdf"
    page.set_input_files(".commissioner-scan input[type=file]",
                         files=[{"name": "盖章个人服务协议.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    _go(page, ".commissioner-scan button[type=submit]")
    assert page.is_visible("text=盖章个人服务协议.pdf")
    shot(page, "37-commissioner-agreement-uploaded.png")
