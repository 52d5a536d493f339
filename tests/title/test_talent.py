"""专技人才审核 and 专技人才统计 (TR-24, 004 §1.2.13), through the real views: the person submits, the record
climbs the unit tree (申报单位 → 主管部门 → 人社部门), 审核不通过 ends it, 审核退回 lets the person edit and submit
again; the statistics count approved records of the user's subtree only, with their Excel exports; another
branch reaches nothing and forged ids are refused."""

from __future__ import annotations

import datetime as dt
import io
import itertools

import pytest
from sqlalchemy import select

from app.extensions import db
from tests.conftest import make_unit, make_user, unit_by_name
from tests.title.test_review import Fresh, person, refused, units

_seq = itertools.count(101)


def id_for(birth: dt.date) -> str:
    """A valid 18-digit ID number born on ``birth`` (sequence unique to the run)."""
    body = f"511102{birth:%Y%m%d}{next(_seq) % 1000:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def years_ago(n: int, days: int = 10) -> dt.date:
    today = dt.date.today()
    return today.replace(year=today.year - n, day=min(today.day, 28)) - dt.timedelta(days=days)


def form(**kw):
    birth = kw.pop("birth", dt.date(1985, 3, 12))
    data = {"name": "张专技", "sex": "1", "id_number": id_for(birth), "birth_date": birth.isoformat(),
            "phone": "13800003333", "ethnicity": "01", "politics": "01", "education": "11", "kind": "title",
            "series": "08", "level": "3", "title_name": "工程师", "major": "建筑工程"}
    data.update(kw)
    return data


@pytest.fixture()
def login(app, login_as):
    def _login(name):
        with app.app_context():
            return Fresh(app, login_as(name))

    return _login


@pytest.fixture()
def u(ctx):
    return units()


def rec_of(user):
    from models.title import Talent

    db.session.expire_all()
    return db.session.scalar(select(Talent).where(Talent.user_id == user.id).order_by(Talent.id.desc()))


def version(rec):
    from app.workflow import review_of

    db.session.expire_all()
    review = review_of("title.talent", rec.id)
    return review.version if review is not None else 0


def act(client, base, rec, action, **extra):
    data = {"action": action, "version": version(rec), **extra}
    return client.post(f"/title/{base}/review/{rec.id}", data=data)


def new_record(login, unit, **kw):
    who = person(unit)
    me = login(who.username)
    r = me.post("/title/my-talent/add", data=form(**kw))
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    rec = rec_of(who)
    assert rec is not None
    return who, me, rec


def test_submit_passes_up_two_levels_to_the_hr_department(ctx, u, login):
    from app.workflow import review_of

    who, me, rec = new_record(login, u["jzy"], name="李上报")
    assert rec.unit_id == u["jzy"].id and rec.review_state == "draft"
    # the person's link opens their record
    r = me.get("/title/my-talent/mine")
    assert r.status_code == 302 and f"/title/my-talent/review/{rec.id}" in r.headers["Location"]
    assert me.get(f"/title/my-talent/review/{rec.id}").status_code == 200
    assert act(me, "my-talent", rec, "submit").status_code == 302
    nodes = [n.unit_id for n in review_of("title.talent", rec.id).nodes]
    assert nodes == [u["jzy"].id, u["zjj"].id, u["ls"].id]  # the unit, its parent, the 人社部门
    jzy, zjj, ls = login("ls_jzy_admin"), login("ls_zjj_admin"), login("ls_admin")
    page = jzy.get("/title/talents/list/?todo=1").get_data(as_text=True)
    assert "李上报" in page and "专技人才审核" in page
    page = jzy.get(f"/title/talents/review/{rec.id}").get_data(as_text=True)
    assert "审核通过" in page and "审核退回" in page and "审核不通过" in page
    # the 主管部门 cannot act before its turn
    assert act(zjj, "talents", rec, "approve").status_code == 200
    assert rec_of(who).review_unit_id == u["jzy"].id
    assert act(jzy, "talents", rec, "approve").status_code == 302
    assert rec_of(who).review_unit_id == u["zjj"].id
    assert act(zjj, "talents", rec, "approve").status_code == 302
    assert rec_of(who).review_unit_id == u["ls"].id
    assert act(ls, "talents", rec, "approve").status_code == 302
    rec = rec_of(who)
    assert rec.review_state == "approved" and rec.review_unit_id is None
    # decided: the person can no longer change or delete it
    me.post(f"/title/my-talent/edit/{rec.id}", data=form(name="改名"))
    me.post(f"/title/my-talent/delete/{rec.id}")
    rec = rec_of(who)
    assert rec is not None and rec.name == "李上报"
    # one record per person: a second one is refused
    r = me.post("/title/my-talent/add", data=form(name="第二份"))
    assert "您已填报专技人才信息" in r.get_data(as_text=True)


