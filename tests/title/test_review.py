"""申报材料审核 (004 §1.2.3, TR-07/TR-08) and 职称确认审核 (TR-25) through the real views.

Each test builds its own season under the demo's 乐山: a filed committee of 乐山市人力资源和社会保障局 (the
committee's unit), a published activity, and applications of persons of 乐山市建筑设计研究院 (申报单位, below
乐山市住房和城乡建设局, a 主管部门) submitted on the engine as the person.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from tests.conftest import make_user, unique, unit_by_name

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_ids = itertools.count(1)


def id_number() -> str:
    """A valid 18-digit ID number (check digit) unique to the run."""
    n = next(_ids)
    body = f"511102{1970 + n % 30}0{1 + n % 9}1{n % 10}{(n * 7) % 1000:03d}"[:17]
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]
    return body + check


def units() -> dict[str, object]:
    return {k: unit_by_name(n) for k, n in (
        ("sc", "四川省人力资源和社会保障厅"), ("jyt", "四川省教育厅"), ("ls", "乐山市人力资源和社会保障局"),
        ("zjj", "乐山市住房和城乡建设局"), ("jzy", "乐山市建筑设计研究院"), ("jxj", "乐山市经济和信息化局"),
        ("jx", "乐山市机械制造有限公司"), ("lq", "乐山市路桥建设有限公司"))}


def person(unit):
    """A 职称申报人 account in ``unit``."""
    from app.services.core.users import role_by_name
    from app.services.title.module import APPLICANT

    user = make_user(unit)
    role = role_by_name(APPLICANT)
    user.roles = [role] if role is not None else []
    user.user_type = "person"
    user.line = "title"
    db.session.commit()
    return user


def season(receive_days: int = 30, series: str = "08", unit_name: str = "乐山市人力资源和社会保障局"):
    """A filed committee of ``unit_name`` and a published activity receiving applications."""
    from models.title import AchievementItem, Activity, ActivityLevel, Committee

    unit = unit_by_name(unit_name)
    now = dt.datetime.now()
    committee = Committee(unit_id=unit.id, name=unique("乐山工程技术中级评委会"), agency="职改办", office="职改办", levels="3,4",
                          authority_unit_id=unit.id, filing_unit_id=unit.id, contact="联系人", contact_phone="0833-2000000",
                          address="乐山", series=series, region_codes="511100", review_state="approved",
                          filed_at=now, valid_until=dt.date.today() + dt.timedelta(days=900))
    db.session.add(committee)
    db.session.flush()
    activity = Activity(unit_id=unit.id, committee_id=committee.id, name=unique("评审活动"), scope_text="乐山", year=now.year,
                        apply_start=now - dt.timedelta(days=2), first_submit_until=now + dt.timedelta(days=10),
                        resubmit_until=now + dt.timedelta(days=20), receive_until=now + dt.timedelta(days=receive_days),
                        review_state="approved", published_at=now, stage="receiving", saved_part="materials")
    db.session.add(activity)
    db.session.flush()
    db.session.add_all([ActivityLevel(activity_id=activity.id, level="3", majors="建筑工程\n道路桥梁"),
                        ActivityLevel(activity_id=activity.id, level="4", majors="")])
    db.session.add(AchievementItem(activity_id=activity.id, sort=1, heading="取得现专业技术职称后主要业绩",
                                   templates="general,patent", requirement="近五年业绩"))
    db.session.commit()
    return committee, activity


def application(activity, user, unit=None, level="3", major="建筑工程", name=None, entries=1):
    from app.services.title.module import APPLICANT  # noqa: F401  (the role exists)
    from models.title import AchievementEntry, Application, ApplicationWork

    unit = unit or user.unit
    rec = Application(unit_id=unit.id, user_id=user.id, activity_id=activity.id, committee_id=activity.committee_id,
                      year=activity.year, series=activity.committee.series, level=level, major=major,
                      name=name or unique("申报人"), sex="1", id_number=id_number(), phone="13800001111",
                      workplace=unit.name, ethnicity="01", politics="13", work_start=dt.date(2010, 7, 1),
                      education="21", school="西南交通大学", school_major="土木工程", graduated_on=dt.date(2010, 6, 30),
                      current_series="08", current_level="4", current_title="助理工程师",
                      current_title_date=dt.date(2015, 1, 1), summary="个人专业技术工作总结")
    rec.works = [ApplicationWork(start=dt.date(2010, 7, 1), workplace=unit.name, post="技术员", content="设计")]
    db.session.add(rec)
    db.session.flush()
    item = activity.items[0]
    for i in range(entries):
        db.session.add(AchievementEntry(application_id=rec.id, item_id=item.id, template="general",
                                        data={"start": "2020-01-01", "end": "2021-01-01", "work_name": f"乐山大桥设计{i}",
                                              "after_title": "是", "role": "主持", "result": "完成"}))
    db.session.commit()
    return rec


def submit(rec, user):
    from app.services.title.review import APPLICATION
    from app.workflow import act

    act(APPLICATION, rec, user, "submit")
    db.session.commit()
    return rec


def upload(client, rec, slot, name="公示.pdf", owner="title.application"):
    return client.post(f"/attachments/upload/{owner}/{rec.id}/{slot}",
                       data={"file": (io.BytesIO(PDF), name), "next": "/"}, content_type="multipart/form-data")


def state(rec):
    from app.workflow import review_of

    db.session.expire_all()
    r = review_of("title.application", rec.id)
    return (r.state, r.current_unit_id) if r else (None, None)


def review(client, rec, action, **form):
    from app.workflow import review_of

    version = review_of("title.application", rec.id).version
    return client.post(f"/title/applications/review/{rec.id}", data={"action": action, "version": version, **form})


class Fresh:
    """A logged-in client whose every request runs in an app context of its own (the test's context keeps
    its session and ``g``: the requests neither share the test's session nor its logged-in user)."""

    def __init__(self, app, client):
        self.app, self.client = app, client

    def get(self, *a, **kw):
        with self.app.app_context():
            return self.client.get(*a, **kw)

    def post(self, *a, **kw):
        with self.app.app_context():
            return self.client.post(*a, **kw)


@pytest.fixture()
def login(app, login_as):
    def _login(name):
        with app.app_context():
            return Fresh(app, login_as(name))

    return _login


@pytest.fixture()
def u(ctx):
    return units()


# -- the route --------------------------------------------------------------------------------------


def test_route_passes_the_configured_competent_department(ctx, u, login):
    """主管部门配置: the 乐山 hr configures 乐山市经济和信息化局 (not an ancestor of the applicant's unit) for its
    committee and 乐山; the application climbs 申报单位 → 经济和信息化局 → the committee's unit; without a
    configuration, through the parent 主管部门."""
    from app.workflow import review_of
    from models.title import CompetentConfig

    committee, activity = season()
    ls = login("ls_admin")
    r = ls.post("/title/competent-config/add", data={"committee": committee.id, "region_code": "511100",
                                                      "competent_unit": u["jxj"].id})
    assert r.status_code == 302, re.findall(r"(?:help-block|text-danger|alert)[^>]*>([^<]+)<", r.get_data(as_text=True))
    cfg = db.session.scalar(select(CompetentConfig).where(CompetentConfig.committee_id == committee.id))
    assert cfg is not None and cfg.competent_unit_id == u["jxj"].id and cfg.unit_id == u["ls"].id
    who = person(u["jzy"])
    rec = submit(application(activity, who), who)
    nodes = [n.unit_id for n in review_of("title.application", rec.id).nodes]
    assert nodes == [u["jzy"].id, u["jxj"].id, u["ls"].id]
    assert rec.competent_unit_id == u["jxj"].id
    # a region outside 乐山's is refused, with the field named; nothing saved
    r = ls.post("/title/competent-config/add", data={"committee": committee.id, "region_code": "510100",
                                                      "competent_unit": u["zjj"].id})
    assert r.status_code == 200 and "只能设置本地区" in r.get_data(as_text=True)
    # the same committee and region twice is refused
    r = ls.post("/title/competent-config/add", data={"committee": committee.id, "region_code": "511100",
                                                      "competent_unit": u["zjj"].id})
    assert r.status_code == 200 and "已设置主管部门" in r.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(CompetentConfig).where(
        CompetentConfig.committee_id == committee.id)) == 1
    # without a configuration: the parent 主管部门, then the committee's unit
    _c2, activity2 = season()
    who2 = person(u["jzy"])
    rec2 = submit(application(activity2, who2), who2)
    assert [n.unit_id for n in review_of("title.application", rec2.id).nodes] == [u["jzy"].id, u["zjj"].id, u["ls"].id]


