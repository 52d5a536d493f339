"""make bench-pdf: the PDF service through the app's own paths.

Builds the app on its own database (SQLite under bench/out/; PostgreSQL too when
TEST_DATABASE_URL is set), migrates, loads the seed and the demo tree (experts, commissioner
applications, agreements, teams) plus ``--bundle`` extra applications, and then times, for a
batch of ``--n`` documents each, interleaved round-robin so that the load of the machine falls on
every case alike:

* ``xhtml2pdf_min`` / ``reportlab_min``: the raw baselines, a minimal Chinese xhtml2pdf page
  (stock ``pisa.CreatePDF`` of a heading and a paragraph, the shipped font by ``@font-face``) and
  a minimal reportlab page (one canvas line of Chinese in the shipped font, registered once);
  ``xhtml2pdf_min_latin`` is the library's floor, the same page in Latin text with no font;
* ``expert_sheet_view``: GET /experts/sheet/<id> through the test client (the 专家信息表 as a
  user downloads it: scope, masking, audit row, HTML renderer);
* ``expert_sheet_service``: the same document through ``pdf.render`` (HTML renderer);
* ``commissioner_agreement``, ``commissioner_team_agreement``, ``commissioner_application``, ``commissioner_team_application``:
  the service functions the views call (reportlab renderer);
* ``commissioner_agreement_html``: ``commissioner_agreement`` sent to its HTML template (``PDF_RENDERERS``), what
  the agreement costs without its fixed layout;
* ``expert_sheet_before``: the 专家信息表 the way it was rendered before issue 13 (stock
  ``pisa.CreatePDF``, the font by ``@font-face``, ``<pdf:pagecount>``), for before/after in one run.

Then ``bundle_job``: GET /commissioner/files/bundle/individual as the province with ``BUNDLE_JOB_FILES``
below the bundle's size, followed on /jobs/<id>/status until done, the zip downloaded and
opened. One JSON line per case: docs_per_s, p50/p95 ms, the ratio to its raw baseline, the goal,
peak RSS.

    .venv/bin/python -m bench.pdf [--n 200] [--bundle 60] [--backend all|sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import re
import resource
import statistics
import sys
import time
import zipfile
from collections.abc import Callable
from typing import Any

from bench import HERE, each_backend, migrated_app

PASSWORD = "Demo@2026"
HTML_GOAL = 10.0  # HTML-template documents per second
RL_GOAL = 25.0  # fixed-layout (reportlab) documents per second
# the raw xhtml2pdf baseline: a minimal Chinese page with the shipped font declared the way xhtml2pdf
# documents it (@font-face, read through link_callback), rendered by stock pisa.CreatePDF
MIN_HTML = ('<html><head><style>@font-face { font-family: "WQYMIN"; src: url("wqy-microhei.ttc"); }'
            ' body { font-family: "WQYMIN"; -pdf-word-wrap: CJK; }</style></head>'
            "<body><h1>证书</h1><p>这是一页最简单的 xhtml2pdf 基准页面。</p></body></html>")
# what pdf/base.html was before issue 13 (the font by @font-face, "共 N 页" by <pdf:pagecount>, so
# two layout passes), put back into the rendered 专家信息表 for the before/after line of the same run
OLD_PAGE = ('@font-face { font-family: "WQY"; src: url("wqy-microhei.ttc"); }'
            " @page { size: a4 portrait; margin: 2cm 1.8cm 2cm 1.8cm; @frame footer { -pdf-frame-content: footer;"
            " bottom: 1cm; margin-left: 1.8cm; margin-right: 1.8cm; height: 1cm; } }")
OLD_FOOTER = ('<div id="footer" style="text-align: center; font-size: 8.5pt; color: #666;">'
              "第 <pdf:pagenumber> 页，共 <pdf:pagecount> 页</div></body>")
LATIN_HTML = "<html><body><h1>Certificate</h1><p>A minimal page without any embedded font.</p></body></html>"


def log(*a: Any) -> None:
    print(*a, file=sys.stderr, flush=True)


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_app(url: str) -> Any:
    from sqlalchemy import text

    from app.extensions import db

    app = migrated_app(url, UPLOAD_FOLDER=os.path.join(HERE, "out", "uploads"))
    with app.app_context():
        from seed.demo import load_demo

        load_demo(app.appbuilder)
        db.session.execute(text("UPDATE ab_user SET must_change_password = false"))
        db.session.commit()
    return app


def add_applications(app: Any, count: int) -> None:
    """``count`` more individual applications (drafts) under the commissioner cities."""
    from sqlalchemy import select

    from app.extensions import db
    from app.services.commissioner import individual as service
    from models.core.unit import Unit

    with app.test_request_context("/"):
        cities = db.session.scalars(select(Unit).where(Unit.name.like("%市科学技术局")).order_by(Unit.id)).all()
        for i in range(count):
            home, intended = cities[i % len(cities)], cities[(i + 1) % len(cities)]
            person = service.register_person({"kind": "individual", "username": f"bench_pdf_{i}",
                                              "name": f"测试人员{i}", "phone": f"1390000{i:04d}",
                                              "password": PASSWORD})
            db.session.flush()
            service.save_profile(person, {
                "name": f"测试人员{i}", "sex": "1", "birth_ym": "198204", "native_place": "湖北武汉", "politics": "01",
                "education": "14", "workplace": "华中农业大学", "post": "副教授", "title": "副高级",
                "phone": person.phone, "city": home.id})
            db.session.flush()
            service.save_application(person, {
                "major": "果树栽培", "intended_city": intended.id, "intended_county": "无",
                "intended_enterprise": "现代农业发展有限公司", "industry": "特色水果",
                "introduction": "长期从事果树栽培技术研究与推广。" * 4, "achievements": "主持省级科技项目3项。" * 3})
            db.session.flush()
        db.session.commit()


def login(app: Any, username: str) -> Any:
    client = app.test_client()
    r = client.post("/login/", data={"username": username, "password": PASSWORD})
    assert r.status_code == 302, f"login {username}: {r.status_code}"
    return client


def summary(times: list[float]) -> dict[str, Any]:
    ordered = sorted(times)
    return {"docs": len(times), "docs_per_s": round(len(times) / sum(times), 2),
            "p50_ms": round(statistics.median(ordered) * 1000, 2),
            "p95_ms": round(ordered[math.ceil(len(ordered) * 0.95) - 1] * 1000, 2)}


def run_backend(name: str, url: str, args: argparse.Namespace) -> None:
    from flask import g, render_template
    from flask_login import login_user
    from reportlab.pdfgen.canvas import Canvas
    from sqlalchemy import select
    from xhtml2pdf import pisa

    from app.dbutil import reset_postgres_schema
    from app.extensions import db
    from app.services import experts as expert_service
    from app.services.commissioner import individual as ind
    from app.services.commissioner import team as team_service
    from app.services.documents import pdf
    from models.commissioner.individual import Agreement, Application
    from models.commissioner.team import TeamAgreement, TeamApplication
    from models.core.user import UnitUser
    from models.experts.expert import Expert

    reset_postgres_schema(url)
    t0 = time.perf_counter()
    app = build_app(url)
    add_applications(app, args.bundle)
    log(f"{name}: app, seed and {args.bundle} extra applications in {time.perf_counter() - t0:.1f}s")

    from app.security.scope import scope_clause

    viewer = login(app, "hb_admin")
    with app.app_context():
        hb = db.session.scalar(select(UnitUser).where(UnitUser.username == "hb_admin"))
        expert_id = db.session.scalars(select(Expert.id).where(scope_clause(Expert, hb)).order_by(Expert.id)).first()

    def xhtml2pdf_min(html: str = MIN_HTML) -> bytes:
        out = io.BytesIO()
        pisa.CreatePDF(html, dest=out, encoding="utf-8", path=os.path.join(pdf.FONT_DIR, "document.html"),
                       link_callback=lambda uri, rel: pdf.FONT_FILE)
        return out.getvalue()

    def old_sheet(html: str) -> str:
        """The template as it was: @font-face read per document, a two-pass page count."""
        page = re.search(r"@page \{[^{}]*(\{[^{}]*\}[^{}]*)*\}", html)
        footer = re.search(r'<div id="footer">.*?</div>\s*</body>', html, re.S)
        assert page and footer, "the PDF base template changed: update old_sheet"
        return html[:page.start()] + OLD_PAGE + html[page.end():footer.start()] + OLD_FOOTER + html[footer.end():]

    def reportlab_min() -> bytes:
        out = io.BytesIO()
        c = Canvas(out)
        c.setFont(pdf.register_font(), 14)
        c.drawString(72, 720, "证书：这是一页最简单的 reportlab 基准页面。")
        c.showPage()
        c.save()
        return out.getvalue()

    def view_sheet() -> bytes:
        with app.app_context():  # its own g and session, as a real request has, not the service cases'
            r = viewer.get(f"/experts/sheet/{expert_id}")
        assert r.status_code == 200 and r.mimetype == "application/pdf", r.status_code
        return r.data

    ctx = app.test_request_context("/")
    ctx.push()
    try:
        user = db.session.scalar(select(UnitUser).where(UnitUser.username == "hbkj_admin"))
        login_user(user)
        g.user = user
        expert = db.session.get(Expert, expert_id)
        agreement = db.session.scalars(select(Agreement).order_by(Agreement.id)).first()
        application = db.session.scalars(select(Application).where(Application.review_state == "approved")).first()
        team_agreement = db.session.scalars(select(TeamAgreement).order_by(TeamAgreement.id)).first()
        team_application = db.session.scalars(
            select(TeamApplication).where(TeamApplication.review_state == "approved")).first()

        def agreement_html() -> bytes:
            app.config["PDF_RENDERERS"] = {"commissioner_agreement": "html"}
            try:
                return ind.agreement_pdf(agreement)
            finally:
                app.config["PDF_RENDERERS"] = {}

        # case → (function, baseline case, goal)
        cases: dict[str, tuple[Callable[[], bytes], str | None, float | None]] = {
            "xhtml2pdf_min": (xhtml2pdf_min, None, None),
            "reportlab_min": (reportlab_min, None, None),
            "xhtml2pdf_min_latin": (lambda: xhtml2pdf_min(LATIN_HTML), None, None),
            "expert_sheet_view": (view_sheet, "xhtml2pdf_min", HTML_GOAL),
            "expert_sheet_service": (
                lambda: pdf.render("pdf/expert_sheet.html", **expert_service.sheet_context(expert)),
                "xhtml2pdf_min", HTML_GOAL),
            "commissioner_agreement": (lambda: ind.agreement_pdf(agreement), "reportlab_min", RL_GOAL),
            "commissioner_team_agreement": (lambda: team_service.agreement_pdf(team_agreement), "reportlab_min", RL_GOAL),
            "commissioner_application": (lambda: ind.sheet_pdf(application), "reportlab_min", RL_GOAL),
            "commissioner_team_application": (lambda: team_service.sheet_pdf(team_application), "reportlab_min", RL_GOAL),
            "commissioner_agreement_html": (agreement_html, "xhtml2pdf_min", HTML_GOAL),
            "expert_sheet_before": (
                lambda: xhtml2pdf_min(old_sheet(render_template("pdf/expert_sheet.html",
                                                                **expert_service.sheet_context(expert)))),
                "xhtml2pdf_min", None),
        }
        sizes = {}
        for case, (fn, _b, _g) in cases.items():  # warm: imports, font, template and stylesheet caches
            data = fn()
            assert data[:5] == b"%PDF-", case
            sizes[case] = len(data)
        times: dict[str, list[float]] = {case: [] for case in cases}
        rss0 = rss_mb()
        t_loop = time.perf_counter()
        for _i in range(args.n):
            for case, (fn, _b, _g) in cases.items():
                t = time.perf_counter()
                fn()
                times[case].append(time.perf_counter() - t)
        loop_s = time.perf_counter() - t_loop
        rss1 = rss_mb()
    finally:
        db.session.remove()
        ctx.pop()

    results = {case: summary(ts) for case, ts in times.items()}
    for case, (_fn, base, goal) in cases.items():
        line: dict[str, Any] = {"backend": name, "case": case, **results[case], "pdf_bytes": sizes[case]}
        if base:
            line["baseline"] = base
            line["ratio"] = round(results[case]["docs_per_s"] / results[base]["docs_per_s"], 3)
        if goal:
            line["goal_docs_per_s"] = goal
            line["met"] = results[case]["docs_per_s"] >= goal
        line["peak_rss_mb"] = round(peak_mb(), 1)
        line["rss_growth_mb"] = round(rss1 - rss0, 1)
        print(json.dumps(line, ensure_ascii=False), flush=True)
    log(f"{name}: interleaved loop {loop_s:.1f}s")
    bundle_job(app, name, results["commissioner_application"]["docs_per_s"])


def bundle_job(app: Any, name: str, sheet_rate: float) -> None:
    """The province's bundle of every individual application, through the job path."""
    client = login(app, "hbkj_admin")
    app.config["BUNDLE_JOB_FILES"] = 10
    t = time.perf_counter()
    r = client.get("/commissioner/files/bundle/individual")
    app.config.pop("BUNDLE_JOB_FILES")
    assert r.status_code == 302 and "/jobs/" in r.headers["Location"], r.status_code
    job_id = int(r.headers["Location"].rstrip("/").split("/")[-1])
    seen: list[int] = []
    while True:
        st = client.get(f"/jobs/{job_id}/status").get_json()
        if st["progress"] not in seen:
            seen.append(st["progress"])
        if st["state"] in ("done", "failed"):
            break
        time.sleep(0.2)
    elapsed = time.perf_counter() - t
    assert st["state"] == "done", st
    body = client.get(f"/jobs/{job_id}/download").data
    zf = zipfile.ZipFile(io.BytesIO(body))
    assert zf.testzip() is None
    pdfs = [n for n in zf.namelist() if n.endswith("_个人申请表.pdf")]
    rate = len(pdfs) / elapsed
    print(json.dumps({"backend": name, "case": "bundle_job", "files": len(pdfs), "seconds": round(elapsed, 2),
                      "docs_per_s": round(rate, 2), "baseline": "commissioner_application",
                      "ratio": round(rate / sheet_rate, 3),
                      "progress_seen": seen, "zip_bytes": len(body), "peak_rss_mb": round(peak_mb(), 1)},
                     ensure_ascii=False), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=200, help="documents per case")
    parser.add_argument("--bundle", type=int, default=60, help="extra applications for the bundle job")
    parser.add_argument("--backend", choices=["all", "sqlite", "postgresql"], default="all")
    args = parser.parse_args()
    each_backend(args.backend, "pdf.db", lambda name, url: run_backend(name, url, args))


if __name__ == "__main__":
    main()
