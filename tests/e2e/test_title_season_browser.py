"""职称评审 in the browser, the season up to the committee's receipt (issue 17): 乐山市人社局 files a committee
(basic info, experts picked from the library, the filing request) and files it; publishes an activity in its
six parts; a person registers with the ID number, applies with one achievement of each of three template kinds
(one with its evidence file) and the required material; the applicant's unit passes it with 公示证明 and 单位综合
推荐意见, the 主管部门 passes it, and the committee's unit receives it. Screenshots:
tests/e2e/screenshots/title_season_*.png."""

from __future__ import annotations

import datetime as dt

from stdnum.cn import ric

from tests.e2e.conftest import login, pick_unit, shot

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
COMMITTEE = "乐山市农业技术系列中级职称评审委员会（浏览器）"


def _pdf(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def _save(pg, selector: str) -> None:
    with pg.expect_navigation():
        pg.click(selector)


def _logout(pg) -> None:
    pg.goto(pg.base + "/logout/")


def test_a_season_up_to_the_committees_receipt(app, page):
    # 1. the committee: three steps, then 提交备案
    login(page, "ls_admin")
    page.goto(page.base + "/title/committees/list/")
    page.click("text=评委会管理")
    page.goto(page.base + "/title/committees/step/basic/")
    page.fill("#f-name", COMMITTEE)
    page.fill("#f-agency", "乐山市职称改革工作领导小组办公室")
    page.fill("#f-office", "乐山市人力资源和社会保障局专业技术人员管理科")
    page.select_option("#f-review_type", "review")
    page.select_option("#f-levels", ["3"])
    page.select_option("#f-authority_unit_id", label="乐山市人力资源和社会保障局")
    page.select_option("#f-filing_unit_id", label="乐山市人力资源和社会保障局")
    page.fill("#f-contact", "李文")
    page.fill("#f-contact_phone", "0833-2433111")
    page.fill("#f-address", "乐山市市中区嘉定北路")
    page.check("input[name=internal_only][value='0']")
    page.check("input[name=build_mode][value=series]")
    page.select_option("#f-series", "09")  # 农业技术人员
    page.select_option("#f-region_codes", ["511100"])
    page.check("input[name=funded][value='0']")
    shot(page, "title_season_01_committee_basic.png")
    _save(page, "button:has-text('保存并下一步')")
    page.wait_for_selector("text=专家各项信息需完善，未完善不可提交。")
    with app.app_context():  # a surname several of 乐山's library experts share (the search takes a name or a whole ID)
        from collections import Counter

        from sqlalchemy import select

        from app.extensions import db
        from models.core.unit import Unit
        from models.experts.expert import Expert

        ls = db.session.scalar(select(Unit.id).where(Unit.name == "乐山市人力资源和社会保障局"))
        surname = Counter(n[0] for n in db.session.scalars(select(Expert.name).where(Expert.unit_id == ls))).most_common(1)[0][0]
    page.fill(".committee-search input[name=q]", surname)
    _save(page, ".committee-search button")
    for _ in range(3):
        _save(page, ".committee-candidates button:has-text('加入名单') >> nth=0")
    assert page.locator(".committee-members tbody tr").count() == 3
    shot(page, "title_season_02_committee_experts.png")
    _save(page, "a:has-text('下一步')")
    page.set_input_files(".committee-request input[type=file]", files=[_pdf("关于组建评委会的请示.pdf")])
    _save(page, ".committee-request .upload-form button[type=submit]")
    assert page.is_visible("text=关于组建评委会的请示.pdf")
    _save(page, ".committee-submit button")
    page.wait_for_selector("text=已提交")
    shot(page, "title_season_03_committee_submitted.png")
    # the 授权管理单位 and 备案单位 (both 乐山市人社局 here) pass it from 评委会备案审核
    page.click("text=评委会管理")
    page.click("text=评委会备案审核")
    page.click(f"tr:has-text('{COMMITTEE}') a[href*='/show/']")
    page.wait_for_selector("text=评审范围")
    page.fill("textarea[name=opinion]", "同意备案")
    _save(page, "button[value=approve]")
    page.wait_for_selector("text=已通过")
    shot(page, "title_season_04_committee_filed.png")

    # 2. the activity in six parts, submitted and approved by the 授权管理单位 (the same unit)
    now = dt.datetime.now()
    year = now.year
    name = f"{year}年度乐山市农业技术系列中级职称评审（浏览器）"
    page.goto(page.base + "/title/activities/list/")
    page.click("text=新增评审活动")
    page.select_option("select[name=committee_id]", label=COMMITTEE)
    page.fill("input[name=name]", name)
    page.fill("input[name=scope_text]", "全市在岗从事农业技术工作的专业技术人才")
    page.fill("input[name=year]", str(year))
    page.select_option("select[name=kind]", "special")
    fmt = "%Y-%m-%d %H:%M"
    page.fill("input[name=apply_start]", (now - dt.timedelta(hours=2)).strftime(fmt))
    page.fill("input[name=first_submit_until]", (now + dt.timedelta(days=10)).strftime(fmt))
    page.fill("input[name=resubmit_until]", (now + dt.timedelta(days=12)).strftime(fmt))
    page.fill("input[name=receive_until]", (now + dt.timedelta(days=15)).strftime(fmt))
    _save(page, "button:has-text('保存')")
    page.wait_for_selector("text=“基本信息”已保存")
    page.select_option("select[name=exceptional]", "0")
    page.select_option("select[name=groups]", "0")
    _save(page, "button:has-text('保存')")
    page.wait_for_selector("text=“对内评审方案”已保存")
    page.check("input[name=levels][value='3']")
    page.fill("textarea[name=majors_3]", "农学\n植物保护")
    _save(page, "button:has-text('保存')")
    page.wait_for_selector("text=“开设级别及专业”已保存")
    page.fill("input[name=items-0-sort]", "1")
    page.select_option("select[name=items-0-heading]", "取得现专业技术职称后主要业绩")
    for kind in ("general", "paper", "patent"):
        page.check(f"input[name=items-0-templates][value={kind}]")
    shot(page, "title_season_05_activity_items.png")
    _save(page, "button:has-text('保存')")
    page.wait_for_selector("text=“业绩成果配置”已保存")
    page.fill("textarea[name=condition] >> nth=0", "获省部级科技进步奖三等奖以上（主研）")
    _save(page, "button:has-text('保存')")
    page.wait_for_selector("text=“破格条件需求配置”已保存")
    page.fill("input[name=materials-0-name]", "诚信承诺书")
    _save(page, "button:has-text('保存')")
    page.wait_for_selector("text=“评审会需求材料配置”已保存")
    _save(page, "button:has-text('提交审核')")
    page.wait_for_selector("text=已提交")
    page.click("text=评审活动管理")
    page.click("text=评审活动发布审核")
    page.click(f"tr:has-text('{name}') a[href*='/show/']")
    page.wait_for_selector("text=对内评审方案")
    page.fill("textarea[name=opinion]", "同意发布")
    _save(page, "button[value=approve]")
    page.wait_for_selector("text=已通过")
    shot(page, "title_season_06_activity_published.png")
    _logout(page)

    # 3. a person registers with the ID number and applies
    body = "51110219900312" + "123"
    id_number = body + ric.calc_check_digit(body + "0")
    page.goto(page.base + "/title/register/")
    page.fill("#f-name", "罗春华")
    page.fill("#f-id_number", id_number)
    page.fill("#f-phone", "13981330999")
    page.fill("#f-password", "Chun@2026hua")
    page.fill("#f-password2", "Chun@2026hua")
    pick_unit(page, "建筑设计", "乐山市建筑设计研究院")
    shot(page, "title_season_07_register.png")
    _save(page, "button:has-text('注册')")
    login(page, id_number, "Chun@2026hua")
    page.goto(page.base + "/title/my/activities")
    page.click(f"tr:has-text('{name}') >> text=查看并申报")
    page.select_option("#f-level", "3")
    page.select_option("#f-major", "农学")
    page.select_option("#f-eval_method", "normal")
    page.select_option("#f-category", "direct")
    _save(page, ".title-apply button[type=submit]")
    page.wait_for_selector("#sec-person")
    page.select_option(".title-section-person #f-ethnicity", "01")
    page.select_option(".title-section-person #f-politics", "13")
    page.fill(".title-section-person #f-post", "农艺师助理")
    page.fill(".title-section-person #f-work_start", "2012-07-01")
    _save(page, ".title-section-person button[type=submit]")
    page.select_option(".title-section-education #f-education", "21")
    page.fill(".title-section-education #f-school", "四川农业大学")
    page.fill(".title-section-education #f-school_major", "农学")
    page.fill(".title-section-education #f-graduated_on", "2012-06-30")
    _save(page, ".title-section-education button[type=submit]")
    page.fill(".title-section-works input[name=work_start]", "2012-07-01")
    page.fill(".title-section-works input[name=work_workplace]", "乐山市建筑设计研究院")
    page.fill(".title-section-works input[name=work_post]", "技术员")
    _save(page, ".title-section-works button[type=submit]")
    page.fill(".title-section-summary #f-summary", "从事农业技术推广与园林绿化设计工作十余年。")
    _save(page, ".title-section-summary button[type=submit]")
    shot(page, "title_season_08_sections.png")
    entries = {
        "通用": {"e_start": "2019-03-01", "e_end": "2021-10-31", "e_work_name": "乐山市茶园绿色防控技术推广",
                 "e_after_title": "是", "e_role": "项目技术负责人", "e_result": "推广面积两万亩"},
        "论文": {"e_name": "茶园病虫害绿色防控技术研究", "e_published_on": "2021-06-15", "e_category": "期刊论文",
                 "e_journal": "四川农业科技", "e_issn": "CN51-1140/S", "e_rank": "1", "e_words": "6"},
        "专利": {"e_name": "一种茶园诱虫装置", "e_patent_type": "实用新型专利", "e_approved_on": "2022-03-01",
                 "e_rank": "1", "e_country": "中国"},
    }
    for label, values in entries.items():
        page.click(f"text=新增{label}")
        page.wait_for_selector(".title-entry")
        for key, value in values.items():
            field = page.locator(f".title-entry [name={key}]")
            if field.evaluate("e => e.tagName") == "SELECT":
                field.select_option(value)
            else:
                field.fill(value)
        _save(page, ".title-entry button[type=submit]")
        if label == "通用":  # the evidence of the first entry
            page.set_input_files(".upload-form input[type=file]", files=[_pdf("推广项目验收证明.pdf")])
            _save(page, ".upload-form button[type=submit]")
            assert page.is_visible("text=推广项目验收证明.pdf")
            shot(page, "title_season_09_entry_with_file.png")
        page.click("text=返回申报")
    page.set_input_files("#sec-materials input[type=file]", files=[_pdf("诚信承诺书.pdf")])
    _save(page, "#sec-materials button[type=submit]")
    shot(page, "title_season_10_application.png")
    _save(page, ".title-submit button")
    page.wait_for_selector("text=已提交")
    _logout(page)

    # 4. the applicant's unit (with 公示证明 and 单位综合推荐意见), the 主管部门, the committee's unit
    for login_name, menu, uploads, label in [
        ("ls_jzy_admin", "本单位人员审核", True, "title_season_11_unit_review.png"),
        ("ls_zjj_admin", "下级单位人员审核", False, "title_season_12_competent_review.png"),
        ("ls_admin", "下级单位人员审核", False, "title_season_13_committee_receives.png"),
    ]:
        login(page, login_name)
        page.click("text=申报材料审核")
        page.click(f"text={menu}")
        page.click("tr:has-text('罗春华') a[href*='/show/']")
        page.wait_for_selector("text=经办流程")
        if uploads:
            for slot, file_name in (("gongshi", "公示证明.pdf"), ("tuijian", "单位综合推荐意见.pdf")):
                page.set_input_files(f"[data-slot={slot}] input[type=file]", files=[_pdf(file_name)])
                _save(page, f"[data-slot={slot}] button[type=submit]")
                assert page.is_visible(f"text={file_name}")
        page.fill("textarea[name=opinion]", "同意")
        shot(page, label)
        _save(page, "button[value=approve]")
        page.wait_for_selector(".alert-success")
        _logout(page)
    with app.app_context():
        from sqlalchemy import select

        from app.extensions import db
        from models.title.application import Application

        rec = db.session.scalar(select(Application).where(Application.id_number == id_number))
        assert rec.review_state == "approved" and len(rec.entries) == 3
    login(page, id_number, "Chun@2026hua")
    page.goto(page.base + "/title/my/applications")
    shot(page, "title_season_14_applicant_state.png")
