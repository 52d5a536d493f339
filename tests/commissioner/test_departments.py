"""科技特派员 departments: statistics within scope (TC-07 … TC-09) and the dispatched-unit placeholder (TC-10)."""

from __future__ import annotations

import io
import re

from tests.conftest import make_unit, unit_by_name


def test_statistics_count_within_the_departments_scope(login_as):
    prov = login_as("hbkj_admin").get("/statistics/data/commissioner_individuals_by_city").get_json()
    names = {d for d in prov["xAxis"]["data"]}
    assert "宜昌市科学技术局" in names  # the seeded 赵丰收 (宜昌) is certified
    city = login_as("hbkj_wh_admin").get("/statistics/data/commissioner_individuals_by_city").get_json()
    assert set(city["xAxis"]["data"]) <= {"武汉市科学技术局"}
    states = login_as("hbkj_admin").get("/statistics/data/commissioner_applications_by_state").get_json()
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
    assert "功能建设中" in c.get("/commissioner/dispatched/").get_data(as_text=True)
    # other departments do not see the menu item
    assert "/commissioner/dispatched/" not in login_as("hbkj_admin").get("/").get_data(as_text=True)


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
    # 法人审核 cannot pass before the unit has filled its 机构信息 and uploaded the stamped application
    province = login_as("hbkj_admin")
    r = province.post(f"/unitregistrations/review/{reg_id}", data={"action": "approve", "opinion": "同意"},
                      follow_redirects=True)
    assert "该法人单位尚未填写机构信息，不能通过" in r.get_data(as_text=True)
    # the waiting unit sees 用户权限申请 with the next step, and may open 机构信息 (nothing else)
    waiting = login_as(login, "Legal@2026x")
    assert "/myapplication/" in waiting.get("/commissioner/people/list/").headers["Location"]
    page = waiting.get("/myapplication/").get_data(as_text=True)
    assert "填写机构信息并上传盖章法人申请表" in page
    assert "单位及用户管理" not in page and "/commissioner/org/" in page  # the navbar offers only what it may open
    r = waiting.post("/commissioner/org/", data={"name": name, "nature": "20", "legal_name": "", "location": "荆州市",
                                        "contact": "王联络", "contact_phone": "0716-8060001", "phone": "0716-8060000",
                                        "business": "农业教育与科研"}, follow_redirects=True)
    body = r.get_data(as_text=True)
    assert "法人代表为必填项，若无相关信息请填写“无”" in body and "农业教育与科研" in body  # typed text kept
    r = waiting.post("/commissioner/org/", data={"name": name, "nature": "20", "legal_name": "张法人", "location": "荆州市",
                                        "contact": "王联络", "contact_phone": "0716-8060001", "phone": "0716-8060000",
                                        "business": "农业教育与科研"})
    assert r.status_code == 302
    sheet = waiting.get("/commissioner/org/sheet")
    assert sheet.status_code == 200 and sheet.data.startswith(b"%PDF")
    r = waiting.post("/commissioner/org/upload", data={"file": (io.BytesIO(b"not a pdf"), "盖章.pdf")},
                     content_type="multipart/form-data", follow_redirects=True)
    assert "不是允许的类型" in r.get_data(as_text=True)
    r = waiting.post("/commissioner/org/upload", data={"file": (io.BytesIO(sheet.data), "盖章法人申请表.pdf")},
                     content_type="multipart/form-data", follow_redirects=True)
    assert "盖章法人申请表已上传" in r.get_data(as_text=True)
    # the province reads both on its review page, downloads the scan, and approves
    review = province.get(f"/unitregistrations/review/{reg_id}").get_data(as_text=True)
    assert "张法人" in review and "盖章法人申请表.pdf" in review
    att = re.search(r"/attachments/download/(\d+)", review)
    assert att and province.get(att.group(0)).data.startswith(b"%PDF")
    province.post(f"/unitregistrations/review/{reg_id}", data={"action": "approve", "opinion": "同意"})
    with app.app_context():
        assert unit.id in {u.id for u in team_service.legal_units()}
        assert db.session.get(Unit, unit.id).legal_name == "张法人"


def test_city_downloads_its_applications_as_one_zip(login_as):
    import io
    import zipfile

    r = login_as("hbkj_yc_admin").get("/commissioner/applications/zip")
    assert r.status_code == 200 and r.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(r.data)).namelist()
    assert any("张果林_个人申请表.pdf" in n for n in names)  # home city 宜昌
    assert not any("王晓农" in n or "李田丰" in n for n in names)  # 武汉's applicants
    first = zipfile.ZipFile(io.BytesIO(r.data)).read(names[0])
    assert first.startswith(b"%PDF")


def test_review_records_show_what_the_user_acted_on(login_as):
    # the seeded 赵丰收 (宜昌 → 武汉) was approved by 宜昌 and accepted by 武汉; 王晓农 is a draft
    yc = login_as("hbkj_yc_admin").get("/commissioner/applications/list/?mine=1").get_data(as_text=True)
    assert "赵丰收" in yc and "王晓农" not in yc
    wh = login_as("hbkj_wh_admin").get("/commissioner/applications/list/?mine=1").get_data(as_text=True)
    assert "赵丰收" in wh and "李田丰" not in wh  # 李田丰 waits at 武汉: not yet acted on
    assert "审核记录" in wh
