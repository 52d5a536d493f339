"""gunicorn settings of `make serve` (`gunicorn -c gunicorn.conf.py run:app`).

The app is built once, in the master (``preload_app``), and each worker is a fork of it:
a worker starts in milliseconds instead of building the app again, and the pages of the
built app are shared between the workers. What must not be shared after a fork:

* database connections: the master opens none after the warm-up (its pool is emptied
  before the first fork), and each worker empties the pool it inherited
  (``engine.dispose(close=False)``: the connections belong to nobody else, none is closed
  under another process's feet);
* threads: none runs in the master; background jobs (``JOBS_BACKEND=thread``) start their
  thread in the worker that takes the request. Such a job dies with its worker, so workers
  are not recycled (no ``max_requests``); run several hosts or long jobs with
  ``JOBS_BACKEND=rq``.

Environment: ``WEB_CONCURRENCY`` (workers, default 2 × cores), ``GUNICORN_BIND``
(default ``127.0.0.1:8000``), ``GUNICORN_THREADS`` (1), ``GUNICORN_TIMEOUT`` (120 s).
Several workers need ``REDIS_URL`` for a login rate limit shared between them.
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Any

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", str(2 * multiprocessing.cpu_count())))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
preload_app = True
accesslog = "-"
wsgi_app = "run:app"

# Templates every page draws: compiled once in the master, inherited by every worker.
WARM_TEMPLATES = (
    "platform_base.html",
    "appbuilder/navbar.html",
    "appbuilder/navbar_right.html",
    "appbuilder/general/security/login_db.html",
    "appbuilder/general/model/list.html",
    "appbuilder/general/widgets/list.html",
    "appbuilder/general/widgets/search.html",
    "appbuilder/general/model/show.html",
    "appbuilder/general/model/edit.html",
    "appbuilder/general/model/add.html",
    "home.html",
)


def _app() -> Any:
    from run import app  # the module gunicorn preloaded (sys.modules), not a second build

    return app


def when_ready(server: Any) -> None:
    """In the master, after the preload and before the first fork: warm, then drop connections."""
    import jinja2
    from flask_babel import get_translations
    from sqlalchemy.orm import configure_mappers

    from app.extensions import db

    app = _app()
    configure_mappers()
    for name in WARM_TEMPLATES:
        try:
            app.jinja_env.get_template(name)
        except jinja2.TemplateNotFound:
            server.log.debug("warm-up: no template %s", name)
    for locale in app.config.get("LANGUAGES", {}) or ["zh"]:
        with app.test_request_context(headers={"Accept-Language": locale}):
            get_translations()
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()
    server.log.info("app preloaded and warmed in the master")


def post_fork(server: Any, worker: Any) -> None:
    """In each worker: forget the pool inherited from the master, without closing its sockets."""
    from app.extensions import db

    app = _app()
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
