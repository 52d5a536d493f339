"""更换上级部门 in the browser: request, old parent approves, new parent approves."""

from __future__ import annotations

from app.extensions import db
from tests.conftest import make_unit, unit_by_name
from tests.e2e.conftest import login, pick_unit, shot


def _logout(page):
    page.goto(page.base + "/logout/")


def test_parent_change_end_to_end(app, page):
    with app.app_context():
        wh = unit_by_name("武汉市人力资源和社会保障局")
        unit = make_unit(wh, "浏览器迁移测试局")
        from app.services.core import users as user_service

        login_name = user_service.unit_admin(unit.id).username
        unit_id = unit.id
        db.session.remove()

    login(page, login_name)
    page.goto(page.base + "/parentchanges/request")
    pick_unit(page, "宜昌市", "宜昌市人力资源和社会保障局")
    page.fill("textarea[name=reason]", "因业务划转，申请更换上级部门")
    shot(page, "10_parent_change_request.png")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "已提交更换上级部门申请" in page.content()
    assert "武汉市人力资源和社会保障局" in page.content()
    _logout(page)

    login(page, "hb_wh_admin")
    assert "待办事项" in page.content() and "更换上级部门" in page.content()
    shot(page, "11_home_todo.png")
    page.click("a:has-text('更换上级部门') >> nth=-1")
    page.wait_for_load_state("networkidle")
    assert "浏览器迁移测试局" in page.content()
    shot(page, "12_review_list_todo.png")
    page.goto(page.base + f"/parentchanges/review/{_record_id(app, unit_id)}")
    page.fill("textarea[name=opinion]", "同意调出")
    page.click("button[value=approve]")
    page.wait_for_load_state("networkidle")
    assert page.locator(".alert-success").filter(has_text="已通过").count() == 1  # the flash of the decision
    _logout(page)

    login(page, "hb_yc_admin")
    page.goto(page.base + f"/parentchanges/review/{_record_id(app, unit_id)}")
    page.fill("textarea[name=opinion]", "同意接收")
    page.click("button[value=approve]")
    page.wait_for_load_state("networkidle")
    assert "已通过" in page.content()
    shot(page, "13_review_approved_trail.png")
    with app.app_context():
        from models.core.unit import Unit

        assert db.session.get(Unit, unit_id).parent.name == "宜昌市人力资源和社会保障局"


def _record_id(app, unit_id):
    with app.app_context():
        from sqlalchemy import select

        from models.core.parent_change import ParentChange

        return db.session.scalar(select(ParentChange.id).where(ParentChange.unit_id == unit_id))


def test_unit_self_registration_page(app, page):
    import json
    import urllib.parse
    import urllib.request

    from tests.conftest import credit_code, unique

    found = json.loads(urllib.request.urlopen(page.base + "/register/units?q=" + urllib.parse.quote("青羊区")).read())
    assert "青羊区人力资源局" in [r["text"] for r in found["results"]]  # the public unit search
    page.goto(page.base + "/register/")
    pick_unit(page, "青羊区", "青羊区人力资源局")
    page.fill("input[name=credit_code]", credit_code())
    page.fill("input[name=name]", "浏览器注册测试公司")
    page.fill("input[name=phone]", "028-86661234")
    page.locator("input[name=categories]").nth(6).check()
    login_name = unique("breg")
    page.fill("input[name=username]", login_name)
    page.fill("input[name=admin_name]", "赵注册")
    page.fill("input[name=admin_phone]", "13698765432")
    page.fill("input[name=password]", "Regist#2026")
    page.fill("input[name=conf_password]", "Regist#2026")
    shot(page, "14_unit_registration.png")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "注册已提交" in page.content(), page.content()[-1500:]
    login(page, login_name, "Regist#2026")
    assert "用户权限申请" in page.content() and "审核中" in page.content()
    shot(page, "15_permission_application.png")


def test_batch_return_from_the_list(app, page):
    from app.services.core.parent_change import request_change
    from models.core.user import UnitUser

    with app.app_context():
        wh = unit_by_name("武汉市人力资源和社会保障局")
        yc = unit_by_name("宜昌市人力资源和社会保障局")
        for i in range(2):
            unit = make_unit(wh, f"批量退回测试局{i}")
            from sqlalchemy import select

            admin = db.session.scalar(select(UnitUser).where(UnitUser.unit_id == unit.id))
            request_change(unit, yc, "批量", admin)
        db.session.remove()
    login(page, "hb_wh_admin")
    page.goto(page.base + "/parentchanges/list/?todo=1")
    for i in range(2):  # only this test's rows: other tests may leave pending ones
        page.locator("tr", has_text=f"批量退回测试局{i}").locator("input.action_check").check()
    page.fill("#batch-opinion", "材料不全，请补充")
    shot(page, "16_batch_review.png")
    page.click("form.review-batch-form button[value=return]")
    page.wait_for_load_state("networkidle")
    assert "成功" in page.content() and "失败0条" in page.content()
