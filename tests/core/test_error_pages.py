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
