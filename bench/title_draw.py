"""职称评审 II, 专家抽选 at size (issue 18): a draw over 20,000 in-library experts of one committee with 10
groups and three years of sitting history, timed through the real view (a logged-in test client POSTs
开始抽选 / 重新抽选 — every iteration is a redraw with a reason), then every stored draw is replayed from
its row and compared with its list. Prints one JSON line per backend:

    {"bench": "title.draw", "backend": …, "experts": 20000, "groups": 10, "p50_ms": …, "p95_ms": …,
     "replay_identical": true, "goal": {"p95_ms": 200}}

SQLite always; PostgreSQL too when TEST_DATABASE_URL is set.

    .venv/bin/python -m bench.title_draw [--experts 20000] [--runs 30] [--backend all|sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import math
import os
import statistics
import sys
import time
from typing import Any

from sqlalchemy import insert, select, text

from bench import each_backend, migrated_app
from bench.scope import PASSWORD

MAJORS = ["建筑工程", "道路桥梁", "市政工程", "岩土工程", "给排水"]
LEVELS = ["1", "2"]
BATCH = 5000


def log(*a: Any) -> None:
    print(*a, file=sys.stderr, flush=True)


def generate(app: Any, experts: int) -> dict[str, Any]:
    """A city 人社部门 with a filed committee, ``experts`` in-library active experts (1 in 47 a 主任委员), three
    previous years of sittings (about a third each year, some every year, some chairs), an activity and its
    normal meeting with 10 draw groups (5 majors × 2 levels, 5 each)."""
    from werkzeug.security import generate_password_hash

    from app.extensions import db
    from models.core.unit import Category, Unit
    from models.core.user import UnitUser
    from models.experts.expert import Expert
    from models.title import Activity, Committee, CommitteeExpert
    from models.title.committee import ExpertParticipation
    from models.title.meeting import DrawGroup, Meeting

    now = dt.datetime.now()
    with app.app_context():
        sm = app.appbuilder.sm
        cats = {c.code: c for c in db.session.scalars(select(Category))}
        root = Unit(name="平台根单位", parent_id=None, region_code="", nature="10", path="")
        root.categories = [cats["core.root"]]
        db.session.add(root)
        db.session.flush()
        root.path, root.depth = f"/{root.id}/", 0
        city = Unit(name="乐山市人力资源和社会保障局", parent_id=root.id, region_code="511100", nature="10", path="")
        city.categories = [cats["title.hr"]]
        db.session.add(city)
        db.session.flush()
        city.path, city.depth = f"{root.path}{city.id}/", 1
        user = UnitUser(first_name="bench_draw", last_name="", username="bench_draw", email="bench_draw@bench.invalid",
                        active=True, password=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"),
                        unit_id=city.id, is_unit_admin=True, must_change_password=False, user_type="unit", line="title")
        user.roles = [sm.find_role("单位管理员")]
        db.session.add(user)
        committee = Committee(unit_id=city.id, name="乐山市工程技术系列高级职称评审委员会", agency="职改办", office="专技科",
                              levels="1,2", authority_unit_id=city.id, filing_unit_id=city.id, contact="张老师",
                              contact_phone="0833-2000000", address="乐山市市中区", series="08", region_codes="511100",
                              review_state="approved", filed_at=now, valid_until=dt.date.today() + dt.timedelta(days=1000))
        db.session.add(committee)
        db.session.flush()
        activity = Activity(unit_id=city.id, committee_id=committee.id, name=f"{now.year}年度工程技术系列高级职称评审",
                            scope_text="全市", year=now.year, apply_start=now - dt.timedelta(days=60),
                            first_submit_until=now - dt.timedelta(days=40), resubmit_until=now - dt.timedelta(days=35),
                            receive_until=now - dt.timedelta(days=30), review_state="approved", published_at=now,
                            stage="receiving", saved_part="materials")
        db.session.add(activity)
        db.session.flush()
        meeting = Meeting(activity_id=activity.id, kind="normal", unit_id=city.id, state="drawing")
        db.session.add(meeting)
        db.session.flush()
        for i in range(10):
            major, level = MAJORS[i // 2], LEVELS[i % 2]
            db.session.add(DrawGroup(meeting_id=meeting.id, sort=i + 1, name=f"{major}{'正高' if level == '1' else '副高'}组",
                                     major=major, title_level=level, count=5))
        db.session.commit()
        ids = {"meeting": meeting.id, "committee": committee.id, "year": now.year}
        conn = db.session.connection()
        expert0 = (db.session.scalar(text("SELECT max(id) FROM expert")) or 0) + 1
        for start in range(0, experts, BATCH):
            rows, members, sat = [], [], []
            for k in range(start, min(experts, start + BATCH)):
                eid = expert0 + k
                rows.append({"id": eid, "unit_id": city.id, "nationality": "中国", "name": f"专家{k}", "id_type": "01",
                             "id_number": f"51110219{60 + k % 30:02d}{k:08d}"[:18], "sex": "1", "birth_ym": "197001",
                             "retired": False, "work_unit": f"乐山市第{k % 300}设计院", "admin_post": "无",
                             "phone": f"139{k:08d}", "honours": "无", "series": "08", "major": MAJORS[k % 5],
                             "title": LEVELS[(k // 5) % 2], "created_on": now, "changed_on": now})
                chair = "chair" if k % 47 == 0 else ("vice" if k % 47 == 1 else "")
                members.append({"committee_id": committee.id, "expert_id": eid, "unit_id": city.id, "state": "in",
                                "chair": chair, "active": k % 40 != 39, "created_on": now, "changed_on": now})
                for back in (1, 2, 3):  # about a third each year; k % 9 == 0 every year (the three-year rule)
                    if k % 9 == 0 or (k + back) % 3 == 0:
                        sat.append({"committee_id": committee.id, "expert_id": eid, "year": now.year - back,
                                    "as_chair": chair == "chair" and back == 1 and k % 100 == 0})
            conn.execute(insert(Expert.__table__), rows)
            conn.execute(insert(CommitteeExpert.__table__), members)
            conn.execute(insert(ExpertParticipation.__table__), sat)
            db.session.commit()
            conn = db.session.connection()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as auto:
                auto.execute(text("VACUUM ANALYZE"))
    return ids


def run_backend(name: str, url: str, args: argparse.Namespace) -> None:
    from app.dbutil import reset_postgres_schema

    if name == "postgresql":
        reset_postgres_schema(url)
    app = migrated_app(url)
    started = time.perf_counter()
    ids = generate(app, args.experts)
    log(f"[{name}] generated {args.experts} experts in {time.perf_counter() - started:.1f} s")
    client = app.test_client()
    r = client.post("/login/", data={"username": "bench_draw", "password": PASSWORD})
    assert r.status_code == 302, r.status_code
    url_ = f"/title/draw/{ids['meeting']}/start"
    # as run.py does for the built app: the app's long-lived objects out of the collector's passes
    gc.collect()
    gc.freeze()
    times = []
    for i in range(args.runs + 2):
        data = {"multiplier": ("1.5", "2", "3")[i % 3], "reason": "" if i == 0 else f"基准测试第{i}次重新抽选"}
        t = time.perf_counter()
        resp = client.post(url_, data=data)
        took = (time.perf_counter() - t) * 1000
        assert resp.status_code == 302, resp.status_code
        if i >= 2:  # the first two warm the app
            times.append(took)
    from app.extensions import db
    from app.services.title import draw as service
    from models.title.meeting import Draw

    with app.app_context():
        draws = list(db.session.scalars(select(Draw).where(Draw.meeting_id == ids["meeting"]).order_by(Draw.number)))
        assert len(draws) == args.runs + 2, (len(draws), "a draw was refused: check the flashes")
        identical = all(service.replay(d) == d.result and service.digest(d.result) == d.result_digest
                        for d in draws)
        rules_hold = all(not service.check_rules(d.pool, d.rules, d.multiplier, d.result) for d in draws)
        t = time.perf_counter()
        service.replay(draws[-1])
        replay_ms = (time.perf_counter() - t) * 1000
        drawn = len(draws[-1].result)
    times.sort()
    print(json.dumps({"bench": "title.draw", "backend": name, "experts": args.experts, "groups": 10,
                      "history_years": 3, "runs": len(times), "drawn_last": drawn,
                      "p50_ms": round(statistics.median(times), 2),
                      "p95_ms": round(times[math.ceil(len(times) * 0.95) - 1], 2),
                      "replay_ms": round(replay_ms, 2), "replay_identical": identical, "rules_hold": rules_hold,
                      "goal": {"p95_ms": 200}}, ensure_ascii=False), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--experts", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--backend", default="all", choices=["all", "sqlite", "postgresql"])
    args = parser.parse_args()
    os.environ.setdefault("ENABLED_MODULES", "all")
    each_backend(args.backend, "bench_title_draw.db", lambda name, url: run_backend(name, url, args))


if __name__ == "__main__":
    main()
