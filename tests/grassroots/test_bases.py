"""专家服务基地 (G-10 … G-12) and 地区年度总结 (G-14) through the real views."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from models.core.unit import Unit
from models.grassroots.base import BaseYear, ExpertBase, RegionalSummary
from tests.conftest import credit_code, unique, unit_by_name


def test_legacy_base_handed_down_and_yearly_review(app, login_as):
    prov = login_as("hb_admin")
    login = unique("base")
    name = unique("湖北省农业科学院专家服务基地")
    r = prov.post("/grassroots/bases/legacy", data={
        "name": name, "credit_code": credit_code(), "approved_year": "2019", "field": "现代农业",
        "approval_no": "人社部函〔2019〕88号", "admin_username": login, "admin_name": "基地管理员",
        "admin_phone": "13700001234", "admin_password": "Base@2026x"})
    assert r.status_code == 302, r.get_data(as_text=True)[-300:]
    with app.app_context():
        base = db.session.scalar(select(ExpertBase).join(Unit, Unit.id == ExpertBase.unit_id).where(Unit.name == name))
        base_id, base_unit_id = base.id, base.unit_id
        assert base.unit.parent.name == "湖北省人力资源和社会保障厅"
        wh, ja, yc = (unit_by_name(n).id for n in ("武汉市人力资源和社会保障局", "江岸区人力资源局", "宜昌市人力资源和社会保障局"))
    # 2022 or later cannot be added here
    r = prov.post("/grassroots/bases/legacy", data={"name": unique("新基地"), "credit_code": credit_code(),
                                                    "approved_year": "2023", "field": "x", "admin_username": unique("b"),
                                                    "admin_name": "x", "admin_phone": "13700001235",
                                                    "admin_password": "Base@2026x"})
    assert "2022年之前批准设立的基地" in r.get_data(as_text=True)
    # a city cannot add one; a sibling city does not see the base
    assert "省（市、区）人社厅（局）层级" in login_as("hb_wh_admin").get("/grassroots/bases/legacy").get_data(as_text=True)
    assert login_as("hb_yc_admin").get(f"/grassroots/bases/show/{base_id}").status_code == 404
    # hand-down: only to a managing unit directly below; then the city hands it to the county
    r = prov.post(f"/grassroots/bases/show/{base_id}/transfer", data={"target": str(ja)}, follow_redirects=True)
    assert "请选择本单位的下一级管理单位" in r.get_data(as_text=True)
    prov.post(f"/grassroots/bases/show/{base_id}/transfer", data={"target": str(wh)})
    city = login_as("hb_wh_admin")
    assert "基地单位转移" in city.get(f"/grassroots/bases/show/{base_id}").get_data(as_text=True)
    # the province no longer transfers it (it is the city's now), but still sees it
    page = prov.get(f"/grassroots/bases/show/{base_id}").get_data(as_text=True)
    assert name in page and "基地单位转移" not in page
    prov.post(f"/grassroots/bases/show/{base_id}/transfer", data={"target": str(yc)})
    city.post(f"/grassroots/bases/show/{base_id}/transfer", data={"target": str(ja)})
    with app.app_context():
        unit = db.session.get(Unit, base_unit_id)
        assert unit.parent_id == ja and unit.path.startswith(unit_by_name("江岸区人力资源局").path)
    assert login_as("hb_wh_ja_admin").get(f"/grassroots/bases/show/{base_id}").status_code == 200
    assert login_as("hb_wh_jh_admin").get(f"/grassroots/bases/show/{base_id}").status_code == 404
    # the base unit keeps a year record, fills it, submits; the county reviews
    host = login_as(login, "Base@2026x")
    with app.app_context():
        db.session.execute(db.text("UPDATE ab_user SET must_change_password = false WHERE username = :u"), {"u": login})
        db.session.commit()
    host = login_as(login, "Base@2026x")
    r = host.post(f"/grassroots/bases/show/{base_id}/year", data={"year": "2026"})
    assert r.status_code == 302
    with app.app_context():
        year_id = db.session.scalar(select(BaseYear.id).where(BaseYear.base_id == base_id, BaseYear.year == 2026))
    r = host.post(f"/grassroots/baseyears/review/{year_id}", data={"action": "submit"}, follow_redirects=True)
    assert "请先填报：经费情况、成效汇总、年度总结" in r.get_data(as_text=True)
    host.post(f"/grassroots/baseyears/edit/{year_id}", data={
        "funds_received": "50", "funds_spent": "42.5", "funds_note": "专家劳务与差旅", "activities": "12",
        "experts": "36", "served": "1800", "results": "推广新品种3个", "summary": "全年开展活动12次。"})
    r = host.post(f"/grassroots/bases/show/{base_id}/year", data={"year": "2026"}, follow_redirects=True)
    assert "2026年度记录已存在" in r.get_data(as_text=True)
    host.post(f"/grassroots/baseyears/review/{year_id}", data={"action": "submit"})
    county = login_as("hb_wh_ja_admin")
    assert "推广新品种3个" in county.get(f"/grassroots/baseyears/review/{year_id}").get_data(as_text=True)
    county.post(f"/grassroots/baseyears/review/{year_id}", data={"action": "approve"})
    with app.app_context():
        assert db.session.get(BaseYear, year_id).review_state == "approved"


def test_regional_summary_only_for_provinces_reviewed_by_the_centre(app, login_as):
    prov = login_as("sc_admin")
    year = 2020 + hash(unique("y")) % 5
    r = prov.post("/grassroots/regional/add", data={"year": str(year), "content": "四川省全年组织服务团28个。"})
    assert r.status_code == 302
    with app.app_context():
        pk = db.session.scalar(select(RegionalSummary.id).where(RegionalSummary.year == year,
                                                                RegionalSummary.unit_id == unit_by_name(
                                                                    "四川省人力资源和社会保障厅").id))
    r = prov.post("/grassroots/regional/add", data={"year": str(year), "content": "重复"})
    assert "年度总结记录已存在" in r.get_data(as_text=True)
    assert login_as("sc_cd_admin").get("/grassroots/regional/list/").status_code == 403
    assert "地区年度总结" not in login_as("sc_cd_admin").get("/").get_data(as_text=True)
    prov.post(f"/grassroots/regional/review/{pk}", data={"action": "submit"})
    centre = login_as("center_admin")
    assert "四川省全年组织服务团28个" in centre.get(f"/grassroots/regional/review/{pk}").get_data(as_text=True)
    centre.post(f"/grassroots/regional/review/{pk}", data={"action": "approve"})
    with app.app_context():
        assert db.session.get(RegionalSummary, pk).review_state == "approved"
    assert login_as("hb_admin").get(f"/grassroots/regional/show/{pk}").status_code == 404
