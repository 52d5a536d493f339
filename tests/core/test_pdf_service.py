"""The PDF service (issue 13 item 3): one service, two renderers chosen per document kind, the
font registered once, every document laid out in one pass; and the zip
bundles of many PDFs as background jobs with progress and safe entry names (issue 14 item 7)."""

from __future__ import annotations

import collections
import io
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from types import SimpleNamespace
from typing import Any

import pypdf
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.services.commissioner import bundles
from app.services.documents import pdf, pdf_rl
from models.commissioner.individual import Agreement, Application
from models.commissioner.team import TeamAgreement, TeamApplication
from models.core.document import Job
from models.core.unit import Unit
from models.core.user import UnitUser
from models.experts.expert import Expert
from tests.experts.test_jobs import _wait


def text_of(data: bytes) -> str:
    """The text of a PDF: pdftotext when poppler is installed, else pypdf."""
    if shutil.which("pdftotext"):
        out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True)
        return out.stdout.decode("utf-8")
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)


def squeeze(s: str) -> str:
    return "".join(s.split())


def embedded_fonts(data: bytes) -> set[str]:
    """The fonts whose program is embedded in the PDF."""
    found = set()
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            desc = font.get("/FontDescriptor")
            if desc is not None and "/FontFile2" in desc.get_object():
                found.add(str(font["/BaseFont"]))
    return found


def assert_chinese_pdf(data: bytes, *words: str) -> str:
    assert data[:5] == b"%PDF-" and data.rstrip().endswith(b"%%EOF")
    assert any("WenQuanYiMicroHei" in f for f in embedded_fonts(data)), embedded_fonts(data)
    txt = squeeze(text_of(data))
    for word in words:
        assert squeeze(word) in txt, (word, txt[:300])
    return txt


@pytest.fixture()
def as_user(app):
    """A request context logged in as a user (the services mask personal data by the user's rights)."""
    from flask import g
    from flask_login import login_user

    def enter(username: str) -> Any:
        ctx = app.test_request_context("/")
        ctx.push()
        user = db.session.scalar(select(UnitUser).where(UnitUser.username == username))
        login_user(user)
        g.user = user
        return ctx

    pushed: list[Any] = []
    yield lambda username: pushed.append(enter(username))
    for ctx in reversed(pushed):
        db.session.remove()
        ctx.pop()


# -- renderers ---------------------------------------------------------------------------------


def test_html_renderer_writes_chinese_with_the_page_count(app, as_user):
    as_user("center_admin")
    expert = db.session.scalars(select(Expert).order_by(Expert.id)).first()
    from app.services import experts as expert_service

    data = pdf.render("pdf/expert_sheet.html", **expert_service.sheet_context(expert))
    txt = assert_chinese_pdf(data, "专家信息表", expert.name, "基本信息", "所获荣誉、称号", "第1页")
    assert "本人承诺以上信息真实、准确。" in txt


def test_the_footer_counts_pages_in_one_pass(app, as_user):
    as_user("center_admin")
    rows = "".join(f"<tr><th>第{i}行</th><td>很长的内容</td></tr>" for i in range(90))
    html = ('<html><head><style>@page { size: a4 portrait; margin: 2cm; '
            '@frame footer { -pdf-frame-content: footer; bottom: 1cm; height: 1cm; } }</style>'
            '<style>body, td, th, div { font-family: "WQY"; -pdf-word-wrap: CJK; }</style></head>'
            f'<body><h1>分页测试</h1><table class="form">{rows}</table>'
            '<div id="footer">第 <pdf:pagenumber> 页</div></body></html>')
    data = pdf._convert(html)
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    assert len(pages) >= 2
    txt = squeeze(text_of(data))
    # one layout pass: the HTML footer numbers the pages without the total
    assert "第1页" in txt and f"第{len(pages)}页" in txt and "共" not in txt
    # the reportlab renderer's own canvas knows the total when it saves the document
    form = pdf_rl.Form("分页测试", "副标题", [pdf_rl.Wide(f"第{i}行", "很长的内容" * 8) for i in range(80)])
    data = pdf_rl.draw(form)
    n = len(pypdf.PdfReader(io.BytesIO(data)).pages)
    assert n >= 2 and f"第{n}页，共{n}页" in squeeze(text_of(data))


