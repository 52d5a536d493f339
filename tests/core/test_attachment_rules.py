"""Attachments follow the owner's rules, not visibility (issue 14, items 1 and 9).

Each slot declares its writers (which unit or person, which permission) and the review states in
which they may add or delete files; the generic /attachments/ endpoints, the module upload paths
and the bulk scan upload all go through ``attachments.check_write``. Scan slots refuse PDFs that
carry scripts or automatic actions. A refusal answers 403 (or a Chinese message) and stores or
deletes nothing.
"""

from __future__ import annotations

import io
import zlib

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.services.core import attachments
from models.commissioner.individual import Application
from models.commissioner.org import CommissionerOrg
from models.core.attachment import Attachment
from models.grassroots.team import TeamSummary
from tests.commissioner.test_individual import _fill, _register, _unit_id
from tests.conftest import unique, unit_by_name
from tests.grassroots.test_teams import EXEC, _team

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R/OpenAction[3 0 R/Fit]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
JS_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj\n"
          b"trailer<</Root 1 0 R>>\n%%EOF\n")
LAUNCH_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/OpenAction 2 0 R>>endobj\n"
              b"2 0 obj<</S/Launch/F(cmd.exe)>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def _objstm_pdf(inner: bytes) -> bytes:
    """A PDF 1.5 whose objects sit in a compressed object stream."""
    body = zlib.compress(b"5 0 " + inner)
    return (b"%PDF-1.5\n4 0 obj<</Type/ObjStm/N 1/First 4/Filter/FlateDecode/Length " + str(len(body)).encode()
            + b">>stream\n" + body + b"\nendstream\nendobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def _rows(app, owner: str, owner_id: int, slot: str) -> list[tuple[int, str, str]]:
    with app.app_context():
        return [(a.id, a.file_name, a.sha256) for a in db.session.scalars(
            select(Attachment).where(Attachment.owner_type == owner, Attachment.owner_id == owner_id,
                                     Attachment.slot == slot).order_by(Attachment.id))]


def _upload(client, owner: str, pk: int, slot: str, body: bytes, name: str, **kw):
    return client.post(f"/attachments/upload/{owner}/{pk}/{slot}", data={"file": (io.BytesIO(body), name)},
                       content_type="multipart/form-data", **kw)


# -- the review route: the intended city cannot write the home city's stamped scan --------------


def test_route_unit_cannot_write_the_home_city_scan(app, login_as):
    person = _register(app, unique("ktpatt"))
    pk = _fill(app, person, "襄阳市科学技术局", "宜昌市科学技术局")
    home, intended, province = login_as("hbkj_xy_admin"), login_as("hbkj_yc_admin"), login_as("hbkj_admin")
    owner, slot = "commissioner.application", "city_stamped"
    # a draft is the applicant's: nothing to stamp yet
    r = _upload(home, owner, pk, slot, PDF, "盖章申请表.pdf")
    assert r.status_code == 403 and "草稿" in r.get_data(as_text=True)
    assert _rows(app, owner, pk, slot) == []
    # submitted, approved by the home city and the province, pushed to the intended city
    person.post("/commissioner/my/application/submit")
    home.post(f"/commissioner/applications/review/{pk}", data={"action": "approve", "opinion": "同意"})
    province.post(f"/commissioner/applications/review/{pk}", data={"action": "approve", "opinion": "同意"})
    province.post(f"/commissioner/applications/review/{pk}",
                  data={"action": "push", "push_to": str(_unit_id(app, "宜昌市科学技术局"))})
    with app.app_context():
        rec = db.session.get(Application, pk)
        assert (rec.review_state, rec.review_unit_id) == ("pending", _unit_id(app, "宜昌市科学技术局"))
    # the home city stamps it: stored
    r = _upload(home, owner, pk, slot, PDF, "襄阳盖章申请表.pdf")
    assert r.status_code == 302
    before = _rows(app, owner, pk, slot)
    assert [n for _i, n, _h in before] == ["襄阳盖章申请表.pdf"]
    # the intended city sees the record (it sits on the route) but cannot replace nor delete the scan
    assert intended.get(f"/commissioner/applications/show/{pk}").status_code == 200
    r = intended.get(f"/commissioner/applications/review/{pk}")
    assert r.status_code == 200
    # and its page offers neither (the page asks the same rule as the endpoints)
    assert f"/attachments/delete/{before[0][0]}" not in r.get_data(as_text=True)
    assert f"/attachments/upload/{owner}/{pk}/{slot}" not in r.get_data(as_text=True)
    page = home.get(f"/commissioner/applications/review/{pk}").get_data(as_text=True)
    assert f"/attachments/delete/{before[0][0]}" in page and f"/attachments/upload/{owner}/{pk}/{slot}" in page
    r = _upload(intended, owner, pk, slot, PDF + b"%forged", "替换.pdf")
    assert r.status_code == 403 and "申请人所在地市科技局" in r.get_data(as_text=True)
    assert intended.post(f"/attachments/delete/{before[0][0]}").status_code == 403
    # nor the province, nor the applicant himself
    assert _upload(province, owner, pk, slot, PDF, "省厅.pdf").status_code == 403
    assert _upload(person, owner, pk, slot, PDF, "本人.pdf").status_code == 403
    assert person.post(f"/attachments/delete/{before[0][0]}").status_code == 403
    assert _rows(app, owner, pk, slot) == before
    # a scan carrying a script is refused even for the home city, and the stored one stays
    r = _upload(home, owner, pk, slot, JS_PDF, "带脚本.pdf", follow_redirects=True)
    assert "包含脚本或自动执行的动作" in r.get_data(as_text=True)
    assert _rows(app, owner, pk, slot) == before
    # the home city may delete its own scan
    assert home.post(f"/attachments/delete/{before[0][0]}").status_code == 302
    assert _rows(app, owner, pk, slot) == []


def test_route_unit_cannot_write_through_the_service(app, login_as):
    """The rule lives in the service: a direct save_upload (any module path) is refused the same way."""
    person = _register(app, unique("ktpsvc"))
    pk = _fill(app, person, "襄阳市科学技术局", "宜昌市科学技术局")
    person.post("/commissioner/my/application/submit")
    with app.app_context():
        from models.core.user import UnitUser

        rec = db.session.get(Application, pk)
        intended = db.session.scalar(select(UnitUser).where(UnitUser.username == "hbkj_yc_admin"))
        home = db.session.scalar(select(UnitUser).where(UnitUser.username == "hbkj_xy_admin"))
        with pytest.raises(attachments.WriteRefused):
            attachments.check_write(rec, "city_stamped", intended)
        assert attachments.can_write(rec, "city_stamped", home)


def test_legal_unit_scan_written_by_the_legal_unit_only(app, login_as):
    """The province sees every legal unit's 机构信息 but the stamped 法人申请表 is the unit's own."""
    with app.app_context():
        org_id = db.session.scalar(select(CommissionerOrg.id).where(CommissionerOrg.unit_id == unit_by_name("华中农业大学").id))
    before = _rows(app, "commissioner.org", org_id, "stamped_application")
    r = _upload(login_as("hbkj_admin"), "commissioner.org", org_id, "stamped_application", PDF, "省厅代传.pdf")
    assert r.status_code == 403
    if before:
        assert login_as("hbkj_admin").post(f"/attachments/delete/{before[0][0]}").status_code == 403
    assert _rows(app, "commissioner.org", org_id, "stamped_application") == before


# -- grassroots summary: the executing unit, only while draft or returned -------------------------


def _summary_ready(app, login_as) -> tuple[int, int]:
    pk = _team(app, login_as)
    ex = login_as(EXEC)
    ex.post(f"/grassroots/teams/run/{pk}/start", data={"started": "1", "start_date": "2027-03-01", "mode": "single"})
    ex.post(f"/grassroots/teams/run/{pk}/end", data={"ended": "1", "end_date": "2027-06-30"})
    ex.post(f"/grassroots/teams/run/{pk}/funding", data={"item": "交通费", "amount": "100"})
    ex.post(f"/grassroots/teams/run/{pk}/evaluation", data={"served": "10", "trained": "1", "techniques": "1",
                                                            "benefit": "1", "description": "效果良好"})
    ex.post(f"/grassroots/teams/run/{pk}/summary_upload", data={"file": (io.BytesIO(PDF), "总结.pdf")},
            content_type="multipart/form-data")
    with app.app_context():
        return pk, db.session.scalar(select(TeamSummary.id).where(TeamSummary.team_id == pk))


def test_grassroots_summary_files_follow_the_review_state(app, login_as):
    team, sid = _summary_ready(app, login_as)
    owner, slot = "grassroots.summary", "summary"
    ex, ex_staff = login_as(EXEC), login_as("hb_wh_ja_e1_staff")
    county, county_staff, city, city_staff = (login_as(n) for n in ("hb_wh_ja_admin", "hb_wh_ja_staff",
                                                                       "hb_wh_admin", "hb_wh_staff"))
    # draft: the executing unit adds and deletes; the managing branch (which sees it) does neither
    assert _upload(ex, owner, sid, slot, PDF, "补充.pdf").status_code == 302
    rows = _rows(app, owner, sid, slot)
    assert [n for _i, n, _h in rows] == ["总结.pdf", "补充.pdf"]
    r = _upload(county_staff, owner, sid, slot, PDF, "县里加的.pdf")
    assert r.status_code == 403 and "执行单位" in r.get_data(as_text=True)
    assert city_staff.post(f"/attachments/delete/{rows[0][0]}").status_code == 403
    assert ex.post(f"/attachments/delete/{rows[1][0]}").status_code == 302
    rows = _rows(app, owner, sid, slot)
    assert [n for _i, n, _h in rows] == ["总结.pdf"]
    # under review: nobody deletes or adds, the executing unit neither
    r = ex.post(f"/grassroots/teams/run/{team}/submit", follow_redirects=True)
    assert "总结材料已提交管理单位审核" in r.get_data(as_text=True)
    for c in (ex, ex_staff, county, county_staff, city_staff):
        assert c.post(f"/attachments/delete/{rows[0][0]}").status_code == 403
        assert _upload(c, owner, sid, slot, PDF, "审核中加的.pdf").status_code == 403
    assert "审核中" in ex_staff.post(f"/attachments/delete/{rows[0][0]}").get_data(as_text=True)
    assert _rows(app, owner, sid, slot) == rows
    # returned: the executing unit may change the files again
    county.post(f"/grassroots/summary/review/{sid}", data={"action": "return", "opinion": "请补充照片"})
    # the 总结材料 tab says why (issue 15.4), not only 已退回
    tab = ex.get(f"/grassroots/teams/run/{team}?tab=summary").get_data(as_text=True)
    assert "已退回" in tab and "请补充照片" in tab
    assert _upload(ex, owner, sid, slot, PDF, "照片.pdf").status_code == 302
    assert _upload(county_staff, owner, sid, slot, PDF, "县里加的.pdf").status_code == 403
    rows = _rows(app, owner, sid, slot)
    assert [n for _i, n, _h in rows] == ["总结.pdf", "照片.pdf"]
    # approved: closed for everyone
    ex.post(f"/grassroots/teams/run/{team}/submit")
    county.post(f"/grassroots/summary/review/{sid}", data={"action": "approve"})
    city.post(f"/grassroots/summary/review/{sid}", data={"action": "approve"})
    with app.app_context():
        assert db.session.get(TeamSummary, sid).review_state == "approved"
    for c in (ex, ex_staff, city, city_staff):
        assert _upload(c, owner, sid, slot, PDF, "通过后加的.pdf").status_code == 403
        assert c.post(f"/attachments/delete/{rows[0][0]}").status_code == 403
    # the module's own upload path says so as well
    r = ex.post(f"/grassroots/teams/run/{team}/summary_upload", data={"file": (io.BytesIO(PDF), "x.pdf")},
                content_type="multipart/form-data", follow_redirects=True)
    assert "已提交审核" in r.get_data(as_text=True)
    assert _rows(app, owner, sid, slot) == rows


# -- scans: no scripts, no automatic actions ----------------------------------------------------


@pytest.mark.parametrize("body", [
    JS_PDF,
    LAUNCH_PDF,
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/OpenAction<</S/J#61vaScript/J#53 3 0 R>>>>endobj\n%%EOF\n",
    b"%PDF-1.4\n3 0 obj<</Type/Page/AA<</O 4 0 R>>>>endobj\n%%EOF\n",
    b"%PDF-1.4\n1 0 obj<</Names<</EmbeddedFiles 5 0 R>>>>endobj\n%%EOF\n",
    b"%PDF-1.4\n6 0 obj<</Type/Annot/Subtype/RichMedia>>endobj\n%%EOF\n",
    _objstm_pdf(b"<</Type/Action/S/JavaScript/JS(app.alert(1))>>"),
    _objstm_pdf(b"<</S/Launch/F(calc.exe)>>"),
], ids=["js", "launch", "hex-escaped", "additional-actions", "embedded-file", "rich-media", "objstm-js",
        "objstm-launch"])
def test_active_pdf_content_found(body):
    assert attachments.pdf_active_content(body) == "active"


def test_clean_scans_pass_and_unreadable_ones_are_named():
    assert attachments.pdf_active_content(PDF) is None
    # a subset font name, an image whose compressed bytes happen to spell a name: not actions
    image = b"\x00\x01/JS \x02/Launch\n\xff"
    clean = (b"%PDF-1.5\n7 0 obj<</Type/Font/BaseFont/AAAAAA+SimSun>>endobj\n"
             b"8 0 obj<</Type/XObject/Subtype/Image/Filter/DCTDecode/Length 13>>stream\n" + image
             + b"\nendstream\nendobj\n" + _objstm_pdf(b"<</Type/Page/Parent 2 0 R>>")[9:])
    assert attachments.pdf_active_content(clean) is None
    # an object stream that cannot be read (not Flate) is not trusted
    odd = (b"%PDF-1.5\n4 0 obj<</Type/ObjStm/N 1/First 4/Filter/LZWDecode/Length 3>>stream\nabc\nendstream\n"
           b"endobj\n%%EOF\n")
    assert attachments.pdf_active_content(odd) == "unreadable"


def test_pypdf_javascript_refused(app, ctx):
    """A PDF written by a real library with a document-level script."""
    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    from pypdf.actions import JavaScript

    writer.add_open_action(JavaScript("app.alert('x');"))
    buf = io.BytesIO()
    writer.write(buf)
    assert attachments.pdf_active_content(buf.getvalue()) == "active"
    plain = pypdf.PdfWriter()
    plain.add_blank_page(width=595, height=842)
    buf = io.BytesIO()
    plain.write(buf)
    assert attachments.pdf_active_content(buf.getvalue()) is None


def test_script_pdf_refused_in_the_bulk_scan_upload(app, login_as):
    """打包上传 goes through save_upload: a scan with /Launch is refused, nothing stored."""
    person = _register(app, unique("ktpbulk"))
    pk = _fill(app, person, "襄阳市科学技术局", "宜昌市科学技术局")
    person.post("/commissioner/my/application/submit")
    home = login_as("hbkj_xy_admin")
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Attachment))
    r = home.post("/commissioner/files/upload", data={"file": (io.BytesIO(LAUNCH_PDF), f"{pk:05d}_测试特派员_个人申请表.pdf")},
                  content_type="multipart/form-data")
    assert "包含脚本或自动执行的动作" in r.get_data(as_text=True)
    assert _rows(app, "commissioner.application", pk, "city_stamped") == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attachment)) == count
    r = home.post("/commissioner/files/upload", data={"file": (io.BytesIO(PDF), f"{pk:05d}_测试特派员_个人申请表.pdf")},
                  content_type="multipart/form-data")
    assert "保存1个文件" in r.get_data(as_text=True)
    assert len(_rows(app, "commissioner.application", pk, "city_stamped")) == 1