def test_reject_ends_and_return_lets_the_person_edit_and_resubmit(ctx, u, login):
    who, me, rec = new_record(login, u["jzy"], name="王退回")
    act(me, "my-talent", rec, "submit")
    jzy, zjj = login("ls_jzy_admin"), login("ls_zjj_admin")
    assert act(jzy, "talents", rec, "approve").status_code == 302
    # 审核退回 needs an opinion
    r = act(zjj, "talents", rec, "return")
    assert "请填写意见" in r.get_data(as_text=True) and rec_of(who).review_state == "pending"
    assert act(zjj, "talents", rec, "return", opinion="学历填写有误").status_code == 302
    assert rec_of(who).review_state == "returned"
    # the person edits and submits again: straight back to the 主管部门 that returned it
    r = me.post(f"/title/my-talent/edit/{rec.id}", data=form(name="王退回", education="14", id_number=rec.id_number,
                                                               birth_date=rec.birth_date.isoformat()))
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    assert rec_of(who).education == "14"
    assert act(me, "my-talent", rec, "submit").status_code == 302
    rec = rec_of(who)
    assert rec.review_state == "pending" and rec.review_unit_id == u["zjj"].id
    # 审核不通过 ends it: nothing more to press, no resubmission, no deletion
    assert act(zjj, "talents", rec, "reject", opinion="不符合条件").status_code == 302
    rec = rec_of(who)
    assert rec.review_state == "rejected" and rec.review_unit_id is None
    r = act(me, "my-talent", rec, "submit")
    assert rec_of(who).review_state == "rejected"
    me.post(f"/title/my-talent/delete/{rec.id}")
    assert rec_of(who) is not None
    # a new record may follow a rejected one
    r = me.post("/title/my-talent/add", data=form(name="王重报"))
    assert r.status_code == 302 and rec_of(who).name == "王重报"


def test_bad_input_is_refused_in_chinese_and_nothing_saved(ctx, u, login):
    from models.title import Talent

    who = person(u["jzy"])
    me = login(who.username)
    cases = [
        (form(id_number="51110219850312123"), "身份证号码应为18位"),
        (form(birth_date="1990-01-01"), "出生日期与身份证号码不一致"),
        (form(level=""), "具有专业技术职务人员请选择职称层级"),
        (form(series=""), "请选择职称系列"),
    ]
    for data, text in cases:
        r = me.post("/title/my-talent/add", data=data)
        assert text in r.get_data(as_text=True), text
    assert db.session.scalar(select(Talent).where(Talent.user_id == who.id)) is None
    # a forged unit or owner in the form is ignored: the record is the person's, in their unit
    other = make_user(u["jx"])
    r = me.post("/title/my-talent/add", data=form(unit_id=str(u["jx"].id), user_id=str(other.id),
                                                  unit=str(u["jx"].id)))
    assert r.status_code == 302
    rec = rec_of(who)
    assert rec.unit_id == u["jzy"].id and rec.user_id == who.id
    # a person with a certificate only: the level is dropped
    who2 = person(u["jzy"])
    r = login(who2.username).post("/title/my-talent/add", data=form(kind="cert", level="2"))
    assert r.status_code == 302 and rec_of(who2).level is None and rec_of(who2).kind == "cert"