def _commissioner_records() -> dict[str, Any]:
    approved = Application.review_state == "approved"
    return {
        "commissioner_application": db.session.scalars(select(Application).where(approved).order_by(Application.id)).first(),
        "commissioner_agreement": db.session.scalars(select(Agreement).order_by(Agreement.id)).first(),
        "commissioner_team_application": db.session.scalars(
            select(TeamApplication).where(TeamApplication.review_state == "approved")).first(),
        "commissioner_team_agreement": db.session.scalars(select(TeamAgreement).order_by(TeamAgreement.id)).first(),
        "commissioner_org_sheet": db.session.scalar(select(Unit).where(Unit.name == "华中农业大学")),
    }


def _service_pdf(kind: str, rec: Any) -> bytes:
    from app.services.commissioner import individual, org, team

    return {"commissioner_application": individual.sheet_pdf, "commissioner_agreement": individual.agreement_pdf,
            "commissioner_team_application": team.sheet_pdf, "commissioner_team_agreement": team.agreement_pdf,
            "commissioner_org_sheet": org.sheet_pdf}[kind](rec)


@pytest.mark.parametrize("kind", ["commissioner_application", "commissioner_agreement", "commissioner_team_application",
                                  "commissioner_team_agreement", "commissioner_org_sheet"])
def test_reportlab_layouts_say_what_their_html_templates_say(app, as_user, kind):
    """The services render the fixed-layout kinds with reportlab; sent back to the HTML renderer
    (PDF_RENDERERS) the same document has the very same text."""
    as_user("hbkj_admin")
    rec = _commissioner_records()[kind]
    assert rec is not None
    assert pdf.renderer_of(kind) == "reportlab"
    fast = _service_pdf(kind, rec)
    app.config["PDF_RENDERERS"] = {kind: "html"}
    try:
        assert pdf.renderer_of(kind) == "html"
        slow = _service_pdf(kind, rec)
    finally:
        app.config["PDF_RENDERERS"] = {}
    title = {"commissioner_application": "湖北省科技特派员个人申请表", "commissioner_agreement": "湖北省科技特派员个人服务协议",
             "commissioner_team_application": "湖北省法人科技特派员团队申请表",
             "commissioner_team_agreement": "湖北省法人科技特派员团队服务协议",
             "commissioner_org_sheet": "湖北省法人科技特派员派出单位申请表"}[kind]
    fast_text = assert_chinese_pdf(fast, title, "第1页，共1页")
    slow_text = assert_chinese_pdf(slow, title, "第1页")
    # the same text, but for the total in the reportlab footer
    assert collections.Counter(fast_text.replace("，共1页", "", 1)) == collections.Counter(slow_text)
    assert pypdf.PdfReader(io.BytesIO(fast)).metadata.title == title
    if kind.endswith("agreement"):
        assert "省科技厅（盖章）" in fast_text


def test_the_registry_chooses_a_renderer_per_kind(app):
    with app.app_context():
        assert {k: pdf.renderer_of(k) for k in pdf.KINDS} == {
            "expert_sheet": "html", "commissioner_application": "reportlab", "commissioner_agreement": "reportlab",
            "commissioner_team_application": "reportlab", "commissioner_team_agreement": "reportlab", "commissioner_org_sheet": "reportlab"}
        assert set(pdf.RENDERERS) == {"html", "reportlab"}
        assert set(pdf_rl.LAYOUTS) == {k for k, spec in pdf.KINDS.items() if spec.layout}
        for spec in pdf.KINDS.values():  # every kind keeps its HTML template
            assert os.path.exists(os.path.join(app.root_path, "templates", spec.template))
        with pytest.raises(pdf.PdfError):
            pdf.document("no_such_kind")
        with pytest.raises(pdf.PdfError):
            pdf.document("commissioner_agreement", renderer="word")
        with pytest.raises(pdf.PdfError):  # a template-only kind has no fixed layout
            pdf.document("expert_sheet", renderer="reportlab")


