"""评审结果公示 (TR-18) and 异议人员列表 (TR-12 second half), through the views: 发布公示公告 only after the
normal meeting's tally, the notice (passers, no ID numbers) on the portal for exactly its period (list,
notice page, panel), 我要反馈 (login, a passer only, in the period, forged ids refused), 线下投诉 with
evidence, and the objection list for the committee's unit and the units above it — not for another city."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from tests.conftest import unique
from tests.title.meeting_fixtures import meeting_season
from tests.title.test_review import PDF, Fresh, id_number, person


@pytest.fixture()
def login(app, login_as):
    """A logged-in client whose requests run in app contexts of their own (test_review.Fresh)."""
    def _login(name):
        with app.app_context():
            return Fresh(app, login_as(name))

    return _login


def _zone():
    from app.filters import _configured_zone

    return _configured_zone()


def local(delta_hours: float) -> str:
    """A local time (as the form takes it) ``delta_hours`` from now."""
    return (dt.datetime.now(_zone()) + dt.timedelta(hours=delta_hours)).strftime("%Y-%m-%dT%H:%M")


def utc(delta_hours: float) -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(hours=delta_hours)


def tallied(s, passed: int = 2):
    """Make the season's normal meeting tallied, directly: the first ``passed`` applicants pass, the rest fail."""
    from app.services.title import meetings
    from models.title.meeting import MeetingApplicant

    meeting = meetings.meetings_of(s.activity, create=True)["normal"]
    meeting.state = "tallied"
    for i, rec in enumerate(s.applications):
        ok = i < passed
        db.session.add(MeetingApplicant(meeting_id=meeting.id, application_id=rec.id, sort=i,
                                        result="pass" if ok else "fail"))
        rec.result = "passed" if ok else "failed"
    db.session.commit()
    return meeting


def publicity_of(activity):
    from models.title.meeting import Publicity

    db.session.expire_all()
    return db.session.scalar(select(Publicity).where(Publicity.activity_id == activity.id))


def count(model, **where) -> int:
    db.session.expire_all()
    q = select(func.count()).select_from(model)
    for k, v in where.items():
        q = q.where(getattr(model, k) == v)
    return db.session.scalar(q) or 0


def text(r) -> str:
    return r.get_data(as_text=True)


def publish(client, activity, start: float, end: float, contact: str = "0833-2123456 乐山市人社局职称科"):
    return client.post(f"/title/publicity/{activity.id}/publish",
                       data={"starts_at": local(start), "ends_at": local(end), "contact": contact})


def shift(pub, starts: float, ends: float) -> None:
    """Move a publicity's period (and its notice's window) directly, as time passing would."""
    from models.core.notice import Notice

    pub.starts_at, pub.ends_at = utc(starts), utc(ends)
    notice = db.session.get(Notice, pub.notice_id)
    notice.visible_from, notice.visible_until = pub.starts_at, pub.ends_at
    db.session.commit()


@pytest.fixture()
def season(ctx):
    return meeting_season(applicants=3)


def test_publish_refused_before_tally(season, login):
    from app.services.title import meetings
    from models.title.meeting import Publicity

    ls = login("ls_admin")
    r = ls.get(f"/title/publicity/{season.activity.id}/")
    assert r.status_code == 200 and "计票完成后才能发布公示公告" in text(r)
    r = publish(ls, season.activity, 1, 48)
    assert r.status_code == 200 and "普通评审会议计票完成后才能发布公示公告" in text(r)
    assert count(Publicity, activity_id=season.activity.id) == 0
    # voting, not yet tallied: still refused
    meetings.meetings_of(season.activity, create=True)["normal"].state = "voting"
    db.session.commit()
    assert "计票完成后才能发布公示公告" in text(publish(ls, season.activity, 1, 48))
    assert count(Publicity, activity_id=season.activity.id) == 0