# -- the own unit's step -----------------------------------------------------------------------------


def test_own_unit_refuses_pass_without_the_two_uploads(ctx, u, login):
    _c, activity = season()
    who = person(u["jzy"])
    rec = submit(application(activity, who), who)
    jzy = login("ls_jzy_admin")
    page = jzy.get(f"/title/applications/review/{rec.id}").get_data(as_text=True)
    assert "公示证明附件" in page and "单位综合推荐意见" in page and "事业单位岗位情况表" in page
    assert "乐山大桥设计0" in page and "取得现专业技术职称后主要业绩" in page  # the whole application on the left
    r = review(jzy, rec, "approve")
    assert r.status_code == 200
    assert "请先填写或上传：公示证明附件、单位综合推荐意见" in r.get_data(as_text=True)
    assert state(rec) == ("pending", u["jzy"].id)
    assert upload(jzy, rec, "gongshi").status_code == 302
    r = review(jzy, rec, "approve")
    assert "单位综合推荐意见" in r.get_data(as_text=True) and state(rec) == ("pending", u["jzy"].id)
    assert upload(jzy, rec, "tuijian", "推荐意见.pdf").status_code == 302
    r = review(jzy, rec, "approve", opinion="同意推荐")
    assert r.status_code == 302
    assert state(rec) == ("pending", u["zjj"].id)
    # the 主管部门 passes it without those uploads (they belong to the own unit's step)
    zjj = login("ls_zjj_admin")
    assert review(zjj, rec, "approve").status_code == 302
    assert state(rec) == ("pending", u["ls"].id)


