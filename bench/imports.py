"""make bench-import: the Excel import through the app's own web paths, at size.

Generates a valid experts workbook (XlsxWriter; ID numbers with their check digits, sex and
birth month agreeing with them), builds an app on its own database, logs in as a unit
administrator and then does what a user does: POST the file to /imports/experts/ (a large
file is checked by a background job; the bench polls /jobs/<id>/status like the page does),
opens the preview, POSTs the commit (a job above IMPORT_INLINE_ROWS) and follows it to the
end. The raw python-calamine read of the same bytes is measured before and after the
pipeline (interleaved) and the ratio printed; peak memory is the kernel's high-water mark of the
resident set (VmHWM, reset when the case begins; a 10 ms sampling thread where it cannot be reset),
above the RSS when the case began (the check's forked worker process is reported apart: its peak
RSS, shared pages included). A second upload of the same file must find
every row already present. Last, a workbook of template headers plus 2,000,000 rows of
empty strings (the shape that made calamine hold 1.2 GB) goes through the same upload.

One JSON line per case on stdout. SQLite always; PostgreSQL too when TEST_DATABASE_URL is
set (its schema public is dropped and recreated).

    .venv/bin/python -m bench.imports [--rows 100000] [--backend all|sqlite|postgresql]
        [--empty-rows 2000000] [--profile]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import io
import json
import os
import re
import resource
import sys
import threading
import time
import zipfile
from typing import Any

from bench import HERE, each_backend, migrated_app

PASSWORD = "Bench@2026"
HEADERS = ["国别", "*姓名", "证件类型", "*证件号码", "*性别", "*出生年月", "是否退休", "*工作单位", "主管单位",
           "*行政职务", "行政职务级别", "*联系电话1", "联系电话2", "*所获荣誉、称号", "现专业技术系列",
           "*现从事专业", "*现职称"]
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
REGIONS = ["420102", "420103", "420502", "510104", "510105", "370102", "370203", "110101"]
SERIES = ["高等学校教师", "工程技术人员", "农业技术人员", "卫生技术人员"]
TITLES = ["正高级", "副高级", "中级"]
LEVELS = ["", "县处级正职", "县处级副职", "乡科级正职"]


def log(*a: Any) -> None:
    print(*a, file=sys.stderr, flush=True)


def id_number(i: int) -> tuple[str, dt.date, bool]:
    """A unique valid 居民身份证号码 for i < 8 * 12000 * 500, with its birth date and sex."""
    region = REGIONS[i % len(REGIONS)]
    j = i // len(REGIONS)
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=j % 12000)
    male = (j // 12000) % 2 == 0
    seq = ((j // 24000) % 500) * 2 + (1 if male else 0)
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    check = "10X98765432"[sum(int(a) * w for a, w in zip(body, WEIGHTS, strict=True)) % 11]
    return body + check, birth, male


def expert_row(i: int) -> list[str]:
    number, birth, male = id_number(i)
    return ["中国", f"专家{i}", "居民身份证", number, "男" if male else "女", f"{birth:%Y%m}", "否" if i % 5 else "是",
            f"第{i % 300}研究所", "" if i % 3 else "湖北省科学技术厅", "无" if i % 4 else "所长", LEVELS[i % 4],
            f"1{3 + i % 7}{i:09d}"[:11], "" if i % 2 else f"027-{8000000 + i % 1000000}",
            "全国优秀科技工作者" if i % 7 == 0 else "无", SERIES[i % 4], "水利工程", TITLES[i % 3]]


def experts_workbook(rows: int, start: int = 0) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"constant_memory": True})
    ws = wb.add_worksheet("专家库")
    for c, h in enumerate(HEADERS):
        ws.write_string(0, c, h)
    for r in range(rows):
        for c, v in enumerate(expert_row(start + r)):
            if v:
                ws.write_string(r + 1, c, v)
    wb.close()
    return buf.getvalue()


def empty_rows_workbook(rows: int) -> bytes:
    """Template headers, then ``rows`` rows whose last column holds an empty shared string (calamine
    keeps such cells: the whole 17-column range of every row is materialised)."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf)
    ws = wb.add_worksheet("专家库")
    for c, h in enumerate(HEADERS):
        ws.write_string(0, c, h)
    wb.close()
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/sharedStrings.xml":
                text = data.decode()
                text = re.sub(r'count="(\d+)" uniqueCount="(\d+)"',
                              lambda m: f'count="{int(m.group(1)) + 1}" uniqueCount="{int(m.group(2)) + 1}"', text)
                data = text.replace("</sst>", "<si><t></t></si></sst>").encode()
            if info.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(info.filename, data)
                continue
            blank = str(len(HEADERS))  # the shared string appended above
            head, rest = data.decode().split("<sheetData>")
            first, tail = rest.split("</sheetData>")
            head = re.sub(r'<dimension ref="[^"]*"/>', "", head)
            with dst.open(info.filename, "w") as fh:
                fh.write((head + "<sheetData>" + first).encode())
                part = []
                for r in range(2, rows + 2):
                    part.append(f'<row r="{r}"><c r="Q{r}" t="s"><v>{blank}</v></c></row>')
                    if len(part) == 10000:
                        fh.write("".join(part).encode())
                        part = []
                fh.write(("".join(part) + "</sheetData>" + tail).encode())
    return out.getvalue()


