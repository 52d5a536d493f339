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
