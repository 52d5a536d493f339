"""法人科技特派员 in the browser: the leader's team with members, the application through the legal
unit, the province, 推送管理, 对接审核 and the final review, the legal unit's bulk upload of its
stamped scan, and the team agreement with its PDF and uploaded scan."""

from __future__ import annotations

import io
import zipfile

from tests.conftest import unique, unique_phone
from tests.e2e.conftest import login, shot
from tests.e2e.test_commissioner_browser import PDF, _go


def _register(page, kind: str, name: str) -> str:
    login_name = unique("ktpt")
    page.goto(page.base + "/commissioner/register/")
    page.fill("#f-name", name)
    page.fill("#f-username", login_name)
    phone = unique_phone()
    page.fill("#f-phone", phone)
    page.fill("#f-password", "Ktp@2026x")
    page.select_option("#f-kind", kind)
    _go(page, "button[type=submit]")
    login(page, login_name, "Ktp@2026x")
    page.goto(page.base + "/commissioner/my/profile")
    for field, value in [("name", name), ("birth_ym", "198203"), ("native_place", "湖北荆州"), ("workplace", "华中农业大学"),
                         ("post", "教授"), ("title", "正高级"), ("phone", phone)]:
        page.fill(f"#f-{field}", value)
    page.select_option("#f-sex", "1")
    page.select_option("#f-politics", "01")
    page.select_option("#f-education", "11")
    _go(page, ".commissioner-profile button[type=submit]")
    return login_name


def _act(page, user: str, menu: str, team: str, action: str, opinion: str = "", shot_name: str | None = None) -> None:
    """Open the menu item as the manual names it, find the team, act on its review page."""
    login(page, user)
    page.click("a.dropdown-toggle:has-text('科技特派员')")
    _go(page, f".dropdown-menu a:has-text('{menu}')")
    if "team-applications" not in page.url:
        _go(page, ".commissioner-matter a:has-text('法人科技特派员（团队）')")
    link = page.locator(f"tr:has-text('{team}') a[href*='/show/']").first.get_attribute("href")
    page.goto(page.base + link.replace("/show/", "/review/"))
    if opinion:
        page.fill("#opinion", opinion)
    if shot_name:
        shot(page, shot_name)
    _go(page, f"button[value={action}]")
    page.goto(page.base + "/logout/")


def test_team_from_creation_to_stamped_agreement(page):
    team = unique("华农茶叶科技服务团队")
    leader = _register(page, "leader", "欧阳茗")
    page.goto(page.base + "/commissioner/team/")
    page.fill(".commissioner-team-form input[name=name]", team)
    page.select_option(".commissioner-team-form select[name=unit]", label="华中农业大学")
    _go(page, ".commissioner-team-form button[type=submit]")
    page.goto(page.base + "/logout/")
    for name in ("司马春", "诸葛秋"):
        _register(page, "member", name)
        page.goto(page.base + "/commissioner/team/join")
        page.select_option(".commissioner-join select[name=team]", label=f"华中农业大学 — {team}")
        _go(page, ".commissioner-join button[type=submit]")
        page.goto(page.base + "/logout/")
    login(page, leader, "Ktp@2026x")
    page.goto(page.base + "/commissioner/team/")
    assert page.locator(".commissioner-members tbody tr").count() == 2
    shot(page, "38-commissioner-team-members.png")
    page.goto(page.base + "/commissioner/team/application")
    for field, value in [("field", "茶树栽培与加工"), ("achievements", "育成茶树新品种2个"), ("intended_county", "五峰县"),
                         ("intended_enterprise", "五峰茶业有限公司"), ("chain", "茶叶产业链")]:
        page.fill(f"#f-{field}", value)
    page.select_option("#f-intended_city", label="宜昌市科学技术局")
    _go(page, ".commissioner-team-application button[type=submit]")
    _go(page, ".commissioner-submit button")
    assert "审核中" in page.locator(".commissioner-state").inner_text()
    page.goto(page.base + "/logout/")

    _act(page, "hbkj_hzau_admin", "申请审核", team, "approve", "同意推荐", shot_name="39-commissioner-team-legal-review.png")
    _act(page, "hbkj_admin", "申请审核", team, "approve", "初审通过")
    _act(page, "hbkj_admin", "推送管理", team, "push")
    _act(page, "hbkj_yc_admin", "对接审核", team, "accept")
    _act(page, "hbkj_admin", "申请审核", team, "approve", "同意选派")

    # the legal unit downloads its teams' applications, stamps them and uploads the scans in one zip
    login(page, "hbkj_hzau_admin")
    page.goto(page.base + "/commissioner/files/")
    with page.expect_download() as dl:
        page.click(".commissioner-bundle-team")
    names = zipfile.ZipFile(dl.value.path()).namelist()
    sheet = next(n for n in names if f"{team}_团队申请表.pdf" in n)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(sheet, PDF)
    page.set_input_files(".commissioner-bulk-upload input[type=file]",
                         files=[{"name": "盖章团队申请表.zip", "mimeType": "application/zip", "buffer": buf.getvalue()}])
    _go(page, ".commissioner-bulk-upload button[type=submit]")
    assert "已保存" in page.locator(".commissioner-outcomes").inner_text()
    shot(page, "40-commissioner-legal-bulk-upload.png")
    page.goto(page.base + "/logout/")

    login(page, leader, "Ktp@2026x")
    page.goto(page.base + "/commissioner/team/application")
    assert "审核成功" in page.locator(".commissioner-state").inner_text()
    page.goto(page.base + "/commissioner/team/agreement")
    for field, value in [("enterprise_business", "茶叶种植与加工"), ("needs", "提升名优茶比例"), ("work_plan", "每月驻企5天"),
                         ("targets", "名优茶比例提高15%")]:
        page.fill(f"#f-{field}", value)
    _go(page, ".commissioner-agreement button[type=submit]")
    with page.expect_download() as dl:
        page.click("text=下载团队服务协议")
    assert dl.value.suggested_filename == f"团队服务协议_{team}.pdf"
    page.set_input_files(".commissioner-scan input[type=file]",
                         files=[{"name": "盖章团队服务协议.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    _go(page, ".commissioner-scan button[type=submit]")
    assert page.is_visible("text=盖章团队服务协议.pdf")
    shot(page, "41-commissioner-team-agreement-uploaded.png")
