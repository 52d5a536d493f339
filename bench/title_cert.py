"""Electronic certificates (issue 19, TR-21): issuing a batch of 1,000 certificates and the public verification page.

Builds a city 人社局 with one staff account, registers a 评审发证 source of N generated persons, and takes the
user's path through the test client: 添加批次 (POST, N ids), the stamped summary PDF (POST upload), then 发放
(POST /title/cert/batch/<id>/issue: each certificate drawn with reportlab, stored, hashed, recorded) — timed.
In the same run the same reportlab page is drawn N times alone (``raw``): the ratio is issue rate / raw rate.
Then the public verification page (no login): by number + name and by the QR token, p50 over ``--runs``.

One JSON line per case: {"bench": "title.cert", …}. Goals: ≥ 25 certificates/s and ≥ 0.6 × raw; p50 ≤ 20 ms.

    .venv/bin/python -m bench.title_cert [--n 1000] [--runs 200] [--backend sqlite|postgresql|all]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
import time
import types
from typing import Any

from sqlalchemy import func, select

from bench import OUT, each_backend, migrated_app

PASSWORD = "Bench@2026x"
DOC = "乐人社函〔2026〕18号"
APPROVED = dt.date(2026, 11, 20)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def log(*a: Any) -> None:
    print(*a, file=sys.stderr, flush=True)


def _id_number(n: int) -> str:
    body = f"5111{n:06d}1980010"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def generate(app: Any, n: int) -> dict[str, Any]:
    from werkzeug.security import generate_password_hash

    from app.extensions import db
    from app.services.title import cert
    from models.core.unit import Category, Unit
    from models.core.user import UnitUser

    with app.app_context():
        sm = app.appbuilder.sm
        cats = {c.code: c for c in db.session.scalars(select(Category))}

        def unit(name: str, parent: Unit | None, region: str, cat: str) -> Unit:
            u = Unit(name=name, parent_id=parent.id if parent else None, region_code=region, nature="10", path="")
            u.categories = [cats[cat]]
            db.session.add(u)
            db.session.flush()
            u.path = (parent.path if parent else "/") + f"{u.id}/"
            u.depth = (parent.depth + 1) if parent else 0
            return u

        root = unit("平台根单位", None, "", "core.root")
        city = unit("乐山市人力资源和社会保障局", root, "511100", "title.hr")
        staff = UnitUser(first_name="发证员", last_name="", username="bench_cert", email="bench_cert@bench.invalid",
                         active=True, password=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"),
                         unit_id=city.id, is_unit_admin=True, must_change_password=False, user_type="unit", line="title")
        staff.roles = [sm.find_role("单位管理员")]
        db.session.add(staff)
        db.session.commit()
        city_id = city.id
    people = [types.SimpleNamespace(id=i + 1, name=f"王{i:04d}", id_number=_id_number(i)) for i in range(n)]

    def eligible(user: Any) -> list[Any]:
        return people if user.unit_id == city_id else []

    def facts(p: Any) -> dict[str, Any]:
        return {"holder_user_id": None, "name": p.name, "id_number": p.id_number, "series": "08", "level": "3",
                "qualification": "工程师（建筑工程）", "approved_on": APPROVED, "doc_number": DOC,
                "issuing_unit_id": city_id, "source_id": p.id}

    cert.register_source("review", "评审发证", eligible, facts)
    return {"city": city_id, "people": people}


def raw_rate(app: Any, n: int) -> float:
    """The same page drawn n times by itself (no database, no storage)."""
    from app.services.title import cert

    sample = types.SimpleNamespace(number="51202600000001", name="王0001", id_number=_id_number(1), series="工程技术",
                                   level="中级", qualification="工程师（建筑工程）", approved_on=APPROVED,
                                   doc_number=DOC, issuing_unit_name="乐山市人力资源和社会保障局")
    with app.test_request_context():
        cert.render_certificate(sample, "http://localhost/title/certificate/v/x")  # the font registered
        t0 = time.perf_counter()
        for i in range(n):
            cert.render_certificate(sample, f"http://localhost/title/certificate/v/{i:032d}")
        return n / (time.perf_counter() - t0)


def run_backend(name: str, url: str, args: argparse.Namespace) -> None:
    from app.dbutil import reset_postgres_schema
    from app.extensions import db
    from models.title import Certificate, CertificateBatch

    reset_postgres_schema(url)
    uploads = os.path.join(OUT, f"title_cert_uploads_{name}")
    shutil.rmtree(uploads, ignore_errors=True)
    app = migrated_app(url, UPLOAD_FOLDER=uploads)
    ids = generate(app, args.n)
    base = {"bench": "title.cert", "backend": name, "n": args.n}
    c = app.test_client()
    assert c.post("/login/", data={"username": "bench_cert", "password": PASSWORD}).status_code == 302
    with app.app_context():
        r = c.post("/title/cert/review/batch", data={"ids": [str(p.id) for p in ids["people"]],
                                                     "approved_on": APPROVED.isoformat(), "doc_number": DOC})
    assert r.status_code == 302, r.status_code
    with app.app_context():
        batch_id = db.session.scalar(select(func.max(CertificateBatch.id)))
    with app.app_context():
        r = c.post(f"/attachments/upload/title.cert_batch/{batch_id}/stamped",
                   data={"file": (__import__("io").BytesIO(PDF), "汇总表.pdf"), "next": "/"},
                   content_type="multipart/form-data")
    assert r.status_code == 302
    raw_before = raw_rate(app, min(args.n, 200))
    t0 = time.perf_counter()
    with app.app_context():
        r = c.post(f"/title/cert/batch/{batch_id}/issue")
    wall = time.perf_counter() - t0
    raw_after = raw_rate(app, min(args.n, 200))
    with app.app_context():
        issued = db.session.scalar(select(func.count()).select_from(Certificate).where(
            Certificate.batch_id == batch_id, Certificate.state == "issued", Certificate.sha256.is_not(None)))
        sample = db.session.scalar(select(Certificate).where(Certificate.batch_id == batch_id).limit(1))
        number, holder, token = sample.number, sample.name, sample.token
    raw = (raw_before + raw_after) / 2
    rate = issued / wall
    print(json.dumps({**base, "case": "issue_batch", "issued": issued, "wall_s": round(wall, 2),
                      "certs_per_s": round(rate, 1), "raw_per_s": round(raw, 1), "ratio": round(rate / raw, 2),
                      "goal": {"certs_per_s": 25, "ratio": 0.6}}, ensure_ascii=False), flush=True)
    web = app.test_client()
    for case, path, query in (("verify_number", "/title/certificate/verify", {"no": number, "name": holder}),
                              ("verify_token", f"/title/certificate/v/{token}", {})):
        times = []
        for _i in range(args.runs):
            t = time.perf_counter()
            with app.app_context():
                resp = web.get(path, query_string=query)
            times.append((time.perf_counter() - t) * 1000)
            assert resp.status_code == 200 and 'data-result="valid"' in resp.get_data(as_text=True)
        times.sort()
        print(json.dumps({**base, "case": case, "runs": args.runs, "p50_ms": round(times[len(times) // 2], 2),
                          "p95_ms": round(times[int(len(times) * 0.95)], 2), "goal": {"p50_ms": 20}},
                         ensure_ascii=False), flush=True)
    shutil.rmtree(uploads, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--backend", default="sqlite", choices=["all", "sqlite", "postgresql"])
    args = parser.parse_args()
    os.environ.setdefault("ENABLED_MODULES", "all")
    each_backend(args.backend, "bench_title_cert.db", lambda name, url: run_backend(name, url, args))


if __name__ == "__main__":
    main()