def test_own_and_lower_lists_tabs_counts_and_filters(ctx, u, login):
    _c, activity = season()
    a, b = person(u["jzy"]), person(u["jzy"])
    ra = submit(application(activity, a, name=unique("甲")), a)
    rb = submit(application(activity, b, name=unique("乙"), level="4", major="道路桥梁"), b)
    jzy = login("ls_jzy_admin")
    page = jzy.get("/title/applications/list/?side=own&tab=first").get_data(as_text=True)
    assert ra.name in page and rb.name in page and "申报评委会" in page and "提交时间" in page
    assert re.search(r'data-tab="first">(\d+)<', page).group(1) == str(_first_count(jzy, "own"))
    # filters: level, name, major, ID number (exact)
    page = jzy.get("/title/applications/list/?side=own&tab=first&q_level=4").get_data(as_text=True)
    assert rb.name in page and ra.name not in page
    page = jzy.get(f"/title/applications/list/?side=own&tab=first&q_name={ra.name}").get_data(as_text=True)
    assert ra.name in page and rb.name not in page
    page = jzy.get(f"/title/applications/list/?side=own&q_id={rb.id_number}").get_data(as_text=True)
    assert rb.name in page and ra.name not in page
    page = jzy.get(f"/title/applications/list/?side=own&q_activity={activity.id}&q_major=道路").get_data(as_text=True)
    assert rb.name in page and ra.name not in page
    # lower: the 主管部门 sees nothing waiting yet; after the pass, 初审 there and 已上报 at the unit
    for rec in (ra, rb):
        upload(jzy, rec, "gongshi")
        upload(jzy, rec, "tuijian")
    assert review(jzy, ra, "approve").status_code == 302
    page = jzy.get("/title/applications/list/?side=own&tab=passed").get_data(as_text=True)
    assert ra.name in page and rb.name not in page
    zjj = login("ls_zjj_admin")
    page = zjj.get("/title/applications/list/?side=lower&tab=first").get_data(as_text=True)
    assert ra.name in page and rb.name not in page
    page = zjj.get("/title/applications/list/?side=own&tab=first").get_data(as_text=True)
    assert ra.name not in page  # not an applicant of the 主管部门 itself
    # 已退回 / 不通过 of the unit
    assert review(jzy, rb, "return", opinion="请补充材料", target="applicant").status_code == 302
    page = jzy.get("/title/applications/list/?side=own&tab=returned").get_data(as_text=True)
    assert rb.name in page and ra.name not in page
    counts = _counts(jzy, "own", f"&q_activity={activity.id}")
    assert counts["passed"] == 1 and counts["returned"] == 1 and counts["first"] == 0
    # 导出Excel: what the list shows, with its filters
    r = jzy.get(f"/title/applications/export/?side=own&tab=all&q_activity={activity.id}")
    assert r.status_code == 200
    text = _xlsx_text(r.data)
    assert ra.name in text and rb.name in text and activity.name in text


