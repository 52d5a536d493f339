"""评审活动发布 and 评审活动发布审核 (004 §1.2.4, TR-09) through the real views: the parts in order, the
deadlines' order, the committee's filed levels, filed committees only, the default 业绩成果 set, the
item import, submission to the 授权管理单位 with 多岗审核, publication and the portal, and the scope."""

from __future__ import annotations

import datetime as dt
import io
import re

from sqlalchemy import delete, func, select

from app.extensions import db
from models.core.workflow import ReviewPost
from models.title.activity import AchievementItem, Activity
from models.title.committee import Committee
from tests.conftest import unique, unit_by_name

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HR = "乐山市人力资源和社会保障局"  # ls: constitutes the committees
AUTHORITY = "四川省人力资源和社会保障厅"  # sc: 授权管理单位
OTHER = "四川省教育厅"  # sc_jyt: another branch under sc


def committee(app, *, levels: str = "3,4", valid: int = 400, state: str = "approved", unit: str = HR,
              name: str | None = None) -> int:
    """A committee made directly (its filing is another part's screen)."""
    with app.app_context():
        owner, authority = unit_by_name(unit), unit_by_name(AUTHORITY)
        c = Committee(name=name or unique("乐山市工程技术系列中级评委会"), agency="乐山市职称办", office="职称科",
                      review_type="review", levels=levels, authority_unit_id=authority.id,
                      filing_unit_id=authority.id, contact="张三", contact_phone="0833-2100000", address="乐山市市中区",
                      series="01", region_codes="511100", unit_id=owner.id, review_state=state,
                      filed_at=dt.datetime.now(dt.UTC), valid_until=dt.date.today() + dt.timedelta(days=valid))
        db.session.add(c)
        db.session.commit()
        return c.id


def basic(cid: int, **over: str) -> dict[str, str]:
    year = str(dt.date.today().year + 1)
    data = {"committee_id": str(cid), "name": unique("乐山市工程技术中级评审"), "scope_text": "全市在岗工程技术人员",
            "year": year, "kind": "special", "method": "expert", "written_test": "none", "defense": "partial",
            "apply_start": f"{year}-02-26 14:45", "first_submit_until": f"{year}-03-27 14:45",
            "resubmit_until": f"{year}-03-29 14:45", "receive_until": f"{year}-03-31 14:45",
            "page_health": "0", "page_school": "0", "page_vocational": "0", "doc_number": "乐人社发〔2027〕1号",
            "public": "1"}
    data.update(over)
    return data


def errors_of(r) -> list[str]:
    return re.findall(r'field-error">([^<]+)<', r.get_data(as_text=True))


def new_activity(c, cid: int, **over: str) -> int:
    r = c.post("/title/activities/add", data=basic(cid, **over))
    assert r.status_code == 302, errors_of(r)
    assert "part=plan" in r.headers["Location"]
    return int(re.search(r"/edit/(\d+)", r.headers["Location"]).group(1))


def all_parts(c, pk: int) -> None:
    """Save every part after 基本信息, in order."""
    steps = [
        ("plan", {"exceptional": "0", "groups": "1", "group_method": "vote"}),
        ("levels", {"levels": ["3"], "majors_3": "建筑工程\n道路与桥梁"}),
        ("achievements", {"items-0-sort": "1", "items-0-heading": "业绩成果", "items-0-templates": ["general", "patent"],
                          "items-0-requirement": "取得现职称后的主要业绩"}),
        ("conditions", {"condition": ["获省部级科技进步奖二等奖以上", ""]}),
        ("materials", {"materials-0-name": "职称评审表", "materials-0-required": "1", "materials-0-note": "盖章扫描件",
                       "materials-1-name": "", "materials-1-note": ""}),
    ]
    for part, data in steps:
        r = c.post(f"/title/activities/edit/{pk}?part={part}", data=data)
        assert r.status_code == 302, (part, errors_of(r))


def activity(app, pk: int) -> dict:
    with app.app_context():
        a = db.session.get(Activity, pk)
        return {"saved_part": a.saved_part, "review_state": a.review_state, "stage": a.stage,
                "published_at": a.published_at, "levels": [lv.level for lv in a.levels],
                "items": [(i.sort, i.heading, i.templates) for i in a.items], "name": a.name,
                "conditions": [x.text for x in a.conditions], "materials": [(m.name, m.required) for m in a.materials],
                "group_method": a.group_method}