def test_batch_approve_and_another_branch_reaches_nothing(ctx, u, login):
    _w1, me1, rec1 = new_record(login, u["jzy"], name="批量甲")
    _w2, me2, rec2 = new_record(login, u["jzy"], name="批量乙")
    for me, rec in ((me1, rec1), (me2, rec2)):
        assert act(me, "my-talent", rec, "submit").status_code == 302
    # another person cannot open or change someone else's record
    _w3, me3, rec3 = new_record(login, u["jzy"], name="旁人")
    for url in (f"/title/my-talent/review/{rec1.id}", f"/title/my-talent/show/{rec1.id}",
                f"/title/my-talent/edit/{rec1.id}"):
        assert refused(me3.get(url)), url
    assert refused(me3.post(f"/title/my-talent/review/{rec1.id}", data={"action": "withdraw"}))
    # units of another branch or city: refused, nothing changes
    for name in ("ls_jxj_admin", "ls_jx_admin", "yc_admin"):
        c = login(name)
        r = c.get("/title/talents/list/")
        assert refused(r) or "批量甲" not in r.get_data(as_text=True), name
        for url in (f"/title/talents/show/{rec1.id}", f"/title/talents/review/{rec1.id}"):
            assert refused(c.get(url)), (name, url)
        assert refused(c.post(f"/title/talents/review/{rec1.id}", data={"action": "approve"})), name
        assert refused(c.post("/title/talents/review_batch", data={"action": "approve", "rowid": [str(rec1.id)]})), name
    assert rec_of(_w1).review_unit_id == u["jzy"].id
    # the own unit passes both in one batch (a forged row of another branch makes the whole batch 404)
    jzy = login("ls_jzy_admin")
    from models.title import Talent

    foreign = Talent(user_id=make_user(u["jx"]).id, unit_id=u["jx"].id, name="外单位", sex="1",
                     id_number=id_for(dt.date(1980, 1, 1)), birth_date=dt.date(1980, 1, 1), ethnicity="01",
                     politics="13", education="21", kind="title", series="08", level="3", review_state="pending",
                     review_unit_id=u["jx"].id)
    db.session.add(foreign)
    db.session.commit()
    assert refused(jzy.post("/title/talents/review_batch",
                            data={"action": "approve", "rowid": [str(rec1.id), str(foreign.id)]}))
    assert rec_of(_w1).review_unit_id == u["jzy"].id
    r = jzy.post("/title/talents/review_batch", data={"action": "approve", "rowid": [str(rec1.id), str(rec2.id)]})
    assert r.status_code == 302
    assert rec_of(_w1).review_unit_id == u["zjj"].id and rec_of(_w2).review_unit_id == u["zjj"].id
    # the person's own record of another unit is out of reach of 乐山住建局 too
    assert refused(login("ls_zjj_admin").get(f"/title/talents/review/{foreign.id}"))


def _approved(unit, **kw):
    from models.title import Talent

    birth = kw.pop("birth", dt.date(1980, 5, 5))
    rec = Talent(user_id=make_user(unit).id, unit_id=unit.id, name=kw.pop("name", "统计人"), sex=kw.pop("sex", "1"),
                 id_number=id_for(birth), birth_date=birth, ethnicity=kw.pop("ethnicity", "01"),
                 politics=kw.pop("politics", "13"), education=kw.pop("education", "21"), kind=kw.pop("kind", "title"),
                 series=kw.pop("series", "08"), level=kw.pop("level", "3"), overseas=kw.pop("overseas", False),
                 review_state=kw.pop("state", "approved"))
    db.session.add(rec)
    db.session.commit()
    return rec


def _xlsx(data: bytes) -> list[list]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_statistics_count_the_subtree_only_with_charts_and_exports(ctx, u, login):
    from models.core.user import UnitUser

    top = make_unit(u["ls"], categories=("title.competent",))
    low = make_unit(top, categories=("title.applicant",), admin=False)
    cd = make_unit(unit_by_name("成都市人力资源和社会保障局"), categories=("title.applicant",), admin=False)
    _approved(top, series="08", level="1", education="11", sex="2", politics="01", birth=years_ago(30))
    _approved(low, series="08", level="4", education="14", ethnicity="06", politics="02", birth=years_ago(40))
    _approved(low, series="01", level="2", education="21", overseas=True, birth=years_ago(50))
    _approved(low, series="01", kind="cert", level=None, education="31", birth=years_ago(60))
    _approved(low, series="07", kind="other", level=None, education="21", birth=years_ago(36))  # 36: the second band
    _approved(low, series="08", level="3", state="pending")  # not approved: not counted
    _approved(low, series="08", level="3", state="rejected")
    _approved(cd, series="08", level="1", education="11")  # another city: not counted
    admin = db.session.scalar(select(UnitUser).where(UnitUser.unit_id == top.id))
    c = login(admin.username)
    page = c.get("/title/talent-stats/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for text in ("专技人才统计", "按系列和层级统计", "按学历统计", "按年龄段统计", "按是否少数民族统计", "按是否中共党员统计",
                 "按是否港澳台及外籍人士统计", "导出Excel", "工程技术人员"):
        assert text in html, text
    # 系列×层级 (图2.10.3)
    rows = _xlsx(c.get("/title/talent-stats/export/series").data)
    assert rows[0] == ["系列", "合计", "正高级", "副高级", "中级", "初级", "只具有职业资格证书人员", "其他人员", "女",
                       "少数民族", "中共党员", "港澳台及外籍人士", "博士", "硕士", "大学本科"]
    by = {r[0]: r[1:] for r in rows[1:]}
    assert by["工程技术人员"] == [2, 1, 0, 0, 1, 0, 0, 1, 1, 2, 0, 1, 1, 0]
    assert by["高等学校教师"] == [2, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1]
    assert by["卫生技术人员"] == [1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1]
    assert by["合计"] == [5, 1, 1, 0, 1, 1, 1, 1, 1, 2, 1, 1, 1, 2]
    assert by["农业技术人员"][0] == 0
    # the other tables, each exported with its headers
    expect = {
        "education": (["学历", "人数"], {"博士研究生": 1, "硕士研究生": 1, "大学本科": 2, "大学专科": 1, "合计": 5}),
        "age": (["年龄段", "人数"], {"35岁及以下": 1, "36至45岁": 2, "46至55岁": 1, "56岁及以上": 1, "合计": 5}),
        "minority": (["民族", "人数"], {"汉族": 4, "少数民族": 1, "合计": 5}),
        "party": (["政治面貌", "人数"], {"中共党员（含预备党员）": 2, "非中共党员": 3, "合计": 5}),
        "overseas": (["类别", "人数"], {"港澳台及外籍人士": 1, "其他人员": 4, "合计": 5}),
    }
    for code, (headers, values) in expect.items():
        r = c.get(f"/title/talent-stats/export/{code}")
        assert r.status_code == 200 and "spreadsheetml" in r.headers["Content-Type"], code
        rows = _xlsx(r.data)
        assert rows[0] == headers, code
        got = {row[0]: row[1] for row in rows[1:]}
        for k, v in values.items():
            assert got[k] == v, (code, k, got)
        chart = c.get(f"/title/talent-stats/data/{code}").get_json()
        assert chart["series"], code
    chart = c.get("/title/talent-stats/data/series").get_json()
    assert set(chart["xAxis"]["data"]) == {"工程技术人员", "高等学校教师", "卫生技术人员"}
    assert c.get("/title/talent-stats/export/nothing").status_code == 404
    # the platform's 统计分析 screen shows the same scope
    r = c.get("/statistics/chart/title_talent_by_series")
    assert r.status_code == 200 and "工程技术人员" in r.get_data(as_text=True)
    option = c.get("/statistics/data/title_talent_by_series").get_json()
    assert dict(zip(option["xAxis"]["data"], option["series"][0]["data"], strict=True)) == {
        "高等学校教师": 2, "卫生技术人员": 1, "工程技术人员": 2}
    option = c.get("/statistics/data/title_talent_by_education").get_json()
    assert sum(d["value"] for d in option["series"][0]["data"]) == 5
    # a unit below sees only its own subtree; the city of 成都 does not see 乐山's people
    from app.services.title import talent

    low_user = make_user(low)
    assert talent.tables(low_user)["series"][2][-1][1] == 4
    cd_user = make_user(cd)
    assert talent.tables(cd_user)["series"][2][-1][1] == 1