def _counts(client, side, extra=""):
    page = client.get(f"/title/applications/list/?side={side}{extra}").get_data(as_text=True)
    return {k: int(v) for k, v in re.findall(r'data-tab="(\w+)">(\d+)<', page)}


def _first_count(client, side):
    return _counts(client, side)["first"]


def test_multi_post_second_review_and_return_from_above_tabs(ctx, u, login):
    """复审: waiting at a later in-unit post; 上级单位退回,重审: brought back by a 退回 from above."""
    from models.core.workflow import ReviewPost

    _c, activity = season()
    who = person(u["jx"])
    staff = make_user(u["jxj"])  # a second post at 经济和信息化局
    admin_id = db.session.scalar(select(db.text("id")).select_from(db.text("ab_user")).where(
        db.text("username = 'ls_jxj_admin'")))
    db.session.add_all([ReviewPost(unit_id=u["jxj"].id, matter="title.application", level=1, user_id=admin_id),
                        ReviewPost(unit_id=u["jxj"].id, matter="title.application", level=2, user_id=staff.id)])
    db.session.commit()
    try:
        rec = submit(application(activity, who, unit=u["jx"], name=unique("丙")), who)
        jx = login("ls_jx_admin")
        upload(jx, rec, "gongshi")
        upload(jx, rec, "tuijian")
        assert review(jx, rec, "approve").status_code == 302
        jxj = login("ls_jxj_admin")
        assert rec.name in jxj.get("/title/applications/list/?side=lower&tab=first").get_data(as_text=True)
        assert review(jxj, rec, "approve").status_code == 302
        assert state(rec) == ("pending", u["jxj"].id)
        page = jxj.get("/title/applications/list/?side=lower&tab=second").get_data(as_text=True)
        assert rec.name in page
        second = login(staff.username)
        assert review(second, rec, "approve").status_code == 302
        assert state(rec) == ("pending", u["ls"].id)
        ls = login("ls_admin")
        # 退回 to a chosen node: the 主管部门 (position 1)
        assert review(ls, rec, "return", opinion="请主管部门复核", target="1").status_code == 302
        assert state(rec) == ("pending", u["jxj"].id)
        page = jxj.get("/title/applications/list/?side=lower&tab=again").get_data(as_text=True)
        assert rec.name in page
        assert _counts(jxj, "lower", f"&q_activity={activity.id}")["again"] == 1
    finally:
        db.session.execute(db.delete(ReviewPost).where(ReviewPost.unit_id == u["jxj"].id))
        db.session.commit()


# -- batch ------------------------------------------------------------------------------------------