def test_publish_and_the_window(season, login, client):
    from models.core.audit import AuditLog
    from models.core.notice import Notice

    tallied(season)
    s, activity = season, season.activity
    ls = login("ls_admin")
    # bad input: end before start, no contact — refused, nothing saved
    r = publish(ls, activity, 5, 2)
    assert r.status_code == 200 and "公示结束时间应晚于公示开始时间" in text(r)
    r = publish(ls, activity, 1, 5, contact="")
    assert "请填写联系方式" in text(r)
    assert publicity_of(activity) is None
    # a publicity starting in an hour
    r = publish(ls, activity, 1, 72)
    assert r.status_code == 302, re.findall(r"alert-danger[^>]*>([^<]+)<", text(r))
    pub = publicity_of(activity)
    notice = db.session.get(Notice, pub.notice_id)
    assert notice.kind == "07" and notice.state == "published" and notice.unit_id == s.units["ls"].id
    assert pub.unit_id == s.units["ls"].id and "乐山市人社局职称科" in notice.content
    for rec in s.applications[:2]:
        assert rec.name in notice.content and rec.workplace in notice.content
    assert s.applications[2].name not in notice.content  # failed
    for rec in s.applications:
        assert rec.id_number not in notice.content and rec.phone not in notice.content
    db.session.refresh(activity)
    assert activity.stage == "publicity"
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.action == "publish", AuditLog.object_type == "title_publicity", AuditLog.object_id == str(pub.id)))
    # before the period: nowhere on the portal
    assert notice.title not in text(client.get("/portal/"))
    assert notice.title not in text(client.get("/portal/?kind=07"))
    assert client.get(f"/portal/notice/{notice.id}").status_code == 404
    home = text(client.get("/"))
    assert f"/title/publicity-portal/{publicity_of(activity).id}/feedback" not in home and notice.title not in home
    assert client.get(f"/title/publicity-portal/{pub.id}/feedback").status_code == 404
    # before it starts, the period and contact may be changed (the same publicity, the same notice)
    r = publish(ls, activity, 2, 96, contact="0833-2999999")
    assert r.status_code == 302
    pub2 = publicity_of(activity)
    assert pub2.id == pub.id and pub2.notice_id == notice.id and pub2.contact == "0833-2999999"
    assert db.session.scalar(select(func.count()).select_from(Notice).where(
        Notice.kind == "07", Notice.title.contains(activity.name))) == 1  # (the demo has a publicity of its own)
    # within the period: listed, shown, on the panel
    shift(pub2, -1, 24)
    assert notice.title in text(client.get("/portal/"))
    assert notice.title in text(client.get("/portal/?kind=07"))
    r = client.get(f"/portal/notice/{notice.id}")
    assert r.status_code == 200 and s.applications[0].name in text(r) and s.applications[0].id_number not in text(r)
    assert f"/title/publicity-portal/{pub.id}/feedback" in text(r)  # 我要反馈 on the notice
    home = text(client.get("/"))
    assert "portal-publicity" in home and f"/title/publicity-portal/{pub.id}/feedback" in home
    # started: no more changes
    r = publish(ls, activity, 1, 48)
    assert r.status_code == 200 and "不能再修改" in text(r)
    assert publicity_of(activity).contact == "0833-2999999"
    # after the period: gone again
    shift(publicity_of(activity), -48, -1)
    assert notice.title not in text(client.get("/portal/?kind=07"))
    assert client.get(f"/portal/notice/{notice.id}").status_code == 404
    assert f"/title/publicity-portal/{publicity_of(activity).id}/feedback" not in text(client.get("/"))
    # other notices are unaffected by the window (no bounds)
    plain = Notice(unit_id=s.units["ls"].id, kind="01", title=unique("通知"), content="内容", state="published",
                   published_at=dt.datetime.now(dt.UTC))
    db.session.add(plain)
    db.session.commit()
    assert client.get(f"/portal/notice/{plain.id}").status_code == 200


def test_publish_only_by_the_committees_unit(season, login):
    tallied(season)
    for who in ("ls_zjj_admin", "sc_admin"):
        r = publish(login(who), season.activity, 1, 48)
        assert r.status_code in (403, 404) or (r.status_code == 302 and "/login" in r.headers["Location"])
    assert publicity_of(season.activity) is None
    # the province above reads the page (the passers), without the form
    r = login("sc_admin").get(f"/title/publicity/{season.activity.id}/")
    assert r.status_code == 200 and season.applications[0].name in text(r) and "title-publicity-form" not in text(r)
    assert season.applications[0].id_number not in text(r)


