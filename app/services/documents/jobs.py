"""Background jobs: large imports and exports run outside the request, with progress.

``submit`` stores the job and hands it to a backend:

* ``thread`` (default, embedded): a local worker thread of the web process;
* ``rq``: a worker process over Redis (``JOBS_BACKEND=rq`` and ``REDIS_URL``), started
  with ``rq worker talent-jobs --url $REDIS_URL`` (the worker builds the app itself).

Either way the job's state, progress and result live in ``core_job``; the page polls it.
A runner is a function ``(job, report) -> (result_key, result_name, message)``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import current_app

from app.extensions import db
from models.core.document import Job

log = logging.getLogger(__name__)
QUEUE = "talent-jobs"
Runner = Callable[[Job, Callable[[int, int], None]], tuple[str | None, str | None, str | None]]
RUNNERS: dict[str, Runner] = {}
REPORT_SECONDS = 0.5


def write_progress(job_id: int, done: int, total: int) -> None:
    """Store a job's progress in its own short transaction, outside the caller's session."""
    table = Job.__table__
    with db.engine.begin() as conn:
        conn.execute(table.update().where(table.c.id == job_id).values(progress=done, total=total))


def runner(kind: str) -> Callable[[Runner], Runner]:
    def deco(fn: Runner) -> Runner:
        RUNNERS[kind] = fn
        return fn

    return deco


def submit(kind: str, title: str, user: Any, params: dict[str, Any]) -> Job:
    """Store the job, commit, and dispatch it."""
    backend = current_app.config.get("JOBS_BACKEND", "thread")
    job = Job(kind=kind, title=title[:200], user_id=user.id, backend=backend,
              params=json.dumps(params, ensure_ascii=False))
    db.session.add(job)
    db.session.commit()
    if backend == "rq":
        from redis import Redis
        from rq import Queue

        Queue(QUEUE, connection=Redis.from_url(current_app.config["REDIS_URL"])).enqueue(
            "app.services.documents.jobs.run_in_worker", job.id, job_timeout=3600)
    else:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        threading.Thread(target=_run_with_app, args=(app, job.id), daemon=True, name=f"job-{job.id}").start()
    return job


def _run_with_app(app: Any, job_id: int) -> None:
    with app.app_context():
        run(job_id)
        db.session.remove()


def run_in_worker(job_id: int) -> None:
    """The RQ entry point: a worker process builds its own app."""
    from app import create_app

    _run_with_app(create_app(), job_id)


def run(job_id: int) -> None:
    job = db.session.get(Job, job_id)
    if job is None or job.state not in ("queued",):
        return
    job.state = "running"
    db.session.commit()

    last = [0.0]

    def report(done: int, total: int) -> None:
        # Progress goes through a connection of its own: the runner's session may hold an open
        # streaming read (an export's yield_per), which a commit on that session would close.
        # Written at most every REPORT_SECONDS, and always at the start and the end.
        now = time.monotonic()
        if 0 < done < total and now - last[0] < REPORT_SECONDS:
            return
        last[0] = now
        write_progress(job_id, done, total)

    try:
        key, name, message = RUNNERS[job.kind](job, report)
    except Exception as e:  # the job fails, the message says why
        log.exception("job %s failed", job_id)
        db.session.rollback()
        job = db.session.get(Job, job_id)
        job.state = "failed"
        job.message = str(e)[:1000] or type(e).__name__
        job.finished_at = dt.datetime.now(dt.UTC)
        db.session.commit()
        return
    link = job.result_link  # a runner may point at a page (an import's preview)
    job = db.session.get(Job, job_id)
    job.result_link = job.result_link or link
    job.state = "done"
    job.result_key, job.result_name, job.message = key, name, message
    job.finished_at = dt.datetime.now(dt.UTC)
    if job.total and job.progress < job.total:
        job.progress = job.total
    db.session.commit()


def status(job: Job) -> dict[str, Any]:
    pct = 100 if job.state == "done" else (int(job.progress * 100 / job.total) if job.total else 0)
    return {"id": job.id, "state": job.state, "progress": job.progress, "total": job.total, "percent": pct,
            "message": job.message, "has_result": bool(job.result_key), "link": job.result_link}