def test_parts_are_saved_in_order(app, login_as):
    cid = committee(app)
    c = login_as("ls_admin")
    page = c.get("/title/activities/add").get_data(as_text=True)
    assert "基本信息" in page and "评委会名称" in page
    pk = new_activity(c, cid)
    assert activity(app, pk)["saved_part"] == "basic"
    # a later part before the one before it: refused, nothing saved
    r = c.post(f"/title/activities/edit/{pk}?part=levels", data={"levels": ["3"], "majors_3": "建筑工程"})
    assert r.status_code == 200 and "请先保存“对内评审方案”" in r.get_data(as_text=True)
    assert activity(app, pk)["levels"] == []
    r = c.get(f"/title/activities/edit/{pk}?part=materials")
    assert r.status_code == 302 and "part=plan" in r.headers["Location"]
    # the group method only with groups, required then
    r = c.post(f"/title/activities/edit/{pk}?part=plan", data={"exceptional": "1", "groups": "1", "group_method": ""})
    assert "请选择专业组评审方式" in errors_of(r)
    r = c.post(f"/title/activities/edit/{pk}?part=plan", data={"exceptional": "1", "groups": "0", "group_method": "vote"})
    assert r.status_code == 302 and "part=levels" in r.headers["Location"]
    assert activity(app, pk)["group_method"] is None
    # submitting before every part is saved: refused with what is missing
    r = c.post(f"/title/activities/review/{pk}", data={"action": "submit", "version": "0"}, follow_redirects=True)
    assert "请先保存：开设级别及专业、业绩成果配置、破格条件需求配置、评审会需求材料配置" in r.get_data(as_text=True)
    assert activity(app, pk)["review_state"] == "draft"
    all_parts(c, pk)
    a = activity(app, pk)
    assert a["saved_part"] == "materials" and a["levels"] == ["3"]
    assert a["items"] == [(1, "业绩成果", "general,patent")]
    assert a["conditions"] == ["获省部级科技进步奖二等奖以上"] and a["materials"] == [("职称评审表", True)]
    # the list shows the state and the four deadlines
    page = c.get("/title/activities/list/").get_data(as_text=True)
    assert a["name"] in page and "编辑中（已保存：评审会需求材料配置）" in page and "个人修改提交截止时间" in page


def test_refused_basic_info_keeps_the_typed_form(app, login_as):
    cid = committee(app)
    c = login_as("ls_admin")
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Activity))
    year = dt.date.today().year + 1
    data = basic(cid, name="保留的名称", apply_start=f"{year}-03-01 09:00", first_submit_until=f"{year}-02-01 09:00",
                 resubmit_until=f"{year}-01-01 09:00", receive_until="明天")
    r = c.post("/title/activities/add", data=data)
    assert r.status_code == 200
    errors = errors_of(r)
    assert "个人初次提交截止时间应晚于申报开始时间" in errors
    assert "个人修改提交截止时间不能早于个人初次提交截止时间" in errors
    assert any("评委会接收申报截止时间格式不正确" in e for e in errors)
    assert 'value="保留的名称"' in r.get_data(as_text=True)
    # equal times: 初次 = 修改 = 接收 is allowed, 开始 = 初次 is not
    r = c.post("/title/activities/add", data=basic(cid, apply_start=f"{year}-03-01 09:00",
                                                    first_submit_until=f"{year}-03-01 09:00"))
    assert "个人初次提交截止时间应晚于申报开始时间" in errors_of(r)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Activity)) == before
    pk = new_activity(c, cid, first_submit_until=f"{year}-03-31 14:45", resubmit_until=f"{year}-03-31 14:45",
                      receive_until=f"{year}-03-31 14:45")
    # one annual activity per committee and year
    new_activity(c, cid, kind="annual", year=str(year))
    r = c.post("/title/activities/add", data=basic(cid, kind="annual", year=str(year)))
    assert any("已有年度评审活动" in e for e in errors_of(r))
    # the times are kept in UTC: 14:45 in 四川 is 06:45 UTC
    with app.app_context():
        assert db.session.get(Activity, pk).apply_start.hour == 6


