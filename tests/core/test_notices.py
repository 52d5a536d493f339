"""通知公告 (P-11) with attachments (P-17) and the public portal."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from app.extensions import db
from models.core.attachment import Attachment
from models.core.notice import Notice
from tests.conftest import Client, unique

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _notice_id(app, title: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Notice.id).where(Notice.title == title))


def test_notice_lifecycle_and_portal(app, login_as):
    c = login_as("hb_admin")
    title = unique("关于开展年度专家服务基层工作的通知")
    r = c.post("/notices/add", data={"kind": "01", "title": title, "content": "各市：\n请按要求报送。"})
    assert r.status_code == 302
    pk = _notice_id(app, title)
    anon = Client(app)
    # not yet published: not on the portal, its page is 404
    assert title not in anon.get("/portal/").get_data(as_text=True)
    assert anon.get(f"/portal/notice/{pk}").status_code == 404
    # attachments: the Chinese name is kept, the kind comes from the content
    r = c.post(f"/attachments/upload/core.notice/{pk}/files",
               data={"file": (io.BytesIO(PDF), "职称申报材料.pdf"), "next": f"/notices/show/{pk}"},
               content_type="multipart/form-data")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/notices/show/{pk}")
    r = c.post(f"/attachments/upload/core.notice/{pk}/files",
               data={"file": (io.BytesIO(b"MZ\x90\x00 not a pdf at all"), "伪装.pdf")},
               content_type="multipart/form-data")
    with app.app_context():
        rows = db.session.scalars(select(Attachment).where(Attachment.owner_id == pk,
                                                           Attachment.owner_type == "core.notice")).all()
        assert [a.file_name for a in rows] == ["职称申报材料.pdf"] and rows[0].kind == "pdf"
        att_id = rows[0].id
    page = c.get(f"/notices/show/{pk}").get_data(as_text=True)
    assert "职称申报材料.pdf" in page and "内容不是允许的类型" in page
    # a draft's file is not public
    assert anon.get(f"/attachments/download/{att_id}").status_code == 404
    # publish: on the portal home, in its type, found by search, file downloadable by anyone
    r = c.post("/notices/action_post", data={"action": "publish", "rowid": [str(pk)]})
    assert r.status_code == 302
    home = anon.get("/").get_data(as_text=True)
    assert title in home and "登录入口" in home
    assert title in anon.get("/portal/?kind=01").get_data(as_text=True)
    assert title not in anon.get("/portal/?kind=02").get_data(as_text=True)
    assert title in anon.get("/portal/?q=" + title[:8]).get_data(as_text=True)
    detail = anon.get(f"/portal/notice/{pk}").get_data(as_text=True)
    assert "请按要求报送" in detail and "湖北省人力资源和社会保障厅" in detail
    r = anon.get(f"/attachments/download/{att_id}")
    assert r.status_code == 200 and r.data == PDF
    assert "filename*=UTF-8''%E8%81%8C%E7%A7%B0" in r.headers["Content-Disposition"]
    # a published notice cannot be deleted; revoke takes it off the portal
    c.post(f"/notices/delete/{pk}")
    assert _notice_id(app, title) == pk
    c.post("/notices/action_post", data={"action": "revoke", "rowid": [str(pk)]})
    assert anon.get(f"/portal/notice/{pk}").status_code == 404
    assert anon.get(f"/attachments/download/{att_id}").status_code == 404
    # another branch neither manages nor uploads to it
    other = login_as("sc_admin")
    assert other.get(f"/notices/show/{pk}").status_code == 404
    r = other.post(f"/attachments/upload/core.notice/{pk}/files",
                   data={"file": (io.BytesIO(PDF), "x.pdf")}, content_type="multipart/form-data")
    assert r.status_code == 404
    assert other.post(f"/attachments/delete/{att_id}").status_code == 404
    assert other.get(f"/attachments/download/{att_id}").status_code == 404
    # staff of the own unit read it but hold no edit right: cannot delete the file
    staff = login_as("hb_staff")
    assert staff.post(f"/attachments/delete/{att_id}").status_code in (403, 404)
    # the owner deletes the file; the row and the stored file go together
    r = c.post(f"/attachments/delete/{att_id}", data={"next": "//evil.example/"})
    assert r.status_code == 302 and "evil.example" not in r.headers["Location"]
    with app.app_context():
        assert db.session.get(Attachment, att_id) is None
    c.post(f"/notices/delete/{pk}")
    assert _notice_id(app, title) is None


def test_oversized_and_empty_uploads_refused(app, login_as):
    c = login_as("hb_admin")
    title = unique("附件检查")
    c.post("/notices/add", data={"kind": "02", "title": title, "content": "内容"})
    pk = _notice_id(app, title)
    big = PDF + b"0" * (51 * 1024 * 1024)
    r = c.post(f"/attachments/upload/core.notice/{pk}/files", data={"file": (io.BytesIO(big), "大文件.pdf")},
               content_type="multipart/form-data", follow_redirects=True)
    assert "超过50MB" in r.get_data(as_text=True)
    r = c.post(f"/attachments/upload/core.notice/{pk}/files", data={"file": (io.BytesIO(b""), "空.pdf")},
               content_type="multipart/form-data", follow_redirects=True)
    assert re.search("是空的", r.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(select(Attachment).where(Attachment.owner_id == pk,
                                                          Attachment.owner_type == "core.notice")) is None