def test_feedback(season, login, client):
    from app.services.title import publicity as service
    from app.services.title.common import TitleError
    from models.title.meeting import Objection

    tallied(season)
    s = season
    assert publish(login("ls_admin"), s.activity, -0.01, 48).status_code == 302
    pub = publicity_of(s.activity)
    url = f"/title/publicity-portal/{pub.id}/feedback"
    # anonymous: to login, nothing stored
    r = client.get(url)
    assert r.status_code == 302 and "/login" in r.headers["Location"] and "next=" in r.headers["Location"]
    r = client.post(url, data={"application": s.applications[0].id, "reason": "论文抄袭"})
    assert r.status_code in (302, 400) and count(Objection, activity_id=s.activity.id) == 0
    # a person's account
    who = person(s.units["jzy"])
    c = login(who.username)
    r = c.get(url)
    assert r.status_code == 200 and s.applications[0].name in text(r)
    assert s.applications[2].name not in text(r) and s.applications[0].id_number not in text(r)
    # forged: a failer, a non-passer of another activity, garbage — refused, nothing stored
    other = meeting_season(applicants=1)
    for forged in (s.applications[2].id, other.applications[0].id, "abc", "99999999", ""):
        r = c.post(url, data={"application": forged, "reason": "论文抄袭", "phone": "13900001111"})
        assert r.status_code == 200 and "请选择被投诉人" in text(r), forged
    r = c.post(url, data={"application": s.applications[0].id, "reason": "  "})
    assert "请填写投诉原因" in text(r)
    r = c.post(url, data={"application": s.applications[0].id, "reason": "论文抄袭", "phone": "123"})
    assert "手机号码" in text(r)
    assert count(Objection, activity_id=s.activity.id) == 0
    r = c.post(url, data={"application": s.applications[0].id, "reason": "业绩材料与实际不符", "phone": "13900001111"})
    assert r.status_code == 200 and "您的反馈已提交" in text(r)
    row = db.session.scalar(select(Objection).where(Objection.activity_id == s.activity.id))
    assert row.kind == "online" and row.application_id == s.applications[0].id and row.unit_id == s.units["ls"].id
    assert row.user_id == who.id and row.complainant_phone == "13900001111" and row.activity_id == s.activity.id
    # a unit's account may give feedback too
    r = login("ls_jx_admin").post(url, data={"application": s.applications[1].id, "reason": "资历不符"})
    assert "您的反馈已提交" in text(r)
    assert count(Objection, kind="online", activity_id=s.activity.id) == 2
    # outside the period: the page is gone and the service refuses
    shift(pub, -48, -1)
    assert c.get(url).status_code == 404
    assert c.post(url, data={"application": s.applications[0].id, "reason": "x"}).status_code == 404
    with pytest.raises(TitleError, match="不在公示期内"):
        service.feedback(who, s.activity, s.applications[0].id, "x", "")
    db.session.rollback()
    shift(publicity_of(s.activity), 1, 48)
    assert c.get(url).status_code == 404
    assert count(Objection, activity_id=s.activity.id) == 2


def offline_data(s, **kw):
    data = {"application": s.applications[0].id, "name": "王某", "id_number": id_number(), "phone": "13812345678",
            "reason": "学历造假", "result": "经核查，情况不属实，维持公示结果"}
    data.update(kw)
    return data


