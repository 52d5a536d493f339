"""评审会议 in the browser (004 §1.2.5–1.2.6): the committee's unit (乐山市人社局) passes 参评资格审核, draws the
experts of its normal meeting, confirms attendance, assigns the reviewers, sets the plan and opens the vote, and
takes the 专家账号通知单; three experts log in with it (changing the initial password), read an applicant's
materials and vote in their own pages; the unit checks the tally and seals it; publishes the 评审结果公示; the
public portal shows it and a logged-in user files 我要反馈. Screenshots in tests/e2e/screenshots/title_meeting_*.png."""

from __future__ import annotations

import datetime as dt
import re

from tests.e2e.conftest import login, shot


def _season(app):
    with app.app_context():
        from tests.title.meeting_fixtures import meeting_season

        s = meeting_season(applicants=3, experts=24)
        s.activity.name = "2026年度乐山市工程技术系列中级职称评审（浏览器会议）"
        from app.extensions import db

        db.session.commit()
        return s.activity.id, [a.name for a in s.applications]


def _save(page, selector):
    page.click(selector)
    page.wait_for_load_state("networkidle")


def _logout(page):
    page.goto(page.base + "/logout/")


def test_a_meeting_from_the_draw_to_the_publicity(app, page):
    activity_id, names = _season(app)
    login(page, "ls_admin")
    page.goto(page.base + "/title/meetings/")
    _save(page, f"tr[data-activity='{activity_id}'] >> text=进入评审会议")
    shot(page, "title_meeting_01_activity.png")
    # 参评资格审核: all three, in a batch
    _save(page, "text=参评资格审核")
    page.check(".title-check-all")
    _save(page, "button:has-text('审核所选人员')")
    assert page.locator("text=审核通过").count() >= 3
    shot(page, "title_meeting_02_qualification.png")
    # the normal meeting: two draw groups (the live count shown), the draw at 1.5×
    page.goto(page.base + f"/title/meetings/activity/{activity_id}")
    _save(page, "text=普通评审会议")
    page.fill("#g-name", "建筑工程组")
    page.select_option("#g-major", "建筑工程")
    page.select_option("#g-level", "1")
    page.fill("#g-count", "2")
    _save(page, "#group-form button[type=submit]")
    page.fill("#g-name", "市政工程组")
    page.select_option("#g-major", "市政工程")
    page.select_option("#g-level", "1")
    page.wait_for_selector("#g-eligible[data-eligible='4']")  # the live count of eligible experts
    page.fill("#g-count", "9")  # more than the eligible experts: the form says so before sending
    assert page.get_attribute("#g-count", "max") == "4"  # the browser refuses more before sending
    shot(page, "title_meeting_03_group_count.png")
    page.fill("#g-count", "1")
    _save(page, "#group-form button[type=submit]")
    page.select_option("#d-mult", "1.5")
    _save(page, "button:has-text('开始抽选')")
    shot(page, "title_meeting_04_drawn.png")
    # 确认出席: the members (not the reserves) confirmed; 完成确认
    _save(page, "ul.title-meeting-steps >> text=确认出席专家")
    page.wait_for_selector("#attendance-form")
    for row in page.locator("tr[data-me]").all():
        if "正式" in row.inner_text():
            row.locator("input[name=rowid]").check()
    _save(page, "button[name=state][value=confirmed]")
    shot(page, "title_meeting_05_attendance.png")
    _save(page, "button:has-text('完成确认')")
    # 人员分配: the pool, 自动分配 (avoidance respected)
    _save(page, "ul.title-meeting-steps >> text=人员分配")
    _save(page, "form[action$='/pool/auto'] button")
    for name in names:
        assert page.locator(f"tr:has-text('{name}')").count() >= 1
    shot(page, "title_meeting_06_pool.png")
    # 开启专家投票: the plan, a material, the supervising committee (none other here: the page names what is missing)
    _save(page, "ul.title-meeting-steps >> text=开启专家投票")
    page.fill("textarea[name=plan]", "个人陈述—主审介绍—专家评议—无记名投票；同意票达出席专家三分之二以上为通过。")
    options = page.locator("select[name=supervisor_committee_id] option").all()
    values = [o.get_attribute("value") for o in options if o.get_attribute("value")]
    assert values, "a filed committee to supervise"
    page.select_option("select[name=supervisor_committee_id]", values[0])
    _save(page, "form[action$='/vote/plan'] button[type=submit]")
    form = "form.upload-form[action*='/attachments/upload/title.meeting/']"
    page.set_input_files(f"{form} input[type=file]", files=[{"name": "专家评议材料.pdf", "mimeType": "application/pdf",
                                                            "buffer": b"%PDF-1.4\n%%EOF\n"}])
    _save(page, f"{form} button[type=submit]")
    page.wait_for_selector("text=专家评议材料.pdf")
    shot(page, "title_meeting_07_vote_settings.png")
    _save(page, "form[action$='/vote/open'] button[type=submit]")
    assert "/title/tally/" in page.url
    # the 专家账号通知单, once
    _save(page, "button:has-text('查看专家账号通知单')")
    shot(page, "title_meeting_08_accounts.png")
    rows = page.locator(".title-expert-accounts tbody tr").all()
    accounts = [(r.locator("td").nth(2).inner_text().strip(), r.locator("td").nth(3).inner_text().strip()) for r in rows]
    assert len(accounts) == 3, accounts
    _logout(page)
    # three experts vote in their own pages (the first login changes the initial password)
    for i, (login_name, password) in enumerate(accounts):
        login(page, login_name, password)
        assert "/resetmypassword/form" in page.url
        new = f"Zhuanjia#{2026 + i}"
        page.fill("input[name=old_password]", password)
        page.fill("input[name=password]", new)
        page.fill("input[name=conf_password]", new)
        _save(page, "input[type=submit], button[type=submit]")
        page.goto(page.base + "/title/vote/")
        _save(page, "a[href*='/title/vote/round/'] >> nth=0")
        if i == 0:
            with page.expect_popup() as popup:
                page.click("text=查看材料 >> nth=0")
            materials = popup.value
            materials.wait_for_load_state("networkidle")
            assert names[0] in materials.content() or names[1] in materials.content() or names[2] in materials.content()
            shot(materials, "title_meeting_09_expert_materials.png")
            materials.close()
        for row in page.locator("tr[data-entry]").all():
            choice = "disagree" if i == 2 and row.locator("td").nth(1).inner_text().startswith(names[2]) else "agree"
            row.locator(f"input[value={choice}]").check()
        _save(page, "button[name=action][value=save]")
        page.once("dialog", lambda d: d.accept())
        _save(page, "button[name=action][value=submit]")
        assert page.locator("input[type=radio]:not([disabled])").count() == 0  # locked after the submission
        if i == 0:
            shot(page, "title_meeting_10_expert_submitted.png")
        _logout(page)
    # the unit's tally: progress, results, 计票完成
    login(page, "ls_admin")
    page.goto(page.base + f"/title/meetings/activity/{activity_id}")
    _save(page, "text=普通评审会议")
    shot(page, "title_meeting_11_tally_progress.png")
    _save(page, "text=计票结果")
    shot(page, "title_meeting_12_tally_results.png")
    page.once("dialog", lambda d: d.accept())
    _save(page, "button:has-text('计票完成')")
    assert page.locator(".title-chain-ok").count() == 1
    shot(page, "title_meeting_13_sealed.png")
    # 评审结果公示, from now for seven days
    page.goto(page.base + f"/title/publicity/{activity_id}/")
    now = dt.datetime.now()
    page.fill("input[name=starts_at]", (now - dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=ends_at]", (now + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=contact]", "乐山市人社局专技科 0833-2433000")
    _save(page, "button:has-text('确认发布')")
    shot(page, "title_meeting_14_publicity.png")
    _logout(page)
    # the public portal, then 我要反馈 by a logged-in applicant
    page.goto(page.base + "/")
    page.wait_for_selector(".portal-publicity")
    _save(page, ".portal-publicity a:has-text('（浏览器会议）')")
    body = page.content()
    assert names[0] in body and not re.search(r"\d{17}[\dX]", body)  # the passers, no ID numbers
    shot(page, "title_meeting_15_portal_notice.png")
    notice_url = page.url
    login(page, "511102198503120019")
    page.goto(notice_url)
    _save(page, ".notice-actions >> text=我要反馈")
    page.select_option("select[name=application]", index=1)
    page.fill("textarea[name=reason]", "该同志所列业绩项目的负责人另有其人，请核实。")
    _save(page, "button:has-text('提交反馈')")
    assert "反馈" in page.content()
    shot(page, "title_meeting_16_feedback.png")


def test_the_demo_meetings_mid_vote(app, page):
    """The seeded season: the normal meeting's group round with an expert sent back and one absent; the sent-back
    expert sees the reason and votes again in their own page."""
    with app.app_context():
        from sqlalchemy import select

        from app.extensions import db
        from models.title import Meeting

        meeting = db.session.scalar(select(Meeting).where(Meeting.kind == "normal", Meeting.state == "voting")
                                    .order_by(Meeting.id))
        mid = meeting.id
    login(page, "ls_admin")
    page.goto(page.base + f"/title/tally/{mid}/")
    body = page.content()
    assert "缺席" in body and "已提交" in body
    shot(page, "title_meeting_20_demo_group_round.png")
    _logout(page)
    login(page, "511100197408108292")  # submitted, then sent back (回退) by the staff
    page.goto(page.base + "/title/vote/")
    shot(page, "title_meeting_21_demo_expert_tasks.png")
    _save(page, "a[href*='/title/vote/round/'] >> nth=0")
    assert page.locator("input[type=radio]:not([disabled])").count() > 0  # open again
    assert "误选" in page.locator(".title-return-reason").inner_text()  # and told why
    shot(page, "title_meeting_22_demo_expert_sent_back.png")
