"""科技特派员 departments: statistics within scope (TC-07 … TC-09) and the dispatched-unit placeholder (TC-10)."""

from __future__ import annotations

from tests.conftest import make_unit, unit_by_name


def test_statistics_count_within_the_departments_scope(login_as):
    prov = login_as("hbkj_admin").get("/statistics/data/ktp_individuals_by_city").get_json()
    names = {d for d in prov["xAxis"]["data"]}
    assert "宜昌市科学技术局" in names  # the seeded 赵丰收 (宜昌) is certified
    city = login_as("hbkj_wh_admin").get("/statistics/data/ktp_individuals_by_city").get_json()
    assert set(city["xAxis"]["data"]) <= {"武汉市科学技术局"}
    states = login_as("hbkj_admin").get("/statistics/data/ktp_applications_by_state").get_json()
    assert {d["name"] for d in states["series"][0]["data"]} >= {"审核中", "已通过"}
    assert "个人科技特派员人数" in login_as("hbkj_admin").get("/statistics/").get_data(as_text=True)


def test_dispatched_unit_sees_the_placeholder(app, login_as):
    with app.app_context():
        from app.services.core import users as user_service

        city = unit_by_name("黄冈市科学技术局")
        unit = make_unit(city, "黄冈市派驻工作站", categories=("commissioner.dispatched",))
        login = user_service.unit_admin(unit.id).username
    c = login_as(login)
    assert "派驻单位" in c.get("/").get_data(as_text=True)
    assert "功能建设中" in c.get("/ktp/dispatched/").get_data(as_text=True)
    # other departments do not see the menu item
    assert "/ktp/dispatched/" not in login_as("hbkj_admin").get("/").get_data(as_text=True)


def test_legal_unit_takes_part_only_after_the_province_approves(app, login_as):
    from sqlalchemy import select

    from app.extensions import db
    from models.core.registration import UnitRegistration
    from models.core.unit import Category, Unit
    from tests.conftest import Client, credit_code, unique

    with app.app_context():
        prov = unit_by_name("湖北省科学技术厅").id
        legal_cat = db.session.scalar(select(Category.id).where(Category.code == "commissioner.legal"))
    name, login = unique("长江大学"), unique("legal")
    c = Client(app)
    c.token()
    r = c.post("/register/", data={"parent": str(prov), "credit_code": credit_code(), "name": name, "nature": "20",
                                   "phone": "0716-8060000", "categories": [str(legal_cat)], "username": login,
                                   "admin_name": "法人联系人", "admin_phone": "13700005555", "password": "Legal@2026x",
                                   "conf_password": "Legal@2026x"})
    assert r.status_code == 302, r.get_data(as_text=True)[-400:]
    from app.services.commissioner import team as team_service

    with app.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.name == name))
        assert not unit.active and unit.id not in {u.id for u in team_service.legal_units()}
        reg_id = db.session.scalar(select(UnitRegistration.id).where(UnitRegistration.unit_id == unit.id))
    # 法人审核: the province approves; the unit then appears for team leaders
    login_as("hbkj_admin").post(f"/unitregistrations/review/{reg_id}", data={"action": "approve", "opinion": "同意"})
    with app.app_context():
        assert unit.id in {u.id for u in team_service.legal_units()}


def test_city_downloads_its_applications_as_one_zip(login_as):
    import io
    import zipfile

    r = login_as("hbkj_yc_admin").get("/ktp/applications/zip")
    assert r.status_code == 200 and r.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(r.data)).namelist()
    assert any("张果林_个人申请表.pdf" in n for n in names)  # home city 宜昌
    assert not any("王晓农" in n or "李田丰" in n for n in names)  # 武汉's applicants
    first = zipfile.ZipFile(io.BytesIO(r.data)).read(names[0])
    assert first.startswith(b"%PDF")


def test_review_records_show_what_the_user_acted_on(login_as):
    # the seeded 赵丰收 (宜昌 → 武汉) was approved by 宜昌 and accepted by 武汉; 王晓农 is a draft
    yc = login_as("hbkj_yc_admin").get("/ktp/applications/list/?mine=1").get_data(as_text=True)
    assert "赵丰收" in yc and "王晓农" not in yc
    wh = login_as("hbkj_wh_admin").get("/ktp/applications/list/?mine=1").get_data(as_text=True)
    assert "赵丰收" in wh and "李田丰" not in wh  # 李田丰 waits at 武汉: not yet acted on
    assert "审核记录" in wh