def test_a_level_the_committee_is_not_filed_for_is_refused(app, login_as):
    cid = committee(app, levels="3")
    c = login_as("ls_admin")
    pk = new_activity(c, cid)
    c.post(f"/title/activities/edit/{pk}?part=plan", data={"exceptional": "0", "groups": "0"})
    page = c.get(f"/title/activities/edit/{pk}?part=levels").get_data(as_text=True)
    assert 'value="3"' in page and 'name="levels" value="1"' not in page  # only the filed levels are offered
    r = c.post(f"/title/activities/edit/{pk}?part=levels", data={"levels": ["3", "1"], "majors_3": "建筑工程",
                                                                "majors_1": "建筑工程"})
    assert r.status_code == 200
    assert any("未备案“正高级”层级" in e for e in errors_of(r))
    assert activity(app, pk)["levels"] == [] and activity(app, pk)["saved_part"] == "plan"
    r = c.post(f"/title/activities/edit/{pk}?part=levels", data={"levels": ["3"], "majors_3": ""})
    assert "请填写“中级”开设的专业" in errors_of(r)
    r = c.post(f"/title/activities/edit/{pk}?part=levels", data={"levels": [], "majors_3": ""})
    assert "请选择开设级别" in errors_of(r)


def test_only_a_filed_committee_can_be_chosen(app, login_as):
    expired = committee(app, valid=-1, name=unique("过期评委会"))
    pending = committee(app, state="pending", name=unique("待备案评委会"))
    other = committee(app, unit=OTHER, name=unique("教育厅评委会"))
    c = login_as("ls_admin")
    page = c.get("/title/activities/add").get_data(as_text=True)
    with app.app_context():
        names = {k: db.session.get(Committee, k).name for k in (expired, pending, other)}
    for name in names.values():
        assert name not in page
    for pk in (expired, pending):
        r = c.post("/title/activities/add", data=basic(pk))
        assert r.status_code == 200
        assert any("未备案或备案已过期" in e for e in errors_of(r))
    r = c.post("/title/activities/add", data=basic(other))
    assert "请选择评委会名称" in errors_of(r)
    # a unit with no filed committee sees the manual's hint
    page = login_as("ls_zjj_admin").get("/title/activities/add").get_data(as_text=True)
    assert "需要先在【评委会备案申报】模块新增评委会" in page


def test_the_default_set_is_prefilled_and_editable(app, login_as):
    cid = committee(app)
    c = login_as("ls_admin")
    assert c.get(f"/title/activities/defaults/{cid}").status_code == 200
    r = c.post(f"/title/activities/defaults/{cid}", data={
        "items-0-sort": "2", "items-0-heading": "论文论著", "items-0-templates": ["paper", "book"],
        "items-0-requirement": "近五年论文",
        "items-1-sort": "1", "items-1-heading": "专业能力", "items-1-templates": ["general"], "items-1-requirement": "",
        "items-2-sort": "", "items-2-heading": "", "items-2-requirement": ""})
    assert r.status_code == 302, errors_of(r)
    # a bad row: refused, kept, nothing changed
    r = c.post(f"/title/activities/defaults/{cid}", data={"items-0-sort": "x", "items-0-heading": "不存在",
                                                          "items-0-requirement": "保留的要求"})
    assert r.status_code == 200
    errs = errors_of(r)
    assert "第1行：请填写序号（正整数）" in errs and "第1行：请选择展示标题" in errs
    assert "第1行：请选择模板类别（可多选）" in errs and "保留的要求" in r.get_data(as_text=True)
    pk = new_activity(c, cid)
    assert activity(app, pk)["items"] == [(1, "专业能力", "general"), (2, "论文论著", "paper,book")]
    page = c.get(f"/title/activities/edit/{pk}?part=plan").get_data(as_text=True)
    assert "对内评审方案" in page
    c.post(f"/title/activities/edit/{pk}?part=plan", data={"exceptional": "0", "groups": "0"})
    c.post(f"/title/activities/edit/{pk}?part=levels", data={"levels": ["3"], "majors_3": "建筑工程"})
    page = c.get(f"/title/activities/edit/{pk}?part=achievements").get_data(as_text=True)
    assert "近五年论文" in page
    # another unit cannot edit this committee's set
    assert login_as("sc_jyt_admin").get(f"/title/activities/defaults/{cid}").status_code in (403, 404)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AchievementItem).where(
            AchievementItem.committee_id == cid, AchievementItem.activity_id.is_(None))) == 2


