"""Cold start: seconds from starting the server process to the first 200 of GET /login/.

    .venv/bin/python -m bench.coldstart [--runs 3] [--server flask|gunicorn] [--timeout 120]

Starts ``.venv/bin/flask run`` (or ``gunicorn -c gunicorn.conf.py run:app`` with one worker)
on a free loopback port, polls ``/login/`` every 50 ms until it answers 200, prints one JSON
line per run (wall-clock ``seconds`` and the server's ``cpu_seconds``) and a summary line,
and stops the server. The database is the app's
(``DATABASE_URL``, default ``instance/app.db``) and must be migrated (``make db``, or at
least ``flask db upgrade``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def command(server: str, port: int) -> list[str]:
    venv = os.path.join(ROOT, ".venv", "bin")
    if server == "gunicorn":
        return [os.path.join(venv, "gunicorn"), "-c", "gunicorn.conf.py", "--workers", "1",
                "--bind", f"127.0.0.1:{port}", "--no-control-socket", "run:app"]
    return [os.path.join(venv, "flask"), "--app", "run.py", "run", "--host", "127.0.0.1", "--port", str(port)]


def one_run(server: str, timeout: float) -> dict[str, float | int | str]:
    port = free_port()
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    env = dict(os.environ)
    env.setdefault("FLASK_APP", "run.py")
    url = f"http://127.0.0.1:{port}/login/"
    t0 = time.perf_counter()
    proc = subprocess.Popen(command(server, port), cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)
    status = 0
    try:
        while time.perf_counter() - t0 < timeout:
            if proc.poll() is not None:
                err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
                raise SystemExit(f"server exited with {proc.returncode}:\n{err[-2000:]}")
            try:
                with urllib.request.urlopen(url, timeout=timeout) as resp:
                    status = resp.status
            except urllib.error.HTTPError as e:
                status = e.code
            except (urllib.error.URLError, ConnectionError, OSError):
                status = 0
            if status == 200:
                break
            time.sleep(0.05)
        seconds = time.perf_counter() - t0
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    if status != 200:
        raise SystemExit(f"no 200 from {url} within {timeout} s (last status {status})")
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)
    # cpu_seconds: CPU time of the server process(es) until stopped, a figure that a loaded
    # machine disturbs less than the wall-clock seconds
    return {"case": "coldstart", "server": server, "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
            "status": status}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--server", choices=["flask", "gunicorn"], default="flask")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()
    times = []
    for _ in range(args.runs):
        line = one_run(args.server, args.timeout)
        times.append(float(line["seconds"]))
        print(json.dumps(line), flush=True)
    print(json.dumps({"case": "coldstart_summary", "server": args.server, "runs": args.runs,
                      "median_s": round(statistics.median(times), 2), "max_s": round(max(times), 2),
                      "goal_s": 5.0, "met": max(times) < 5.0}), flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