def xls_workbook(rows: int, cols: int, start: int = 10_000_000, corners: bool = False, filler: bool = False) -> bytes:
    """A legacy .xls (BIFF8, xlwt): template headers and ``rows`` expert rows (extra columns beyond
    the template's filled with text), or, with ``corners``, two cells at opposite corners of the
    sheet (a 65,536 × 256 range in a few KB)."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("专家库")
    if corners:
        ws.write(0, 0, HEADERS[0])
        ws.write(65535, 255, "x")
    else:
        for c in range(cols):
            ws.write(0, c, HEADERS[c] if c < len(HEADERS) else f"备注{c}")
        for r in range(1, rows + 1):
            row = ["附加"] * cols if filler else expert_row(start + r)
            for c in range(cols):
                ws.write(r, c, row[c] if c < len(row) else "附加")
            if r % 4096 == 0:
                ws.flush_row_data()
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def run_xls(name: str, client: Any) -> None:
    """Legacy .xls uploads through the web path (the check job included): a template-shaped .xls near
    the upload limit, a denser one over IMPORT_MAX_XLS_CELLS, a tiny one whose two cells span the
    sheet; then a CSV at the row cap."""
    # (under IMPORT_MAX_BYTES, 20 MB: xlwt stores each distinct text once, a cell in 14 bytes)
    cases = [("xls_template_rows", 60000, len(HEADERS), False, False),
             ("xls_dense_refused", 65000, 20, False, True), ("xls_corners_refused", 0, 0, True, False)]
    cases.append(("csv_rows", 100000, len(HEADERS), False, False))  # the third upload kind, at the row cap
    for case, rows, cols, corners, filler in cases:
        t = time.perf_counter()
        if case.startswith("csv"):
            lines = [",".join(HEADERS)] + [",".join(expert_row(20_000_000 + r)) for r in range(rows)]
            data = ("\n".join(lines) + "\n").encode("utf-8")
        else:
            data = xls_workbook(rows, cols, corners=corners, filler=filler)
        log(f"{case}: {len(data) / 1048576:.1f} MB built in {time.perf_counter() - t:.1f}s")
        gc.collect()
        with RssPeak() as mem:
            t = time.perf_counter()
            r = upload(client, data, f"{case}.{'csv' if case.startswith('csv') else 'xls'}")
            location = r.headers.get("Location", "")
            if "/jobs/" in location:
                st, _p = wait_job(client, location)
                outcome = st["message"] if st["state"] == "failed" else re.findall(
                    r"检查(?:通过|失败)\d+条", client.get(st["link"]).get_data(as_text=True))
            elif location:
                outcome = re.findall(r"检查(?:通过|失败)\d+条", client.get(location).get_data(as_text=True))
            else:
                body = r.get_data(as_text=True)
                found = re.search(r"表格范围过大[^<]*", body) or re.search(r"(文件无法读取|数据超过)[^<]*", body)
                outcome = found.group(0).strip() if found else re.sub(r"\s+", " ", body)[:200]
            seconds = time.perf_counter() - t
        print(json.dumps({
            "backend": name, "case": case, "cells": rows * cols if not corners else 2,
            "file_mb": round(len(data) / 1048576, 1), "seconds": round(seconds, 2),
            "peak_growth_mb": mem.growth_mb, "goal_peak_growth_mb": 300, "outcome": outcome,
        }, ensure_ascii=False), flush=True)


class RssPeak:
    """The highest resident set size while running: the kernel's high-water mark (VmHWM, reset through
    /proc/self/clear_refs when the case begins), so that no sampling thread takes the GIL from the
    job's thread a hundred times a second; where the mark cannot be reset, the RSS sampled every 10 ms
    in a thread (tracemalloc is too slow)."""

    def __init__(self) -> None:
        self.base = self.peak = self.rss()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        try:
            with open("/proc/self/clear_refs", "w") as fh:
                fh.write("5")  # the peak RSS starts again from the current RSS
            self.kernel = self.hwm() > 0
        except OSError:
            self.kernel = False

    @staticmethod
    def rss() -> int:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * resource.getpagesize()

    @staticmethod
    def hwm() -> int:
        with open("/proc/self/status") as fh:
            found = re.search(r"VmHWM:\s+(\d+) kB", fh.read())
        return int(found.group(1)) * 1024 if found else 0

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, self.rss())

    def __enter__(self) -> RssPeak:
        if not self.kernel:
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
        self.peak = max(self.peak, self.rss(), self.hwm() if self.kernel else 0)

    @property
    def growth_mb(self) -> float:
        return round((self.peak - self.base) / 1048576, 1)


def raw_read(data: bytes) -> float:
    """The raw baseline: python-calamine reads the bytes and hands over every row."""
    from python_calamine import CalamineWorkbook

    t = time.perf_counter()
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    n = 0
    for _row in sheet.iter_rows():
        n += 1
    return time.perf_counter() - t


def build_app(url: str) -> Any:
    app = migrated_app(url, UPLOAD_FOLDER=os.path.join(HERE, "out", "uploads"))
    with app.app_context():
        from sqlalchemy import select, text

        from app.extensions import db
        from app.services.core import users as user_service
        from app.services.core.units import assign_path
        from models.core.unit import Category, Unit

        unit = Unit(name="基准测试单位", credit_code=None, parent_id=None, path="")
        unit.categories = list(db.session.scalars(select(Category)))
        db.session.add(unit)
        db.session.flush()
        assign_path(unit, None)
        user_service.create_user(unit, username="bench_import", name="导入", phone="13900000000",
                                 password=PASSWORD, is_admin=True, commit=False)
        db.session.commit()
        db.session.execute(text("UPDATE ab_user SET must_change_password = false WHERE username = 'bench_import'"))
        db.session.commit()
    return app


def wait_job(client: Any, location: str, timeout: float = 1800) -> tuple[dict[str, Any], list[int]]:
    job_id = int(location.rstrip("/").split("/")[-1])
    seen: list[int] = []
    end = time.time() + timeout
    while time.time() < end:
        st = client.get(f"/jobs/{job_id}/status").get_json()
        if not seen or seen[-1] != st["progress"]:
            seen.append(st["progress"])
        if st["state"] in ("done", "failed"):
            return st, seen
        time.sleep(0.1)
    raise RuntimeError(f"job {job_id} did not finish")


def upload(client: Any, data: bytes, name: str) -> Any:
    return client.post("/imports/experts/", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def pipeline(app: Any, client: Any, data: bytes, rows: int, profile: bool) -> dict[str, Any]:
    stages: dict[str, float] = {}
    t0 = time.perf_counter()
    r = upload(client, data, "专家导入.xlsx")
    assert r.status_code == 302, (r.status_code, r.get_data(True)[:300])
    stages["upload_request_s"] = time.perf_counter() - t0
    t = time.perf_counter()
    if "/jobs/" in r.headers["Location"]:  # above IMPORT_JOB_BYTES the check is a job
        st, check_progress = wait_job(client, r.headers["Location"])
        assert st["state"] == "done", st
        link = st["link"]
    else:
        link, check_progress = r.headers["Location"], []
    stages["check_job_s"] = time.perf_counter() - t
    t = time.perf_counter()
    page = client.get(link).get_data(as_text=True)
    assert f"检查通过{rows}条" in page, re.findall(r"检查(?:通过|失败)\d+条", page)
    stages["preview_s"] = time.perf_counter() - t
    batch_id = int(link.rstrip("/").split("/")[-1])
    t = time.perf_counter()
    r = client.post(f"/imports/batch/{batch_id}/commit")
    assert r.status_code == 302, r.status_code
    stages["commit_request_s"] = time.perf_counter() - t
    t = time.perf_counter()
    if "/jobs/" in r.headers["Location"]:
        st, commit_progress = wait_job(client, r.headers["Location"])
        assert st["state"] == "done", st
        assert "任务状态" in client.get(r.headers["Location"]).get_data(as_text=True)
    else:
        commit_progress = []
    stages["commit_job_s"] = time.perf_counter() - t
    total = time.perf_counter() - t0
    return {"seconds": total, "batch": batch_id, "stages": {k: round(v, 2) for k, v in stages.items()},
            "check_progress_steps": len(check_progress), "commit_progress_steps": len(commit_progress),
            "commit_progress": commit_progress[:12]}


def counts(app: Any, batch_id: int) -> dict[str, int]:
    from sqlalchemy import func, select

    from app.extensions import db
    from models.core.audit import AuditLog
    from models.experts.expert import Expert

    with app.app_context():
        return {
            "experts": db.session.scalar(select(func.count()).select_from(Expert)),
            "audit_entries_for_batch": db.session.scalar(select(func.count()).select_from(AuditLog).where(
                AuditLog.action == "import", AuditLog.object_id == str(batch_id))),
            "audit_rows_total": db.session.scalar(select(func.count()).select_from(AuditLog)),
        }


def run_backend(name: str, url: str, args: argparse.Namespace, data: bytes, empty: bytes | None) -> None:
    from app.dbutil import reset_postgres_schema

    reset_postgres_schema(url)
    app = build_app(url)
    client = app.test_client()
    r = client.post("/login/", data={"username": "bench_import", "password": PASSWORD})
    assert r.status_code == 302, "login failed"
    before = counts(app, 0)
    raw1 = raw_read(data)
    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
    with RssPeak() as mem:
        result = pipeline(app, client, data, args.rows, args.profile)
    if args.profile:
        prof.disable()
        pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
    raw2 = raw_read(data)
    after = counts(app, result["batch"])
    raw = (raw1 + raw2) / 2
    rate = args.rows / result["seconds"]
    raw_rate = args.rows / raw
    print(json.dumps({
        "backend": name, "case": "import_experts", "rows": args.rows, "file_mb": round(len(data) / 1048576, 1),
        "seconds": round(result["seconds"], 2), "rows_per_s": round(rate), "goal_rows_per_s": 15000,
        "raw_read_s": [round(raw1, 2), round(raw2, 2)], "raw_rows_per_s": round(raw_rate),
        "ratio": round(rate / raw_rate, 3), "goal_ratio": 0.4,
        "peak_growth_mb": mem.growth_mb, "goal_peak_growth_mb": 300,
        # the check's forked worker (app.services.documents.imports._Worker): its peak resident set,
        # pages shared with this process (copy-on-write) included
        "worker_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
        "stages": result["stages"],
        "check_progress_steps": result["check_progress_steps"],
        "commit_progress_steps": result["commit_progress_steps"], "commit_progress": result["commit_progress"],
        "imported": after["experts"] - before["experts"],
        "audit_entries_for_batch": after["audit_entries_for_batch"],
        "audit_rows_added": after["audit_rows_total"] - before["audit_rows_total"],
    }, ensure_ascii=False), flush=True)
    assert after["experts"] - before["experts"] == args.rows

    # the same file again: every row is already there, nothing is added
    with RssPeak() as mem:
        t = time.perf_counter()
        r = upload(client, data, "专家导入-再次.xlsx")
        link = r.headers["Location"]
        if "/jobs/" in link:
            link = wait_job(client, link)[0]["link"]
        page = client.get(link).get_data(as_text=True)
        seconds = time.perf_counter() - t
    again = counts(app, 0)
    print(json.dumps({
        "backend": name, "case": "import_same_file_again", "rows": args.rows, "seconds": round(seconds, 2),
        "good": int(re.search(r"检查通过(\d+)条", page).group(1)), "failed": int(re.search(r"检查失败(\d+)条", page).group(1)),
        "already_present_reason_shown": "系统中已存在" in page, "added": again["experts"] - after["experts"],
        "peak_growth_mb": mem.growth_mb,
    }, ensure_ascii=False), flush=True)

    if empty is not None:
        with RssPeak() as mem:
            t = time.perf_counter()
            r = upload(client, empty, "空行.xlsx")
            if "/jobs/" in r.headers.get("Location", ""):
                st, _p = wait_job(client, r.headers["Location"])
                outcome = st["message"]
            else:
                outcome = re.sub(r"\s+", " ", r.get_data(as_text=True))[:200]
            seconds = time.perf_counter() - t
        print(json.dumps({
            "backend": name, "case": "empty_rows_workbook", "empty_rows": args.empty_rows,
            "file_mb": round(len(empty) / 1048576, 1), "seconds": round(seconds, 2),
            "peak_growth_mb": mem.growth_mb, "goal_peak_growth_mb": 300, "outcome": outcome,
            "raw_calamine_note": "calamine alone materialises the 2,000,001 x 17 range",
        }, ensure_ascii=False), flush=True)

    if args.xls:
        run_xls(name, client)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100000)
    parser.add_argument("--empty-rows", type=int, default=2000000)
    parser.add_argument("--backend", choices=["all", "sqlite", "postgresql"], default="all")
    parser.add_argument("--profile", action="store_true", help="cProfile the pipeline (stderr); slows it down")
    parser.add_argument("--no-xls", dest="xls", action="store_false", help="skip the legacy .xls uploads")
    args = parser.parse_args()
    t = time.perf_counter()
    data = experts_workbook(args.rows)
    log(f"experts workbook: {args.rows} rows, {len(data) / 1048576:.1f} MB in {time.perf_counter() - t:.1f}s")
    empty = None
    if args.empty_rows:
        t = time.perf_counter()
        empty = empty_rows_workbook(args.empty_rows)
        log(f"empty-rows workbook: {args.empty_rows} rows, {len(empty) / 1048576:.1f} MB in "
            f"{time.perf_counter() - t:.1f}s")
    each_backend(args.backend, "imports.db", lambda name, url: run_backend(name, url, args, data, empty))


if __name__ == "__main__":
    main()