def test_offline_complaint_and_the_objection_list(season, login):
    from models.core.attachment import Attachment
    from models.title.meeting import Objection

    tallied(season)
    s = season
    ls = login("ls_admin")
    url = f"/title/publicity/{s.activity.id}/offline"
    # before the publicity: refused
    r = ls.post(url, data=offline_data(s))
    assert r.status_code == 200 and "尚未发布公示公告" in text(r)
    assert publish(ls, s.activity, -0.01, 48).status_code == 302
    r = ls.get(url)
    assert r.status_code == 200 and s.applications[0].id_number in text(r)  # 被投诉人: name + ID number
    # bad check digit, bad phone, forged application, missing result: refused, nothing stored
    good = id_number()
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    for data, msg in ((offline_data(s, id_number=bad), "校验位"), (offline_data(s, phone="12"), "手机号码"),
                      (offline_data(s, application=s.applications[2].id), "请选择被投诉人"),
                      (offline_data(s, application="x"), "请选择被投诉人"), (offline_data(s, result=""), "请填写处理结果")):
        r = ls.post(url, data=data)
        assert r.status_code == 200 and msg in text(r), msg
    assert count(Objection, activity_id=s.activity.id) == 0
    # with two evidence files
    data = offline_data(s)
    data["evidence"] = [(io.BytesIO(PDF), "举报材料.pdf"), (io.BytesIO(PDF), "核查记录.pdf")]
    r = ls.post(url, data=data, content_type="multipart/form-data")
    assert r.status_code == 302, re.findall(r"alert-danger[^>]*>([^<]+)<", text(r))
    row = db.session.scalar(select(Objection).where(Objection.activity_id == s.activity.id))
    assert row.kind == "offline" and row.complainant_name == "王某" and row.unit_id == s.units["ls"].id
    files = db.session.scalars(select(Attachment).where(Attachment.owner_type == "title.objection",
                                                        Attachment.owner_id == row.id)).all()
    assert sorted(f.file_name for f in files) == ["举报材料.pdf", "核查记录.pdf"]
    # the 主管部门 below may not record (not the committee's unit)
    r = login("ls_zjj_admin").post(url, data=offline_data(s))
    assert r.status_code in (403, 404) or (r.status_code == 302 and "/login" in r.headers["Location"])
    assert count(Objection, activity_id=s.activity.id) == 1
    # an online one too
    who = person(s.units["jzy"])
    pub = publicity_of(s.activity)
    r = login(who.username).post(f"/title/publicity-portal/{pub.id}/feedback",
                                 data={"application": s.applications[1].id, "reason": "职称评审业绩不实"})
    assert "您的反馈已提交" in text(r)
    # the list: the committee's unit, and the province above it
    for who_login in ("ls_admin", "sc_admin"):
        c = login(who_login)
        r = c.get(f"/title/publicity/{s.activity.id}/objections")
        page = text(r)
        assert r.status_code == 200, who_login
        assert "学历造假" in page and "职称评审业绩不实" in page and "举报材料.pdf" in page
        assert "线下投诉" in page and "我要反馈" in page
        assert s.applications[0].name in page and s.applications[1].name in page
        r = c.get("/title/publicity/objections/")
        assert r.status_code == 200 and s.activity.name in text(r)
        assert c.get(f"/attachments/download/{files[0].id}").status_code == 200
    # another city's hr: refused (its menu lacks the title line: a redirect; its scope does not hold the
    # activity: the service refuses and lists nothing), and the evidence is not downloadable
    from app.services.title import meetings
    from app.services.title import publicity as service
    from app.services.title.common import TitleError
    from tests.title.meeting_fixtures import admin

    cd = login("cd_admin")
    for url_ in (f"/title/publicity/{s.activity.id}/objections", "/title/publicity/objections/"):
        r = cd.get(url_)
        assert r.status_code in (302, 403, 404) and "学历造假" not in text(r) and s.activity.name not in text(r)
    assert cd.get(f"/attachments/download/{files[0].id}").status_code == 404
    cd_user = admin("cd_admin")
    with pytest.raises(TitleError):
        meetings.activity_for(cd_user, s.activity.id)
    assert all(a.id != s.activity.id for a, _n in service.activities_with_objections(cd_user))
    assert any(a.id == s.activity.id for a, _n in service.activities_with_objections(admin("sc_admin")))
    # the applicant units below see nothing of it
    assert login("ls_jzy_admin").get(f"/title/publicity/{s.activity.id}/objections").status_code in (403, 404, 302)


def test_a_revoked_notice_takes_the_publicity_off_the_portal(season, login, client):
    """The unit may revoke the generated notice (通知公告管理): the panel and 我要反馈 follow it."""
    from app.services.core import notices
    from models.core.notice import Notice
    from tests.title.meeting_fixtures import admin

    tallied(season)
    assert publish(login("ls_admin"), season.activity, -0.01, 48).status_code == 302
    pub = publicity_of(season.activity)
    url = f"/title/publicity-portal/{pub.id}/feedback"
    assert url in text(client.get("/"))
    notices.revoke(db.session.get(Notice, pub.notice_id), admin("ls_admin"))
    db.session.commit()
    assert url not in text(client.get("/"))
    assert client.get(f"/portal/notice/{pub.notice_id}").status_code == 404
    assert login("ls_jzy_admin").get(url).status_code == 404


def test_two_staff_publishing_at_once_make_one_publicity(season, app):
    """Two 发布 at the same moment (PostgreSQL: the activity row is locked): one publicity, one notice."""
    import threading

    from app.services.title import publicity as service
    from models.core.notice import Notice
    from models.title.activity import Activity
    from tests.title.meeting_fixtures import admin

    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    tallied(season)
    activity_id = season.activity.id
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def run(contact: str) -> None:
        with app.app_context():
            try:
                user = admin("ls_admin")
                activity = db.session.get(Activity, activity_id)
                barrier.wait()
                service.publish(user, activity, utc(1), utc(48), contact)
                db.session.commit()
            except Exception as e:  # noqa: BLE001 - collected for the assertion
                db.session.rollback()
                errors.append(e)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(c,)) for c in ("0833-1", "0833-2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    pub = publicity_of(season.activity)
    assert pub is not None and pub.contact in ("0833-1", "0833-2")
    assert count(Notice, title=f"{season.activity.name}评审结果公示") == 1
    assert db.session.get(Notice, pub.notice_id).visible_from == pub.starts_at
