"""历史职称数据管理 (TR-22, 004 §1.2.8.2) through the views: the 职称文件文号 checked on the page, every row check of
§1.2.8.2.1 with its row, column and reason (institution, 初定/确认, ID number typed as a number, review date, document
year, the same certificate twice), the 社保风险 flag (a flag, not a refusal), 待提交 grouped by document number and
import time, the submission route and the 任职资格文件, batch review with a person returned, 一键通过, the name-list
check, the certificate source, 历史评审机构管理 and its scope, another unit refused and forged ids."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from tests.conftest import unique, unit_by_name
from tests.title.test_review import PDF, Fresh, id_number, season

HEAD = ["行政区划代码", "*姓名", "*证件号码", "性别", "出生日期", "工作单位", "*职称系列", "*职称层级", "*资格名称", "专业",
        "*评审机构", "评审时间", "*批准时间", "纸质证书编号"]


@pytest.fixture()
def login(app, login_as):
    def _login(name):
        with app.app_context():
            return Fresh(app, login_as(name))

    return _login


def xlsx(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(HEAD)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def row(name, idn, institution, review="2020-05-01", approved="2020-09-01", qual="工程师", level="中级"):
    return ["511100", name, idn, "男", "1985-01-01", "乐山市建筑设计研究院", "工程技术人员", level, qual, "建筑工程",
            institution, review, approved, unique("P")]


def text(r) -> str:
    return r.get_data(as_text=True)


def upload(c, way, doc, rows):
    """The page's 下一步 (way + 文号) then the pipeline's upload; the batch id."""
    r = c.post("/title/history/start", data={"way": way, "doc_number": doc})
    assert r.status_code == 302 and "/imports/title.history." in r.location, r.location
    r = c.post(r.location, data={"file": (io.BytesIO(xlsx(rows)), "历史职称.xlsx")},
               content_type="multipart/form-data")
    assert r.status_code == 302 and "/imports/batch/" in r.location, text(r)[-2000:]
    return int(re.search(r"/imports/batch/(\d+)", r.location).group(1))


def problems(batch_id: int) -> dict[int, list[list[str]]]:
    import json

    from models.core.document import ImportRow

    db.session.expire_all()
    out = {}
    for r in db.session.scalars(select(ImportRow).where(ImportRow.batch_id == batch_id, ImportRow.ok.is_(False))):
        out[r.row_no] = json.loads(r.errors) if isinstance(r.errors, str) else r.errors
    return out


def commit(c, batch_id: int):
    r = c.post(f"/imports/batch/{batch_id}/commit")
    assert r.status_code == 302 and "/title/history/group/" in r.location, text(r)  # on to the batch imported
    return r


def groups(unit, doc=None):
    from models.title.history import HistoryGroup

    db.session.expire_all()
    q = select(HistoryGroup).where(HistoryGroup.unit_id == unit.id)
    if doc:
        q = q.where(HistoryGroup.doc_number == doc)
    return list(db.session.scalars(q.order_by(HistoryGroup.id)))


def titles(group):
    from models.title.history import HistoryTitle

    db.session.expire_all()
    return list(db.session.scalars(select(HistoryTitle).where(HistoryTitle.group_id == group.id)
                                   .order_by(HistoryTitle.id)))


def doc(year=2020) -> str:
    return f"乐人社职〔{year}〕{unique('')}号"


@pytest.fixture()
def committee(ctx):
    c, _a = season()
    return c


def test_doc_number_checked_on_the_page(login, ctx):
    c = login("ls_admin")
    for bad, words in (("乐人社职[2020]60号", "六角括号"), ("乐人社职(2020)60号", "六角括号"),
                       ("乐人社职2020年60号", "缺少六角括号"), ("乐人社职〔20〕60号", "格式不正确")):
        r = c.post("/title/history/start", data={"way": "review", "doc_number": bad}, follow_redirects=True)
        assert words in text(r), bad
    # the pipeline's own page refuses a context that is not a valid number
    assert c.get("/imports/title.history.review/?ctx=review|乐人社职[2020]60号").status_code == 404


def test_every_row_check_with_row_column_and_reason(login, committee):
    from models.title.history import HistoryInstitution

    ls = unit_by_name("乐山市人力资源和社会保障局")
    inst = HistoryInstitution(unit_id=ls.id, owner_unit_id=ls.id, name=unique("乐山市原工程评审委员会"), series="08",
                              levels="3,4")
    db.session.add(inst)
    db.session.commit()
    c = login("ls_admin")
    number = doc(2020)
    ok1, ok2, dup = id_number(), id_number(), id_number()
    batch = upload(c, "review", number, [
        row("甲", ok1, committee.name),                                   # 2: a filed committee of the unit
        row("乙", ok2, inst.name),                                        # 3: a kept historical institution
        row("丙", id_number(), "别人的评审委员会"),                         # 4: not the unit's
        row("丁", id_number(), committee.name, review="2020-10-01"),       # 5: review after approval
        row("戊", id_number(), committee.name, review="2021-01-01", approved="2021-03-01"),  # 6: year ≠ 文号's
        row("己", 511102198501011234, committee.name),  # 7: a number
        row("庚", ok1, committee.name),                                   # 8: twice in the file
        row("辛", id_number(), committee.name, level="正高级"),             # 9: a level the committee does not review
    ])
    found = problems(batch)
    assert set(found) == {4, 5, 6, 7, 8, 9}, found
    assert ["institution", "评审机构“别人的评审委员会”不是本单位已备案的评委会，也不是本单位负责的历史评审机构"] in found[4]
    assert ["review_date", "评审时间须早于批准时间"] in found[5]
    assert ["approved_on", "批准时间的年份（2021）须与职称文件文号的年份（2020）一致"] in found[6]
    assert any(k == "id_number" and "文本" in reason for k, reason in found[7])
    assert any(k == "id_number" and "重复" in reason for k, reason in found[8])
    assert any(k == "level" for k, _r in found[9])
    # the failures deleted, the good rows committed into one group (the 待提交 batch)
    assert c.post(f"/imports/batch/{batch}/delete", data={"all": "1"}).status_code == 302
    commit(c, batch)
    [group] = groups(ls, number)
    assert group.way == "review" and group.review_state == "draft" and group.doc_year == 2020
    assert sorted(t.name for t in titles(group)) == ["乙", "甲"]
    # the same certificate imported again is refused, naming the row and the reason
    again = upload(c, "review", number, [row("甲", ok1, committee.name), row("壬", dup, committee.name)])
    found = problems(again)
    assert list(found) == [2] and ["id_number", "该证书已导入（证件号码、资格名称、职称文件文号均相同），不能重复导入"] in found[2]
    # fixed in place: another qualification is another certificate
    r = c.post(f"/imports/batch/{again}/fix/2", data=dict(zip(
        ["region_code", "name", "id_number", "sex", "birth_date", "workplace", "series", "level", "qualification",
         "major", "institution", "review_date", "approved_on", "paper_number"],
        row("甲", ok1, committee.name, qual="高级工程师", level="中级"), strict=True)))
    assert r.status_code == 302 and problems(again) == {}
    commit(c, again)
    assert len(groups(ls, number)) == 2  # grouped by document number and import time


def test_initial_and_confirm_institution(login, ctx):
    c = login("ls_admin")
    for way, word in (("initial", "初定"), ("confirm", "确认")):
        batch = upload(c, way, doc(2019), [row("甲", id_number(), word, review="", approved="2019-06-01"),
                                           row("乙", id_number(), "乐山评委会", review="", approved="2019-06-01")])
        found = problems(batch)
        assert list(found) == [3]
        assert found[3] == [["institution", f"{word}类证书评审机构只能填写“{word}”"]]


def test_risk_flag_pages_and_submission_route(login, committee):
    from models.core.attachment import Attachment
    from models.core.person import Person
    from models.core.workflow import Review

    ls, sc = unit_by_name("乐山市人力资源和社会保障局"), unit_by_name("四川省人力资源和社会保障厅")
    risky, safe = id_number(), id_number()
    db.session.add(Person(unit_id=sc.id, name="风险人", id_number=risky))  # recorded at a unit above 乐山
    db.session.commit()
    c = login("ls_admin")
    number = doc(2020)
    commit(c, upload(c, "review", number, [row("风险人", risky, committee.name), row("安全人", safe, committee.name)]))
    [group] = groups(ls, number)
    page = text(c.get("/title/history/"))
    assert number in page and "待提交" in page
    page = text(c.get(f"/title/history/group/{group.id}"))  # the first view runs the risk checks
    rows = {t.name: t for t in titles(group)}
    assert "四川省人力资源和社会保障厅" in (rows["风险人"].risk_reason or "") and "高风险" in rows["风险人"].risk_reason
    assert rows["安全人"].risk_reason is None
    assert "高风险" in page and "发证机构" in page
    # the route is shown before submitting: 乐山 to 四川 (the unit's parent)
    page = text(c.get(f"/title/history/group/{group.id}?issuing={sc.id}"))
    assert "本次审核需经过以下几级单位：四川省人力资源和社会保障厅" in page
    # without the 任职资格文件: refused, nothing changed
    r = c.post(f"/title/history/group/{group.id}/submit", data={"issuing_unit_id": str(sc.id)}, follow_redirects=True)
    assert "任职资格文件" in text(r)
    db.session.expire_all()
    assert groups(ls, number)[0].review_state == "draft"
    # a unit that is not above is refused
    other = unit_by_name("乐山市住房和城乡建设局")
    r = c.post(f"/title/history/group/{group.id}/submit", data={"issuing_unit_id": str(other.id)}, follow_redirects=True)
    assert "请选择发证机构" in text(r)
    r = c.post(f"/attachments/upload/title.history/{group.id}/qualification",
               data={"file": (io.BytesIO(PDF), "任职资格文件.pdf"), "next": f"/title/history/group/{group.id}"},
               content_type="multipart/form-data")
    assert r.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Attachment).where(Attachment.owner_id == group.id)) >= 1
    r = c.post(f"/title/history/group/{group.id}/submit", data={"issuing_unit_id": str(sc.id)}, follow_redirects=True)
    assert "已提交审核" in text(r)
    db.session.expire_all()
    group = groups(ls, number)[0]
    assert group.review_state == "pending" and group.review_unit_id == sc.id and group.issuing_unit_id == sc.id
    review = db.session.scalar(select(Review).where(Review.matter == "title.history", Review.record_id == group.id))
    assert [n.unit_id for n in review.nodes] == [sc.id]
    # submitted: no more deleting
    r = c.post(f"/title/history/group/{group.id}/delete", data={"all": "1"}, follow_redirects=True)
    assert "已提交审核，退回后才能修改" in text(r)
    assert len(titles(group)) == 2


def _submitted(c, committee, names, issuing):
    ls = unit_by_name("乐山市人力资源和社会保障局")
    number = doc(2020)
    commit(c, upload(c, "review", number, [row(n, id_number(), committee.name) for n in names]))
    [group] = groups(ls, number)
    c.post(f"/attachments/upload/title.history/{group.id}/qualification",
           data={"file": (io.BytesIO(PDF), "任职资格文件.pdf")}, content_type="multipart/form-data")
    r = c.post(f"/title/history/group/{group.id}/submit", data={"issuing_unit_id": str(issuing.id)})
    assert r.status_code == 302
    db.session.expire_all()
    return groups(ls, number)[0]


def test_batch_review_person_returned_names_check_and_certificate_source(login, committee):
    from app.services.title import history
    from models.core.user import UnitUser

    sc = unit_by_name("四川省人力资源和社会保障厅")
    c = login("ls_admin")
    group = _submitted(c, committee, ["张三", "李四", "王五"], sc)
    boss = login("sc_admin")
    assert str(group.doc_number) in text(boss.get("/title/history/review"))
    # the name-list check: each person 存在 / 不存在
    page = text(boss.post(f"/title/history/group/{group.id}/names", data={"names": "张三 王五 赵六"}))
    marks = re.findall(r'<tr data-title="(\d+)".*?title-history-check">.*?(存在|不存在)</span>', page, re.S)
    by_name = {t.id: t.name for t in titles(group)}
    assert {by_name[int(i)]: m for i, m in marks} == {"张三": "存在", "李四": "不存在", "王五": "存在"}
    # a person returned with the reason; a forged id (another group's person) refused, nothing changed
    li = next(t for t in titles(group) if t.name == "李四")
    other = _submitted(c, committee, ["外人"], sc)
    forged = titles(other)[0]
    r = boss.post(f"/title/history/group/{group.id}/mark", data={"id": [str(li.id), str(forged.id)],
                                                                 "action": "return", "opinion": "不在文件名单内"},
                  follow_redirects=True)
    assert "该人员不在本批历史职称数据中" in text(r)
    assert all(t.state == "pending" for t in titles(group))
    r = boss.post(f"/title/history/group/{group.id}/mark", data={"id": str(li.id), "action": "return"},
                  follow_redirects=True)
    assert "请填写退回原因" in text(r)
    boss.post(f"/title/history/group/{group.id}/mark", data={"id": str(li.id), "action": "return",
                                                             "opinion": "不在文件名单内"})
    # batch: both groups approved at once
    r = boss.post("/title/history/review/act", data={"id": [str(group.id), str(other.id)], "action": "approve"},
                  follow_redirects=True)
    assert "已审核通过2批数据" in text(r)
    states = {t.name: t.state for t in titles(group)}
    assert states == {"张三": "passed", "王五": "passed"}
    db.session.expire_all()
    assert group.review_state == "approved"
    back = [x for x in groups(group.unit, group.doc_number) if x.id != group.id]
    assert len(back) == 1 and back[0].review_state == "draft" and [t.name for t in titles(back[0])] == ["李四"]
    # the certificate source: the issuing unit's passed titles, with the facts a certificate prints
    sc_admin = db.session.scalar(select(UnitUser).where(UnitUser.username == "sc_admin"))
    names = {t.name for t in history.eligible(sc_admin)}
    assert {"张三", "王五", "外人"} <= names and "李四" not in names
    facts = history.facts(next(t for t in history.eligible(sc_admin) if t.name == "张三"))
    assert facts["doc_number"] == group.doc_number and facts["issuing_unit_id"] == sc.id
    assert facts["approved_on"] == dt.date(2020, 9, 1) and facts["series"] == "08" and facts["level"] == "3"
    ls_admin = db.session.scalar(select(UnitUser).where(UnitUser.username == "ls_admin"))
    assert history.eligible(ls_admin) == []


def test_one_click_and_return(login, committee):
    sc = unit_by_name("四川省人力资源和社会保障厅")
    c = login("ls_admin")
    a = _submitted(c, committee, ["甲一"], sc)
    b = _submitted(c, committee, ["乙一"], sc)
    boss = login("sc_admin")
    r = boss.post("/title/history/review/act", data={"id": str(b.id), "action": "return"}, follow_redirects=True)
    assert "意见" in text(r) or "退回" in text(r)
    db.session.expire_all()
    assert b.review_state == "pending"  # no opinion: refused, nothing changed
    boss.post("/title/history/review/act", data={"id": str(b.id), "action": "return", "opinion": "文件不清晰"})
    db.session.expire_all()
    assert b.review_state == "returned"
    # the collecting unit sees the reason and submits again, straight back to the unit that returned it
    assert "文件不清晰" in text(c.get(f"/title/history/group/{b.id}"))
    r = c.post(f"/title/history/group/{b.id}/submit", data={"issuing_unit_id": str(sc.id)}, follow_redirects=True)
    assert "已提交审核" in text(r)
    db.session.expire_all()
    assert b.review_state == "pending" and b.review_unit_id == sc.id
    r = boss.post("/title/history/review/act", data={"all": "1", "action": "approve"}, follow_redirects=True)
    assert "已审核通过" in text(r)
    db.session.expire_all()
    assert a.review_state == "approved" and [t.state for t in titles(a)] == ["passed"]
    # nothing left: 一键通过 says so
    r = boss.post("/title/history/review/act", data={"all": "1", "action": "approve"}, follow_redirects=True)
    assert "没有待本单位审核的历史职称数据" in text(r)
    # export of the review list
    assert boss.get("/title/history/review/export").status_code == 200


def test_another_unit_is_refused(login, committee):
    ls = unit_by_name("乐山市人力资源和社会保障局")
    c = login("ls_admin")
    number = doc(2020)
    commit(c, upload(c, "review", number, [row("某人", id_number(), committee.name)]))
    [group] = groups(ls, number)
    t = titles(group)[0]
    lower = login("ls_jzy_admin")
    assert lower.get(f"/title/history/group/{group.id}").status_code == 404
    assert lower.post(f"/title/history/group/{group.id}/delete", data={"all": "1"}).status_code == 404
    assert lower.get(f"/title/history/group/{group.id}/export").status_code == 404
    assert number not in text(lower.get("/title/history/"))
    # the unit above does not see a batch not submitted to it
    boss = login("sc_admin")
    assert boss.get(f"/title/history/group/{group.id}").status_code == 404
    r = boss.post("/title/history/review/act", data={"id": str(group.id), "action": "approve"}, follow_redirects=True)
    assert "不存在" in text(r) or "不在本单位" in text(r)
    assert titles(group)[0].state == "pending" and t.id == titles(group)[0].id
    # a lower unit cannot use the unit's committee or historical institution
    batch = upload(lower, "review", doc(2020), [row("某人", id_number(), committee.name)])
    assert list(problems(batch)) == [2]


def test_institutions_crud_and_scope(login, ctx):
    from models.title.history import HistoryInstitution

    ls, jzy = unit_by_name("乐山市人力资源和社会保障局"), unit_by_name("乐山市建筑设计研究院")
    c = login("ls_admin")
    name = unique("乐山市原卫生系列评审委员会")
    r = c.post("/title/history/institutions/save", data={"name": name, "series": "08", "levels": ["3", "4"],
                                                         "unit_id": str(jzy.id), "year_from": "2001",
                                                         "year_to": "2015", "note": "已撤销"},
               follow_redirects=True)
    assert "历史评审机构已保存" in text(r) and name in text(r)
    row_ = db.session.scalar(select(HistoryInstitution).where(HistoryInstitution.name == name))
    assert row_.unit_id == jzy.id and row_.owner_unit_id == ls.id and row_.level_codes == ["3", "4"]
    # refusals: no levels, a collecting unit outside the subtree, years reversed
    for bad, words in (({"levels": []}, "请选择可采集的职称层级"),
                       ({"unit_id": str(unit_by_name("四川省人力资源和社会保障厅").id)}, "采集单位须为本单位或下级单位"),
                       ({"year_from": "2016"}, "存续年份起不能晚于存续年份止")):
        data = {"name": name + "2", "series": "08", "levels": ["3"], "unit_id": str(ls.id), "year_from": "2001",
                "year_to": "2015", **bad}
        assert words in text(c.post("/title/history/institutions/save", data=data, follow_redirects=True))
    assert db.session.scalar(select(func.count()).select_from(HistoryInstitution)
                             .where(HistoryInstitution.name == name + "2")) == 0
    # the collecting unit sees it, but cannot change or delete it
    lower = login("ls_jzy_admin")
    assert name in text(lower.get("/title/history/institutions"))
    r = lower.post(f"/title/history/institutions/{row_.id}/delete", follow_redirects=True)
    assert "历史评审机构不存在或不由本单位维护" in text(r)
    r = lower.post("/title/history/institutions/save", data={"pk": str(row_.id), "name": "改名", "series": "08",
                                                             "levels": ["3"]}, follow_redirects=True)
    assert "历史评审机构不存在或不由本单位维护" in text(r)
    # another city sees nothing
    assert name not in text(login("sc_admin").get("/title/history/institutions"))
    # edit and delete by the keeping unit
    r = c.post("/title/history/institutions/save", data={"pk": str(row_.id), "name": name, "series": "08",
                                                         "levels": ["2"], "unit_id": str(jzy.id)}, follow_redirects=True)
    db.session.expire_all()
    assert db.session.get(HistoryInstitution, row_.id).levels == "2"
    pk = row_.id
    c.post(f"/title/history/institutions/{pk}/delete")
    db.session.expire_all()
    assert db.session.get(HistoryInstitution, pk) is None


def test_pages_render(login, ctx):
    c = login("ls_admin")
    for url in ("/title/history/", "/title/history/?tab=submitted", "/title/history/review",
                "/title/history/review?tab=done", "/title/history/institutions"):
        r = c.get(url)
        assert r.status_code == 200, url
    r = c.get("/imports/title.history.initial/template?ctx=initial|")
    assert r.status_code == 200 and r.data[:2] == b"PK"


def test_delete_some_then_all_and_the_certificate_source_registered(login, committee):
    from app.services.title import cert

    assert cert.source_of("history") is not None and str(cert.source_of("history").label) == "历史证书"
    ls = unit_by_name("乐山市人力资源和社会保障局")
    c = login("ls_admin")
    number = doc(2020)
    commit(c, upload(c, "review", number, [row(n, id_number(), committee.name) for n in ("子", "丑", "寅")]))
    [group] = groups(ls, number)
    first = titles(group)[0]
    r = c.post(f"/title/history/group/{group.id}/delete", data={"id": str(first.id)}, follow_redirects=True)
    assert "已删除1条数据" in text(r) and len(titles(group)) == 2
    page = text(c.get(f"/title/history/group/{group.id}"))
    assert "丑" in page and "寅" in page and "子</td>" not in page
    r = c.post(f"/title/history/group/{group.id}/delete", data={"all": "1"}, follow_redirects=True)
    assert "已删除2条数据" in text(r) and groups(ls, number) == []


def test_initial_is_reviewed_inside_the_issuing_unit(login, ctx):
    from app.services.title import history
    from models.core.user import UnitUser

    ls = unit_by_name("乐山市人力资源和社会保障局")
    c = login("ls_admin")
    number = doc(2018)
    commit(c, upload(c, "initial", number, [row("初定甲", id_number(), "初定", review="", approved="2018-03-01")]))
    [group] = groups(ls, number)
    page = text(c.get(f"/title/history/group/{group.id}"))
    assert "本次审核需经过以下几级单位：乐山市人力资源和社会保障局" in page  # the only choice: the unit itself
    c.post(f"/attachments/upload/title.history/{group.id}/qualification",
           data={"file": (io.BytesIO(PDF), "初定文件.pdf")}, content_type="multipart/form-data")
    r = c.post(f"/title/history/group/{group.id}/submit", data={"issuing_unit_id": str(unit_by_name("四川省人力资源和社会保障厅").id)},
               follow_redirects=True)
    assert "请选择发证机构" in text(r)
    c.post(f"/title/history/group/{group.id}/submit", data={"issuing_unit_id": str(ls.id)})
    db.session.expire_all()
    assert group.review_state == "pending" and group.review_unit_id == ls.id
    r = c.post("/title/history/review/act", data={"id": str(group.id), "action": "approve"}, follow_redirects=True)
    assert "已审核通过1批数据" in text(r)
    ls_admin = db.session.scalar(select(UnitUser).where(UnitUser.username == "ls_admin"))
    assert [t.name for t in history.eligible(ls_admin)] == ["初定甲"]


def test_the_service_path_the_seed_takes(committee):
    """Without a request (the demo seed): import, commit, assess, upload the file, submit, review."""
    from app.services.core import attachments
    from app.services.documents import imports
    from app.services.title import history
    from models.core.user import UnitUser

    admin = db.session.scalar(select(UnitUser).where(UnitUser.username == "ls_admin"))
    boss = db.session.scalar(select(UnitUser).where(UnitUser.username == "sc_admin"))
    number = doc(2021)
    data = xlsx([row("种子甲", id_number(), committee.name, review="2021-04-01", approved="2021-08-01"),
                 row("种子乙", id_number(), "不存在的机构", review="2021-04-01", approved="2021-08-01")])
    spec = history.SPECS["review"]
    batch = imports.start(spec, data, "历史.xlsx", admin, context=history.context_text("review", number))
    db.session.commit()
    assert imports.counts(batch) == (1, 1)
    imports.delete_rows(spec, batch, None, admin)
    imports.commit(spec, batch, admin)
    db.session.commit()
    [group] = groups(admin.unit, number)
    history.assess(group)
    attachments.save_upload(group, "qualification", io.BytesIO(PDF), "任职资格文件.pdf", admin)
    history.submit(admin, group, boss.unit_id)
    db.session.commit()
    history.review(boss, [group.id], "approve")
    db.session.commit()
    assert [t.state for t in titles(group)] == ["passed"]
    # the same file again: the certificate is refused as imported
    again = imports.start(spec, data, "历史.xlsx", admin, context=history.context_text("review", number))
    assert imports.counts(again) == (0, 2)
    db.session.rollback()
