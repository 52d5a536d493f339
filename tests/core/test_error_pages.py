"""Issue 15.5: an error page keeps the platform's frame (navigation bar, user menu) and a way back."""

from __future__ import annotations


def test_forbidden_and_missing_pages_keep_the_navbar(app, login_as):
    c = login_as("hb_wh_staff")
    for url in ("/experts/show/99999999", "/units/move/1"):
        r = c.get(url, headers={"Referer": "http://localhost/experts/list/"})
        body = r.get_data(as_text=True)
        assert r.status_code in (403, 404), (url, r.status_code)
        assert "navbar" in body and "个人信息" in body and "返回首页" in body, url
        assert "返回上一页" in body and 'href="http://localhost/experts/list/"' in body


def test_anonymous_errors_still_render(client):
    r = client.get("/no/such/page")
    assert r.status_code == 404 and "您访问的页面或数据不存在" in r.get_data(as_text=True)


def test_after_an_action_the_user_stays_where_they_were(app, login_as):
    """Issue 15.5: 禁用/启用/重置密码 return to the page they came from, not the home page."""
    from sqlalchemy import select

    from app.extensions import db
    from models.core.user import UnitUser
    from tests.conftest import make_user, unit_by_name

    with app.app_context():
        user = make_user(unit_by_name("武汉市人力资源和社会保障局"))
        pk = user.id
    c = login_as("hb_wh_admin")
    ref = "http://localhost/staff/list/?_flt_0_first_name=%E6%B5%8B%E8%AF%95"
    r = c.post("/staff/action_post", {"action": "disable", "rowid": [str(pk)]}, headers={"Referer": ref})
    assert r.status_code == 302 and r.headers["Location"] == ref
    r = c.post(f"/staff/action/enable/{pk}", headers={"Referer": f"http://localhost/staff/show/{pk}"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/staff/show/{pk}")
    # without a page to go back to: the list, not the home page
    r = c.post("/staff/action_post", {"action": "disable", "rowid": [str(pk)]})
    assert r.status_code == 302 and "/staff/list" in r.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(UnitUser.active).where(UnitUser.id == pk)) is False


def test_text_filters_offer_contains_first(app):
    """Issue 15.9: the list filter's default on text is 包含 (FAB's is 开头是)."""
    from flask_appbuilder.models.sqla.filters import FilterContains

    with app.test_request_context():
        names = {type(v).__name__: v for v in app.appbuilder.baseviews}
        for view in (names["ExpertView"], names["StaffView"], names["PlatformUserDBModelView"]):
            text_cols = [c for c, opts in view._filters.get_search_filters().items()
                         if any(type(o).__name__ == "FilterStartsWith" for o in opts)]
            assert text_cols, type(view).__name__
            for col in text_cols:
                assert isinstance(view._filters.get_search_filters()[col][0], FilterContains), (type(view).__name__, col)


def test_own_unit_info_for_every_administrator(app, login_as):
    """Issue 15.2: 本单位信息 opens for the security and audit administrators too (read only)."""
    for login in ("secadmin", "auditadmin"):
        r = login_as(login).get("/ownunit/", follow_redirects=True)
        body = r.get_data(as_text=True)
        assert r.status_code == 200 and "本单位信息" in body and "部专家中心" in body, login
    r = login_as("hb_wh_staff").get("/ownunit/")
    assert r.status_code == 302 and "/units/show/" in r.headers["Location"]


def test_lists_offer_edit_and_delete_only_where_they_can_succeed(app, login_as):
    """Issue 15.5: a lower unit's expert shows 查看 only; the own unit's shows 编辑/删除 too."""
    from sqlalchemy import insert, select

    from app.extensions import db
    from models.experts.expert import Expert
    from tests.conftest import unique, unit_by_name

    tag = unique("行权")
    with app.app_context():
        wh, ja = unit_by_name("武汉市人力资源和社会保障局"), unit_by_name("江岸区人力资源局")
        base = {"nationality": "中国", "id_type": "01", "sex": "1", "birth_ym": "197805", "retired": False,
                "work_unit": "武汉市第一医院", "admin_post": "无", "phone": "13900000000", "honours": "无",
                "major": "内科学", "title": "2"}
        for i, unit in enumerate((wh, ja)):
            db.session.execute(insert(Expert), [{**base, "name": f"{tag}{i}", "id_number": f"X{tag}{i}"[-18:],
                                                 "unit_id": unit.id}])
        db.session.commit()
        own, lower = (db.session.scalar(select(Expert.id).where(Expert.name == f"{tag}{i}")) for i in (0, 1))
    body = login_as("hb_wh_admin").get(f"/experts/list/?_flt_0_name={tag}").get_data(as_text=True)
    assert f"/experts/show/{own}" in body and f"/experts/show/{lower}" in body
    assert f"/experts/edit/{own}" in body and f"/experts/delete/{own}" in body
    assert f"/experts/edit/{lower}" not in body and f"/experts/delete/{lower}" not in body


def test_required_expert_fields_carry_the_star(app, login_as):
    """Issue 15.9: 所获荣誉、称号 is required like the import says, and the form marks it."""

    page = login_as("hb_wh_admin").get("/experts/add").get_data(as_text=True)
    i = page.index('for="honours"')
    label = page[i:page.index("</label>", i)]
    assert "所获荣誉、称号" in label and "&#42;" in label  # FAB's red star of a required field


def test_support_page_checks_its_phone_and_email(app, login_as):
    """Issue 15.9: 技术服务 refuses a phone or e-mail that is not one, keeping what was typed."""
    from sqlalchemy import select

    from app.extensions import db
    from models.core.setting import SupportInfo

    with app.app_context():
        info = db.session.scalars(select(SupportInfo)).first()
        pk, before = info.id, info.phone
    c = login_as("sysadmin")
    data = {"title": "技术服务", "contact": "张工", "phone": "电话12", "email": "not-an-address", "office_hours": "工作日",
            "address": "武汉", "note": "无"}
    body = c.post(f"/supportedit/edit/{pk}", data).get_data(as_text=True)
    assert "请填写正确的电话号码" in body and "请填写正确的电子邮箱" in body and 'value="电话12"' in body
    with app.app_context():
        assert db.session.get(SupportInfo, pk).phone == before
    with app.app_context():
        saved = {k: getattr(db.session.get(SupportInfo, pk), k) for k in data}
    r = c.post(f"/supportedit/edit/{pk}", {**data, "phone": "027-87654321", "email": "it@example.gov.cn"})
    assert r.status_code == 302
    with app.app_context():  # leave the shared page as it was
        info = db.session.get(SupportInfo, pk)
        for k, v in saved.items():
            setattr(info, k, v)
        db.session.commit()


def test_new_team_button_only_for_managing_units(app, login_as):
    """Issue 15.5: an executing unit (no executing unit below it) is not offered 新增 on 服务团."""
    county = login_as("hb_wh_ja_admin").get("/grassroots/teams/list/").get_data(as_text=True)
    executing = login_as("hb_wh_ja_e1_admin").get("/grassroots/teams/list/").get_data(as_text=True)
    assert "/grassroots/teams/add" in county
    assert "/grassroots/teams/add" not in executing
