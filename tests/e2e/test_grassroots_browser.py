"""专家服务基层 in the browser: a team from its start to the managing unit's approval of its summary."""

from __future__ import annotations

from tests.conftest import unique
from tests.e2e.conftest import login, pick_unit, shot

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _logout(page) -> None:
    page.goto(page.base + "/logout/")


def _submit_and_wait(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_team_start_to_summary_approval(page):
    name = unique("武汉市乡村医生培训专家服务团")
    login(page, "hb_wh_admin")
    page.goto(page.base + "/grassroots/teams/add")
    page.fill("input[name=name]", name)
    page.fill("input[name=year]", "2027")
    page.fill("input[name=field]", "卫生健康")
    pick_unit(page, "江岸区第一", "江岸区第一人民医院")
    _submit_and_wait(page, "button[type=submit], input[type=submit]")
    _logout(page)

    login(page, "hb_wh_ja_e1_admin")
    page.goto(page.base + "/grassroots/teams/list/")
    page.click(f"tr:has-text('{name}') a[href*='/grassroots/teams/show/']")
    page.wait_for_load_state("networkidle")
    page.select_option(".team-start select[name=started]", "1")
    page.locator(".team-start input[name=start_date]").press_sequentially("2027-03-01")  # typed: the date picker reads key strokes
    page.select_option(".team-start select[name=mode]", "single")
    _submit_and_wait(page, ".team-start button[type=submit]")
    assert "服务团已启动" in page.locator(".alert-success").inner_text()
    shot(page, "29-team-started.png")
    page.click("text=服务项目")
    page.fill("#p-name", "乡村医生心血管病诊疗培训")
    page.fill("#p-place", "江岸区后湖街道")
    page.fill("#p-content", "专家授课与病例带教")
    page.locator("#p-start").press_sequentially("2027-03-05")  # typed: the date picker reads key strokes
    page.fill("#p-ben", "85")
    _submit_and_wait(page, ".team-project-form button[type=submit]")
    assert page.is_visible("text=乡村医生心血管病诊疗培训")
    page.click("text=服务团设置")
    page.select_option(".team-end select[name=ended]", "1")
    page.locator(".team-end input[name=end_date]").press_sequentially("2027-06-30")  # typed: the date picker reads key strokes
    _submit_and_wait(page, ".team-end button[type=submit]")
    page.click("text=总结材料")
    page.fill(".funding-form input[name=item]", "专家差旅费")
    page.fill(".funding-form input[name=amount]", "3600")
    _submit_and_wait(page, ".funding-form button")
    page.fill("#ev-served", "85")
    page.fill("#ev-description", "培训乡村医生85人次，规范了基层高血压诊疗。")
    _submit_and_wait(page, ".evaluation-form button")
    page.set_input_files(".summary-upload input[type=file]",
                         files=[{"name": "服务团工作总结.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    _submit_and_wait(page, ".summary-upload button")
    _submit_and_wait(page, "button:has-text('提交审核')")
    assert "总结材料已提交管理单位审核" in page.locator(".alert-success").inner_text()
    shot(page, "30-team-summary-submitted.png")
    _logout(page)

    for reviewer in ("hb_wh_ja_admin", "hb_wh_admin"):
        login(page, reviewer)
        for view in ("funding", "evaluation", "summary"):
            page.goto(page.base + f"/grassroots/{view}/list/?todo=1")  # 待我审核
            link = page.locator(f"tr:has-text('{name}') a[href*='/show/']").first.get_attribute("href")
            page.goto(page.base + link.replace("/show/", "/review/"))
            page.wait_for_load_state("networkidle")
            if view == "funding" and reviewer == "hb_wh_admin":
                shot(page, "31-material-review.png")
            page.fill("#opinion", "同意")
            _submit_and_wait(page, "button[value=approve]")
        _logout(page)

    login(page, "hb_wh_ja_e1_admin")
    page.goto(page.base + "/grassroots/teams/list/")
    page.click(f"tr:has-text('{name}') a[href*='/grassroots/teams/show/']")
    page.click("text=总结材料")
    page.wait_for_load_state("networkidle")
    assert page.locator(".material-states").inner_text().count("已通过") == 3
    shot(page, "32-team-approved.png")
