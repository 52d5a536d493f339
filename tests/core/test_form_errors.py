"""A form shows all its errors at once: the validators' and the view's own checks together (issue 15, 9)."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app.extensions import db
from models.core.user import UnitUser
from models.experts.expert import Expert
from tests.conftest import unique


def _errors(body: str) -> list[str]:
    """The errors beside the fields (FAB's form widget, or the platform's own form macro)."""
    return [e.strip() for e in re.findall(
        r'(?:<div class="alert alert-danger">|<span class="help-block field-error">)\s*([^<]+?)\s*<', body)]


def test_the_expert_form_shows_every_problem_at_once_and_keeps_the_typing(app, login_as):
    c = login_as("hb_wh_ja_admin")
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Expert))
    # 姓名 missing (a validator), 出生年月, 手机号码 and 证件号码 wrong (the view's checks)
    data = {"nationality": "中国", "name": "", "id_type": "01", "id_number": "4201021978051", "sex": "1",
            "birth_ym": "1978-5", "work_unit": "江岸区人民医院", "admin_post": "无", "phone": "1391234",
            "honours": "无", "series": "07", "major": "心血管内科", "title": "1"}
    body = c.post("/experts/add", data=data).get_data(as_text=True)
    errors = " ".join(_errors(body))
    assert "姓名" in errors or "必填" in errors
    assert len(_errors(body)) >= 3, _errors(body)
    assert "1978-5" in body and "江岸区人民医院" in body  # what was typed stays
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Expert)) == before


def test_the_staff_form_shows_every_problem_at_once(app, login_as):
    c = login_as("hb_wh_admin")
    login = unique("s")
    data = {"username": login, "first_name": "", "phone": "12", "email": "", "password": "short",
            "conf_password": "short"}
    body = c.post("/staff/add", data=data).get_data(as_text=True)
    errors = _errors(body)
    assert any("姓名" in e for e in errors), errors
    assert any("手机" in e for e in errors), errors
    assert any("密码" in e for e in errors), errors
    with app.app_context():
        assert db.session.scalar(select(UnitUser.id).where(UnitUser.username == login)) is None


def test_the_registration_form_shows_every_problem_at_once(app, client):
    from tests.conftest import unit_by_name

    with app.app_context():
        parent = unit_by_name("湖北省人力资源和社会保障厅") or unit_by_name("部专家中心")
        pid = parent.id
    client.token()
    body = client.post("/register/", data={"parent": str(pid), "credit_code": "123", "name": "", "phone": "027-1",
                                           "username": "ab", "admin_name": "某", "admin_phone": "139",
                                           "password": "x", "conf_password": "x"}).get_data(as_text=True)
    errors = _errors(body)
    for word in ("统一社会信用代码", "单位名称", "单位类型", "登录名", "手机", "密码"):
        assert any(word in e for e in errors), (word, errors)


def test_the_commissioner_forms_show_every_problem_at_once(app, client, login_as):
    client.token()
    body = client.post("/commissioner/register/", data={"kind": "", "username": "a", "name": "", "phone": "139",
                                               "password": "x", "conf_password": "x"}).get_data(as_text=True)
    errors = _errors(body) + re.findall(r'<div class="alert alert-danger">([^<]+)<', body)
    for word in ("角色", "登录名", "姓名", "手机", "密码"):
        assert any(word in e for e in errors), (word, errors)
    # 机构信息 of the province: two fields missing and a phone wrong, in one answer
    province = login_as("hbkj_admin")
    body = province.post("/commissioner/org/", data={"name": "湖北省科学技术厅", "location": "", "phone": "12",
                                            "contact": "", "contact_phone": "027-87654321"}).get_data(as_text=True)
    assert len(_errors(body)) >= 3, _errors(body)