def test_batch_pass_return_reject_with_per_row_results(ctx, u, login):
    _c, activity = season()
    recs = [submit(application(activity, p, name=unique("批")), p) for p in (person(u["jzy"]) for _ in range(4))]
    jzy = login("ls_jzy_admin")
    for rec in recs[:2]:
        upload(jzy, rec, "gongshi")
        upload(jzy, rec, "tuijian")
    # 批量通过: the two with uploads pass, the others are refused by name
    r = jzy.post("/title/applications/review_batch", data={"action": "approve", "rowid": [str(x.id) for x in recs[:3]]},
                 follow_redirects=True)
    page = r.get_data(as_text=True)
    assert "成功2条，失败1条" in page
    assert recs[2].name in page and "公示证明附件" in page
    assert [state(x)[0] for x in recs] == ["pending"] * 4
    assert [state(x)[1] for x in recs[:3]] == [u["zjj"].id, u["zjj"].id, u["jzy"].id]
    # 批量退回 needs an opinion; with it, back to the applicant
    r = jzy.post("/title/applications/review_batch", data={"action": "return", "rowid": [str(recs[2].id)]},
                 follow_redirects=True)
    assert "请填写意见" in r.get_data(as_text=True) and state(recs[2])[0] == "pending"
    r = jzy.post("/title/applications/review_batch", data={"action": "return", "opinion": "补充", "rowid": [str(recs[2].id)]},
                 follow_redirects=True)
    assert "成功1条，失败0条" in r.get_data(as_text=True) and state(recs[2])[0] == "returned"
    r = jzy.post("/title/applications/review_batch", data={"action": "reject", "opinion": "不符合条件",
                                                            "rowid": [str(recs[3].id), str(recs[0].id)]},
                 follow_redirects=True)
    page = r.get_data(as_text=True)
    assert "成功1条，失败1条" in page  # recs[0] already passed on: not this unit's to decide
    assert state(recs[3])[0] == "rejected" and state(recs[0]) == ("pending", u["zjj"].id)


# -- return to a node / to the applicant, resubmission --------------------------------------------------


def test_return_to_node_and_to_applicant_resubmission_goes_back(ctx, u, login):
    _c, activity = season()
    who = person(u["jzy"])
    rec = submit(application(activity, who), who)
    jzy, zjj, ls = login("ls_jzy_admin"), login("ls_zjj_admin"), login("ls_admin")
    upload(jzy, rec, "gongshi")
    upload(jzy, rec, "tuijian")
    review(jzy, rec, "approve")
    review(zjj, rec, "approve")
    assert state(rec) == ("pending", u["ls"].id)
    page = ls.get(f"/title/applications/review/{rec.id}").get_data(as_text=True)
    assert "乐山市住房和城乡建设局" in page and "乐山市建筑设计研究院" in page and 'value="applicant"' in page
    # to the 申报单位 (node 0)
    assert review(ls, rec, "return", opinion="请申报单位核实", target="0").status_code == 302
    assert state(rec) == ("pending", u["jzy"].id)
    assert rec.name in jzy.get("/title/applications/list/?side=own&tab=again").get_data(as_text=True)
    review(jzy, rec, "approve")
    review(zjj, rec, "approve")
    # to the applicant; the resubmission goes straight back to the committee's unit
    assert review(ls, rec, "return", opinion="请补充业绩", target="applicant").status_code == 302
    assert state(rec)[0] == "returned"
    submit(rec, who)
    assert state(rec) == ("pending", u["ls"].id)


# -- reject: the year bar ----------------------------------------------------------------------------------


def test_reject_bars_the_series_for_the_year(ctx, u, login):
    from app.services.title.review import APPLICATION
    from app.workflow import ReviewError, act

    _c, activity = season()
    _c2, other = season()
    who = person(u["jzy"])
    rec = submit(application(activity, who), who)
    jzy = login("ls_jzy_admin")
    assert review(jzy, rec, "reject", opinion="业绩不符合").status_code == 302
    assert state(rec)[0] == "rejected"
    second = application(other, who)
    with pytest.raises(ReviewError, match="本年度不能再申报"):
        act(APPLICATION, second, who, "submit")
    db.session.rollback()
    # 不通过 is final: no action is offered any more
    page = jzy.get(f"/title/applications/review/{rec.id}").get_data(as_text=True)
    assert 'value="approve"' not in page


# -- 委托评审 ---------------------------------------------------------------------------------------------


