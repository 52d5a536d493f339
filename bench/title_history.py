"""The historical title import (TR-22) at size, through the app's own web paths.

Generates a workbook of 100,000 historical titles (XlsxWriter; valid ID numbers, one document number, the
unit's kept historical institution, review dates before approval dates in the document's year), builds the
app on its own database, logs in as the unit's administrator and does what a user does: 下一步 on
/title/history/start (way + 职称文件文号), POST the file to the pipeline's upload page (a large file is
checked by a background job, followed through /jobs/<id>/status), opens the preview, POSTs the commit (a
job: INSERT … SELECT from the staged rows) and follows it to the end; then opens the 待提交 batch (the
社保风险 checks run once). The raw python-calamine read of the same bytes is measured before and after
(interleaved) and the ratio printed; peak memory as in bench/imports.py.

    ENABLED_MODULES=title .venv/bin/python -m bench.title_history [--rows 100000] [--backend all|sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import re
import sys
import time
from typing import Any

os.environ.setdefault("ENABLED_MODULES", "title")

from bench import HERE, each_backend, migrated_app  # noqa: E402
from bench.imports import RssPeak, id_number, log, raw_read, wait_job  # noqa: E402

PASSWORD = "Bench@2026"
HEADERS = ["行政区划代码", "*姓名", "*证件号码", "性别", "出生日期", "工作单位", "*职称系列", "*职称层级", "*资格名称", "专业",
           "*评审机构", "评审时间", "*批准时间", "纸质证书编号"]
INSTITUTION = "基准市原工程技术职称评审委员会"
DOC = "基人社职〔2015〕88号"
QUALS = [("中级", "工程师"), ("副高级", "高级工程师"), ("助理级", "助理工程师")]


def workbook(rows: int) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"constant_memory": True, "in_memory": True})
    ws = wb.add_worksheet("历史职称数据")
    ws.write_row(0, 0, HEADERS)
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    reviewed, approved = dt.datetime(2015, 5, 20), dt.datetime(2015, 9, 1)
    for i in range(rows):
        idn, birth, male = id_number(i)
        level, qual = QUALS[i % 3]
        # the dates as Excel dates (what a filled-in sheet holds), the rest as text
        ws.write_row(i + 1, 0, ["511100", f"持证人{i}", idn, "男" if male else "女"])
        ws.write_datetime(i + 1, 4, dt.datetime(birth.year, birth.month, birth.day), day)
        ws.write_row(i + 1, 5, ["基准测试单位", "工程技术人员", level, qual, "建筑工程", INSTITUTION])
        ws.write_datetime(i + 1, 11, reviewed, day)
        ws.write_datetime(i + 1, 12, approved, day)
        ws.write_string(i + 1, 13, f"GC{i:08d}")
    wb.close()
    return buf.getvalue()


def build_app(url: str) -> Any:
    app = migrated_app(url, UPLOAD_FOLDER=os.path.join(HERE, "out", "uploads"))
    with app.app_context():
        from sqlalchemy import select, text

        from app.extensions import db
        from app.services.core import users as user_service
        from app.services.core.units import assign_path
        from models.core.unit import Category, Unit
        from models.title.history import HistoryInstitution

        unit = Unit(name="基准测试单位", credit_code=None, parent_id=None, path="")
        unit.categories = list(db.session.scalars(select(Category)))
        db.session.add(unit)
        db.session.flush()
        assign_path(unit, None)
        user_service.create_user(unit, username="bench_history", name="采集人", phone="13900000001",
                                 password=PASSWORD, is_admin=True, commit=False)
        db.session.add(HistoryInstitution(unit_id=unit.id, owner_unit_id=unit.id, name=INSTITUTION, series="08",
                                          levels="2,3,4"))
        db.session.commit()
        db.session.execute(text("UPDATE ab_user SET must_change_password = false WHERE username = 'bench_history'"))
        db.session.commit()
    return app


def pipeline(client: Any, data: bytes, rows: int) -> dict[str, Any]:
    stages: dict[str, float] = {}
    t0 = time.perf_counter()
    r = client.post("/title/history/start", data={"way": "review", "doc_number": DOC})
    assert r.status_code == 302 and "/imports/title.history.review/" in r.headers["Location"], r.headers.get("Location")
    r = client.post(r.headers["Location"], data={"file": (io.BytesIO(data), "历史职称.xlsx")},
                    content_type="multipart/form-data")
    assert r.status_code == 302, (r.status_code, r.get_data(True)[:300])
    stages["upload_request_s"] = time.perf_counter() - t0
    t = time.perf_counter()
    if "/jobs/" in r.headers["Location"]:
        st, _seen = wait_job(client, r.headers["Location"])
        assert st["state"] == "done", st
        link = st["link"]
    else:
        link = r.headers["Location"]
    stages["check_s"] = time.perf_counter() - t
    t = time.perf_counter()
    page = client.get(link).get_data(as_text=True)
    assert f"检查通过{rows}条" in page, re.findall(r"检查(?:通过|失败)\d+条", page)
    stages["preview_s"] = time.perf_counter() - t
    batch_id = int(link.rstrip("/").split("/")[-1])
    t = time.perf_counter()
    r = client.post(f"/imports/batch/{batch_id}/commit")
    assert r.status_code == 302, r.status_code
    if "/jobs/" in r.headers["Location"]:
        st, _seen = wait_job(client, r.headers["Location"])
        assert st["state"] == "done", st
    stages["commit_s"] = time.perf_counter() - t
    total = time.perf_counter() - t0
    return {"seconds": total, "batch": batch_id, "stages": {k: round(v, 2) for k, v in stages.items()}}


def run_backend(name: str, url: str, rows: int, data: bytes) -> None:
    from sqlalchemy import func, select

    from app.dbutil import reset_postgres_schema
    from app.extensions import db
    from models.title.history import HistoryGroup, HistoryTitle

    reset_postgres_schema(url)
    app = build_app(url)
    client = app.test_client()
    r = client.post("/login/", data={"username": "bench_history", "password": PASSWORD})
    assert r.status_code == 302, "login failed"
    raw1 = raw_read(data)
    with RssPeak() as mem:
        result = pipeline(client, data, rows)
    raw2 = raw_read(data)
    with app.app_context():
        imported = db.session.scalar(select(func.count()).select_from(HistoryTitle))
        group_id = db.session.scalar(select(HistoryGroup.id))
    t = time.perf_counter()
    assert client.get(f"/title/history/group/{group_id}").status_code == 200  # the risk checks run once
    assess_s = time.perf_counter() - t
    raw = (raw1 + raw2) / 2
    rate = rows / result["seconds"]
    print(json.dumps({
        "backend": name, "case": "title_history_import", "rows": rows, "file_mb": round(len(data) / 1048576, 1),
        "seconds": round(result["seconds"], 2), "rows_per_s": round(rate), "goal_rows_per_s": 15000,
        "raw_read_s": round(raw, 2), "raw_rows_per_s": round(rows / raw), "ratio": round(rate / (rows / raw), 2),
        "goal_ratio": 0.4, "peak_growth_mb": mem.growth_mb, "stages": result["stages"], "imported": imported,
        "first_view_with_risk_checks_s": round(assess_s, 2),
    }, ensure_ascii=False), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--backend", default="all")
    args = parser.parse_args()
    log(f"writing {args.rows} rows")
    data = workbook(args.rows)
    each_backend(args.backend, "title_history.db", lambda name, url: run_backend(name, url, args.rows, data))


if __name__ == "__main__":
    sys.exit(main())
