"""会前准备 (004 §1.2.5, TR-11 … TR-14) through the views: 参评资格审核 (single, batch, the reason, the
scope, forged ids, the pool's lock), 设置评分标准 (weights, the scoring lock, ``weighted_score``), 导入答辩安排
(the prefilled template, a bad row reported, 确认发布答辩通知 → messages and the partial), 导入笔试成绩."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.extensions import db
from tests.title.meeting_fixtures import meeting_season
from tests.title.test_review import Fresh, id_number, refused

BASE = "/title/prep"


@pytest.fixture()
def login(app, login_as):
    def _login(name):
        with app.app_context():
            return Fresh(app, login_as(name))

    return _login


def reload(*recs):
    db.session.expire_all()
    return recs


def decide(c, activity, ids, decision, reason=""):
    return c.post(f"{BASE}/{activity.id}/qualification/decide",
                  data={"application_id": [str(i) for i in ids], "decision": decision, "reason": reason})


def qualify_all(s):
    from app.services.title import prep
    from tests.title.meeting_fixtures import admin

    prep.decide(admin("ls_admin"), s.activity.id, [a.id for a in s.applications + s.exceptional], "pass")
    db.session.commit()


def xlsx(rows):
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(c, spec, activity, data):
    return c.post(f"/imports/{spec}/?ctx={activity.id}", data={"file": (io.BytesIO(data), "导入.xlsx")},
                  content_type="multipart/form-data")


def batch_of(r):
    from models.core.document import ImportBatch

    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    pk = int(r.headers["Location"].rstrip("/").split("/")[-1])
    return db.session.get(ImportBatch, pk)


# -- 参评资格审核 ---------------------------------------------------------------------------------------------


def test_qualification_single_batch_reason_and_filters(ctx, login):
    s = meeting_season(applicants=4)
    a0, a1, a2, a3 = s.applications
    c = login("ls_admin")
    page = c.get(f"{BASE}/{s.activity.id}/qualification").get_data(as_text=True)
    assert "参评资格审核" in page and all(a.name in page for a in s.applications)
    # one
    assert decide(c, s.activity, [a0.id], "pass").status_code == 302
    reload()
    assert a0.qualification == "pass" and a0.result is None
    # a fail needs its reason: nothing changes
    r = decide(c, s.activity, [a1.id, a2.id], "fail")
    reload()
    assert a1.qualification is None and a2.qualification is None
    assert "审核不通过时请填写不通过原因" in c.get(r.headers["Location"]).get_data(as_text=True)
    # a batch fail ends the applications with the reason
    decide(c, s.activity, [a1.id, a2.id], "fail", "任职年限不足")
    reload()
    for a in (a1, a2):
        assert (a.qualification, a.qualification_reason, a.result, a.result_reason) == (
            "fail", "任职年限不足", "failed", "任职年限不足")
    # the decision may change until the pool: a pass undoes the fail's end
    decide(c, s.activity, [a1.id], "pass")
    reload()
    assert (a1.qualification, a1.result, a1.result_reason) == ("pass", None, None)
    # a row's own buttons
    c.post(f"{BASE}/{s.activity.id}/qualification/decide", data={"one": f"{a3.id}:fail", "reason": "学历不符"})
    reload()
    assert (a3.qualification, a3.result_reason) == ("fail", "学历不符")
    c.post(f"{BASE}/{s.activity.id}/qualification/decide", data={"one": f"{a3.id}:pass"})
    reload()
    assert (a3.qualification, a3.result) == ("pass", None)
    decide(c, s.activity, [a3.id], "pass")  # unchanged: still pass
    a3.qualification = None  # back to 待审核 for the filter below
    db.session.commit()
    # filters
    page = c.get(f"{BASE}/{s.activity.id}/qualification?state=fail").get_data(as_text=True)
    assert a2.name in page and a0.name not in page and a3.name not in page
    page = c.get(f"{BASE}/{s.activity.id}/qualification?state=pending&name={a3.name}").get_data(as_text=True)
    assert a3.name in page and a2.name not in page
    # audited
    from models.core.audit import AuditLog

    assert db.session.scalar(select(func.count(AuditLog.id)).where(
        AuditLog.action == "qualify", AuditLog.object_id.in_([str(a1.id), str(a2.id)]))) == 3


def test_qualification_refuses_other_units_forged_ids_and_the_pool(ctx, login):
    from app.services.title import meetings
    from models.title import MeetingApplicant

    s = meeting_season(applicants=2)
    other = meeting_season(applicants=1)
    a0, a1 = s.applications
    for name in ("ls_zjj_admin", "ls_jzy_admin", "yc_admin"):
        c = login(name)
        r = decide(c, s.activity, [a0.id], "fail", "伪造")
        assert refused(r) or r.status_code == 302, name
        reload()
        assert a0.qualification is None, name
    assert refused(login("yc_admin").get(f"{BASE}/{s.activity.id}/qualification"))
    c = login("ls_admin")
    # an application of another activity, a made-up id, a non-number: refused, nothing changed
    for bad in ([a0.id, other.applications[0].id], [a0.id, 99999999], ["x"]):
        r = decide(c, s.activity, bad, "pass")
        reload()
        assert a0.qualification is None and other.applications[0].qualification is None
    assert "不是本次评审活动已接收的申报人" in c.get(r.headers["Location"]).get_data(as_text=True)
    # in a meeting's pool: the decision no longer changes
    decide(c, s.activity, [a0.id, a1.id], "pass")
    normal = meetings.meetings_of(s.activity, create=True)["normal"]
    db.session.add(MeetingApplicant(meeting_id=normal.id, application_id=a0.id, source="received", sort=1))
    db.session.commit()
    r = decide(c, s.activity, [a0.id, a1.id], "fail", "材料不实")
    reload()
    assert a0.qualification == "pass" and a1.qualification == "pass"
    assert "已进入评审会议" in c.get(r.headers["Location"]).get_data(as_text=True)


# -- 设置评分标准 ---------------------------------------------------------------------------------------------


def test_standards_weights_order_lock_and_weighted_score(ctx, login):
    from app.services.title import meetings, prep
    from app.services.title.common import TitleError
    from models.title import ScoringStandard, VoteRound

    s = meeting_season(applicants=1, groups=True, group_method="score")
    c = login("ls_admin")
    url = f"{BASE}/{s.activity.id}/standards"
    c.post(f"{url}/save", data={"name": "专业能力", "weight": "60", "max_score": "100", "description": "专业水平"})
    c.post(f"{url}/save", data={"name": "工作业绩", "weight": "30", "max_score": "50"})
    page = c.get(url).get_data(as_text=True)
    assert "各评分项权重合计应为100%，当前合计90%" in page
    r = c.post(f"{url}/save", data={"name": "论文", "weight": "abc"})
    assert "权重应为数字" in c.get(r.headers["Location"]).get_data(as_text=True)
    r = c.post(f"{url}/save", data={"name": "专业能力", "weight": "10"})
    assert "评分项“专业能力”已存在" in c.get(r.headers["Location"]).get_data(as_text=True)
    c.post(f"{url}/save", data={"name": "论文著作", "weight": "10", "max_score": "10"})
    page = c.get(url).get_data(as_text=True)
    assert "权重合计应为100%" not in page and "100%" in page
    items = prep.standards_of(s.activity)
    assert [i.name for i in items] == ["专业能力", "工作业绩", "论文著作"]
    c.post(f"{url}/move", data={"standard_id": items[2].id, "direction": "up"})
    reload()
    assert [i.name for i in prep.standards_of(s.activity)] == ["专业能力", "论文著作", "工作业绩"]
    # an item of another activity is not this one's
    t = meeting_season(applicants=1)
    c.post(f"{BASE}/{t.activity.id}/standards/save", data={"name": "他项", "weight": "100"})
    foreign = prep.standards_of(t.activity)[0].id
    r = c.post(f"{url}/save", data={"standard_id": foreign, "name": "改名", "weight": "100"})
    assert "该评分项不存在" in c.get(r.headers["Location"]).get_data(as_text=True)
    c.post(f"{url}/delete", data={"standard_id": foreign})
    reload()
    assert [x.name for x in prep.standards_of(t.activity)] == ["他项"]
    # another unit cannot change it
    other = login("ls_zjj_admin")
    other.post(f"{url}/save", data={"standard_id": items[0].id, "name": "改", "weight": "60"})
    other.post(f"{url}/delete", data={"standard_id": items[0].id})
    reload()
    assert db.session.get(ScoringStandard, items[0].id).name == "专业能力"
    # the total: Σ score / max × weight
    ids = {i.name: i.id for i in prep.standards_of(s.activity)}
    score = prep.weighted_score(s.activity, {ids["专业能力"]: Decimal(90), ids["工作业绩"]: Decimal(40),
                                             ids["论文著作"]: Decimal(5)})
    assert score == Decimal("83.00")  # 54 + 24 + 5
    with pytest.raises(TitleError, match="工作业绩"):
        prep.weighted_score(s.activity, {ids["专业能力"]: 90, ids["论文著作"]: 5})
    with pytest.raises(TitleError, match="0至50"):
        prep.weighted_score(s.activity, {ids["专业能力"]: 90, ids["工作业绩"]: 51, ids["论文著作"]: 5})
    # edit, delete
    c.post(f"{url}/save", data={"standard_id": ids["论文著作"], "name": "论文著作", "weight": "5", "max_score": "10"})
    reload()
    assert "当前合计95%" in c.get(url).get_data(as_text=True)
    c.post(f"{url}/delete", data={"standard_id": ids["论文著作"]})
    reload()
    assert len(prep.standards_of(s.activity)) == 2
    # a scoring round has opened: fixed
    normal = meetings.meetings_of(s.activity, create=True)["normal"]
    db.session.add(VoteRound(meeting_id=normal.id, number=1, kind="group", method="score",
                             opened_at=dt.datetime.now(dt.UTC)))
    db.session.commit()
    r = c.post(f"{url}/save", data={"name": "新增项", "weight": "5"})
    reload()
    assert len(prep.standards_of(s.activity)) == 2
    assert "评分投票已开启，评分标准不能再修改" in c.get(r.headers["Location"]).get_data(as_text=True)


# -- 导入答辩安排 ---------------------------------------------------------------------------------------------


def test_defense_template_import_publish_and_notice(ctx, login):
    from models.core.message import Message, MessageRecipient
    from models.core.user import UnitUser
    from models.title import Defense
    from tests.title.meeting_fixtures import admin

    s = meeting_season(applicants=3, defense=True)
    a0, a1, a2 = s.applications
    c = login("ls_admin")
    decide(c, s.activity, [a0.id, a1.id], "pass")
    decide(c, s.activity, [a2.id], "fail", "不符合申报条件")
    page = c.get(f"{BASE}/{s.activity.id}/defense").get_data(as_text=True)
    assert "导入答辩安排" in page and "尚未导入答辩安排" in page
    # the template lists the qualified applicants
    r = c.get(f"/imports/title.defense/template?ctx={s.activity.id}")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.data)).active
    rows = [[cell.value for cell in row] for row in ws.iter_rows() if any(cell.value for cell in row)]
    assert [h.lstrip("*") for h in rows[0][:9]] == ["姓名", "身份证号", "工作单位", "答辩日期", "答辩到会时间", "答辩地址",
                                                    "答辩签到处", "答辩序号", "答辩会议室"]
    assert [r[:3] for r in rows[1:]] == [[a.name, a.id_number, a.workplace] for a in (a0, a1)]
    # the import: the two, one stranger (row 4), the failed one (row 5)
    day = (dt.date.today() + dt.timedelta(days=7)).isoformat()
    data = xlsx([rows[0],
                 [a0.name, a0.id_number, a0.workplace, day, "08:30", "乐山市人社局三楼", "一楼大厅", 1, "301", "第一组"],
                 [a1.name, a1.id_number, a1.workplace, day, "09:30", "乐山市人社局三楼", "一楼大厅", 2, "301", "第一组"],
                 ["路人", id_number(), "某单位", day, "10:00", "乐山", None, 3, None, None],
                 [a2.name, a2.id_number, a2.workplace, day, "10:30", "乐山", None, 4, None, None]])
    batch = batch_of(upload(c, "title.defense", s.activity, data))
    page = c.get(f"/imports/batch/{batch.id}").get_data(as_text=True)
    assert "不是本次评审活动已接收的申报人" in page and "该申报人未通过参评资格审核" in page
    from models.core.document import ImportRow

    bad = dict(db.session.execute(select(ImportRow.row_no, ImportRow.errors).where(
        ImportRow.batch_id == batch.id, ImportRow.ok.is_(False))).all())
    assert set(bad) == {4, 5} and "不是本次评审活动已接收的申报人" in bad[4]
    r = c.post(f"/imports/batch/{batch.id}/commit")
    assert r.status_code == 302 and f"/title/prep/{s.activity.id}/defense" in r.headers["Location"]
    reload()
    found = db.session.scalars(select(Defense).where(Defense.activity_id == s.activity.id)).all()
    assert sorted(d.application_id for d in found) == [a0.id, a1.id]
    assert all(d.published_at is None for d in found)
    # not yet published: nobody sees it
    from app.services.title import prep

    assert prep.defense_notice(a0) is None
    # the applicant's unit cannot publish; the committee's unit can
    login("ls_jzy_admin").post(f"{BASE}/{s.activity.id}/defense/publish")
    reload()
    assert all(d.published_at is None for d in found)
    before = db.session.scalar(select(func.max(Message.id))) or 0
    r = c.post(f"{BASE}/{s.activity.id}/defense/publish")
    reload()
    assert all(d.published_at is not None for d in found)
    got = set(db.session.scalars(select(MessageRecipient.user_id).join(Message).where(
        Message.id > before, Message.title.contains(a0.name))))
    assert a0.user_id in got
    for unit in (s.units["jzy"], s.units["zjj"], s.units["ls"]):
        uid = db.session.scalar(select(UnitUser.id).where(UnitUser.unit_id == unit.id, UnitUser.active.is_(True),
                                                          UnitUser.user_type != "person").order_by(UnitUser.id))
        assert uid in got, unit.name
    assert a1.user_id not in got  # each applicant gets their own notice only
    # a second publish has nothing left
    r = c.post(f"{BASE}/{s.activity.id}/defense/publish")
    assert "答辩安排均已发布" in c.get(r.headers["Location"]).get_data(as_text=True)
    # the 答辩通知 on the applicant's page and on the review page of the route's units
    me = login(db.session.get(UnitUser, a0.user_id).username)
    page = me.get(f"/title/my/application/{a0.id}").get_data(as_text=True)
    assert "title-defense-notice" in page and "乐山市人社局三楼" in page and "08:30" in page
    page = login(db.session.get(UnitUser, a2.user_id).username).get(f"/title/my/application/{a2.id}").get_data(as_text=True)
    assert "暂无答辩通知" in page and "乐山市人社局三楼" not in page
    for name in ("ls_admin", "ls_jzy_admin"):
        page = login(name).get(f"/title/applications/review/{a0.id}").get_data(as_text=True)
        assert "乐山市人社局三楼" in page, name
    # the list shows them published
    assert "已发布" in c.get(f"{BASE}/{s.activity.id}/defense").get_data(as_text=True)
    assert admin("ls_admin")  # the committee's unit's account


def test_defense_page_and_import_absent_without_defense(ctx, login):
    s = meeting_season(applicants=1)
    c = login("ls_admin")
    assert c.get(f"{BASE}/{s.activity.id}/defense").status_code == 404
    assert c.get(f"/imports/title.defense/template?ctx={s.activity.id}").status_code == 404
    # another unit's admin may not import into the committee's activity
    t = meeting_season(applicants=1, defense=True)
    assert refused(login("ls_zjj_admin").get(f"/imports/title.defense/?ctx={t.activity.id}"))


# -- 导入笔试成绩 ---------------------------------------------------------------------------------------------


def test_written_import_passes_fails_and_closes_with_the_vote(ctx, login):
    from app.services.title import meetings
    from models.core.audit import AuditLog

    s = meeting_season(applicants=3, written=True)
    a0, a1, a2 = s.applications
    qualify_all(s)
    c = login("ls_admin")
    r = c.get(f"/imports/title.written/template?ctx={s.activity.id}")
    rows = [[cell.value for cell in row] for row in load_workbook(io.BytesIO(r.data)).active.iter_rows()
            if any(cell.value for cell in row)]
    assert [h.lstrip("*") for h in rows[0]] == ["姓名", "身份证号", "工作单位", "笔试成绩", "是否通过"]
    assert [r[1] for r in rows[1:]] == [a0.id_number, a1.id_number, a2.id_number]
    data = xlsx([rows[0], [a0.name, a0.id_number, a0.workplace, "85.5", "是"],
                 [a1.name, a1.id_number, a1.workplace, "50", "否"],
                 [a2.name, a2.id_number, a2.workplace, "abc", "是"]])
    batch = batch_of(upload(c, "title.written", s.activity, data))
    assert "笔试成绩应为0至999.99的数字" in c.get(f"/imports/batch/{batch.id}").get_data(as_text=True)
    c.post(f"/imports/batch/{batch.id}/commit")
    reload()
    assert (a0.written_score, a0.written_passed, a0.result) == (Decimal("85.50"), True, None)
    assert (a1.written_score, a1.written_passed, a1.result, a1.result_reason) == (Decimal("50.00"), False, "failed",
                                                                                  "笔试不通过")
    assert a2.written_score is None
    logged = db.session.scalars(select(AuditLog).where(AuditLog.action == "written",
                                                       AuditLog.object_id.in_([str(a0.id), str(a1.id)]))).all()
    assert len(logged) == 2 and all(row.username == "ls_admin" for row in logged)
    page = c.get(f"{BASE}/{s.activity.id}/written").get_data(as_text=True)
    assert "85.5" in page and "不通过" in page
    # the applicant sees the end
    from models.core.user import UnitUser

    page = login(db.session.get(UnitUser, a1.user_id).username).get(f"/title/my/application/{a1.id}")
    assert "笔试不通过" in page.get_data(as_text=True)
    # a second import corrects a score (the failer passes after a recount)
    batch = batch_of(upload(c, "title.written", s.activity, xlsx([rows[0], [a1.name, a1.id_number, "", "61", "是"]])))
    c.post(f"/imports/batch/{batch.id}/commit")
    reload()
    assert (a1.written_passed, a1.result, a1.result_reason) == (True, None, None)
    # in the normal meeting's pool: the score no longer changes
    from models.title import MeetingApplicant

    normal = meetings.meetings_of(s.activity, create=True)["normal"]
    db.session.add(MeetingApplicant(meeting_id=normal.id, application_id=a0.id, source="written", sort=1))
    db.session.commit()
    batch = batch_of(upload(c, "title.written", s.activity, xlsx([rows[0], [a0.name, a0.id_number, "", "10", "否"]])))
    assert "已进入评审会议人员库" in c.get(f"/imports/batch/{batch.id}").get_data(as_text=True)
    c.post(f"/imports/batch/{batch.id}/commit")
    reload()
    assert (a0.written_passed, a0.result) == (True, None)
    # the normal meeting's vote opened: closed
    normal.state, normal.vote_opened_at = "voting", dt.datetime.now(dt.UTC)
    db.session.commit()
    assert "普通评审会议已开启投票" in c.get(f"{BASE}/{s.activity.id}/written").get_data(as_text=True)
    assert c.get(f"/imports/title.written/?ctx={s.activity.id}").status_code == 404
    upload(c, "title.written", s.activity, xlsx([rows[0], [a1.name, a1.id_number, "", "10", "否"]]))
    reload()
    assert a1.written_passed is True
