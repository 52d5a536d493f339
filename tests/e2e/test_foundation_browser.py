"""The foundation in a real browser: login, home, lazy tree, the child-unit wizard."""

from __future__ import annotations

from tests.conftest import credit_code, unique
from tests.e2e.conftest import login, shot


def test_login_page_chinese(page):
    page.goto(page.base + "/login/")
    assert "登录" in page.content()
    shot(page, "01_login.png")


def test_home_tree_and_wizard(page):
    login(page, "hb_admin")
    assert "本单位信息" in page.content() and "湖北省人力资源和社会保障厅" in page.content()
    shot(page, "02_home.png")

    page.goto(page.base + "/unittree/")
    page.click("#unit-tree .tree-toggle")
    page.wait_for_selector("text=武汉市人力资源和社会保障局")
    page.locator("li.tree-node:has(> a:text-is('武汉市人力资源和社会保障局')) > .tree-toggle").click()
    page.wait_for_selector("text=江岸区人力资源局")
    shot(page, "03_unit_tree.png")

    # step 1 with a wrong credit code: the error shows beside the field, typed values stay
    page.goto(page.base + "/newunit/")
    page.fill("input[name=credit_code]", "91420100MA4K00001X")
    page.fill("input[name=name]", "浏览器测试单位")
    page.fill("input[name=phone]", "027-88880000")
    page.select_option("select[name=nature]", "20")
    page.wait_for_selector(".region-level[data-level='0'] option[value='420000']", state="attached")
    page.select_option(".region-level[data-level='0']", "420000")
    page.wait_for_selector(".region-level[data-level='1'] option[value='420100']", state="attached")
    page.select_option(".region-level[data-level='1']", "420100")
    page.wait_for_selector(".region-level[data-level='2'] option[value='420102']", state="attached")
    page.select_option(".region-level[data-level='2']", "420102")
    page.locator("input[name=categories]").first.check()
    page.click("button[type=submit]:not([name=back])")
    page.wait_for_load_state("networkidle")
    assert "统一社会信用代码" in page.content()
    assert page.input_value("input[name=name]") == "浏览器测试单位"
    shot(page, "04_unit_form_error.png")

    page.fill("input[name=credit_code]", credit_code())
    page.locator("input[name=categories]").first.check()
    page.click("button[type=submit]:not([name=back])")
    page.wait_for_url("**/newunit/legal")
    page.fill("input[name=legal_name]", "张三")
    page.click("button[type=submit]:not([name=back])")
    page.wait_for_url("**/newunit/operator")
    login_name = unique("browser")
    page.fill("input[name=username]", login_name)
    page.fill("input[name=name]", "李经办")
    page.fill("input[name=phone]", "13912345678")
    page.fill("input[name=password]", "Abcd@1234")
    page.fill("input[name=conf_password]", "Abcd@1234")
    shot(page, "05_unit_form_operator.png")
    page.click("button[type=submit]:not([name=back])")
    page.wait_for_load_state("networkidle")
    assert "已新增下级单位" in page.content()
    assert "湖北省 / 武汉市 / 江岸区" in page.content()
    shot(page, "06_unit_created.png")
