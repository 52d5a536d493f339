"""The documents pipeline in the browser: template, upload, fix a row, import, export, the PDF sheet."""

from __future__ import annotations

import io

from openpyxl import Workbook

from tests.conftest import unique
from tests.e2e.conftest import login, shot
from tests.experts.test_experts import HEADERS, id_number, row


def test_expert_import_fix_and_export(page, tmp_path):
    seq = hash(unique("e2e")) % 40  # disjoint ranges per test: see id_number
    good, fixable = id_number(seq), id_number(seq + 1, sex_male=False)
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    ws.append(row("黄河清", good))
    ws.append(row("林晓燕", fixable, sex="女", phone="1380013"))  # a bad phone: fixed on the page
    ws.append(row("", id_number(seq + 2)))  # no name: deleted on the page
    buf = io.BytesIO()
    wb.save(buf)
    path = tmp_path / "专家导入.xlsx"
    path.write_bytes(buf.getvalue())

    login(page, "hb_wh_admin")
    page.goto(page.base + "/experts/list/")
    page.click("text=批量导入")
    page.wait_for_load_state("networkidle")
    with page.expect_download() as dl:
        page.click("text=下载导入模板")
    assert dl.value.suggested_filename == "专家库导入模板.xlsx"
    page.set_input_files("input[type=file]", str(path))
    page.click("text=上传并检查")
    page.wait_for_load_state("networkidle")
    assert page.is_visible("text=检查通过1条") and page.is_visible("text=检查失败2条")
    shot(page, "26-import-preview.png")
    page.click("tr:has-text('林晓燕') >> text=修改")
    page.wait_for_load_state("networkidle")
    page.fill("#fix-phone", "13800138001")
    page.click("text=保存并重新检查")
    page.wait_for_load_state("networkidle")
    assert page.is_visible("text=检查通过2条")
    page.click("text=删除全部失败数据")
    page.wait_for_load_state("networkidle")
    assert page.is_visible("text=检查失败0条")
    with page.expect_navigation():
        page.click("button:has-text('导入成功数据')")
    assert "导入完成：成功导入2条" in page.locator(".alert-success").inner_text()
    shot(page, "27-experts-list.png")
    with page.expect_download() as dl:
        page.click("a.list-export")
    assert dl.value.suggested_filename.startswith("专家库_")
    page.click("tr:has-text('黄河清') a[href*='/experts/show/']")
    page.wait_for_load_state("networkidle")
    shot(page, "28-expert-show.png")
    assert page.is_visible("text=专家信息表（PDF）")