def test_the_font_is_read_once_per_process(app, as_user, monkeypatch):
    from reportlab.pdfbase import pdfmetrics, ttfonts

    as_user("center_admin")
    expert = db.session.scalars(select(Expert).order_by(Expert.id)).first()
    from app.services import experts as expert_service

    pdf.render("pdf/expert_sheet.html", **expert_service.sheet_context(expert))
    font = pdfmetrics.getFont(pdf.FONT_NAME)
    calls = collections.Counter()
    real_font = ttfonts.TTFont.__init__

    def counting_font(self: Any, *a: Any, **kw: Any) -> None:
        calls["font"] += 1
        real_font(self, *a, **kw)

    monkeypatch.setattr(ttfonts.TTFont, "__init__", counting_font)
    for _i in range(2):
        pdf.render("pdf/expert_sheet.html", **expert_service.sheet_context(expert))
        pdf_rl.draw(pdf_rl.Form("标题", "副标题", [pdf_rl.Section("基本信息")]))
    assert calls["font"] == 0  # no font file read again
    assert pdfmetrics.getFont(pdf.FONT_NAME) is font


def test_values_are_escaped_and_keep_their_line_breaks(app):
    with app.app_context():
        form = pdf_rl.Form("<b>标题</b>", "a & b", [pdf_rl.Wide("个人介绍", "第一行\n第二行 <script>")])
        txt = text_of(pdf_rl.draw(form))
    assert "<b>标题</b>" in txt and "a&b" in squeeze(txt) and "<script>" in txt
    assert re.search(r"第一行\s*\n\s*第二行", txt)


# -- zip bundles -------------------------------------------------------------------------------


def test_zip_entry_names_cannot_escape_the_archive(tmp_path):
    """Issue 14 item 7: entry names come from ids and sanitized names only."""
    records = [SimpleNamespace(id=12, name="x/../../../../tmp/zipslip"), SimpleNamespace(id=13, name="..\\..\\evil"),
               SimpleNamespace(id=14, name="/etc/passwd"), SimpleNamespace(id=15, name="C:\\Windows\\x\x00y")]
    body, n = bundles.zip_sheets(records, label=lambda r: r.name, sheet=lambda r: b"%PDF-1.4 test",
                                 sheet_name="个人申请表", agreement_of=lambda r: None)
    assert n == 4
    z = bundles.ZipBuilder()
    z.add("../../../../tmp/zipslip.pdf", b"1")
    z.add("/abs/path.pdf", b"2")
    z.add("..", b"3")
    z.add("正常的名字.pdf", b"4")
    z.add("正常的名字.pdf", b"5")
    names = zipfile.ZipFile(io.BytesIO(body)).namelist() + zipfile.ZipFile(io.BytesIO(z.finish())).namelist()
    for name in names:
        assert "/" not in name and "\\" not in name and ".." not in name and "\x00" not in name, name
        assert not name.startswith(".") and ":" not in name, name
    assert names[0].startswith("00012_x") and names[0].endswith("_个人申请表.pdf")
    assert "正常的名字.pdf" in names and "正常的名字(2).pdf" in names
    target = tmp_path / "out"
    zipfile.ZipFile(io.BytesIO(body)).extractall(target)
    for root, _dirs, files in os.walk(tmp_path):
        for f in files:
            assert os.path.realpath(os.path.join(root, f)).startswith(str(target.resolve()))
    assert len(os.listdir(target)) == 4 and not os.path.exists("/tmp/zipslip_个人申请表.pdf")
    assert bundles.safe_name("a" * 300 + ".pdf").endswith(".pdf") and len(bundles.safe_name("a" * 300 + ".pdf")) <= 120


