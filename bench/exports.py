"""make bench-export: 导出Excel at size, through the paths a user's request takes.

Generates ``--rows`` experts (default 100,000) spread over a province's units, then, as that
province's administrator logged in with Flask's test client:

* ``export_job``: ``GET /experts/export/`` (above ``EXPORT_JOB_ROWS``, so a background job
  in a thread of this process, as the embedded server runs it), polling ``/jobs/<id>/status``
  until done, then ``GET /jobs/<id>/download``; the file is opened and its rows counted;
* ``export_direct``: the same request with the job threshold raised, answered in the request;
* ``raw_xlsxwriter``: the baseline — the same cell values (taken from the app's own row
  builder beforehand, held in memory) written with plain XlsxWriter in constant-memory mode,
  one typed ``write_string``/``write_number`` call per cell.

The runs are interleaved (raw, job, raw, direct, raw, …) and each app run is compared with
the mean of the two raw runs around it (``ratio_to_raw``: the median of those ratios), so a slow
stretch of the shared machine falls on both sides. ``cpu_ratio_to_raw`` is the same ratio of the
process's CPU time (every thread: the job's, the polls', the memory sampler's), which a busy
machine disturbs far less than the wall clock. Peak memory growth is sampled from the process RSS
while the app path runs. SQLite always (``bench/out/export.db``); PostgreSQL too when
``TEST_DATABASE_URL`` is set (**its schema ``public`` is dropped and recreated**).

    .venv/bin/python -m bench.exports [--rows 100000] [--repeat 2] [--backend all|sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import threading
import time
from typing import Any

from bench import OUT, each_backend, migrated_app

PASSWORD = "Bench@2026"
GOAL_RATIO = 0.8
GOAL_GROWTH_MB = 50
POLL_SECONDS = 1.0  # the progress page polls every second (app/static/js/platform.js)


def log(*a: Any) -> None:
    print(*a, file=sys.stderr, flush=True)


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1048576


class PeakRss:
    """Samples the process RSS every 20 ms while the block runs."""

    def __enter__(self) -> PeakRss:
        self.start = rss_mb()
        self.peak = self.start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss_mb())

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())

    @property
    def growth(self) -> float:
        return self.peak - self.start


def build_app(url: str) -> Any:
    from app.dbutil import reset_postgres_schema

    reset_postgres_schema(url)
    return migrated_app(url, JOBS_BACKEND="thread", EXPORT_JOB_ROWS=5000)


def generate(app: Any, rows: int) -> str:
    """A root, a province with four counties, ``rows`` experts over them; returns the login name."""
    from sqlalchemy import insert, text

    from app.extensions import db
    from app.services.core import users as user_service
    from app.services.core.units import assign_path
    from models.core.unit import Unit
    from models.experts.expert import Expert

    t0 = time.perf_counter()
    with app.app_context():
        root = Unit(name="部专家中心", parent_id=None, path="")
        db.session.add(root)
        db.session.flush()
        assign_path(root, None)
        prov = Unit(name="湖北省人力资源和社会保障厅", parent_id=root.id, path="")
        db.session.add(prov)
        db.session.flush()
        assign_path(prov, root)
        units = [prov.id]
        for i in range(4):
            county = Unit(name=f"县级单位{i + 1}", parent_id=prov.id, path="")
            db.session.add(county)
            db.session.flush()
            assign_path(county, prov)
            units.append(county.id)
        user_service.create_user(prov, username="bench_export", name="导出", phone="13900000000",
                                 password=PASSWORD, is_admin=True)
        db.session.execute(text("UPDATE ab_user SET must_change_password = false"))
        db.session.commit()
        batch: list[dict[str, Any]] = []
        for i in range(1, rows + 1):
            batch.append({
                "nationality": "中国", "name": f"专家{i}", "id_type": "01", "id_number": f"42010219{i:010d}",
                "sex": "1" if i % 2 else "2", "birth_ym": f"19{60 + i % 30}0{1 + i % 9}", "retired": i % 7 == 0,
                "work_unit": f"武汉市第{i % 50 + 1}人民医院", "supervising_unit": "武汉市卫生健康委员会",
                "admin_post": "无" if i % 3 else "科室主任", "admin_level": None if i % 3 else "07",
                "phone": f"139{i:08d}", "phone2": None if i % 4 else f"027{i % 10**8:08d}",
                "honours": "无" if i % 5 else "湖北省有突出贡献中青年专家；享受国务院政府特殊津贴",
                "series": f"{i % 29 + 1:02d}", "major": "内科学", "title": str(i % 4 + 1),
                "unit_id": units[i % len(units)],
            })
            if len(batch) == 20000:
                db.session.execute(insert(Expert), batch)
                batch = []
        if batch:
            db.session.execute(insert(Expert), batch)
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    log(f"generated {rows} experts in {time.perf_counter() - t0:.1f}s")
    return "bench_export"


def count_rows(body: bytes) -> int:
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_filelike(io.BytesIO(body)).get_sheet_by_index(0)
    return sum(1 for _ in sheet.iter_rows()) - 1


def login(app: Any, username: str) -> Any:
    client = app.test_client()
    r = client.post("/login/", data={"username": username, "password": PASSWORD})
    assert r.status_code == 302, f"login {username}: {r.status_code}"
    return client


def run_job(app: Any, client: Any) -> tuple[float, bytes, int]:
    """The job path: the request, the job in its thread, the download. Polled every second, as the
    page polls; the time counts to the job's own finish time, not to the next poll."""
    import datetime as dt

    from app.extensions import db
    from models.core.document import Job

    app.config["EXPORT_JOB_ROWS"] = 5000
    started = dt.datetime.now(dt.UTC)
    r = client.get("/experts/export/")
    assert r.status_code == 302 and "/jobs/" in r.headers["Location"], (r.status_code, r.headers.get("Location"))
    job = int(r.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    polls = 0
    while True:
        status = client.get(f"/jobs/{job}/status").get_json()
        polls += 1
        if status["state"] in ("done", "failed"):
            break
        time.sleep(POLL_SECONDS)
    assert status["state"] == "done", status
    with app.app_context():
        finished = db.session.get(Job, job).finished_at
        db.session.remove()
    if finished.tzinfo is None:
        finished = finished.replace(tzinfo=dt.UTC)
    t = time.perf_counter()
    body = client.get(f"/jobs/{job}/download").data
    return (finished - started).total_seconds() + time.perf_counter() - t, body, polls


def run_direct(app: Any, client: Any) -> tuple[float, bytes]:
    app.config["EXPORT_JOB_ROWS"] = 10**9
    t = time.perf_counter()
    r = client.get("/experts/export/")
    body = r.data
    elapsed = time.perf_counter() - t
    app.config["EXPORT_JOB_ROWS"] = 5000
    assert r.status_code == 200, r.status_code
    return elapsed, body


def app_values(app: Any, username: str) -> tuple[list[str], list[list[Any]], float]:
    """The cell values the app writes, built by the view's own row builder (timed apart)."""
    from flask import g
    from flask_login import login_user
    from sqlalchemy import select

    from app.extensions import db
    from models.core.user import UnitUser

    with app.app_context():
        user = db.session.scalar(select(UnitUser).where(UnitUser.username == username))
        view = next(v for v in app.appbuilder.baseviews if type(v).__name__ == "ExpertView")
        with app.test_request_context("/experts/export/"):
            login_user(user)
            g.user = user
            t = time.perf_counter()
            values = list(view.export_rows(view._export_query()))
            build = time.perf_counter() - t
            _cols, headers = view._export_plan()
        db.session.remove()
    return headers, values, build


def raw_write(headers: list[str], values: list[list[Any]]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of the baseline: plain XlsxWriter, one public call per cell."""
    import xlsxwriter

    path = os.path.join(OUT, "raw.xlsx")
    t, cpu = time.perf_counter(), time.process_time()
    wb = xlsxwriter.Workbook(path, {"constant_memory": True})
    ws = wb.add_worksheet("raw")
    for c, h in enumerate(headers):
        ws.write_string(0, c, h)
    for r, row in enumerate(values, start=1):
        for c, v in enumerate(row):
            if type(v) is str:
                if v:
                    ws.write_string(r, c, v)
            elif v is not None:
                ws.write_number(r, c, v)
    wb.close()
    elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu
    os.remove(path)
    return elapsed, cpu


def bench_backend(name: str, url: str, rows: int, repeat: int) -> None:
    app = build_app(url)
    username = generate(app, rows)
    headers, values, build_s = app_values(app, username)
    assert len(values) == rows, (len(values), rows)
    client = login(app, username)
    raws: list[tuple[float, float]] = [raw_write(headers, values)]
    # (case, wall s, CPU s, growth MB, rows in the file, wall ratio, CPU ratio)
    cases: list[tuple[str, float, float, float, int, float, float]] = []
    for _ in range(repeat):
        for case in ("export_job", "export_direct"):
            cpu = time.process_time()
            with PeakRss() as mem:
                if case == "export_job":
                    elapsed, body, _polls = run_job(app, client)
                else:
                    elapsed, body = run_direct(app, client)
            cpu = time.process_time() - cpu
            n = count_rows(body)
            assert n == rows, (case, n, rows)
            before = raws[-1]
            raws.append(raw_write(headers, values))
            around = ((before[0] + raws[-1][0]) / 2, (before[1] + raws[-1][1]) / 2)
            cases.append((case, elapsed, cpu, mem.growth, n, around[0] / elapsed, around[1] / cpu))
    del values
    raw_mean = statistics.mean(r[0] for r in raws)
    print(json.dumps({"backend": name, "case": "raw_xlsxwriter", "rows": rows, "runs": len(raws),
                      "seconds": round(raw_mean, 2), "rows_per_s": round(rows / raw_mean),
                      "cpu_seconds": round(statistics.mean(r[1] for r in raws), 2)}), flush=True)
    print(json.dumps({"backend": name, "case": "row_builder_alone", "rows": rows, "seconds": round(build_s, 2),
                      "rows_per_s": round(rows / build_s)}), flush=True)
    for case in ("export_job", "export_direct"):
        mine = [c for c in cases if c[0] == case]
        secs = statistics.median(c[1] for c in mine)
        growth = max(c[3] for c in mine)
        ratio = statistics.median(c[5] for c in mine)
        print(json.dumps({
            "backend": name, "case": case, "rows": rows, "runs": len(mine), "seconds": round(secs, 2),
            "rows_per_s": round(rows / secs), "ratio_to_raw": round(ratio, 2), "goal_ratio": GOAL_RATIO,
            "cpu_seconds": round(statistics.median(c[2] for c in mine), 2),
            "cpu_ratio_to_raw": round(statistics.median(c[6] for c in mine), 2),
            "peak_growth_mb": round(growth, 1), "goal_growth_mb": GOAL_GROWTH_MB,
            "met": ratio >= GOAL_RATIO and growth <= GOAL_GROWTH_MB, "rows_in_file": mine[-1][4],
        }), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--backend", choices=["all", "sqlite", "postgresql"], default="all")
    args = parser.parse_args()
    each_backend(args.backend, "export.db", lambda name, url: bench_backend(name, url, args.rows, args.repeat))


if __name__ == "__main__":
    main()
