"""P-01, P-02, P-08: the tree, categories, the three-step child wizard, moving."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from models.core.unit import Category, Unit
from models.core.user import UnitUser
from tests.conftest import credit_code, make_unit, unique, unit_by_name


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def _cat_id(code):
    return db.session.scalar(select(Category.id).where(Category.code == code))


def test_wizard_creates_unit_with_admin(app, login_as):
    c = login_as("hb_wh_admin")
    code = credit_code()
    with app.app_context():
        manage = _cat_id("grassroots.manage")
    r = c.post("/newunit/", {"credit_code": code, "name": "武汉测试新单位", "phone": "027-88886666",
                             "nature": "20", "region_code": "420102", "categories": str(manage)})
    assert r.status_code == 302 and r.headers["Location"].endswith("/newunit/legal")
    r = c.post("/newunit/legal", {"legal_name": "张三", "legal_id_type": "01", "legal_id_number": "",
                                  "legal_phone": "13900001234"})
    assert r.status_code == 302
    login = unique("newadm")
    r = c.post("/newunit/operator", {"username": login, "name": "李四", "phone": "13911112222",
                                     "password": "Abcd@1234", "conf_password": "Abcd@1234"})
    assert r.status_code == 302, r.get_data(as_text=True)[-2000:]
    with app.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.credit_code == code))
        parent = unit_by_name("武汉市人力资源和社会保障局")
        assert unit.parent_id == parent.id
        assert unit.path == f"{parent.path}{unit.id}/" and unit.depth == parent.depth + 1
        admin = db.session.scalar(select(UnitUser).where(UnitUser.username == login))
        assert admin.unit_id == unit.id and admin.is_unit_admin
        assert {r.name for r in admin.roles} == {"单位管理员"}
    # the new administrator logs in and must first choose a password
    r = login_as(login, "Abcd@1234").get("/units/list/")
    assert r.status_code == 302 and "/resetmypassword/form" in r.headers["Location"]


def test_invalid_credit_code_keeps_form(app, login_as):
    c = login_as("hb_wh_admin")
    with app.app_context():
        before = _count(Unit)
    r = c.post("/newunit/", {"credit_code": "91420100MA4KXXXX1Y", "name": "输错代码的单位", "phone": "027-88886666"})
    body = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "统一社会信用代码校验位不正确" in body or "统一社会信用代码应为18位" in body
    assert "输错代码的单位" in body  # kept
    with app.app_context():
        assert _count(Unit) == before


def test_category_parent_may_not_grant_is_refused(app, login_as):
    c = login_as("hb_wh_admin")
    with app.app_context():
        root_only = _cat_id("commissioner.province")
        before = _count(Unit)
    r = c.post("/newunit/", {"credit_code": credit_code(), "name": "越级类型", "phone": "027-88886666",
                             "categories": str(root_only)})
    assert r.status_code == 200
    assert "不是有效的选项" in r.get_data(as_text=True) or "无权授予" in r.get_data(as_text=True)
    with app.app_context():
        assert _count(Unit) == before


def test_duplicate_login_name_refused_and_nothing_created(app, login_as):
    c = login_as("hb_wh_admin")
    code = credit_code()
    with app.app_context():
        manage = _cat_id("grassroots.manage")
        before = (_count(Unit), _count(UnitUser))
    c.post("/newunit/", {"credit_code": code, "name": "重复登录名单位", "phone": "027-88886666", "categories": str(manage)})
    c.post("/newunit/legal", {})
    r = c.post("/newunit/operator", {"username": "hb_admin", "name": "王五", "phone": "13911113333",
                                     "password": "Abcd@1234", "conf_password": "Abcd@1234"})
    assert r.status_code == 200 and "登录名已被使用" in r.get_data(as_text=True)
    with app.app_context():
        assert (_count(Unit), _count(UnitUser)) == before


def test_move_subtree_rewrites_paths_in_one_statement(app):
    from sqlalchemy import event

    from app.services.core import units as unit_service

    with app.app_context():
        a = make_unit(unit_by_name("部专家中心"), "移动源")
        b = make_unit(a, "移动源子")
        c = make_unit(b, "移动源孙")
        target = unit_by_name("四川省人力资源和社会保障厅")
        updates = []

        def count(conn, cursor, statement, *args):
            if statement.lstrip().upper().startswith("UPDATE CORE_UNIT"):
                updates.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            n = unit_service.move_subtree(a, target)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert n == 3 and len(updates) == 1
        a, b, c = (db.session.get(Unit, x.id) for x in (a, b, c))
        assert a.parent_id == target.id
        assert a.path == f"{target.path}{a.id}/" and c.path == f"{target.path}{a.id}/{b.id}/{c.id}/"
        assert c.depth == target.depth + 3


def test_move_into_own_subtree_is_refused(app):
    import pytest

    from app.services.core import units as unit_service

    with app.app_context():
        a = make_unit(unit_by_name("部专家中心"), "环路源")
        b = make_unit(a, "环路子")
        path_before = a.path
        with pytest.raises(unit_service.UnitError):
            unit_service.move_subtree(a, b)
        assert db.session.get(Unit, a.id).path == path_before


def test_tree_children_lazy_and_scoped(app, login_as):
    c = login_as("hb_admin")
    with app.app_context():
        hb = unit_by_name("湖北省人力资源和社会保障厅")
        sc = unit_by_name("四川省人力资源和社会保障厅")
        hb_id, sc_id = hb.id, sc.id
    data = c.get(f"/unittree/children/{hb_id}").get_json()
    names = {i["name"] for i in data["items"]}
    assert {"武汉市人力资源和社会保障局", "宜昌市人力资源和社会保障局"} <= names
    assert not any("成都" in n for n in names)
    seeded = {"武汉市人力资源和社会保障局", "宜昌市人力资源和社会保障局"}  # other tests add childless units here
    assert all(i["has_children"] for i in data["items"] if i["name"] in seeded)
    assert c.get(f"/unittree/children/{sc_id}").status_code == 404
    tree = c.get("/unittree/")
    assert tree.status_code == 200 and "湖北省人力资源和社会保障厅" in tree.get_data(as_text=True)


def test_departments_of_own_unit(app, login_as):
    c = login_as("hb_admin")
    with app.app_context():
        hb_id = unit_by_name("湖北省人力资源和社会保障厅").id
    r = c.post("/departments/add", {"unit": str(hb_id), "name": "专技人才处", "head": "赵六", "phone": "027-87654321"})
    assert r.status_code == 302
    assert "专技人才处" in c.get("/departments/list/").get_data(as_text=True)
    assert "专技人才处" not in login_as("sc_admin").get("/departments/list/").get_data(as_text=True)


@pytest.mark.parametrize("admin,unit_name", [
    ("hb_admin", "湖北省人力资源和社会保障厅"),
    ("hb_wh_ja_admin", "江岸区人力资源局"),
    ("hb_wh_ja_e1_admin", "江岸区第一人民医院"),
])
def test_own_unit_info_saves_below_the_root(app, login_as, admin, unit_name):
    """P-04 (issue 15.2): the unit's own parent lies outside its administrator's scope; saving the unit's
    own information keeps that parent and must not be refused for it."""
    import re

    c = login_as(admin)
    with app.app_context():
        unit = unit_by_name(unit_name)
        assert unit is not None, unit_name
        uid, parent_id = unit.id, unit.parent_id
    r = c.get("/ownunit/")
    assert r.status_code == 302 and f"/units/edit/{uid}" in r.headers["Location"]
    form = c.get(f"/units/edit/{uid}").get_data(as_text=True)
    fields = dict(re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', form))
    fields.pop("csrf_token", None)
    fields.update({"name": unit_name, "phone": "027-88886666", "address": "武汉市江岸区沿江大道1号"})
    r = c.post(f"/units/edit/{uid}", fields)
    assert r.status_code == 302, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r.get_data(as_text=True)))[-600:]
    with app.app_context():
        unit = db.session.get(Unit, uid)
        assert unit.phone == "027-88886666" and unit.parent_id == parent_id
