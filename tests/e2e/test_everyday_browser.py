"""The everyday surface in the browser: portal, messages, home, a chart, the permission matrix."""

from __future__ import annotations

from tests.conftest import unique
from tests.e2e.conftest import login, shot

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _choose(page, select_id: str, search: str, text: str) -> None:
    page.click(f"#{select_id} + .select2 .select2-selection")
    page.wait_for_selector(".select2-search__field")
    page.fill(".select2-container--open .select2-search__field", search)
    option = f".select2-results__option:has-text('{text}')"
    page.wait_for_selector(option, timeout=30000)
    page.click(option)


def test_notice_published_to_the_portal(page):
    title = unique("关于做好2027年度专家服务基层工作的通知")
    login(page, "hb_admin")
    page.goto(page.base + "/notices/add")
    page.select_option("select[name=kind]", label="通知公告")
    page.fill("input[name=title]", title)
    page.fill("textarea[name=content]", "各市（州）人力资源和社会保障局：\n现将有关事项通知如下，请认真组织实施。")
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_load_state("networkidle")
    page.goto(page.base + "/notices/list/")
    page.click(f"tr:has-text('{title}') a[href*='/notices/show/']")
    page.wait_for_load_state("networkidle")
    page.set_input_files(".upload-form input[type=file]",
                         files=[{"name": "申报通知附件.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.click(".upload-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.is_visible("text=申报通知附件.pdf")
    shot(page, "17-notice-show.png")
    page.goto(page.base + "/notices/list/")
    page.check(f"tr:has-text('{title}') input.action_check")
    page.click(".btn-group .dropdown-toggle:has-text('操作')")
    page.click("a.publish_menu_item")
    page.wait_for_selector("#modal-confirm-ok", state="visible")
    with page.expect_navigation():
        page.click("#modal-confirm-ok")
    assert "已发布1条" in page.locator(".alert-success").inner_text()
    page.goto(page.base + "/logout/")
    page.goto(page.base + "/")
    assert page.is_visible(f"text={title}") and page.is_visible("text=登录入口")
    shot(page, "18-portal-home.png")
    page.click(f"text={title}")
    page.wait_for_load_state("networkidle")
    assert page.is_visible("text=申报通知附件.pdf") and page.is_visible("text=现将有关事项通知如下")
    shot(page, "19-portal-notice.png")


def test_message_written_read_and_receipted(page):
    title = unique("请报送年度工作总结")
    login(page, "hb_admin")
    page.goto(page.base + "/messages/compose")
    _choose(page, "units", "武汉", "武汉市人力资源和社会保障局")
    page.fill("#title", title)
    page.fill("#body", "请于12月10日前报送本年度专家服务基层工作总结。")
    shot(page, "20-compose.png")
    page.click("button[value=send]")
    page.wait_for_load_state("networkidle")
    assert "已发送给2人" in page.locator(".alert-success").inner_text()
    page.goto(page.base + "/logout/")
    login(page, "hb_wh_admin")
    assert page.is_visible(".navbar .unread-badge")
    page.goto(page.base + "/")
    assert page.is_visible(f".message-panel >> text={title}")
    shot(page, "21-home.png")
    page.goto(page.base + "/inbox/list/")
    shot(page, "22-inbox.png")
    page.click(f"tr:has-text('{title}') a[href*='/inbox/show/']")
    page.wait_for_load_state("networkidle")
    page.click("text=确认已读")
    page.wait_for_load_state("networkidle")
    assert "已确认阅读" in page.locator(".alert-success").inner_text()
    page.goto(page.base + "/logout/")
    login(page, "hb_admin")
    page.goto(page.base + "/sentmessages/list/")
    page.click(f"tr:has-text('{title}') a[href*='/sentmessages/show/']")
    page.wait_for_load_state("networkidle")
    assert page.is_visible("text=共2人，已读1人")
    shot(page, "23-read-receipts.png")


def test_chart_and_matrix(page):
    login(page, "hb_admin")
    page.goto(page.base + "/statistics/chart/units_by_level")
    page.wait_for_selector(".echart canvas")
    page.wait_for_timeout(800)  # the animation
    assert page.is_visible("text=统计范围：湖北省人力资源和社会保障厅及下级单位")
    shot(page, "24-chart.png")
    role = unique("材料初审岗")
    page.goto(page.base + "/unitroles/add")
    page.fill("input[name=name]", role)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_load_state("networkidle")
    page.goto(page.base + "/rolematrix/")
    page.click(f"tr:has-text('{role}') >> text=权限矩阵")
    page.wait_for_load_state("networkidle")
    page.check("input[aria-label='专业技术人员 列表']")
    page.check("input[aria-label='专业技术人员 详情']")
    page.click(".matrix-toolbar button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert f"角色“{role}”的权限已保存" in page.locator(".alert-success").inner_text()
    assert page.is_checked("input[aria-label='专业技术人员 列表']")
    shot(page, "25-matrix.png")


def test_date_picker_reads_chinese(page):
    login(page, "hb_staff")
    page.goto(page.base + "/persons/add")
    page.click("input[name=birth_date]")
    page.wait_for_selector(".datepicker-days", state="visible")
    assert "年" in page.locator(".datepicker-days .datepicker-switch").inner_text()
    assert page.locator(".datepicker-days th.dow").first.inner_text() == "一"
    assert "面向各级" not in page.content()  # a logged-in user sees the work pages, not the portal