def test_items_import_reports_row_column_and_reason(app, login_as):
    from openpyxl import Workbook

    cid = committee(app)
    c = login_as("ls_admin")
    pk = new_activity(c, cid)
    # not before the achievements part opens
    assert c.get(f"/imports/title.achievement_items/?ctx={pk}").status_code == 404
    c.post(f"/title/activities/edit/{pk}?part=plan", data={"exceptional": "0", "groups": "0"})
    c.post(f"/title/activities/edit/{pk}?part=levels", data={"levels": ["3"], "majors_3": "建筑工程"})
    r = c.get(f"/imports/title.achievement_items/template?ctx={pk}")
    assert r.status_code == 200
    from openpyxl import load_workbook

    head = [cell.value for cell in load_workbook(io.BytesIO(r.data)).active[1]]
    assert head == ["*序号", "*展示标题", "*模板类别", "业绩要求描述"]
    wb = Workbook()
    ws = wb.active
    ws.append(head)
    ws.append([1, "业绩成果", "通用、专利", "主要业绩"])
    ws.append([2, "论文论著", "论文、小说", "论文"])  # 小说 is no template kind
    ws.append([3, "不存在的标题", "论文", ""])
    buf = io.BytesIO()
    wb.save(buf)
    r = c.post("/imports/title.achievement_items/", data={"ctx": str(pk), "file": (io.BytesIO(buf.getvalue()), "业绩.xlsx")},
               content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)
    batch = int(r.headers["Location"].rstrip("/").split("/")[-1])
    with app.app_context():
        from models.core.document import ImportRow

        rows = {n: e for n, ok, e in db.session.execute(select(ImportRow.row_no, ImportRow.ok, ImportRow.errors)
                                                        .where(ImportRow.batch_id == batch)) if not ok}
    assert set(rows) == {3, 4}
    assert "templates" in rows[3] and "模板类别“小说”不存在" in rows[3]
    assert "heading" in rows[4]
    page = c.get(r.headers["Location"]).get_data(as_text=True)
    assert "检查通过1条" in page and "模板类别“小说”不存在" in page
    r = c.post(f"/imports/batch/{batch}/commit")
    assert r.headers["Location"].endswith(f"/title/activities/edit/{pk}?part=achievements")
    assert (1, "业绩成果", "general,patent") in activity(app, pk)["items"]
    # another unit cannot import into this activity
    assert login_as("sc_jyt_admin").get(f"/imports/title.achievement_items/?ctx={pk}").status_code == 404