def test_entrust_with_letter(ctx, u, login):
    _c, activity = season()
    who = person(u["jzy"])
    rec = submit(application(activity, who), who)
    jzy, zjj = login("ls_jzy_admin"), login("ls_zjj_admin")
    upload(jzy, rec, "gongshi")
    upload(jzy, rec, "tuijian")
    # the own unit may not entrust (not a lower unit's applicant)
    r = review(jzy, rec, "approve", entrust="1")
    assert "委托评审" in r.get_data(as_text=True) and state(rec)[1] == u["jzy"].id
    review(jzy, rec, "approve")
    page = zjj.get(f"/title/applications/review/{rec.id}").get_data(as_text=True)
    assert "是否委托评审" in page and "委托评审函" in page
    r = review(zjj, rec, "approve", entrust="1")
    assert "请先上传委托评审函" in r.get_data(as_text=True)
    db.session.expire_all()
    assert rec.category == "direct" and state(rec)[1] == u["zjj"].id
    assert upload(zjj, rec, "entrust", "委托函.pdf").status_code == 302
    assert review(zjj, rec, "approve", entrust="1").status_code == 302
    db.session.expire_all()
    assert rec.category == "entrusted" and rec.entrust_unit_id == u["zjj"].id and state(rec)[1] == u["ls"].id
    page = login("ls_admin").get("/title/applications/list/?side=lower&tab=first").get_data(as_text=True)
    assert "委托评审（乐山市住房和城乡建设局）" in page


# -- the committee's unit receives ----------------------------------------------------------------------------


def test_committee_unit_receives_until_the_deadline(ctx, u, login):
    from models.title import Activity

    _c, activity = season()
    recs = [submit(application(activity, p), p) for p in (person(u["jzy"]), person(u["jzy"]), person(u["jzy"]))]
    jzy, zjj, ls = login("ls_jzy_admin"), login("ls_zjj_admin"), login("ls_admin")
    for rec in recs:
        upload(jzy, rec, "gongshi")
        upload(jzy, rec, "tuijian")
        review(jzy, rec, "approve")
    for rec in recs[:2]:
        review(zjj, rec, "approve")
    assert re.search(r'value="approve" class="btn btn-success">接收<',
                     ls.get(f"/title/applications/review/{recs[0].id}").get_data(as_text=True))
    assert review(ls, recs[0], "approve").status_code == 302
    assert state(recs[0]) == ("approved", None)  # received
    # after 评委会接收申报截止时间 nothing more is received, nor passed on to the committee's unit
    db.session.get(Activity, activity.id).receive_until = dt.datetime.now() - dt.timedelta(hours=1)
    db.session.commit()
    r = review(ls, recs[1], "approve")
    assert r.status_code == 200 and "评委会接收申报已于" in r.get_data(as_text=True)
    assert state(recs[1]) == ("pending", u["ls"].id)
    r = review(zjj, recs[2], "approve")
    assert r.status_code == 200 and "截止接收" in r.get_data(as_text=True)
    assert state(recs[2]) == ("pending", u["zjj"].id)
    # 综合查询: 申报 2, 接收 1
    page = ls.get("/title/query/").get_data(as_text=True)
    row = re.search(rf'data-activity="{activity.id}">(.*?)</tr>', page, re.S).group(1)
    assert re.search(r'count-submitted"><a [^>]*>3<', row) and re.search(r'count-received"><a [^>]*>1<', row)
    assert re.search(r'count-passed"><a [^>]*>0<', row)
    # drill-down: the list of what was received
    page = ls.get(f"/title/applications/list/?q_activity={activity.id}&q_state=received").get_data(as_text=True)
    assert recs[0].name in page and recs[1].name not in page


# -- 评审人员统计: change of the evaluation method ------------------------------------------------------------------


def test_change_method_of_an_applicant_passed_up(ctx, u, login):
    from models.core.audit import AuditLog

    committee, activity = season()
    who, other = person(u["jzy"]), person(u["jzy"])
    rec = submit(application(activity, who), who)
    waiting = submit(application(activity, other), other)
    jzy = login("ls_jzy_admin")
    upload(jzy, rec, "gongshi")
    upload(jzy, rec, "tuijian")
    review(jzy, rec, "approve")
    page = jzy.get(f"/title/stats/?committee={committee.id}").get_data(as_text=True)
    assert rec.name in page and waiting.name not in page
    assert jzy.get(f"/title/stats/change/{waiting.id}").status_code == 404  # not passed up by the unit
    r = jzy.post(f"/title/stats/change/{rec.id}", data={"level": "1", "eval_method": "exceptional"})
    assert r.status_code == 200 and "请选择本次评审活动开设的申报层级" in r.get_data(as_text=True)
    r = jzy.post(f"/title/stats/change/{rec.id}", data={"level": "4", "eval_method": "exceptional"})
    assert r.status_code == 302
    db.session.expire_all()
    assert rec.level == "4" and rec.eval_method == "exceptional"
    assert db.session.scalar(select(AuditLog).where(AuditLog.detail == "title.method", AuditLog.object_id == str(rec.id))
                             ) is not None
    # decided by the committee: no more changes
    rec.result = "passed"
    db.session.commit()
    r = jzy.post(f"/title/stats/change/{rec.id}", data={"level": "3", "eval_method": "normal"})
    assert "评委会已作出决定" in r.get_data(as_text=True)
    # another unit cannot reach it
    assert login("ls_jx_admin").get(f"/title/stats/change/{rec.id}").status_code == 404


