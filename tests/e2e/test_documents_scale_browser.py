"""Issue 13 in the browser: an export far above the job threshold, followed on its progress page."""

from __future__ import annotations

import io
import time

from python_calamine import CalamineWorkbook
from sqlalchemy import insert, select

from app.extensions import db
from tests.conftest import make_unit, unique, unit_by_name
from tests.e2e.conftest import login, shot

ROWS = 30000


def _experts(app) -> str:
    """A new unit under 武汉 with ROWS experts; returns its administrator's login name."""
    from models.core.user import UnitUser
    from models.experts.expert import Expert

    with app.app_context():
        unit = make_unit(unit_by_name("武汉市人力资源和社会保障局"), unique("导出测试单位"))
        admin = db.session.scalar(select(UnitUser.username).where(UnitUser.unit_id == unit.id))
        tag = unique("E")[-5:]
        for start in range(0, ROWS, 10000):
            db.session.execute(insert(Expert), [{
                "nationality": "中国", "name": f"批量专家{i}", "id_type": "01", "id_number": f"E{tag}{i:011d}"[:18],
                "sex": "1" if i % 2 else "2", "birth_ym": "197805", "retired": False, "work_unit": "武汉市第一医院",
                "admin_post": "无", "phone": f"139{i:08d}", "honours": "无", "major": "内科学", "title": "2",
                "unit_id": unit.id,
            } for i in range(start, min(start + 10000, ROWS))])
        db.session.commit()
    return admin


def test_large_export_with_a_moving_progress_bar(app, page):
    admin = _experts(app)
    app.config["EXPORT_JOB_ROWS"] = 1000
    try:
        login(page, admin)
        page.goto(page.base + "/experts/list/")
        page.click("a.list-export")
        page.wait_for_url("**/jobs/*")
        assert page.is_visible("text=数据较多（30000条），已转为后台导出")
        widths: list[str] = []
        shot_taken = False
        end = time.time() + 240
        while time.time() < end:
            text = page.locator(".progress-bar").inner_text()
            widths.append(text)
            if not shot_taken and text not in ("0%", "100%"):
                shot(page, "42-export-progress.png")
                shot_taken = True
            if page.locator(".job-download").is_visible():
                break
            page.wait_for_timeout(300)
        assert page.locator(".job-state").inner_text() == "已完成", widths
        assert len({w for w in widths if w not in ("0%", "100%")}) >= 1, widths  # the bar moved in between
        assert "共导出30000条" in page.locator(".job-message").inner_text()
        shot(page, "43-export-done.png")
        with page.expect_download() as dl:
            page.click(".job-download")
        assert dl.value.suggested_filename.startswith("专家库_")
        body = open(dl.value.path(), "rb").read()
        rows = list(CalamineWorkbook.from_filelike(io.BytesIO(body)).get_sheet_by_index(0).iter_rows())
        assert len(rows) == ROWS + 1 and rows[0][1] == "姓名"
    finally:
        app.config["EXPORT_JOB_ROWS"] = 5000


IMPORT_ROWS = 20000


def _follow(page, name: str) -> list[str]:
    """Watch a job page until it ends; returns the progress texts seen (one screenshot midway)."""
    seen: list[str] = []
    end = time.time() + 300
    while time.time() < end:
        text = page.locator(".progress-bar").inner_text()
        if not seen or seen[-1] != text:
            seen.append(text)
        if name and text not in ("0%", "100%") and len(seen) == 2:
            shot(page, name)
        if page.locator(".job-state").inner_text() in ("已完成", "失败"):
            break
        page.wait_for_timeout(200)
    return seen


def test_large_import_checked_and_committed_as_jobs(app, page, tmp_path):
    """20,000 experts uploaded in the browser: the check and the commit run as jobs whose progress
    the page follows; the preview is paged; all rows land, counted by the database."""
    import os

    from bench.imports import experts_workbook
    from models.experts.expert import Expert

    start = 700000 + (os.getpid() % 1000) * 30000
    path = tmp_path / "专家批量导入.xlsx"
    path.write_bytes(experts_workbook(IMPORT_ROWS, start=start))
    with app.app_context():
        before = db.session.scalar(select(db.func.count()).select_from(Expert))
    app.config["IMPORT_JOB_BYTES"] = 64 * 1024
    try:
        login(page, "hb_wh_admin")
        page.goto(page.base + "/experts/list/")
        page.click("text=批量导入")
        page.wait_for_load_state("networkidle")
        page.set_input_files("input[type=file]", str(path))
        page.click("text=上传并检查")
        page.wait_for_url("**/jobs/*")
        seen = _follow(page, "47-import-check-progress.png")
        assert page.locator(".job-state").inner_text() == "已完成", seen
        page.click(".job-link")
        page.wait_for_load_state("networkidle")
        assert page.is_visible(f"text=检查通过{IMPORT_ROWS}条") and page.is_visible("text=检查失败0条")
        shot(page, "48-import-preview-20000.png")
        page.click("button:has-text('导入成功数据')")
        page.wait_for_url("**/jobs/*")
        seen = _follow(page, "49-import-commit-progress.png")
        assert page.locator(".job-state").inner_text() == "已完成", seen
        page.wait_for_timeout(800)  # the bar's width transition
        shot(page, "50-import-done.png")
        assert f"{IMPORT_ROWS}" in page.locator(".job-message").inner_text()
    finally:
        app.config["IMPORT_JOB_BYTES"] = 2 * 1024 * 1024
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Expert)) == before + IMPORT_ROWS
