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
    seq = 360 + hash(unique("j")) % 30
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
