"""统计分析 (P-20): charts count only the user's subtree, draw from bundled ECharts, export to Excel."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.security.scope import path_in_subtree
from models.core.unit import Unit
from tests.conftest import unit_by_name


def _subtree_units(app, name: str) -> int:
    with app.app_context():
        unit = unit_by_name(name)
        return db.session.scalar(select(func.count()).select_from(Unit).where(
            path_in_subtree(Unit.path, unit.path), Unit.active.is_(True)))


def test_level_chart_counts_only_the_subtree(app, login_as):
    c = login_as("hb_wh_admin")
    option = c.get("/statistics/data/units_by_level").get_json()
    data = {d["name"]: d["value"] for d in option["series"][0]["data"]}
    assert "省级" not in data and "部级" not in data  # nothing above the own unit
    assert sum(data.values()) == _subtree_units(app, "武汉市人力资源和社会保障局")
    assert data["市级"] == 1
    # a sibling province's user never sees 湖北's figures
    sc = login_as("sc_admin").get("/statistics/data/units_by_level").get_json()
    sc_total = sum(d["value"] for d in sc["series"][0]["data"])
    assert sc_total == _subtree_units(app, "四川省人力资源和社会保障厅")


def test_chart_pages_and_excel_export(app, login_as):
    c = login_as("hb_admin")
    page = c.get("/statistics/").get_data(as_text=True)
    assert "单位按类型统计" in page and "vendor/echarts/echarts.common.min.js" in page
    assert "cdn" not in page.lower() and "googleapis" not in page
    page = c.get("/statistics/chart/users_by_role").get_data(as_text=True)
    assert "单位管理员" in page and "合计" in page
    # logins: the user's own login today is counted
    series = c.get("/statistics/data/logins_by_day").get_json()
    assert series["series"][0]["type"] == "line" and sum(series["series"][0]["data"]) >= 1
    r = c.get("/statistics/export/units_by_category")
    assert r.status_code == 200 and "filename*=UTF-8''" in r.headers["Content-Disposition"]
    ws = load_workbook(io.BytesIO(r.data)).active
    assert ws["A1"].value == "单位按类型统计"
    assert ws["A3"].value == "单位类型" and ws["B3"].value == "单位数"
    last = ws.max_row
    assert ws.cell(last, 1).value == "合计"
    assert ws.cell(last, 2).value == sum(ws.cell(i, 2).value for i in range(4, last))
    assert c.get("/statistics/data/nope").status_code == 404
    assert c.get("/static/vendor/echarts/echarts.common.min.js").status_code == 200


def test_logins_of_another_branch_are_not_counted(app, login_as):
    login_as("sc_cd_admin")  # a login in 四川
    hb = login_as("hb_yc_admin").get("/statistics/data/logins_by_day").get_json()
    sc = login_as("sc_cd_admin").get("/statistics/data/logins_by_day").get_json()
    from models.core.audit import AuditLog

    with app.app_context():
        cd = unit_by_name("成都市人力资源和社会保障局")
        yc = unit_by_name("宜昌市人力资源和社会保障局")
        units_cd = select(Unit.id).where(path_in_subtree(Unit.path, cd.path))
        units_yc = select(Unit.id).where(path_in_subtree(Unit.path, yc.path))
        n_cd = db.session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "login_success", AuditLog.unit_id.in_(units_cd)))
        n_yc = db.session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "login_success", AuditLog.unit_id.in_(units_yc)))
    assert sum(sc["series"][0]["data"]) == n_cd
    assert sum(hb["series"][0]["data"]) == n_yc
