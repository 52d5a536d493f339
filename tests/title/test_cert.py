"""电子证书 (TR-21) through the views: a batch's life (添加批次, 取消发证, 文号 checked, 汇总表, the stamped PDF,
发放 refused without it, exactly one of two simultaneous issues), the certificate drawn once and served
unchanged (SHA-256), its QR URL, 评审表, 撤销; the holder's own download only; the public verification page
(valid, revoked, unknown, a wrong name answering like unknown, no full ID number, rate limited); another
unit's ids refused."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import threading

import pytest
from sqlalchemy import func, select

from app.extensions import db
from tests.title.meeting_fixtures import meeting_season
from tests.title.test_review import PDF, Fresh

DOC = "乐人社函〔2026〕18号"
APPROVED = dt.date(2026, 11, 20)


@pytest.fixture()
def login(app, login_as):
    def _login(name):
        with app.app_context():
            return Fresh(app, login_as(name))

    return _login


@pytest.fixture()
def season(app, ctx, monkeypatch):
    """Three received applications of a 乐山 activity, passed and confirmed with a document number; the
    评审发证 source offers them to 乐山市人社局 (the issuing unit)."""
    from app.services.title import cert
    from models.core.unit import Unit
    from models.title import Application

    s = meeting_season(applicants=3, experts=6)
    ls = s.units["ls"]
    ids = [a.id for a in s.applications]
    for a in s.applications:
        a.result, a.approved_on, a.doc_number = "confirmed", APPROVED, DOC
    db.session.commit()

    def eligible(user):
        if user.unit_id != ls.id:
            return []
        return list(db.session.scalars(select(Application).where(Application.id.in_(ids))).all())

    def facts(a):
        return {"holder_user_id": a.user_id, "name": a.name, "id_number": a.id_number, "series": a.series,
                "level": a.level, "qualification": f"工程师（{a.major}）", "approved_on": a.approved_on,
                "doc_number": a.doc_number, "issuing_unit_id": ls.id, "source_id": a.id}

    monkeypatch.setitem(cert.SOURCES, "review", cert.Source("review", "评审发证", eligible, facts))
    s.ls_name = db.session.get(Unit, ls.id).name
    return s


def _batch_of(app_id):
    from models.title import Certificate

    return db.session.scalar(select(Certificate).where(Certificate.kind == "review", Certificate.source_id == app_id,
                                                       Certificate.state != "revoked"))


def _make_batch(c, season, ids=None, doc=DOC, date="2026-11-20"):
    ids = ids or [a.id for a in season.applications]
    return c.post("/title/cert/review/batch", data={"ids": [str(i) for i in ids], "approved_on": date,
                                                    "doc_number": doc})


def _stamp(c, batch_id):
    return c.post(f"/attachments/upload/title.cert_batch/{batch_id}/stamped",
                  data={"file": (io.BytesIO(PDF), "汇总表（盖章）.pdf"), "next": "/"},
                  content_type="multipart/form-data")


def _issued_batch(login, season):
    c = login("ls_admin")
    r = _make_batch(c, season)
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    cert = _batch_of(season.applications[0].id)
    batch_id = cert.batch_id
    _stamp(c, batch_id)
    r = c.post(f"/title/cert/batch/{batch_id}/issue")
    assert r.status_code == 302
    db.session.expire_all()
    return c, batch_id


def test_batch_lifecycle(login, season):
    from models.title import Certificate, CertificateBatch

    c = login("ls_admin")
    names = [a.name for a in season.applications]
    page = c.get("/title/cert/review/").get_data(as_text=True)
    assert all(n in page for n in names) and "添加批次" in page
    r = _make_batch(c, season)
    assert r.status_code == 302 and "/title/cert/batch/" in r.headers["Location"]
    certs = [_batch_of(a.id) for a in season.applications]
    batch = db.session.get(CertificateBatch, certs[0].batch_id)
    assert batch.state == "issuing" and batch.doc_number == DOC and batch.approved_on == APPROVED
    assert [x.number[:6] for x in certs] == ["512026"] * 3 and len({x.number for x in certs}) == 3
    assert all(len(x.number) == 14 for x in certs)
    # 未发放 no longer lists them; 发放中 lists the batch
    assert names[0] not in c.get("/title/cert/review/").get_data(as_text=True)
    assert DOC in c.get("/title/cert/review/?tab=issuing").get_data(as_text=True)
    page = c.get(f"/title/cert/batch/{batch.id}").get_data(as_text=True)
    assert all(n in page for n in names) and "导出汇总表" in page
    # 取消发证: the person goes back to 未发放
    r = c.post(f"/title/cert/batch/{batch.id}/cancel", data={"cert": str(certs[2].id)})
    assert r.status_code == 302
    db.session.expire_all()
    assert _batch_of(season.applications[2].id) is None
    assert names[2] in c.get("/title/cert/review/").get_data(as_text=True)
    # the summary sheet
    r = c.get(f"/title/cert/batch/{batch.id}/summary")
    assert r.status_code == 200 and r.data[:2] == b"PK"
    # 发放 refused without the stamped PDF: nothing changes
    r = c.post(f"/title/cert/batch/{batch.id}/issue", follow_redirects=True)
    assert "盖章" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(CertificateBatch, batch.id).state == "issuing"
    assert db.session.get(Certificate, certs[0].id).pdf_key is None
    # the stamped PDF, then 发放
    assert _stamp(c, batch.id).status_code == 302
    r = c.post(f"/title/cert/batch/{batch.id}/issue", follow_redirects=True)
    assert "已发放2张证书" in r.get_data(as_text=True)
    db.session.expire_all()
    batch = db.session.get(CertificateBatch, batch.id)
    assert batch.state == "issued" and batch.issued_at is not None
    issued = [db.session.get(Certificate, certs[i].id) for i in (0, 1)]
    assert all(x.state == "issued" and x.sha256 and x.pdf_key for x in issued)
    # a second 发放 of the same batch is refused
    r = c.post(f"/title/cert/batch/{batch.id}/issue", follow_redirects=True)
    assert "该批次已发放" in r.get_data(as_text=True)
    # no more changes to an issued batch
    r = c.post(f"/title/cert/batch/{batch.id}/cancel", data={"cert": str(issued[0].id)}, follow_redirects=True)
    assert "该批次已发放，不能再修改" in r.get_data(as_text=True)
    # 已发放 lists them
    page = c.get("/title/cert/review/?tab=issued").get_data(as_text=True)
    assert issued[0].number in page and "下载评审表" in page


def test_certificate_pdf_stored_once_with_qr(app, login, season):
    from app.services.title import cert as service
    from models.title import Certificate

    c, batch_id = _issued_batch(login, season)
    cert = _batch_of(season.applications[0].id)
    first = c.get(f"/title/cert/certificate/{cert.id}")
    assert first.status_code == 200 and first.data.startswith(b"%PDF")
    assert hashlib.sha256(first.data).hexdigest() == cert.sha256
    second = c.get(f"/title/cert/certificate/{cert.id}")
    assert second.data == first.data
    # the QR code's target: the public URL with the token (not the number), drawn by the widget
    assert f"/title/certificate/v/{cert.token}".encode() in first.data
    assert cert.number not in cert.token
    # drawing it again gives other bytes only if the page changed: the stored one is what is served
    assert db.session.scalar(select(func.count()).select_from(Certificate).where(Certificate.pdf_key == cert.pdf_key)) == 1
    # the page is one A4 landscape page
    assert first.data.count(b"/Type /Page\n") + first.data.count(b"/Type /Page ") >= 1
    # 评审表
    r = c.get(f"/title/cert/certificate/{cert.id}/form")
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    assert service.issued_for_applications([a.id for a in season.applications]) == \
        {season.applications[0].id, season.applications[1].id, season.applications[2].id}


def test_document_number_checked(login, season):
    from models.title import CertificateBatch

    c = login("ls_admin")
    before = db.session.scalar(select(func.count()).select_from(CertificateBatch))
    for doc, date, msg in (("乐人社函(2026)18号", "2026-11-20", "六角括号"),
                           ("乐人社函〔2025〕18号", "2026-11-20", "不一致"),
                           ("乐人社函〔2026〕18号", "2026-13-40", "不是有效的日期")):
        r = c.post("/title/cert/review/batch", data={"ids": [str(season.applications[0].id)], "approved_on": date,
                                                     "doc_number": doc}, follow_redirects=True)
        assert msg in r.get_data(as_text=True), doc
    # nothing given: the records' shared date and number are taken
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(CertificateBatch)) == before
    r = c.post("/title/cert/review/batch", data={"ids": [str(season.applications[0].id)]})
    assert r.status_code == 302
    db.session.expire_all()
    cert = _batch_of(season.applications[0].id)
    assert cert.doc_number == DOC and cert.approved_on == APPROVED
    # a batch's number changed in place, checked too
    r = c.post(f"/title/cert/batch/{cert.batch_id}/info", data={"approved_on": "2026-11-21",
                                                                 "doc_number": "乐人社函2026第18号"}, follow_redirects=True)
    assert "六角括号" in r.get_data(as_text=True)
    r = c.post(f"/title/cert/batch/{cert.batch_id}/info", data={"approved_on": "2026-11-21",
                                                                 "doc_number": "乐人社函〔2026〕19号"})
    db.session.expire_all()
    assert _batch_of(season.applications[0].id).doc_number == "乐人社函〔2026〕19号"


def test_foreign_ids_refused(login, season):
    from models.title import CertificateBatch

    c = login("ls_admin")
    _make_batch(c, season, ids=[season.applications[0].id, season.applications[1].id])
    cert = _batch_of(season.applications[0].id)
    other = login("ls_zjj_admin")  # another unit (主管部门) with the same rights
    assert other.get(f"/title/cert/batch/{cert.batch_id}").status_code == 404
    assert other.get(f"/title/cert/batch/{cert.batch_id}/summary").status_code == 404
    assert other.post(f"/title/cert/batch/{cert.batch_id}/issue").status_code == 404
    assert other.post(f"/title/cert/batch/{cert.batch_id}/cancel", data={"cert": str(cert.id)}).status_code == 404
    assert other.get(f"/title/cert/certificate/{cert.id}").status_code == 404
    assert other.post(f"/title/cert/certificate/{cert.id}/revoke", data={"reason": "x"}).status_code == 404
    # ids not offered to the unit are refused (the other unit's source offers nothing)
    before = db.session.scalar(select(func.count()).select_from(CertificateBatch))
    r = other.post("/title/cert/review/batch", data={"ids": [str(season.applications[2].id)], "approved_on": "2026-11-20",
                                                     "doc_number": DOC}, follow_redirects=True)
    assert "不在本单位的未发放名单中" in r.get_data(as_text=True)
    # an id already in a batch is not offered twice
    r = c.post("/title/cert/review/batch", data={"ids": [str(season.applications[0].id)], "approved_on": "2026-11-20",
                                                 "doc_number": DOC}, follow_redirects=True)
    assert "不在本单位的未发放名单中" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(CertificateBatch)) == before
    # a certificate of another batch cannot be cancelled through this one
    _make_batch(c, season, ids=[season.applications[2].id])
    third = _batch_of(season.applications[2].id)
    r = c.post(f"/title/cert/batch/{third.batch_id}/cancel", data={"cert": str(cert.id)}, follow_redirects=True)
    assert "该人员不在本批次中" in r.get_data(as_text=True)
    # an unknown kind
    assert c.get("/title/cert/nothing/").status_code == 404


def test_holder_downloads_own_only(app, login, login_as, season):
    from models.core.user import UnitUser

    _c, _batch_id = _issued_batch(login, season)
    cert = _batch_of(season.applications[0].id)
    holder = db.session.get(UnitUser, season.applications[0].user_id).username
    other = db.session.get(UnitUser, season.applications[1].user_id).username
    h = login(holder)
    page = h.get("/title/my-certificates/").get_data(as_text=True)
    assert cert.number in page and "下载证书" in page
    r = h.get(f"/title/my-certificates/{cert.id}.pdf")
    assert r.status_code == 200 and hashlib.sha256(r.data).hexdigest() == cert.sha256
    assert cert.id_number.encode() in r.data or r.data.startswith(b"%PDF")  # the font's subset hides the text
    o = login(other)
    assert o.get(f"/title/my-certificates/{cert.id}.pdf").status_code == 404
    assert cert.number not in o.get("/title/my-certificates/").get_data(as_text=True)
    # a unit's staff do not reach the holder's page
    assert login("ls_zjj_admin").get(f"/title/my-certificates/{cert.id}.pdf").status_code in (302, 403, 404)


def test_verify_page(app, login, season):
    _c, _batch_id = _issued_batch(login, season)
    cert = _batch_of(season.applications[0].id)
    web = Fresh(app, app.test_client())  # anonymous, each request in its own app context
    r = web.get("/title/certificate/verify", query_string={"no": cert.number, "name": cert.name})
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and 'data-result="valid"' in page and cert.qualification in page
    assert cert.id_number not in page and cert.id_number[-4:] in page and "****" in page
    assert DOC in page and season.ls_name in page
    # the QR code's page
    page = web.get(f"/title/certificate/v/{cert.token}").get_data(as_text=True)
    assert 'data-result="valid"' in page and cert.id_number not in page
    # unknown number, wrong name: the same answer, nothing revealed
    unknown = web.get("/title/certificate/verify", query_string={"no": "51202699999999", "name": cert.name})
    wrong = web.get("/title/certificate/verify", query_string={"no": cert.number, "name": "张三"})
    for resp in (unknown, wrong):
        text = resp.get_data(as_text=True)
        assert 'data-result="unknown"' in text and cert.qualification not in text and DOC not in text
    def strip(s):
        s = re.sub(r'(nonce|value)="[^"]*"', "", s)
        return s.replace(cert.number, "").replace("51202699999999", "").replace(cert.name, "").replace("张三", "")

    assert strip(unknown.get_data(as_text=True)) == strip(wrong.get_data(as_text=True))
    assert 'data-result="unknown"' in web.get("/title/certificate/v/not-a-token").get_data(as_text=True)
    # revoked: the page says so, with the date
    c = login("ls_admin")
    r = c.post(f"/title/cert/certificate/{cert.id}/revoke", data={"reason": ""}, follow_redirects=True)
    assert "请填写撤销原因" in r.get_data(as_text=True)
    r = c.post(f"/title/cert/certificate/{cert.id}/revoke", data={"reason": "学历造假，撤销资格"}, follow_redirects=True)
    assert "已撤销" in r.get_data(as_text=True), re.findall(r'alert[^<]*<[^<]*', r.get_data(as_text=True))
    page = web.get(f"/title/certificate/v/{cert.token}").get_data(as_text=True)
    assert 'data-result="revoked"' in page and "已撤销" in page
    assert "已撤销" in c.get("/title/cert/review/?tab=issued").get_data(as_text=True)
    # a revoked certificate no longer counts as issued, and frees its person for a new certificate
    from app.services.title import cert as service

    assert season.applications[0].id not in service.issued_for_applications([season.applications[0].id])
    assert season.applications[0].name in c.get("/title/cert/review/").get_data(as_text=True)


def test_verify_rate_limited(app):
    """20 queries a minute per address by default; here 3, on an app with the limiter on."""
    from app import create_app

    limited = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "TESTING": True,
                          "SECRET_KEY": "x", "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://",
                          "TITLE_CERT_VERIFY_LIMIT": "3 per minute"})
    web = limited.test_client()
    codes = [web.get("/title/certificate/verify", query_string={"no": f"5120260000000{i}", "name": "李四"}).status_code
             for i in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    r = web.get("/title/certificate/verify", query_string={"no": "51202600000009", "name": "李四"})
    assert r.status_code == 429 and "过于频繁" in r.get_data(as_text=True)
    with limited.app_context():
        db.session.remove()


def test_two_issues_at_once(app, login, season):
    """Two staff click 发放 at the same moment: exactly one issues (each certificate drawn once)."""
    from models.core.audit import AuditLog
    from models.title import Certificate, CertificateBatch

    c = login("ls_admin")
    d = login("ls_admin")
    _make_batch(c, season)
    batch_id = _batch_of(season.applications[0].id).batch_id
    _stamp(c, batch_id)
    barrier = threading.Barrier(2)
    texts: list[str] = []

    def run(client):
        barrier.wait()
        r = client.post(f"/title/cert/batch/{batch_id}/issue", follow_redirects=True)
        texts.append(r.get_data(as_text=True))

    threads = [threading.Thread(target=run, args=(x,)) for x in (c, d)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.session.expire_all()
    assert sum("已发放3张证书" in t for t in texts) == 1, [t[:0] for t in texts]
    assert sum("该批次已发放" in t or "database is locked" in t for t in texts) == 1
    assert db.session.get(CertificateBatch, batch_id).state == "issued"
    keys = db.session.scalars(select(Certificate.pdf_key).where(Certificate.batch_id == batch_id)).all()
    assert len(keys) == 3 and len(set(keys)) == 3 and all(keys)
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.action == "issue", AuditLog.object_id == str(batch_id))) == 1


def test_confirm_part_source(app, ctx, login):
    """The confirm part's 评审发证 source (app.services.title.confirm): a confirmed person whose issuance data
    is submitted is offered to the committee's authorizing unit, certified, and then counted as issued."""
    from app.services.title import cert as service

    if "review" not in service.SOURCES or service.SOURCES["review"].eligible.__module__ != "app.services.title.confirm":
        pytest.skip("the confirm part registers no 评审发证 source")
    s = meeting_season(applicants=1, experts=6)
    a = s.applications[0]
    if s.committee.authority_unit_id != s.units["ls"].id:
        pytest.skip("the season's committee is authorized by another unit")
    a.result, a.confirm_state, a.approved_on, a.doc_number = "confirmed", "passed", APPROVED, DOC
    a.issuance_at = dt.datetime.now(dt.UTC)
    db.session.commit()
    c = login("ls_admin")
    assert a.name in c.get("/title/cert/review/").get_data(as_text=True)
    assert c.post("/title/cert/review/batch", data={"ids": [str(a.id)]}).status_code == 302
    cert = _batch_of(a.id)
    assert cert.doc_number == DOC and cert.holder_user_id == a.user_id
    _stamp(c, cert.batch_id)
    c.post(f"/title/cert/batch/{cert.batch_id}/issue")
    db.session.expire_all()
    assert service.issued_for_applications([a.id]) == {a.id}
    assert a.name not in c.get("/title/cert/review/").get_data(as_text=True)