def test_a_large_bundle_runs_as_a_job_with_progress(app, login_as):
    prov = login_as("hbkj_admin")
    small = zipfile.ZipFile(io.BytesIO(prov.get("/commissioner/files/bundle/individual").data)).namelist()  # below: direct
    app.config["BUNDLE_JOB_FILES"] = 2
    try:
        r = prov.get("/commissioner/files/bundle/individual")
    finally:
        app.config.pop("BUNDLE_JOB_FILES")
    assert r.status_code == 302 and "/jobs/" in r.headers["Location"], r.status_code
    job_id = int(r.headers["Location"].rstrip("/").split("/")[-1])
    assert "任务状态" in prov.get(f"/jobs/{job_id}").get_data(as_text=True)
    st = _wait(prov, job_id, timeout=120)
    assert st["state"] == "done" and st["percent"] == 100 and st["has_result"], st
    with app.app_context():
        from app.security.scope import scope_clause

        user = db.session.scalar(select(UnitUser).where(UnitUser.username == "hbkj_admin"))
        in_scope = db.session.scalar(select(func.count()).select_from(Application).where(
            scope_clause(Application, user)))
        job = db.session.get(Job, job_id)
        assert job.kind == "commissioner_bundle" and job.result_name.endswith(".zip") and "个人申请表" in job.result_name
    assert st["total"] == st["progress"] == in_scope > 2
    body = prov.get(f"/jobs/{job_id}/download").data
    zf = zipfile.ZipFile(io.BytesIO(body))
    assert zf.testzip() is None
    names = zf.namelist()
    assert sorted(names) == sorted(small)  # the same bundle as the direct download
    sheets = [n for n in names if n.endswith("_个人申请表.pdf")]
    # one sheet per record (other tests' uploaded scans may be named like a sheet too)
    assert len({n[:5] for n in sheets}) == in_scope
    for name in names:
        assert re.match(r"^\d{5}_[^/\\]+$", name) and ".." not in name, name
    assert "湖北省科技特派员个人申请表" in squeeze(text_of(zf.read(sheets[0])))
    # only the user who started it may follow it
    assert login_as("hbkj_yc_admin").get(f"/jobs/{job_id}/status").status_code == 404


def test_the_bundle_job_reports_each_record(app):
    from views.commissioner import files

    seen: list[tuple[int, int]] = []
    with app.app_context():
        user = db.session.scalar(select(UnitUser).where(UnitUser.username == "hbkj_admin"))
        job = SimpleNamespace(id=0, user_id=user.id, params='{"what": "team"}')
        key, name, message = files.bundle_job_runner(job, lambda done, total: seen.append((done, total)))
        from app.security.scope import scope_clause

        total = db.session.scalar(select(func.count()).select_from(TeamApplication).where(
            scope_clause(TeamApplication, user)))
        from app.services.core.attachments import storage

        with storage().open(key) as fh:
            names = zipfile.ZipFile(io.BytesIO(fh.read())).namelist()
        db.session.remove()
    assert seen == [(i, total) for i in range(1, total + 1)]
    assert name == f"团队申请表_{total}份.zip" and message == f"共打包{total}份"
    assert len({n[:5] for n in names if n.endswith("_团队申请表.pdf")}) == total
    # a user whose unit has no such bundle gets none, whatever the job says
    with app.app_context():
        city = db.session.scalar(select(UnitUser).where(UnitUser.username == "hbkj_yc_admin"))
        with pytest.raises(bundles.BundleError):
            files.bundle_job_runner(SimpleNamespace(id=0, user_id=city.id, params='{"what": "team"}'),
                                    lambda d, t: None)
        db.session.remove()


def test_pdf_tools_agree_on_a_png(app, as_user):
    """The page renders to an image (the check the documents section asks for) when poppler is here."""
    if not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils is not installed")
    as_user("hbkj_admin")
    data = _service_pdf("commissioner_agreement", _commissioner_records()["commissioner_agreement"])
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "a.pdf")
        with open(src, "wb") as fh:
            fh.write(data)
        subprocess.run(["pdftoppm", "-r", "30", "-png", src, os.path.join(d, "p")], check=True)
        pngs = [f for f in os.listdir(d) if f.endswith(".png")]
        assert pngs and os.path.getsize(os.path.join(d, pngs[0])) > 1000
