"""Background jobs: a large export runs as a job, in a local thread or in an RQ worker process over Redis."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from models.core.document import Job


def _wait(c, job_id: int, timeout: float = 60) -> dict:
    end = time.time() + timeout
    while time.time() < end:
        st = c.get(f"/jobs/{job_id}/status").get_json()
        if st["state"] in ("done", "failed"):
            return st
        time.sleep(0.3)
    raise AssertionError("job did not finish")


def _export_as_job(app, c) -> int:
    app.config["EXPORT_JOB_ROWS"] = 3
    try:
        r = c.get("/units/export/")
    finally:
        app.config["EXPORT_JOB_ROWS"] = 5000
    assert r.status_code == 302 and "/jobs/" in r.headers["Location"]
    return int(r.headers["Location"].rstrip("/").split("/")[-1])


def test_large_export_runs_in_a_thread_with_progress(app, login_as):
    c = login_as("hb_admin")
    job_id = _export_as_job(app, c)
    assert "任务状态" in c.get(f"/jobs/{job_id}").get_data(as_text=True)
    st = _wait(c, job_id)
    assert st["state"] == "done" and st["percent"] == 100 and st["has_result"], st
    ws = load_workbook(io.BytesIO(c.get(f"/jobs/{job_id}/download").data)).worksheets[0]
    assert ws.max_row - 1 == st["total"] >= 10  # 湖北's subtree, not the whole tree
    # only the user who started it sees the job
    assert login_as("hb_staff").get(f"/jobs/{job_id}/status").status_code == 404


@pytest.mark.skipif(os.environ.get("SKIP_REDIS") == "1", reason="no Redis")
def test_large_export_runs_in_an_rq_worker_process(app, login_as):
    from redis import Redis

    url = "redis://127.0.0.1:6379/14"
    try:
        Redis.from_url(url).ping()
    except Exception:
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    Redis.from_url(url).flushdb()
    c = login_as("hb_admin")
    app.config.update(JOBS_BACKEND="rq", REDIS_URL=url)
    try:
        job_id = _export_as_job(app, c)
    finally:
        app.config.update(JOBS_BACKEND="thread", REDIS_URL="")
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert job.backend == "rq" and job.state == "queued"
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "REDIS_URL": url,
           "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"]}
    out = subprocess.run([sys.executable, "-m", "rq.cli", "worker", "talent-jobs", "--burst", "--url", url,
                          "--worker-class", "rq.worker.SimpleWorker"],
                         env=env, capture_output=True, text=True, timeout=180, cwd=os.path.dirname(
                             os.path.dirname(os.path.dirname(__file__))))
    st = _wait(c, job_id, timeout=10)
    assert st["state"] == "done", (st, out.stdout[-2000:], out.stderr[-2000:])
    ws = load_workbook(io.BytesIO(c.get(f"/jobs/{job_id}/download").data)).worksheets[0]
    assert ws.max_row - 1 == st["total"]
    with app.app_context():
        assert db.session.scalar(select(Job.backend).where(Job.id == job_id)) == "rq"


def test_large_import_is_checked_as_a_job(app, login_as):
    from tests.conftest import unique
    from tests.experts.test_experts import id_number, row, upload, workbook

    c = login_as("hb_yc_admin")
    seq = 50 + hash(unique("j")) % 30  # disjoint ranges per test: see id_number
    app.config["IMPORT_JOB_BYTES"] = 100
    try:
        r = upload(c, workbook([row("后台导入", id_number(seq)), row("", id_number(seq + 1))]))
    finally:
        app.config["IMPORT_JOB_BYTES"] = 2 * 1024 * 1024
    assert r.status_code == 302 and "/jobs/" in r.headers["Location"]
    job_id = int(r.headers["Location"].rstrip("/").split("/")[-1])
    st = _wait(c, job_id)
    assert st["state"] == "done" and st["link"], st
    page = c.get(st["link"]).get_data(as_text=True)
    assert "检查通过1条" in page and "检查失败1条" in page


def test_export_of_thousands_streams_through_a_job(app, login_as, monkeypatch):
    """Issue 13.1: progress is written while the export's streaming read is open (it used to commit the
    read's own session: 'database is locked' on SQLite, 'cursor … does not exist' on PostgreSQL)."""
    from python_calamine import CalamineWorkbook
    from sqlalchemy import insert

    from app.services.documents import jobs
    from models.experts.expert import Expert
    from tests.conftest import make_unit, unique, unit_by_name

    n = 2500
    with app.app_context():
        unit = make_unit(unit_by_name("宜昌市人力资源和社会保障局"))
        from models.core.user import UnitUser

        admin = db.session.scalar(select(UnitUser.username).where(UnitUser.unit_id == unit.id))
        tag = unique("x")[-6:]
        db.session.execute(insert(Expert), [{
            "nationality": "中国", "name": f"导{i}", "id_type": "01", "id_number": f"J{tag}{i:010d}"[:18],
            "sex": "1", "birth_ym": "197001", "retired": False, "work_unit": "单位", "admin_post": "无",
            "phone": "13900000000", "honours": "无", "major": "内科", "title": "2", "unit_id": unit.id,
        } for i in range(n)])
        db.session.commit()
    view = next(v for v in app.appbuilder.baseviews if type(v).__name__ == "ExpertView")
    monkeypatch.setattr(type(view), "export_chunk", 100)  # many round trips of the streaming read
    monkeypatch.setattr(jobs, "REPORT_SECONDS", 0)  # progress written at every report
    seen: list[tuple[int, int]] = []
    original = jobs.write_progress
    monkeypatch.setattr(jobs, "write_progress", lambda j, d, t: (seen.append((d, t)), original(j, d, t)))
    c = login_as(admin)
    app.config["EXPORT_JOB_ROWS"] = 100
    try:
        r = c.get("/experts/export/")
    finally:
        app.config["EXPORT_JOB_ROWS"] = 5000
    assert r.status_code == 302 and "/jobs/" in r.headers["Location"]
    st = _wait(c, int(r.headers["Location"].rstrip("/").split("/")[-1]), timeout=120)
    assert st["state"] == "done" and st["total"] == n and st["progress"] == n, st
    assert any(0 < d < n for d, _t in seen), seen  # progress was written mid-read
    body = c.get(f"/jobs/{st['id']}/download").data
    rows = list(CalamineWorkbook.from_filelike(io.BytesIO(body)).get_sheet_by_index(0).iter_rows())
    assert len(rows) == n + 1 and rows[1][1].startswith("导")


def test_sqlite_runs_in_wal_mode(app):
    """Readers and the writer of a job's progress do not lock each other out on SQLite (app/sqlite.py)."""
    from sqlalchemy import text

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite only")
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar().lower() == "wal"