def test_submit_multi_post_review_publish_and_portal(app, login_as):
    cid = committee(app)
    c = login_as("ls_admin")
    public_pk = new_activity(c, cid)
    all_parts(c, public_pk)
    hidden_pk = new_activity(c, cid, public="0")
    all_parts(c, hidden_pk)
    # the policy file and the plan, uploaded by the committee's unit
    r = c.post(f"/attachments/upload/title.activity/{public_pk}/policy",
               data={"file": (io.BytesIO(PDF), "评审政策文件.pdf"), "next": "/"}, content_type="multipart/form-data")
    assert r.status_code == 302
    c.post(f"/attachments/upload/title.activity/{public_pk}/plan",
           data={"file": (io.BytesIO(PDF), "评审工作方案.pdf"), "next": "/"}, content_type="multipart/form-data")
    with app.app_context():
        from models.core.attachment import Attachment

        files = {a.slot: a.id for a in db.session.scalars(select(Attachment).where(
            Attachment.owner_type == "title.activity", Attachment.owner_id == public_pk))}
        sc = unit_by_name(AUTHORITY)
        from models.core.user import UnitUser

        staff = db.session.scalar(select(UnitUser).where(UnitUser.username == "sc_staff"))
        admin = db.session.scalar(select(UnitUser).where(UnitUser.username == "sc_admin"))
        sc_id, staff_id, admin_id = sc.id, staff.id, admin.id
    for pk in (public_pk, hidden_pk):
        r = c.post(f"/title/activities/review/{pk}", data={"action": "submit", "version": "0"})
        assert r.status_code == 302, r.get_data(as_text=True)
        assert activity(app, pk)["review_state"] == "pending"
    # once submitted, nothing can be changed
    r = c.post(f"/title/activities/edit/{public_pk}?part=plan", data={"exceptional": "1", "groups": "0"})
    assert "已提交审核或已发布，不能修改" in r.get_data(as_text=True)
    # 多岗审核配置 at the 授权管理单位: 工作人员 first, then 单位管理员
    boss = login_as("sc_admin")
    for level, user_id in ((1, staff_id), (2, admin_id)):
        r = boss.post("/reviewposts/add", data={"matter": "title.activity", "level": str(level), "user": str(user_id),
                                                "mode": "any"})
        assert r.status_code == 302, r.get_data(as_text=True)
    try:
        page = boss.get("/title/activities/list/?todo=review").get_data(as_text=True)
        assert activity(app, public_pk)["name"] in page
        # the review page shows every part
        page = boss.get(f"/title/activities/show/{public_pk}").get_data(as_text=True)
        for text in ("对外公布信息", "对内评审方案", "建筑工程", "取得现职称后的主要业绩", "获省部级科技进步奖二等奖以上",
                     "职称评审表", "评审政策文件.pdf"):
            assert text in page, text
        # the level-2 post cannot act before level 1
        r = boss.post(f"/title/activities/review/{public_pk}", data={"action": "approve", "opinion": "同意"},
                      follow_redirects=True)
        assert activity(app, public_pk)["review_state"] == "pending"
        staff_c = login_as("sc_staff")
        r = staff_c.post("/title/activities/review_batch", data={"action": "approve", "rowid": [str(public_pk),
                                                                                              str(hidden_pk)]})
        assert r.status_code == 302
        assert activity(app, public_pk)["review_state"] == "pending"  # now at level 2
        assert activity(app, public_pk)["published_at"] is None
        r = boss.post("/title/activities/review_batch", data={"action": "approve", "rowid": [str(public_pk),
                                                                                           str(hidden_pk)]})
        for pk in (public_pk, hidden_pk):
            a = activity(app, pk)
            assert a["review_state"] == "approved" and a["stage"] == "receiving" and a["published_at"] is not None
    finally:
        with app.app_context():
            db.session.execute(delete(ReviewPost).where(ReviewPost.unit_id == sc_id,
                                                        ReviewPost.matter == "title.activity"))
            db.session.commit()
    assert "已发布" in c.get("/title/activities/list/").get_data(as_text=True)
    # the portal: the public one with its policy file, not the other, not the internal plan
    anon = app.test_client()
    home = anon.get("/").get_data(as_text=True)
    assert activity(app, public_pk)["name"] in home and activity(app, hidden_pk)["name"] not in home
    page = anon.get(f"/title/portal/activity/{public_pk}").get_data(as_text=True)
    assert "评审政策文件.pdf" in page and "评审工作方案.pdf" not in page
    assert anon.get(f"/title/portal/file/{files['policy']}").status_code == 200
    assert anon.get(f"/title/portal/file/{files['plan']}").status_code == 404
    assert anon.get(f"/title/portal/activity/{hidden_pk}").status_code == 404
    assert anon.get(f"/attachments/download/{files['plan']}").status_code == 404
    # the service functions the applicant part reads
    with app.app_context():
        from app.services.title import activities as service

        assert public_pk in [a.id for a in service.public_activities()]
        assert hidden_pk not in [a.id for a in service.public_activities()]
        inside = unit_by_name("乐山市建筑设计研究院")  # region 511102, inside 511100
        outside = unit_by_name(OTHER)  # region 510000
        assert {public_pk, hidden_pk} <= {a.id for a in service.open_activities(inside)}
        assert public_pk not in {a.id for a in service.open_activities(outside)}


def test_return_to_the_committee_unit_and_resubmit(app, login_as):
    cid = committee(app)
    c = login_as("ls_admin")
    pk = new_activity(c, cid)
    all_parts(c, pk)
    c.post(f"/title/activities/review/{pk}", data={"action": "submit", "version": "0"})
    boss = login_as("sc_admin")
    r = boss.post(f"/title/activities/review/{pk}", data={"action": "return", "opinion": ""}, follow_redirects=True)
    assert "请填写意见" in r.get_data(as_text=True)
    boss.post("/title/activities/review_batch", data={"action": "return", "opinion": "请补充破格条件", "rowid": [str(pk)]})
    assert activity(app, pk)["review_state"] == "returned"
    assert "已退回" in c.get("/title/activities/list/").get_data(as_text=True)
    r = c.post(f"/title/activities/edit/{pk}?part=conditions", data={"condition": ["条件一", "条件二"]})
    assert r.status_code == 302
    c.post(f"/title/activities/review/{pk}", data={"action": "submit"})
    assert activity(app, pk)["review_state"] == "pending"


