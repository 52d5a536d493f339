"""Login rate limit shared by several gunicorn workers through Redis (issue 3, item 2)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# a Redis database of its own per backend run: make test runs the SQLite and PostgreSQL suites side by side
REDIS = "redis://127.0.0.1:6379/" + ("14" if os.environ.get("PYTEST_DATABASE_URL") else "15")


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(not _redis_up(), reason="Redis not running on 127.0.0.1:6379")
def test_two_workers_share_the_login_limit_through_redis():
    import redis

    redis.Redis.from_url(REDIS).flushdb()
    tmp = tempfile.mkdtemp(prefix="ratelimit-")
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp}/app.db", REDIS_URL=REDIS, AUTH_RATE_LIMIT="5 per minute",
               SECRET_KEY="ratelimit-test-secret", FLASK_APP="run.py", PYTHONPATH=ROOT)
    bin_dir = os.path.dirname(sys.executable)
    subprocess.run([os.path.join(bin_dir, "flask"), "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    subprocess.run([os.path.join(bin_dir, "flask"), "seed", "roles"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    port = _free_port()
    log = os.path.join(tmp, "access.log")
    proc = subprocess.Popen(
        [os.path.join(bin_dir, "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "--access-logfile", log,
         "--access-logformat", "%(p)s %(s)s", "run:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # both workers import the app first
            try:
                urllib.request.urlopen(base + "/login/", timeout=10)
                break
            except OSError:  # refused, reset or timed out while starting
                time.sleep(0.3)
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(base + "/login/", timeout=30).read().decode()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        from concurrent.futures import ThreadPoolExecutor

        def attempt(_i: int) -> int:
            data = urllib.parse.urlencode({"username": "nobody", "password": "Wrong#123", "csrf_token": token})
            req = urllib.request.Request(base + "/login/", data=data.encode(), method="POST")
            req.add_header("Connection", "close")
            try:
                return opener.open(req, timeout=30).status
            except urllib.error.HTTPError as e:
                return e.code

        # concurrent attempts, so that both sync workers take some of them
        with ThreadPoolExecutor(max_workers=6) as pool:
            codes = list(pool.map(attempt, range(18)))
        accepted = [c for c in codes if c != 429]
        assert len(accepted) == 5, codes  # one shared budget, not 5 per worker
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    posts = [line.split() for line in open(log) if line.strip()]
    pids = {pid for pid, _status in posts}
    assert len(pids) == 2, f"both workers should have served requests: {pids}"


def test_rest_login_stays_closed_when_hammered():
    """The JWT login is closed (the browser login is the only one, with its lockout and limits):
    hammering it gives no token, no 500, and nothing but 404 or the limiter's 429."""
    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True, "FAB_ADD_SECURITY_API": True,
                      "AUTH_RATE_LIMIT": "3 per minute", "RATELIMIT_STORAGE_URI": "memory://",
                      "SECRET_KEY": "x"})
    with app.app_context():
        from flask_appbuilder.models.sqla import Model

        from app.extensions import db

        Model.metadata.create_all(db.engine)
    c = app.test_client()
    for headers in ({"Authorization": "x"}, {}):
        for _ in range(5):
            r = c.post("/api/v1/security/login", json={"username": "nobody", "password": "Wrong#123",
                                                       "provider": "db"}, headers=headers)
            assert r.status_code in (404, 429), r.status_code
            assert "access_token" not in r.get_data(as_text=True)
