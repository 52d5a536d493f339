"""评审活动发布 in the browser: the committee's unit fills the six parts in order (the 专业组评审方式 shown
only with 专业组, a row added by 新增一行), submits; the 授权管理单位 passes it from its to-do list; the
public activity appears on the portal. Screenshots in tests/e2e/screenshots/title_activity_*.png."""

from __future__ import annotations

import datetime as dt

from tests.e2e.conftest import login, shot
from tests.title.test_activities import committee


def test_publish_an_activity_in_the_browser(app, page):
    committee(app, name="乐山市工程技术系列中级职称评审委员会（浏览器）")
    year = dt.date.today().year + 1
    login(page, "ls_admin")
    page.goto(page.base + "/title/activities/list/")
    page.click("text=新增评审活动")
    page.select_option("select[name=committee_id]", label="乐山市工程技术系列中级职称评审委员会（浏览器）")
    name = f"{year}年度乐山市工程技术系列中级职称评审（浏览器）"
    page.fill("input[name=name]", name)
    page.fill("input[name=scope_text]", "全市在岗从事工程技术专业技术工作的人才")
    page.fill("input[name=year]", str(year))
    page.select_option("select[name=kind]", "special")
    page.fill("input[name=apply_start]", f"{year}-03-01 09:00")
    page.fill("input[name=first_submit_until]", f"{year}-02-01 09:00")  # before the start: refused
    page.fill("input[name=resubmit_until]", f"{year}-04-05 17:00")
    page.fill("input[name=receive_until]", f"{year}-04-10 17:00")
    page.click("button:has-text('保存')")
    assert page.locator(".field-error").first.inner_text() == "个人初次提交截止时间应晚于申报开始时间"
    assert page.input_value("input[name=name]") == name  # kept as typed
    shot(page, "title_activity_1_refused.png")
    page.fill("input[name=first_submit_until]", f"{year}-04-01 17:00")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=“基本信息”已保存")
    # 对内评审方案: the group method appears only with groups
    assert not page.is_visible("select[name=group_method]")
    page.select_option("select[name=exceptional]", "0")
    page.select_option("select[name=groups]", "1")
    assert page.is_visible("select[name=group_method]")
    page.select_option("select[name=group_method]", "score")
    shot(page, "title_activity_2_plan.png")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=“对内评审方案”已保存")
    page.check("input[name=levels][value='3']")
    page.fill("textarea[name=majors_3]", "建筑工程\n道路与桥梁工程")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=“开设级别及专业”已保存")
    page.fill("input[name=items-0-sort]", "1")
    page.select_option("select[name=items-0-heading]", "取得现专业技术职称后主要业绩")
    page.check("input[name=items-0-templates][value=general]")
    page.check("input[name=items-0-templates][value=patent]")
    page.click(".activity-items + .add-row")
    page.click(".activity-items + .add-row")
    page.fill("input[name=items-3-sort]", "2")
    page.select_option("select[name=items-3-heading]", "论文论著")
    page.check("input[name=items-3-templates][value=paper]")
    shot(page, "title_activity_3_items.png")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=“业绩成果配置”已保存")
    page.fill("textarea[name=condition] >> nth=0", "获省部级科技进步奖二等奖以上（主研）")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=“破格条件需求配置”已保存")
    page.fill("input[name=materials-0-name]", "专业技术职务任职资格评审表")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=“评审会需求材料配置”已保存")
    page.click("button:has-text('提交审核')")
    page.wait_for_selector("text=已提交")
    shot(page, "title_activity_4_submitted.png")
    # the 授权管理单位's to-do list, then its review page
    page.goto(page.base + "/logout/")
    login(page, "sc_admin")
    page.click("text=评审活动管理")
    page.click("text=评审活动发布审核")
    page.wait_for_selector(f"text={name}")
    shot(page, "title_activity_5_todo.png")
    with app.app_context():
        from sqlalchemy import select

        from app.extensions import db
        from models.title.activity import Activity

        pk = db.session.scalar(select(Activity.id).where(Activity.name == name))
    page.goto(page.base + f"/title/activities/show/{pk}")
    page.wait_for_selector("text=对内评审方案")
    shot(page, "title_activity_6_review.png")
    page.fill("textarea[name=opinion]", "同意发布")
    page.click("button[value=approve]")
    page.wait_for_selector("text=已通过")
    page.goto(page.base + "/logout/")
    page.goto(page.base + "/")
    assert page.is_visible(f"text={name}")
    shot(page, "title_activity_7_portal.png")
    page.click(f"text={name}")
    page.wait_for_selector("text=评审政策文件")
    shot(page, "title_activity_8_portal_detail.png")
