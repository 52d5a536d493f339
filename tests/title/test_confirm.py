"""评审结果确认 (TR-19, TR-20), through the views: the committee's submission refused during the publicity and
accepted after it; the 授权管理单位 passes (after the 任职资格文件), rejects (the series barred for the year),
一键通过, returns for 补充材料 which the committee uploads and resubmits; the roster export by state; the committee's
文号 in batch (〔〕 and the approval year checked), 提交发证信息, 评审工作报告 and 办结 (refused until the certificates
are issued); entrusted persons at the entrusting unit; another unit refused (404) and forged ids refused."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import select

from app.extensions import db
from tests.conftest import unit_by_name
from tests.title.meeting_fixtures import meeting_season
from tests.title.test_review import PDF, Fresh


@pytest.fixture()
def login(app, login_as):
    def _login(name):
        with app.app_context():
            return Fresh(app, login_as(name))

    return _login


def text(r) -> str:
    return r.get_data(as_text=True)


def utc(hours: float) -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(hours=hours)


def season(passed: int = 3, applicants: int = 4, entrusted: int = 0, ended: bool = True):
    """A season whose normal meeting is tallied (the first ``passed`` pass; the last ``entrusted`` passers are
    entrusted by 乐山市住房和城乡建设局), the committee's 授权管理单位 四川省人力资源和社会保障厅, and a publicity
    that has ended (or runs now)."""
    from app.services.title import meetings
    from models.title.meeting import MeetingApplicant, Publicity

    s = meeting_season(applicants=applicants, experts=6)
    s.units["sc"] = unit_by_name("四川省人力资源和社会保障厅")
    s.committee.authority_unit_id = s.units["sc"].id
    meeting = meetings.meetings_of(s.activity, create=True)["normal"]
    meeting.state = "tallied"
    for i, rec in enumerate(s.applications):
        ok = i < passed
        db.session.add(MeetingApplicant(meeting_id=meeting.id, application_id=rec.id, sort=i,
                                        result="pass" if ok else "fail"))
        rec.result = "passed" if ok else "failed"
        if ok and i >= passed - entrusted:
            rec.category, rec.entrust_unit_id = "entrusted", s.units["zjj"].id
    starts, ends = (utc(-72), utc(-1)) if ended else (utc(-2), utc(48))
    db.session.add(Publicity(activity_id=s.activity.id, unit_id=s.activity.unit_id, starts_at=starts, ends_at=ends,
                             contact="0833-2000000"))
    s.activity.stage = "publicity"
    db.session.commit()
    return s


def fresh(obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def pdf(name="任职资格文件.pdf"):
    return {"file": (io.BytesIO(PDF), name)}


def upload_qualification(client, activity):
    return client.post(f"/title/confirm/activity/{activity.id}/qualification", data=pdf(),
                       content_type="multipart/form-data")


def decide(client, activity, rec, action, reason=""):
    return client.post(f"/title/confirm/activity/{activity.id}/decide",
                       data={"application": str(rec.id), "action": action, "reason": reason,
                             "kind": "entrusted" if rec.category == "entrusted" else "direct"})


def flashed(client, url) -> str:
    return text(client.get(url))


def test_submission_refused_during_the_publicity_then_accepted(ctx, login):
    s = season(ended=False)
    ls = login("ls_admin")
    r = ls.post(f"/title/confirm/committee/{s.activity.id}/submit", follow_redirects=True)
    assert "公示结束后才能提交评审结果确认" in text(r)
    assert fresh(s.activity).stage == "publicity" and fresh(s.applications[0]).confirm_state is None
    from models.title.meeting import Publicity

    pub = db.session.scalar(select(Publicity).where(Publicity.activity_id == s.activity.id))
    pub.ends_at = utc(-0.5)
    db.session.commit()
    # another unit may not submit the committee's results
    assert login("ls_zjj_admin").post(f"/title/confirm/committee/{s.activity.id}/submit").status_code == 404
    r = ls.post(f"/title/confirm/committee/{s.activity.id}/submit", follow_redirects=True)
    assert "已提交3人进行评审结果确认" in text(r)
    activity = fresh(s.activity)
    assert activity.stage == "confirming" and activity.confirm_submitted_at is not None
    states = [fresh(a).confirm_state for a in s.applications]
    assert states == ["pending", "pending", "pending", None]
    assert fresh(s.applications[0]).confirm_unit_id == s.units["sc"].id
    # the 授权管理单位 is told
    from models.core.message import Message

    assert db.session.scalar(select(Message).where(Message.title == f"【评审结果确认】{s.activity.name}")) is not None
    # a second submission has nothing to submit
    r = ls.post(f"/title/confirm/committee/{s.activity.id}/submit", follow_redirects=True)
    assert "没有待提交确认的评审通过人员" in text(r)


def _submitted(login, **kw):
    s = season(**kw)
    ls = login("ls_admin")
    assert ls.post(f"/title/confirm/committee/{s.activity.id}/submit").status_code == 302
    return s, ls


def test_pass_reject_bar_and_pass_all(ctx, login):
    from app.services.title.applications import submit_problem, year_barred
    from tests.title.test_review import application
    from tests.title.test_review import season as review_season

    s, ls = _submitted(login, passed=3)
    sc = login("sc_admin")
    page = text(sc.get("/title/confirm/"))
    assert s.activity.name in page
    page = text(sc.get(f"/title/confirm/activity/{s.activity.id}"))
    assert all(a.name in page for a in s.applications[:3]) and s.applications[3].name not in page
    # the whole application is readable
    page = text(sc.get(f"/title/confirm/person/{s.applications[0].id}"))
    assert "申报信息" in page and s.applications[0].major in page and 'value="return"' in page
    a0, a1, a2 = s.applications[:3]
    # pass needs the 任职资格文件 first
    r = decide(sc, s.activity, a0, "pass")
    assert r.status_code == 302 and fresh(a0).confirm_state == "pending"
    assert "请先上传任职资格文件" in flashed(sc, f"/title/confirm/activity/{s.activity.id}")
    assert upload_qualification(sc, s.activity).status_code == 302
    decide(sc, s.activity, a0, "pass")
    a0 = fresh(a0)
    assert a0.confirm_state == "passed" and a0.result == "confirmed"
    # a reject needs its reason; then the result is failed and the series barred for the year
    decide(sc, s.activity, a1, "reject")
    assert fresh(a1).confirm_state == "pending"
    decide(sc, s.activity, a1, "reject", "业绩材料与实际不符")
    a1 = fresh(a1)
    assert a1.confirm_state == "rejected" and a1.result == "failed" and "业绩材料与实际不符" in a1.result_reason
    _c, other_activity = review_season()
    again = application(other_activity, a1.user, name=a1.name)
    assert year_barred(again)
    assert "本年度不能再申报" in (submit_problem(again, a1.user) or "")
    # a decided person is not decided again
    decide(sc, s.activity, a1, "pass")
    assert fresh(a1).confirm_state == "rejected"
    # 一键通过: the rest
    r = sc.post(f"/title/confirm/activity/{s.activity.id}/pass_all", data={"kind": "direct"}, follow_redirects=True)
    assert "已一键通过1人" in text(r)
    assert fresh(a2).confirm_state == "passed"
    # the committee sees the states
    page = text(ls.get(f"/title/confirm/committee/{s.activity.id}?tab=passed"))
    assert a0.name in page and a2.name in page and a1.name not in page
    assert a1.name in text(ls.get(f"/title/confirm/committee/{s.activity.id}?tab=rejected"))


def test_return_supplement_resubmit(ctx, login):
    s, ls = _submitted(login, passed=2)
    sc = login("sc_admin")
    a0 = s.applications[0]
    decide(sc, s.activity, a0, "return")
    assert fresh(a0).confirm_state == "pending"  # the reason is required
    decide(sc, s.activity, a0, "return", "请补充业绩证明原件扫描件")
    assert fresh(a0).confirm_state == "returned"
    page = text(ls.get(f"/title/confirm/committee/{s.activity.id}?tab=returned"))
    assert a0.name in page and "请补充业绩证明原件扫描件" in page
    # resubmission needs the supplement
    r = ls.post(f"/title/confirm/committee/{s.activity.id}/resubmit/{a0.id}", follow_redirects=True)
    assert "请先上传补充材料" in text(r) and fresh(a0).confirm_state == "returned"
    # the confirming unit may not upload the committee's supplement
    r = sc.post(f"/title/confirm/committee/{s.activity.id}/supplement/{a0.id}", data=pdf("补充.pdf"),
                content_type="multipart/form-data")
    assert r.status_code == 404
    r = ls.post(f"/title/confirm/committee/{s.activity.id}/supplement/{a0.id}", data=pdf("业绩证明.pdf"),
                content_type="multipart/form-data", follow_redirects=True)
    assert "补充材料已上传" in text(r)
    assert ls.post(f"/title/confirm/committee/{s.activity.id}/resubmit/{a0.id}").status_code == 302
    assert fresh(a0).confirm_state == "resubmitted"
    page = text(sc.get(f"/title/confirm/activity/{s.activity.id}?tab=resubmitted"))
    assert a0.name in page
    assert "业绩证明.pdf" in text(sc.get(f"/title/confirm/person/{a0.id}"))
    # no supplement once it is back at the confirming unit
    r = ls.post(f"/title/confirm/committee/{s.activity.id}/supplement/{a0.id}", data=pdf("再补.pdf"),
                content_type="multipart/form-data", follow_redirects=True)
    assert "不能上传" in text(r)
    upload_qualification(sc, s.activity)
    decide(sc, s.activity, a0, "pass")
    assert fresh(a0).confirm_state == "passed"


def _xlsx(data: bytes) -> str:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    return " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)


def test_roster_export_by_state(ctx, login):
    s, ls = _submitted(login, passed=3)
    sc = login("sc_admin")
    decide(sc, s.activity, s.applications[0], "return", "补充材料")
    r = sc.get(f"/title/confirm/activity/{s.activity.id}/export?tab=pending")
    assert r.status_code == 200 and "spreadsheet" in r.mimetype
    body = _xlsx(r.data)
    assert s.applications[1].name in body and s.applications[2].name in body and s.applications[0].name not in body
    assert s.applications[1].id_number in body and "评审通过" in body
    body = _xlsx(sc.get(f"/title/confirm/activity/{s.activity.id}/export?tab=returned").data)
    assert s.applications[0].name in body and s.applications[1].name not in body
    body = _xlsx(ls.get(f"/title/confirm/committee/{s.activity.id}/export?tab=pending").data)
    assert s.applications[1].name in body


def test_doc_numbers_issuance_report_and_close(ctx, login):
    s, ls = _submitted(login, passed=2)
    sc = login("sc_admin")
    upload_qualification(sc, s.activity)
    sc.post(f"/title/confirm/activity/{s.activity.id}/pass_all", data={"kind": "direct"})
    a0, a1 = (fresh(a) for a in s.applications[:2])
    assert a0.confirm_state == a1.confirm_state == "passed"
    url = f"/title/confirm/committee/{s.activity.id}/doc_numbers"
    ids = [str(a0.id), str(a1.id)]
    year = dt.date.today().year
    for number, approved, message in (
            ("乐人社函[2026]18号", f"{year}-06-01", "六角括号〔〕"),
            (f"乐人社函（{year}）18号", f"{year}-06-01", "六角括号〔〕"),
            (f"乐人社函〔{year - 1}〕18号", f"{year}-06-01", "应与批准日期的年份"),
            (f"乐人社函〔{year}〕18号", "", "请填写批准日期")):
        r = ls.post(url, data={"rowid": ids, "doc_number": number, "approved_on": approved}, follow_redirects=True)
        assert message in text(r), number
        assert fresh(a0).doc_number is None
    # 提交发证信息 before the numbers is refused
    r = ls.post(f"/title/confirm/committee/{s.activity.id}/issuance", follow_redirects=True)
    assert "请先设置职称文件文号" in text(r)
    # a forged id (another activity's, or a person not confirmed) is refused, nothing changes
    other = season(passed=1)
    r = ls.post(url, data={"rowid": ids + [str(other.applications[0].id)], "doc_number": f"乐人社函〔{year}〕18号",
                           "approved_on": f"{year}-06-01"}, follow_redirects=True)
    assert "不是本活动确认通过的人员" in text(r) and fresh(a0).doc_number is None
    r = ls.post(url, data={"rowid": ids, "doc_number": f"乐人社函〔{year}〕18号", "approved_on": f"{year}-06-01"},
                follow_redirects=True)
    assert "已为2人设置职称文件文号" in text(r)
    a0 = fresh(a0)
    assert a0.doc_number == f"乐人社函〔{year}〕18号" and a0.approved_on == dt.date(year, 6, 1)
    # only the committee's unit sets numbers
    assert sc.post(url, data={"rowid": ids, "doc_number": "x", "approved_on": f"{year}-06-01"}).status_code == 404
    r = ls.post(f"/title/confirm/committee/{s.activity.id}/issuance", follow_redirects=True)
    assert "已提交2人的发证信息" in text(r) and fresh(a0).issuance_at is not None
    # numbers are fixed once submitted for issuance
    r = ls.post(url, data={"rowid": ids, "doc_number": f"乐人社函〔{year}〕19号", "approved_on": f"{year}-06-01"},
                follow_redirects=True)
    assert "已提交发证信息" in text(r) and fresh(a0).doc_number.endswith("18号")
    # the review source of the certificate part sees them at the issuing unit (the 授权管理单位)
    from app.services.title import confirm
    from tests.title.meeting_fixtures import admin

    assert {a.id for a in confirm.eligible_review(admin("sc_admin"))} >= {a0.id, a1.id}
    assert not confirm.eligible_review(admin("ls_admin")) or a0.id not in {a.id for a in
                                                                          confirm.eligible_review(admin("ls_admin"))}
    facts = confirm.facts(a0)
    assert facts["doc_number"].endswith("18号") and facts["issuing_unit_id"] == s.units["sc"].id
    # 办结: the work report first, then the certificates
    close = f"/title/confirm/committee/{s.activity.id}/close"
    assert "请先上传评审工作报告" in text(ls.post(close, follow_redirects=True))
    r = ls.post(f"/title/confirm/committee/{s.activity.id}/report", data=pdf("评审工作报告.pdf"),
                content_type="multipart/form-data", follow_redirects=True)
    assert "评审工作报告已上传" in text(r)
    r = ls.post(close, follow_redirects=True)
    assert "证书尚未发放" in text(r) and fresh(s.activity).stage == "confirming"
    # once the certificate part says they are issued, 办结
    from app.services.title import cert

    original = getattr(cert, "issued_for_applications", None)
    cert.issued_for_applications = lambda ids: set(ids)
    try:
        r = ls.post(close, follow_redirects=True)
    finally:
        if original is None:
            del cert.issued_for_applications
        else:
            cert.issued_for_applications = original
    assert "评审活动已办结" in text(r)
    activity = fresh(s.activity)
    assert activity.stage == "closed" and activity.closed_at is not None


def test_entrusted_persons_at_the_entrusting_unit(ctx, login):
    s, ls = _submitted(login, passed=3, entrusted=1)
    a_direct, a_entrusted = s.applications[0], s.applications[2]
    assert fresh(a_entrusted).confirm_unit_id == s.units["zjj"].id
    sc, zjj = login("sc_admin"), login("ls_zjj_admin")
    # the 授权管理单位 sees the direct ones only
    page = text(sc.get(f"/title/confirm/activity/{s.activity.id}"))
    assert a_direct.name in page and a_entrusted.name not in page
    assert s.activity.name not in text(sc.get("/title/confirm/entrusted/"))
    assert sc.get(f"/title/confirm/person/{a_entrusted.id}").status_code == 404
    decide(sc, s.activity, a_entrusted, "pass")
    assert fresh(a_entrusted).confirm_state == "pending"
    # the entrusting unit: 线上委托结果确认
    assert s.activity.name in text(zjj.get("/title/confirm/entrusted/"))
    page = text(zjj.get(f"/title/confirm/activity/{s.activity.id}?kind=entrusted"))
    assert a_entrusted.name in page and a_direct.name not in page
    assert zjj.get(f"/title/confirm/person/{a_direct.id}").status_code == 404
    upload_qualification(zjj, s.activity)
    from models.core.attachment import Attachment

    file_id = db.session.scalar(select(Attachment.id).where(Attachment.owner_type == "title.activity",
                                                            Attachment.owner_id == s.activity.id,
                                                            Attachment.slot == "qualification"))
    r = zjj.get(f"/title/confirm/activity/{s.activity.id}/file/{file_id}")
    assert r.status_code == 200 and r.data == PDF
    # another confirming unit's file is not served through this page
    assert sc.get(f"/title/confirm/activity/{s.activity.id}/file/{file_id}").status_code == 404
    assert zjj.get(f"/title/confirm/person/{a_entrusted.id}").status_code == 200
    decide(zjj, s.activity, a_entrusted, "pass")
    a = fresh(a_entrusted)
    assert a.confirm_state == "passed" and a.result == "confirmed"
    # the entrusting unit issues: the 委托发证 source
    from app.services.title import confirm
    from tests.title.meeting_fixtures import admin

    assert a.id in {x.id for x in confirm.eligible_entrusted(admin("ls_zjj_admin"))}
    assert confirm.facts(a)["issuing_unit_id"] == s.units["zjj"].id
    assert a.id not in {x.id for x in confirm.eligible_review(admin("sc_admin"))}


def test_another_unit_refused_and_forged_ids(ctx, login):
    s, ls = _submitted(login, passed=2)
    other = season(passed=1)
    ls.post(f"/title/confirm/committee/{other.activity.id}/submit")
    sc = login("sc_admin")
    a0 = s.applications[0]
    # units that confirm nothing of the activity
    for name in ("ls_jzy_admin", "yc_admin", "ls_zjj_admin"):
        c = login(name)
        for url in (f"/title/confirm/activity/{s.activity.id}", f"/title/confirm/person/{a0.id}",
                    f"/title/confirm/activity/{s.activity.id}/export"):
            assert c.get(url).status_code in (403, 404) or c.get(url).status_code == 302, (name, url)
        r = c.post(f"/title/confirm/activity/{s.activity.id}/decide", data={"application": str(a0.id),
                                                                          "action": "pass"})
        assert r.status_code in (302, 403, 404), name
        assert s.activity.name not in text(c.get("/title/confirm/"))
    assert fresh(a0).confirm_state == "pending"
    # the committee pages of another city's unit
    yc = login("yc_admin")
    assert yc.get(f"/title/confirm/committee/{s.activity.id}").status_code in (302, 403, 404)
    assert yc.post(f"/title/confirm/committee/{s.activity.id}/close").status_code in (302, 403, 404)
    assert fresh(s.activity).stage == "confirming"
    # a forged person id: another activity's person through this activity's form
    upload_qualification(sc, s.activity)
    r = sc.post(f"/title/confirm/activity/{s.activity.id}/decide",
                data={"application": str(other.applications[0].id), "action": "pass"}, follow_redirects=True)
    assert "不存在或不在您的管理范围内" in text(r) and fresh(other.applications[0]).confirm_state == "pending"
    for bad in ("abc", "999999999", ""):
        r = sc.post(f"/title/confirm/activity/{s.activity.id}/decide", data={"application": bad, "action": "pass"},
                    follow_redirects=True)
        assert "不存在或不在您的管理范围内" in text(r)
    # the committee's supplement route with another activity's person
    decide(sc, other.activity, other.applications[0], "return", "补充")
    r = ls.post(f"/title/confirm/committee/{s.activity.id}/supplement/{other.applications[0].id}",
                data=pdf("x.pdf"), content_type="multipart/form-data", follow_redirects=True)
    assert "不存在或不在您的管理范围内" in text(r)
    r = ls.post(f"/title/confirm/committee/{s.activity.id}/resubmit/{other.applications[0].id}", follow_redirects=True)
    assert "不存在或不在您的管理范围内" in text(r) and fresh(other.applications[0]).confirm_state == "returned"


def test_pages_render(ctx, login):
    s, ls = _submitted(login, passed=2)
    sc = login("sc_admin")
    for url in ("/title/confirm/committee/", f"/title/confirm/committee/{s.activity.id}",
                f"/title/confirm/committee/{s.activity.id}?tab=passed", f"/title/confirm/committee/person/{s.applications[0].id}"):
        r = ls.get(url)
        assert r.status_code == 200 and "评审结果确认" in text(r) or "材料审阅" in text(r), url
    for url in ("/title/confirm/", "/title/confirm/entrusted/", f"/title/confirm/activity/{s.activity.id}"):
        assert sc.get(url).status_code == 200, url


def test_sources_registered_with_the_certificate_part(ctx):
    from app.services.title import cert, confirm

    source_of = getattr(cert, "source_of", None)
    if source_of is None:
        pytest.skip("the certificate part offers no sources yet")
    for kind in ("review", "entrusted", "initial"):
        source = source_of(kind)
        assert source is not None and source.facts is confirm.facts, kind


def test_the_seed_order_through_the_services(ctx):
    """The calls the demo seed makes, outside a request, in the documented order."""
    from app.services.title import confirm
    from tests.title.meeting_fixtures import admin

    s = season(passed=3, entrusted=1)
    ls, sc, zjj = admin("ls_admin"), admin("sc_admin"), admin("ls_zjj_admin")
    assert len(confirm.submit(ls, s.activity)) == 3
    confirm.upload_qualification(sc, s.activity, io.BytesIO(PDF), "任职资格文件.pdf")
    a0, a1, a2 = s.applications[:3]
    confirm.decide(sc, a1, "return", "请补充业绩证明")
    confirm.supplement(ls, a1, io.BytesIO(PDF), "业绩证明.pdf")
    confirm.resubmit(ls, a1)
    assert confirm.pass_all(sc, s.activity, "direct") == 2
    confirm.upload_qualification(zjj, s.activity, io.BytesIO(PDF), "委托任职资格文件.pdf")
    confirm.decide(zjj, a2, "pass")
    year = dt.date.today().year
    assert confirm.set_doc_numbers(ls, s.activity, [a0.id, a1.id], f"乐人社函〔{year}〕18号", dt.date(year, 6, 1)) == 2
    assert confirm.submit_issuance(ls, s.activity) == 2
    confirm.upload_report(ls, s.activity, io.BytesIO(PDF), "评审工作报告.pdf")
    db.session.commit()
    assert {a.id for a in confirm.eligible_review(sc)} >= {a0.id, a1.id}
    assert a2.id in {a.id for a in confirm.eligible_entrusted(zjj)}
    with pytest.raises(Exception, match="证书尚未发放"):
        confirm.close(ls, s.activity)
    db.session.rollback()