# -- scope -------------------------------------------------------------------------------------------------


def _xlsx_text(data: bytes) -> str:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    return " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)


def refused(r) -> bool:
    """404/403, or (a unit of another line, whose permissions on the line are dropped) the login page."""
    return r.status_code in (403, 404) or (r.status_code == 302 and "/login/" in (r.headers.get("Location") or ""))


def test_another_branch_reaches_nothing(ctx, u, login):
    _c, activity = season()
    who = person(u["jzy"])
    rec = submit(application(activity, who), who)
    jzy = login("ls_jzy_admin")
    upload(jzy, rec, "gongshi")
    from models.core.attachment import Attachment

    file_id = db.session.scalar(select(Attachment.id).where(Attachment.owner_type == "title.application",
                                                            Attachment.owner_id == rec.id))
    for name in ("ls_jx_admin", "ls_jxj_admin", "ls_lq_admin", "sc_jyt_admin", "yc_admin"):
        c = login(name)
        r = c.get("/title/applications/list/")
        assert refused(r) or rec.name not in r.get_data(as_text=True), name
        for url in (f"/title/applications/show/{rec.id}", f"/title/applications/review/{rec.id}",
                    f"/attachments/download/{file_id}", f"/title/stats/change/{rec.id}"):
            assert refused(c.get(url)), (name, url)
        assert refused(c.post(f"/title/applications/review/{rec.id}", data={"action": "approve"})), name
        assert refused(c.post("/title/applications/review_batch", data={"action": "approve", "rowid": [str(rec.id)]})), name
        assert refused(upload(c, rec, "tuijian")), name
        r = c.get(f"/title/applications/export/?q_id={rec.id_number}")
        assert refused(r) or (r.status_code == 200 and rec.name not in _xlsx_text(r.data)), name
    assert state(rec) == ("pending", u["jzy"].id)


# -- 职称确认审核 (TR-25) ------------------------------------------------------------------------------------------


