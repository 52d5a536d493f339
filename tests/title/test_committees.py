"""评委会管理 (004 §1.2.2; TR-03 … TR-06) through the real views: the three steps with their errors,
the import of the expert list, the filing route 授权管理单位 → 备案单位 with multi-post, batch
pass/return, the three-year validity and the new round, the expert libraries (recommendation passed
and returned, chairs, counts) and the scope (a 申报单位 and another branch reach none of it)."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import os
import re

import pytest
from flask.testing import FlaskClient
from openpyxl import Workbook
from sqlalchemy import func, select

from app.extensions import db
from tests.conftest import unique, unit_by_name

LS = "乐山市人力资源和社会保障局"
SC = "四川省人力资源和社会保障厅"
ZJJ = "乐山市住房和城乡建设局"

_seq = itertools.count((os.getpid() * 37) % 500)

HEADERS = ["国别", "*姓名", "证件类型", "*证件号码", "*性别", "*出生年月", "是否退休", "*工作单位", "主管单位",
           "*行政职务", "行政职务级别", "*联系电话1", "联系电话2", "*所获荣誉、称号", "现专业技术系列", "*现从事专业",
           "*现职称"]


def id_number(male: bool = True) -> tuple[str, str]:
    """(a valid 18-digit number of 井研县 with its check digit, its yyyyMM), new for each call."""
    n = next(_seq)
    birth = f"{1960 + n % 30}{(n // 30) % 12 + 1:02d}{(n // 360) % 28 + 1:02d}"
    order = f"{(n * 7) % 1000:03d}"
    if (int(order[-1]) % 2 == 1) != male:
        order = order[:-1] + str((int(order[-1]) + 1) % 10)
    body = "511124" + birth + order
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(a) * w for a, w in zip(body, weights, strict=True)) % 11], birth[:6]


def make_expert(unit, complete: bool = True, name: str | None = None):
    from models.experts.expert import Expert

    number, ym = id_number()
    e = Expert(name=name or unique("专家")[:10], id_number=number, sex="1", birth_ym=ym, work_unit="乐山市建筑设计研究院",
               admin_post="无", phone="13800138000", honours="省优秀专家" if complete else "", major="建筑工程",
               title="1", unit_id=unit.id)
    db.session.add(e)
    db.session.commit()
    return e


def basic_form(ls, sc, **over):
    form = {"name": unique("乐山工程技术中级评委会"), "agency": "乐山市职称改革工作领导小组办公室", "office": "乐山市人社局专技科",
            "review_type": "review", "levels": ["3", "4"], "authority_unit_id": str(ls.id), "filing_unit_id": str(sc.id),
            "contact": "王老师", "contact_phone": "0833-2123456", "address": "乐山市市中区嘉定北路", "internal_only": "0",
            "applicant_natures": ["20", "30"], "build_mode": "series", "series": "08", "region_codes": ["511100"],
            "funded": "0"}
    form.update(over)
    return form


def new_id(r) -> int:
    m = re.search(r"/step/experts/(\d+)", r.headers.get("Location", ""))
    assert m, (r.status_code, r.headers.get("Location"), r.get_data(as_text=True)[:2000])
    return int(m.group(1))


def pdf_upload(c, committee_id: int):
    data = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return c.post(f"/attachments/upload/title.committee/{committee_id}/request",
                  data={"file": (io.BytesIO(data), "核准备案请示.pdf"), "next": "/"}, content_type="multipart/form-data")


def ready_committee(c, ls, sc, experts=1, **over) -> int:
    """A committee of 乐山市人社局 with complete experts and the request uploaded (not yet submitted)."""
    r = c.post("/title/committees/step/basic/", data=basic_form(ls, sc, **over))
    cid = new_id(r)
    for _i in range(experts):
        e = make_expert(ls)
        assert c.post(f"/title/committees/step/experts/{cid}/pick", data={"expert_id": str(e.id)}).status_code == 302
    assert pdf_upload(c, cid).status_code in (302, 303)
    return cid


def committee(cid):
    from models.title import Committee

    db.session.expire_all()
    return db.session.get(Committee, cid)


class _FreshClient(FlaskClient):
    """These tests keep one app context open (their database work between requests shares it): each
    request starts with an empty ``g``, as it would in its own app context (the signed-in user, the
    CSRF token and the permission cache are per request)."""

    def open(self, *args, **kwargs):
        from flask import g, has_app_context

        if has_app_context():
            for key in list(vars(g)):
                delattr(g, key)
        return super().open(*args, **kwargs)


@pytest.fixture()
def tree(app, ctx, monkeypatch):
    monkeypatch.setattr(app, "test_client_class", _FreshClient)
    return unit_by_name(LS), unit_by_name(SC), unit_by_name(ZJJ)


def flashes(c) -> str:
    return c.get("/title/committees/list/").get_data(as_text=True)


# -- step 1 ------------------------------------------------------------------------------------


def test_new_committee_step_one_errors_keep_typed_data(tree, login_as):
    from models.title import Committee

    ls, sc, _z = tree
    c = login_as("ls_admin")
    page = c.get("/title/committees/step/basic/").get_data(as_text=True)
    assert "评委会组建单位" in page and LS in page and "核准备案请示" in page
    before = db.session.scalar(select(func.count()).select_from(Committee))
    form = basic_form(ls, sc, agency="", contact_phone="abc", filing_unit_id=str(unit_by_name(ZJJ).id),
                      build_mode="major", majors="", levels=["3", "9"])
    r = c.post("/title/committees/step/basic/", data=form)
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert form["name"] in html and "乐山市市中区嘉定北路" in html  # typed data kept
    assert "请填写评委会办事机构" in html
    assert "对外联系电话格式不正确" in html
    assert "请选择备案批复单位" in html
    assert "按专业创建时请填写评审专业" in html
    assert "评审级别“9”不是有效的选项" in html
    assert db.session.scalar(select(func.count()).select_from(Committee)) == before  # nothing changed

    r = c.post("/title/committees/step/basic/", data=basic_form(ls, sc, name=form["name"]))
    cid = new_id(r)
    rec = committee(cid)
    assert rec.unit_id == ls.id and rec.level_codes == ["3", "4"] and rec.region_list == ["511100"]
    assert rec.applicant_natures == "20,30" and rec.authority_unit_id == ls.id and rec.filing_unit_id == sc.id
    # edit keeps the step; a second committee of the same name is refused by field
    r = c.post(f"/title/committees/step/basic/{cid}", data=basic_form(ls, sc, name=form["name"], address="新地址"))
    assert new_id(r) == cid and committee(cid).address == "新地址"
    r = c.post("/title/committees/step/basic/", data=basic_form(ls, sc, name=form["name"]))
    assert r.status_code == 200 and "本单位已有名为" in r.get_data(as_text=True)


def test_filing_choices_are_own_unit_and_ancestors_of_the_right_kind(tree, login_as):
    from app.services.title import committees as service

    ls, sc, zjj = tree
    c = login_as("ls_zjj_admin")
    page = c.get("/title/committees/step/basic/").get_data(as_text=True)
    assert ZJJ in page and LS in page
    from models.core.user import UnitUser

    user = db.session.scalar(select(UnitUser).where(UnitUser.username == "ls_zjj_admin"))
    assert [u.id for u in service.authority_choices(user)][:2] == [zjj.id, ls.id]
    assert zjj.id not in [u.id for u in service.filing_choices(user)]  # 备案单位: 人社部门 only
    assert {ls.id, sc.id} <= {u.id for u in service.filing_choices(user)}


# -- step 2: the import and the library ---------------------------------------------------------


def _workbook(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _row(name, number, ym, sex="男"):
    return ["中国", name, "居民身份证", number, sex, ym, "否", "乐山师范学院", "", "无", "无", "13800138001", "",
            "四川省学术带头人", "工程技术人员", "道路桥梁", "正高级"]


def test_import_expert_list_bad_row_named_and_existing_person_reused(tree, login_as):
    from models.experts.expert import Expert
    from models.title import CommitteeExpert

    ls, sc, _z = tree
    c = login_as("ls_admin")
    cid = new_id(c.post("/title/committees/step/basic/", data=basic_form(ls, sc)))
    known = make_expert(sc, name="已有专家")  # entered by the province: reused as it is
    fresh, fresh_ym = id_number()
    bad, _bad_ym = id_number()
    rows = [_row("新专家", fresh, fresh_ym), _row("错号专家", bad[:-1] + ("0" if bad[-1] != "0" else "1"), "197001"),
            _row("已有专家", known.id_number, known.birth_ym)]
    r = c.post(f"/imports/title.committee_experts/?ctx={cid}",
               data={"file": (io.BytesIO(_workbook(rows)), "名单.xlsx")}, content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)[:1500]
    batch_url = r.headers["Location"]
    page = c.get(batch_url).get_data(as_text=True)
    assert "错号专家" in page and "证件号码" in page  # the failure: row 3, its column and reason
    m = re.search(r"<td>3</td>", page)
    assert m, page[:3000]
    pk = int(re.search(r"/batch/(\d+)", batch_url).group(1))
    r = c.post(f"/imports/batch/{pk}/commit")
    assert r.status_code == 302 and f"/title/committees/step/experts/{cid}" in r.headers["Location"]
    db.session.expire_all()
    rows = db.session.scalars(select(CommitteeExpert).where(CommitteeExpert.committee_id == cid)).all()
    assert len(rows) == 2, c.get(f"/title/committees/step/experts/{cid}").get_data(as_text=True)[-6000:]
    assert {r.state for r in rows} == {"draft"}
    assert db.session.scalar(select(func.count()).select_from(Expert).where(Expert.id_number == known.id_number)) == 1
    assert known.id in {r.expert_id for r in rows}  # one person, one expert row
    assert db.session.get(Expert, known.id).unit_id == sc.id
    page = login_as("ls_staff").get(f"/title/committees/step/experts/{cid}").get_data(as_text=True)
    assert "新专家" in page and fresh not in page  # ID numbers masked as the platform masks them (工作人员)


def test_pick_from_library_search_and_remove(tree, login_as):
    ls, sc, _z = tree
    c = login_as("ls_admin")
    cid = new_id(c.post("/title/committees/step/basic/", data=basic_form(ls, sc)))
    e = make_expert(ls, name=unique("检索专家")[:10])
    page = c.get(f"/title/committees/step/experts/{cid}?q={e.name}").get_data(as_text=True)
    assert e.name in page and "加入名单" in page
    assert c.post(f"/title/committees/step/experts/{cid}/pick", data={"expert_id": str(e.id)}).status_code == 302
    rec = committee(cid)
    assert [m.expert_id for m in rec.members] == [e.id]
    c.post(f"/title/committees/step/experts/{cid}/pick", data={"expert_id": str(e.id)})
    assert "已在本评委会专家库中" in flashes(c)
    # an expert of another branch (湖北) is not in ls's scope
    from models.experts.expert import Expert

    other = db.session.scalar(select(Expert).where(Expert.id_number.like("42%")))
    if other is not None:
        c.post(f"/title/committees/step/experts/{cid}/pick", data={"expert_id": str(other.id)})
        assert "请从本单位可见的专家库中选择专家" in flashes(c)
    mid = committee(cid).members[0].id
    assert c.post(f"/title/committees/step/experts/{cid}/remove", data={"member_id": str(mid)}).status_code == 302
    assert committee(cid).members == []


# -- submission -------------------------------------------------------------------------------


def test_submission_refused_naming_what_is_wrong(tree, login_as):
    ls, sc, _z = tree
    c = login_as("ls_admin")
    cid = new_id(c.post("/title/committees/step/basic/", data=basic_form(ls, sc, levels=[])))
    c.post(f"/title/committees/submit/{cid}")
    html = flashes(c)
    assert "请选择评审级别" in html and "请先导入或选择专家库名单" in html and "请先上传核准备案请示" in html
    assert committee(cid).review_state == "draft"
    c.post(f"/title/committees/step/basic/{cid}", data=basic_form(ls, sc, name=committee(cid).name))
    e = make_expert(ls, complete=False, name="缺项专家")
    c.post(f"/title/committees/step/experts/{cid}/pick", data={"expert_id": str(e.id)})
    pdf_upload(c, cid)
    page = c.get(f"/title/committees/step/request/{cid}").get_data(as_text=True)
    assert "专家“缺项专家”信息不完整，缺少：所获荣誉、称号" in page
    c.post(f"/title/committees/submit/{cid}")
    assert "专家“缺项专家”信息不完整，缺少：所获荣誉、称号" in flashes(c)
    assert committee(cid).review_state == "draft"


def test_filing_route_authority_then_filing_unit_with_multi_post(tree, login_as):
    from app.services.title.committees import add_years
    from models.core.user import UnitUser
    from models.core.workflow import ReviewPost
    from models.title import CommitteeExpert

    ls, sc, zjj = tree
    c = login_as("ls_zjj_admin")  # a 主管部门 files with 乐山市人社局 (授权管理单位) and the province (备案单位)
    cid = ready_committee(c, zjj, sc, experts=2, authority_unit_id=str(ls.id), filing_unit_id=str(sc.id))
    assert c.post(f"/title/committees/submit/{cid}").status_code == 302
    rec = committee(cid)
    assert rec.review_state == "pending" and rec.review_unit_id == ls.id
    # the 授权管理单位 reviews it from its to-do list
    ls_c = login_as("ls_staff")
    page = ls_c.get("/title/committees/list/?todo=review").get_data(as_text=True)
    assert rec.name in page and "批量通过" in page
    assert rec.name not in ls_c.get("/title/committees/list/").get_data(as_text=True)  # 申报 list: own only
    detail = ls_c.get(f"/title/committees/show/{cid}").get_data(as_text=True)
    assert "评审范围" in detail and "专家库名单（2人）" in detail and "核准备案请示" in detail
    # 多岗审核 at the province: staff first, then the administrator
    staff = db.session.scalar(select(UnitUser).where(UnitUser.username == "sc_staff"))
    admin = db.session.scalar(select(UnitUser).where(UnitUser.username == "sc_admin"))
    db.session.add_all([ReviewPost(unit_id=sc.id, matter="title.committee", level=1, user_id=staff.id),
                        ReviewPost(unit_id=sc.id, matter="title.committee", level=2, user_id=admin.id)])
    db.session.commit()
    try:
        version = lambda: str(__import__("app.workflow", fromlist=["review_of"]).review_of("title.committee", cid).version)  # noqa: E731
        ls_c.post(f"/title/committees/review/{cid}", data={"action": "approve", "version": version()})
        rec = committee(cid)
        assert rec.review_state == "pending" and rec.review_unit_id == sc.id
        sc_admin = login_as("sc_admin")
        sc_admin.post(f"/title/committees/review/{cid}", data={"action": "approve", "version": version()})
        assert committee(cid).review_state == "pending"  # level 1 is the staff's
        login_as("sc_staff").post(f"/title/committees/review/{cid}", data={"action": "approve", "version": version()})
        rec = committee(cid)
        assert rec.review_state == "pending" and rec.filed_at is None  # now level 2
        sc_admin.post(f"/title/committees/review/{cid}", data={"action": "approve", "version": version()})
        rec = committee(cid)
        assert rec.review_state == "approved"
        assert rec.valid_until == add_years(dt.date.today(), 3) and rec.filed_at is not None
        states = set(db.session.scalars(select(CommitteeExpert.state).where(CommitteeExpert.committee_id == cid)))
        assert states == {"in"}
        trail = [(t.user_id, t.action) for t in
                 __import__("app.workflow", fromlist=["review_of"]).review_of("title.committee", cid).trail]
        names = ("ls_zjj_admin", "ls_staff", "sc_staff", "sc_admin")
        ids = [db.session.scalar(select(UnitUser.id).where(UnitUser.username == n)) for n in names]
        # submit, 授权管理单位, the province's post 1 then post 2 (the administrator's early try left nothing)
        assert trail == list(zip(ids, ("submit", "approve", "approve", "approve"), strict=True))
    finally:
        for p in db.session.scalars(select(ReviewPost).where(ReviewPost.matter == "title.committee")):
            db.session.delete(p)
        db.session.commit()
    page = c.get("/title/committees/list/").get_data(as_text=True)
    assert rec.name in page and "已备案" in page and rec.valid_until.isoformat() in page


def test_batch_pass_and_return_and_the_new_round_after_expiry(tree, login_as):
    ls, sc, _z = tree
    c = login_as("ls_admin")
    a = ready_committee(c, ls, sc)
    b = ready_committee(c, ls, sc)
    for cid in (a, b):
        assert c.post(f"/title/committees/submit/{cid}").status_code == 302
        assert committee(cid).review_unit_id == ls.id  # 授权管理单位 = 乐山市人社局 itself
    r = c.post("/title/committees/review_batch", data={"action": "approve", "rowid": [str(a), str(b)]})
    assert r.status_code == 302
    assert committee(a).review_unit_id == sc.id and committee(b).review_unit_id == sc.id
    sc_c = login_as("sc_admin")
    sc_c.post("/title/committees/review_batch", data={"action": "return", "rowid": [str(a)]})
    assert committee(a).review_state == "pending"  # 退回 needs an opinion
    sc_c.post("/title/committees/review_batch", data={"action": "return", "rowid": [str(a)], "opinion": "请补充专家"})
    assert committee(a).review_state == "returned"
    sc_c.post("/title/committees/review_batch", data={"action": "approve", "rowid": [str(b)]})
    rec = committee(b)
    assert rec.review_state == "approved" and rec.filing_state == "approved"
    # a returned filing is edited and filed again
    assert "已退回" in c.get("/title/committees/list/").get_data(as_text=True)
    assert c.post(f"/title/committees/submit/{a}").status_code == 302 and committee(a).review_state == "pending"
    # an approved filing in force cannot be changed nor filed again
    c.post(f"/title/committees/submit/{b}")
    assert committee(b).review_state == "approved"
    r = c.post(f"/title/committees/step/basic/{b}", data=basic_form(ls, sc, name=rec.name))
    assert r.status_code == 200 and committee(b).address == "乐山市市中区嘉定北路"
    # three years later: expired, marked, filed again as a new round
    rec.valid_until = dt.date.today() - dt.timedelta(days=1)
    db.session.commit()
    page = c.get("/title/committees/list/").get_data(as_text=True)
    assert "已过期" in page
    detail = c.get(f"/title/committees/show/{b}").get_data(as_text=True)
    assert "申请备案" in detail
    assert c.post(f"/title/committees/submit/{b}").status_code == 302
    rec = committee(b)
    assert rec.review_state == "pending" and rec.review_unit_id == ls.id
    c.post(f"/title/committees/review/{b}", data={"action": "approve"})
    sc_c.post(f"/title/committees/review/{b}", data={"action": "approve"})
    rec = committee(b)
    assert rec.review_state == "approved" and rec.valid_until > dt.date.today() + dt.timedelta(days=1000)


def test_expiring_soon_is_marked(tree, login_as):
    ls, sc, _z = tree
    c = login_as("ls_admin")
    cid = ready_committee(c, ls, sc)
    rec = committee(cid)
    rec.review_state, rec.valid_until = "approved", dt.date.today() + dt.timedelta(days=30)
    rec.filed_at = dt.datetime.now(dt.UTC)
    db.session.commit()
    assert "30天后到期" in c.get("/title/committees/list/").get_data(as_text=True)
    r = c.get("/title/committees/export/")
    assert r.status_code == 200 and r.data[:2] == b"PK"


# -- expert libraries ---------------------------------------------------------------------------


def _filed(c, ls, sc, login_as) -> int:
    cid = ready_committee(c, ls, sc)
    c.post(f"/title/committees/submit/{cid}")
    c.post(f"/title/committees/review/{cid}", data={"action": "approve"})
    login_as("sc_admin").post(f"/title/committees/review/{cid}", data={"action": "approve"})
    assert committee(cid).review_state == "approved"
    return cid


def _expert_form(name, male=True, **over):
    number, ym = id_number(male)
    form = {"nationality": "中国", "name": name, "id_type": "01", "id_number": number, "sex": "1" if male else "2",
            "birth_ym": ym, "retired": "0", "work_unit": "乐山市路桥建设有限公司", "supervising_unit": "", "admin_post": "总工程师",
            "admin_level": "", "phone": "13900001234", "phone2": "", "honours": "四川省五一劳动奖章", "series": "",
            "major": "道路桥梁", "title": "1"}
    form.update(over)
    return form


def test_library_recommendation_passed_and_returned_with_counts_and_chairs(tree, login_as):
    from models.title import CommitteeExpert

    ls, sc, zjj = tree
    c = login_as("ls_admin")
    cid = _filed(c, ls, sc, login_as)
    # a lower unit (乐山市住建局) recommends two experts
    z = login_as("ls_zjj_admin")
    page = z.get("/title/expert-library/").get_data(as_text=True)
    assert committee(cid).name in page
    bad = _expert_form("推荐甲", id_number="123")
    r = z.post(f"/title/expert-library/{cid}/add", data=bad)
    assert r.status_code == 200 and "推荐甲" in r.get_data(as_text=True)  # kept as typed, the error named
    assert "证件号码" in r.get_data(as_text=True)
    for name in ("推荐甲", "推荐乙"):
        assert z.post(f"/title/expert-library/{cid}/add", data=_expert_form(name)).status_code == 302
    page = z.get(f"/title/expert-library/?committee={cid}&tab=draft").get_data(as_text=True)
    assert "推荐甲" in page and "推荐乙" in page
    assert z.post(f"/title/expert-library/{cid}/submit").status_code == 302
    rows = db.session.scalars(select(CommitteeExpert).where(CommitteeExpert.committee_id == cid,
                                                            CommitteeExpert.unit_id == zjj.id)).all()
    assert {r.state for r in rows} == {"recommended"}
    # the committee's unit sees them waiting and the counts
    summary = c.get("/title/expert-review/").get_data(as_text=True)
    row = re.search(rf'<tr data-committee="{cid}">(.*?)</tr>', summary, re.S).group(1)
    assert "1人" in row and "2人" in row  # 1 in the library (the filing's), 2 pending
    page = c.get(f"/title/expert-review/{cid}/pending").get_data(as_text=True)
    assert "推荐甲" in page and ZJJ in page
    db.session.expire_all()
    by_name = {r.expert.name: r for r in rows}
    c.post(f"/title/expert-review/{cid}/decide", data={"action": "return", "rowid": [str(by_name["推荐乙"].id)]})
    assert "请填写退回原因" in c.get("/title/expert-review/").get_data(as_text=True)
    c.post(f"/title/expert-review/{cid}/decide", data={"action": "approve", "rowid": [str(by_name["推荐甲"].id)]})
    c.post(f"/title/expert-review/{cid}/decide", data={"action": "return", "rowid": [str(by_name["推荐乙"].id)],
                                                       "reason": "职称不符合要求"})
    db.session.expire_all()
    assert db.session.get(CommitteeExpert, by_name["推荐甲"].id).state == "in"
    back = db.session.get(CommitteeExpert, by_name["推荐乙"].id)
    assert back.state == "returned" and back.return_reason == "职称不符合要求"
    page = z.get(f"/title/expert-library/?committee={cid}&tab=returned").get_data(as_text=True)
    assert "推荐乙" in page and "职称不符合要求" in page
    # 查看详情: the recommending unit and the committee's unit; not a sibling 主管部门
    mid = by_name["推荐乙"].id
    assert "职称不符合要求" in z.get(f"/title/expert-library/{cid}/expert/{mid}").get_data(as_text=True)
    assert "推荐乙" in c.get(f"/title/expert-library/{cid}/expert/{mid}").get_data(as_text=True)
    assert login_as("ls_jxj_admin").get(f"/title/expert-library/{cid}/expert/{mid}").status_code == 404
    assert "推荐甲" in c.get(f"/title/expert-review/{cid}").get_data(as_text=True)
    # chairs and activity, set by the committee's unit
    c.post(f"/title/expert-library/{cid}/chair/{by_name['推荐甲'].id}", data={"chair": "chair"})
    c.post(f"/title/expert-library/{cid}/active/{by_name['推荐甲'].id}", data={"active": "0"})
    db.session.expire_all()
    got = db.session.get(CommitteeExpert, by_name["推荐甲"].id)
    assert got.chair == "chair" and got.active is False
    z.post(f"/title/expert-library/{cid}/chair/{by_name['推荐甲'].id}", data={"chair": "vice"})
    db.session.expire_all()
    assert db.session.get(CommitteeExpert, by_name["推荐甲"].id).chair == "chair"  # a lower unit may not
    summary = c.get("/title/expert-review/").get_data(as_text=True)
    row = re.search(rf'<tr data-committee="{cid}">(.*?)</tr>', summary, re.S).group(1)
    assert "推荐甲" in row and "2人" in row and "0人" in row
    # the committee's own unit adds straight into the library
    assert c.post(f"/title/expert-library/{cid}/add", data=_expert_form("本级专家")).status_code == 302
    c.post(f"/title/expert-library/{cid}/submit")
    page = c.get(f"/title/expert-library/?committee={cid}&tab=in").get_data(as_text=True)
    assert "本级专家" in page and "推荐甲" in page


def test_library_import_batch_add(tree, login_as):
    from models.title import CommitteeExpert

    ls, sc, _z = tree
    c = login_as("ls_admin")
    cid = _filed(c, ls, sc, login_as)
    number, ym = id_number()
    r = c.post(f"/imports/title.library_experts/?ctx={cid}",
               data={"file": (io.BytesIO(_workbook([_row("批量专家", number, ym)])), "批量.xlsx")},
               content_type="multipart/form-data")
    pk = int(re.search(r"/batch/(\d+)", r.headers["Location"]).group(1))
    r = c.post(f"/imports/batch/{pk}/commit")
    assert "/title/expert-library/" in r.headers["Location"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(CommitteeExpert).where(
        CommitteeExpert.committee_id == cid, CommitteeExpert.state == "draft")) == 1


# -- scope ----------------------------------------------------------------------------------------


def test_applicant_unit_and_other_branch_reach_nothing(tree, login_as):
    from app.services.title import committees as service
    from app.services.title.common import TitleError
    from models.core.attachment import Attachment
    from models.core.user import UnitUser

    ls, sc, _z = tree
    c = login_as("ls_admin")
    cid = _filed(c, ls, sc, login_as)
    member = committee(cid).members[0].id
    att = db.session.scalar(select(Attachment.id).where(Attachment.owner_type == "title.committee",
                                                        Attachment.owner_id == cid))
    applicant = login_as("ls_jzy_admin")  # 申报单位 below 乐山
    for url in ("/title/committees/list/", "/title/committees/step/basic/", "/title/expert-library/",
                "/title/expert-review/", f"/title/expert-library/?committee={cid}", f"/title/expert-review/{cid}"):
        assert applicant.get(url).status_code in (403, 404), url
    assert applicant.get(f"/title/committees/show/{cid}").status_code in (403, 404)
    assert applicant.post("/title/committees/step/basic/", data=basic_form(ls, sc)).status_code in (403, 404)
    menu = applicant.get("/").get_data(as_text=True)
    assert "评委会备案申报" not in menu and "专家库管理" not in menu
    user = db.session.scalar(select(UnitUser).where(UnitUser.username == "ls_jzy_admin"))
    with pytest.raises(TitleError):
        service.save_basic(user, None, basic_form(ls, sc))
    db.session.rollback()
    other = login_as("sc_jyt_admin")  # 四川省教育厅: another branch under the province
    for url in (f"/title/committees/show/{cid}", f"/title/committees/review/{cid}", f"/title/committees/step/basic/{cid}",
                f"/title/committees/step/experts/{cid}", f"/title/committees/step/request/{cid}",
                f"/title/expert-review/{cid}", f"/title/expert-review/{cid}/pending",
                f"/title/expert-library/{cid}/expert/{member}", f"/attachments/download/{att}",
                f"/imports/title.committee_experts/?ctx={cid}", f"/imports/title.library_experts/?ctx={cid}"):
        assert other.get(url).status_code in (403, 404), url
    for url in (f"/title/committees/submit/{cid}", f"/title/committees/step/experts/{cid}/remove",
                f"/title/expert-review/{cid}/decide", f"/title/expert-library/{cid}/chair/{member}",
                f"/title/committees/delete/{cid}"):
        assert other.post(url, data={"rowid": [str(member)], "action": "approve"}).status_code in (403, 404), url
    other.post("/title/committees/review_batch", data={"action": "approve", "rowid": [str(cid)]})
    other.post("/title/committees/action_post", data={"action": "batch_approve", "rowid": [str(cid)]})
    assert committee(cid).review_state == "approved"
    assert other.get("/title/committees/list/?all=1").get_data(as_text=True).count(committee(cid).name) == 0
    # the 乐山 menu shows the four entries; the review entry for 人社部门 and 主管部门
    menu = c.get("/").get_data(as_text=True)
    for label in ("评委会管理", "评委会备案申报", "评委会备案审核", "专家库管理", "专家库审核"):
        assert label in menu, label