def test_another_branch_reaches_nothing(app, login_as):
    cid = committee(app)
    c = login_as("ls_admin")
    pk = new_activity(c, cid)
    c.post(f"/attachments/upload/title.activity/{pk}/policy",
           data={"file": (io.BytesIO(PDF), "政策.pdf"), "next": "/"}, content_type="multipart/form-data")
    with app.app_context():
        from models.core.attachment import Attachment

        file_id = db.session.scalar(select(Attachment.id).where(Attachment.owner_type == "title.activity",
                                                                Attachment.owner_id == pk))
        name = db.session.get(Activity, pk).name
    for login in ("sc_jyt_admin", "ls_zjj_admin", "hb_admin"):
        o = login_as(login)
        r = o.get("/title/activities/list/")
        assert r.status_code in (200, 403) and name not in r.get_data(as_text=True), login
        assert o.get(f"/title/activities/show/{pk}").status_code in (403, 404), login
        assert o.get(f"/title/activities/edit/{pk}?part=plan").status_code in (403, 404), login
        assert o.post(f"/title/activities/edit/{pk}?part=plan", data={"exceptional": "0", "groups": "0"}).status_code \
            in (403, 404), login
        assert o.post(f"/title/activities/review/{pk}", data={"action": "submit"}).status_code in (403, 404), login
        assert o.post("/title/activities/review_batch", data={"action": "approve", "rowid": [str(pk)]}).status_code \
            in (403, 404), login
        assert o.post(f"/title/activities/delete/{pk}").status_code in (403, 404), login
        assert o.get(f"/title/activities/defaults/{cid}").status_code in (403, 404), login
        assert o.get(f"/attachments/download/{file_id}").status_code == 404, login
        assert o.post(f"/attachments/upload/title.activity/{pk}/policy",
                      data={"file": (io.BytesIO(PDF), "x.pdf")}, content_type="multipart/form-data").status_code \
            in (403, 404), login
    assert activity(app, pk)["saved_part"] == "basic"
    # the authority sees it only once it is on its route; the portal not before publication
    assert app.test_client().get(f"/title/portal/activity/{pk}").status_code == 404
    assert app.test_client().get(f"/title/portal/file/{file_id}").status_code == 404
    # the own unit may delete its draft
    r = c.post(f"/title/activities/delete/{pk}")
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(Activity, pk) is None


def test_menus_by_unit_kind(app, login_as):
    """评审活动管理: 评审活动发布 for the kinds that constitute committees, 评审活动发布审核 for 人社部门 and 主管部门;
    a 申报单位 sees neither."""
    for login, publish, review in (("ls_admin", True, True), ("ls_zjj_staff", True, True), ("sc_staff", True, True),
                                   ("ls_jzy_admin", False, False)):
        home = login_as(login).get("/").get_data(as_text=True)
        assert ("评审活动发布审核" in home) is review, login
        assert ("评审活动发布<" in home or "评审活动发布</" in home or ">评审活动发布" in home) is publish, login
    r = login_as("ls_jzy_admin").get("/title/activities/add")
    assert r.status_code in (200, 302, 403)
    if r.status_code == 200:  # the permission is the platform role's; the unit's kind cannot publish
        assert "本单位不能发布评审活动" in login_as("ls_jzy_admin").post(
            "/title/activities/add", data=basic(committee(app))).get_data(as_text=True)


def test_the_list_exports_what_it_shows(app, login_as):
    from openpyxl import load_workbook

    cid = committee(app)
    c = login_as("ls_admin")
    pk = new_activity(c, cid)
    r = c.get("/title/activities/export/")
    assert r.status_code == 200
    rows = list(load_workbook(io.BytesIO(r.data)).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("评审活动名称", "评委会名称") and "状态" in rows[0]
    row = next(x for x in rows if x[0] == activity(app, pk)["name"])
    assert "编辑中（已保存：基本信息）" in row
    # another branch's export holds none of it
    r = login_as("sc_jyt_admin").get("/title/activities/export/")
    assert r.status_code in (200, 403)
    if r.status_code == 200:
        assert activity(app, pk)["name"] not in str(list(load_workbook(io.BytesIO(r.data)).active.iter_rows(
            values_only=True)))