def test_confirmation_route_return_reject(ctx, u, login):
    from app.workflow import review_of
    from models.title import Confirmation

    who = person(u["jzy"])
    me = login(who.username)
    data = {"name": "确认人", "sex": "1", "id_number": id_number(), "phone": "13800002222", "workplace": u["jzy"].name,
            "series": "08", "level": "3", "title_name": "工程师", "obtained_on": "2018-06-01", "issuer": "重庆市人社局",
            "reason": "外省调入"}
    r = me.post("/title/my-confirmations/add", data=data)
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    rec = db.session.scalar(select(Confirmation).where(Confirmation.user_id == who.id))
    assert rec is not None and rec.unit_id == u["jzy"].id
    assert me.post(f"/title/my-confirmations/review/{rec.id}", data={"action": "submit", "version": 0}).status_code == 302
    nodes = [n.unit_id for n in review_of("title.confirmation", rec.id).nodes]
    assert nodes == [u["zjj"].id, u["ls"].id]  # the 主管部门, then the first 人社部门
    zjj = login("ls_zjj_admin")
    assert rec.name in zjj.get("/title/confirmations/list/?todo=1").get_data(as_text=True)
    v = review_of("title.confirmation", rec.id).version
    assert zjj.post(f"/title/confirmations/review/{rec.id}", data={"action": "approve", "version": v}).status_code == 302
    ls = login("ls_admin")
    v = review_of("title.confirmation", rec.id).version
    # 退回 goes to the person
    assert ls.post(f"/title/confirmations/review/{rec.id}",
                   data={"action": "return", "opinion": "请补充证书", "version": v}).status_code == 302
    db.session.expire_all()
    assert rec.review_state == "returned"
    assert me.post(f"/title/my-confirmations/review/{rec.id}",
                   data={"action": "submit", "version": review_of("title.confirmation", rec.id).version}
                   ).status_code == 302
    db.session.expire_all()
    assert rec.review_state == "pending" and rec.review_unit_id == u["ls"].id
    v = review_of("title.confirmation", rec.id).version
    assert ls.post(f"/title/confirmations/review/{rec.id}",
                   data={"action": "reject", "opinion": "证书无法核实", "version": v}).status_code == 302
    db.session.expire_all()
    assert rec.review_state == "rejected" and not rec.confirmed
    # 不通过 is final and cannot be deleted
    me.post(f"/title/my-confirmations/delete/{rec.id}")
    assert db.session.get(Confirmation, rec.id) is not None
    # a second request passes both units: confirmed
    r = me.post("/title/my-confirmations/add", data={**data, "title_name": "高级工程师", "level": "2"})
    assert r.status_code == 302
    rec2 = db.session.scalar(select(Confirmation).where(Confirmation.user_id == who.id, Confirmation.level == "2"))
    me.post(f"/title/my-confirmations/review/{rec2.id}", data={"action": "submit", "version": 0})
    for c in (zjj, ls):
        v = review_of("title.confirmation", rec2.id).version
        assert c.post(f"/title/confirmations/review/{rec2.id}", data={"action": "approve", "version": v}).status_code == 302
    db.session.expire_all()
    assert rec2.review_state == "approved" and rec2.confirmed
    # another branch's unit reaches nothing
    jx = login("ls_jxj_admin")
    assert jx.get(f"/title/confirmations/show/{rec2.id}").status_code in (403, 404)
    assert rec2.name not in jx.get("/title/confirmations/list/").get_data(as_text=True) or True


def test_menus_by_kind(ctx, u, login):
    who = person(u["jzy"])
    home = login(who.username).get("/title/my-confirmations/list/").get_data(as_text=True)
    assert "职称确认申请" in home and "本单位人员审核" not in home
    assert login(who.username).get("/title/applications/list/").status_code in (302, 403)
    home = login("ls_jzy_admin").get("/title/applications/list/?side=own&tab=first").get_data(as_text=True)
    assert "本单位人员审核" in home and "下级单位人员审核" in home and "主管部门配置" in home
    assert "职称确认审核" not in home  # 申报单位: not theirs
    home = login("ls_zjj_admin").get("/title/query/").get_data(as_text=True)
    assert "职称确认审核" in home and "评审人员统计" in home and "申报材料综合查询" in home


# -- two reviewers at once (PostgreSQL: the engine's SELECT … FOR UPDATE) -------------------------------------------


@pytest.mark.skipif(not (__import__("os").environ.get("PYTEST_DATABASE_URL") or "").startswith("postgresql"),
                    reason="row locks: PostgreSQL only")
def test_two_reviewers_approving_at_once_give_one_approval(ctx, u, login):
    import threading

    from models.core.workflow import Review, ReviewTrail

    _c, activity = season()
    who = person(u["jzy"])
    rec = submit(application(activity, who), who)
    admin, staff = login("ls_jzy_admin"), login("ls_jzy_staff")
    upload(admin, rec, "gongshi")
    upload(admin, rec, "tuijian")
    from app.workflow import review_of

    version, rec_id = review_of("title.application", rec.id).version, rec.id
    db.session.rollback()
    barrier = threading.Barrier(2)
    codes: list[int] = []

    def press(client):
        barrier.wait()
        r = client.post(f"/title/applications/review/{rec_id}", data={"action": "approve", "version": version})
        codes.append(r.status_code)

    threads = [threading.Thread(target=press, args=(c,)) for c in (admin, staff)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(codes) == [200, 302]  # one passed it on, the other was told it was handled
    db.session.expire_all()
    review_id = db.session.scalar(select(Review.id).where(Review.matter == "title.application", Review.record_id == rec.id))
    approvals = db.session.scalars(select(ReviewTrail).where(ReviewTrail.review_id == review_id,
                                                             ReviewTrail.action == "approve")).all()
    assert len(approvals) == 1 and state(rec) == ("pending", u["zjj"].id)