def test_menus_and_person_link(ctx, u, login):
    who = person(u["jzy"])
    me = login(who.username)
    home = me.get("/").get_data(as_text=True)
    if "/title/my-talent/mine" not in home:  # the home page may redirect; follow it
        home = me.get("/", follow_redirects=True).get_data(as_text=True)
    assert "专技人才信息" in home
    # a person may not open the units' pages
    assert refused(me.get("/title/talents/list/"))
    assert refused(me.get("/title/talent-stats/"))
    for name in ("ls_admin", "ls_zjj_admin", "ls_jzy_admin"):
        c = login(name)
        html = c.get("/title/talents/list/?todo=1").get_data(as_text=True)
        assert "专技人才统计" in html and "专技人才审核" in html, name


def test_every_table_adds_up_to_the_same_total(app):
    """For any mix of approved records, each table's 合计 is the number of people, and in 图2.10.3 the levels plus
    证书 plus 其他 make up each series' 合计 (a property over generated group counts, no database)."""
    from collections import Counter

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from app.services.title import talent

    key = st.tuples(st.sampled_from(["01", "07", "08"]), st.sampled_from(["1", "2", "3", "4", "5", None]),
                    st.sampled_from(["title", "cert", "other"]), st.booleans(), st.booleans(), st.booleans(),
                    st.booleans(), st.sampled_from(["11", "14", "21", "31"]), st.sampled_from(["a", "b", "c", "d"])
                    ).filter(lambda k: (k[2] == "title") == (k[1] is not None))  # what prepare() keeps

    @settings(max_examples=60, deadline=None)
    @given(st.dictionaries(key, st.integers(min_value=1, max_value=50), max_size=30))
    def check(groups):
        counts = Counter(groups)
        total = sum(counts.values())
        with app.test_request_context():
            _h, rows = talent.series_table(counts)
            assert rows[-1][1] == total
            for row in rows[:-1]:
                assert row[1] == sum(row[2:8])
            for index, items in ((7, list(talent.dicts.choices("education"))), (8, list(talent.AGE_BANDS)),
                                 (4, [(False, "汉"), (True, "少")]), (5, [(True, "党"), (False, "非")]),
                                 (6, [(True, "港"), (False, "否")])):
                assert talent._simple(counts, index, items)[-1][1] == total

    check()
