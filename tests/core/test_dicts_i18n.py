"""Dictionaries (数据字典), region cascade, Chinese by default, migrations = models."""

from __future__ import annotations

from app.extensions import db
from app.services.core import dicts


def test_standard_dictionaries_seeded(app):
    with app.app_context():
        assert dicts.label("ethnicity", "01") == "汉族"
        assert len(dicts.choices("ethnicity")) == 58
        assert dicts.label("title_level", "1") == "正高级"
        assert dicts.full_label("region", "420102") == "湖北省 / 武汉市 / 江岸区"
        assert dicts.full_label("region", "110101").startswith("北京市")


def test_region_cascade_endpoint(login_as):
    c = login_as("hb_staff")
    provinces = c.get("/dictoptions/region/").get_json()
    assert {"code": "420000", "name": "湖北省"} in provinces
    cities = c.get("/dictoptions/region/?parent=420000").get_json()
    assert {"code": "420100", "name": "武汉市"} in cities


def test_dictionary_columns_render_labels_and_reject_bad_codes(app, login_as):
    c = login_as("hb_wh_ja_e1_admin")
    body = c.get("/persons/list/").get_data(as_text=True)
    assert any(level in body for level in ("正高级", "副高级", "中级", "助理级"))
    with app.app_context():
        from tests.conftest import unit_by_name

        uid = unit_by_name("江岸区第一人民医院").id
    r = c.post("/persons/add", {"unit": str(uid), "name": "字典校验", "sex": "9", "id_type": "01"})
    assert r.status_code == 200 and "不是有效的选项" in r.get_data(as_text=True)
    r = c.post("/persons/add", {"unit": str(uid), "name": "身份证校验", "sex": "1", "id_type": "01",
                                "id_number": "110101199003071234"})
    assert "身份证号码校验位不正确" in r.get_data(as_text=True)


def test_chinese_by_default_english_selectable(app, client):
    body = client.get("/login/").get_data(as_text=True)
    assert "登录" in body and "Sign In" not in body
    client.get("/lang/en")
    assert "Sign In" in client.get("/login/").get_data(as_text=True) or "Login" in client.get("/login/").get_data(
        as_text=True)


def test_no_external_assets(app, login_as):
    c = login_as("hb_admin")
    for url in ("/", "/units/list/", "/unittree/", "/newunit/", "/login/"):
        body = c.get(url).get_data(as_text=True)
        assert "http://" not in body.replace("http://localhost", "") or "src=\"http" not in body
        assert 'src="http' not in body and 'href="http' not in body


def test_support_page_public_and_editable(app, client, login_as):
    body = client.get("/support/").get_data(as_text=True)
    assert "13270701708" in body and "殷老师" in body
    c = login_as("sysadmin")
    with app.app_context():
        from models.core.setting import SupportInfo

        sid = db.session.query(SupportInfo).first().id
    r = c.post(f"/supportedit/edit/{sid}", {"title": "技术服务", "contact": "殷老师", "phone": "010-58235529",
                                            "office_hours": "工作日 9:00-17:00"})
    assert r.status_code == 302
    assert "010-58235529" in client.get("/support/").get_data(as_text=True)
    assert login_as("hb_admin").get(f"/supportedit/edit/{sid}").status_code == 403


def test_migrations_match_models(app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from flask_appbuilder.models.sqla import Model

    with app.app_context():
        with db.engine.connect() as conn:
            mc = MigrationContext.configure(conn)
            diff = compare_metadata(mc, Model.metadata)
    assert diff == [], diff
