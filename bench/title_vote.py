"""make bench-meeting (with bench.title_draw): 职称评审 II voting at size (issue 18), PostgreSQL (TEST_DATABASE_URL).

Generates a committee of a city 人社局 with an activity, 300 applicants in a normal meeting's pool and 60
confirmed experts (each with a person account: login = ID number), opens round 1 through
``voting.open_first_round``, then:

- ``concurrent_submit``: 60 threads, each with its own logged-in test client, post their whole ballot (300
  choices, 提交) to the expert page at the same moment; every ballot kept (60 × 300 counted in the database);
- ``tally_progress`` / ``tally_result``: the 计票 page of the committee's unit over 60 × 300 ballots (goal
  p50 ≤ 100 ms), open round;
- ``tally_sealed``: the same page after 计票完成 (the ballot chain verified on every view).

One JSON line per case: {"bench": "title.vote", …}.

    TEST_DATABASE_URL=postgresql+psycopg://… .venv/bin/python -m bench.title_vote [--experts 60]
        [--applicants 300] [--runs 30] [--backend postgresql|sqlite|all]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import threading
import time
from typing import Any

from sqlalchemy import func, select

from bench import each_backend, migrated_app
from bench.scope import PASSWORD, Timed, measure_all


def log(*a: Any) -> None:
    print(*a, file=sys.stderr, flush=True)


def _id_number(n: int) -> str:
    body = f"5111{n:06d}1980010"  # 17 digits, unique per n
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def generate(app: Any, experts: int, applicants: int) -> dict[str, Any]:
    from werkzeug.security import generate_password_hash

    from app.extensions import db
    from app.services.title import meetings, voting
    from app.services.title.module import EXPERT
    from models.core.unit import Category, Unit
    from models.core.user import UnitUser
    from models.experts.expert import Expert
    from models.title import Activity, ActivityLevel, Application, Committee, CommitteeExpert
    from models.title.meeting import Draw, MeetingApplicant, MeetingExpert

    now = dt.datetime.now()
    pw = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    with app.app_context():
        sm = app.appbuilder.sm
        cats = {c.code: c for c in db.session.scalars(select(Category))}

        def unit(name: str, parent: Unit | None, region: str, cat: str) -> Unit:
            u = Unit(name=name, parent_id=parent.id if parent else None, region_code=region, nature="10", path="")
            u.categories = [cats[cat]]
            db.session.add(u)
            db.session.flush()
            u.path = (parent.path if parent else "/") + f"{u.id}/"
            u.depth = (parent.depth + 1) if parent else 0
            return u

        root = unit("平台根单位", None, "", "core.root")
        city = unit("乐山市人力资源和社会保障局", root, "511100", "title.hr")
        leaf = unit("乐山市建筑设计研究院", city, "511102", "title.applicant")
        staff = UnitUser(first_name="计票员", last_name="", username="bench_city", email="bench_city@bench.invalid",
                         active=True, password=pw, unit_id=city.id, is_unit_admin=True, must_change_password=False,
                         user_type="unit", line="title")
        staff.roles = [sm.find_role("单位管理员")]
        db.session.add(staff)
        committee = Committee(unit_id=city.id, name="乐山市工程技术系列中级职称评审委员会", agency="职改办", office="专技科",
                              levels="3", authority_unit_id=city.id, filing_unit_id=city.id, contact="张老师",
                              contact_phone="0833-2000000", address="乐山", series="08", region_codes="511100",
                              review_state="approved", filed_at=now, valid_until=dt.date.today() + dt.timedelta(days=900))
        db.session.add(committee)
        db.session.flush()
        activity = Activity(unit_id=city.id, committee_id=committee.id, name=f"{now.year}年度工程技术中级评审", scope_text="乐山",
                            year=now.year, apply_start=now - dt.timedelta(days=20), first_submit_until=now,
                            resubmit_until=now, receive_until=now, review_state="approved", published_at=now,
                            stage="receiving", saved_part="materials")
        db.session.add(activity)
        db.session.flush()
        db.session.add(ActivityLevel(activity_id=activity.id, level="3", majors="建筑工程"))
        person_role = sm.find_role("职称申报人")
        apps = []
        for i in range(applicants):
            number = _id_number(10000 + i)
            u = UnitUser(first_name=f"申报人{i}", last_name="", username=number, email=f"a{i}@bench.invalid",
                         active=True, password=pw, unit_id=leaf.id, must_change_password=False, user_type="person",
                         line="title", id_number=number)
            u.roles = [person_role]
            db.session.add(u)
            db.session.flush()
            apps.append(Application(unit_id=leaf.id, user_id=u.id, activity_id=activity.id, committee_id=committee.id,
                                    year=activity.year, series="08", level="3", major="建筑工程", name=f"申报人{i:03d}",
                                    sex="1", id_number=number, phone="13800001111", workplace=leaf.name,
                                    ethnicity="01", politics="13", work_start=dt.date(2010, 7, 1), education="21",
                                    school="西南交通大学", school_major="土木工程", graduated_on=dt.date(2010, 6, 30),
                                    current_series="08", current_level="4", current_title="助理工程师",
                                    current_title_date=dt.date(2015, 1, 1), review_state="approved"))
        db.session.add_all(apps)
        db.session.flush()
        meeting = meetings.meetings_of(activity, create=True)["normal"]
        draw = Draw(meeting_id=meeting.id, number=1, seed="00", multiplier="1.5", rules={}, pool={}, result=[],
                    result_digest="0" * 64, created_at=dt.datetime.now(dt.UTC))
        db.session.add(draw)
        db.session.flush()
        expert_role = sm.find_role(EXPERT)
        logins = []
        for i in range(experts):
            number = _id_number(50000 + i)
            ex = Expert(unit_id=city.id, name=f"专家{i:02d}", id_type="01", id_number=number, sex="1",
                        birth_ym=number[6:12], work_unit=f"乐山市第{i}设计院", admin_post="无", phone=f"139{i:08d}",
                        honours="无", series="08", major="建筑工程", title="1")
            db.session.add(ex)
            db.session.flush()
            db.session.add(CommitteeExpert(committee_id=committee.id, expert_id=ex.id, unit_id=city.id, state="in",
                                           chair="chair" if i == 0 else "", active=True))
            db.session.add(MeetingExpert(meeting_id=meeting.id, draw_id=draw.id, expert_id=ex.id, draw_order=i + 1,
                                         chair=i == 0, attendance="confirmed"))
            u = UnitUser(first_name=ex.name, last_name="", username=number, email=f"e{i}@bench.invalid", active=True,
                         password=pw, unit_id=city.id, must_change_password=False, user_type="person", line="title",
                         id_number=number)
            u.roles = [expert_role]
            db.session.add(u)
            logins.append(number)
        for i, a in enumerate(apps):
            db.session.add(MeetingApplicant(meeting_id=meeting.id, application_id=a.id, sort=i + 1))
        meeting.state = "assigning"
        db.session.flush()
        round_ = voting.open_first_round(meeting, staff)
        db.session.commit()
        entry_ids = [e.id for e in round_.entries]
        return {"meeting": meeting.id, "round": round_.id, "entries": entry_ids, "experts": logins}


def concurrent_submit(app: Any, ids: dict[str, Any]) -> dict[str, Any]:
    """Every expert's whole ballot posted at the same moment, each from its own thread and client."""
    from app.extensions import db
    from models.title.meeting import Ballot, RoundExpert

    clients = []
    for login in ids["experts"]:
        c = app.test_client()
        r = c.post("/login/", data={"username": login, "password": PASSWORD})
        assert r.status_code == 302, f"login {login}: {r.status_code}"
        clients.append(c)
    url = f"/title/vote/round/{ids['round']}/save"
    barrier = threading.Barrier(len(clients))
    codes: list[int] = []
    times: list[float] = []

    def go(c: Any, k: int) -> None:
        data = {f"choice_{eid}": ("agree", "agree", "disagree", "abstain")[(k + j) % 4]
                for j, eid in enumerate(ids["entries"])}
        data["action"] = "submit"
        barrier.wait()
        t0 = time.perf_counter()
        with app.app_context():
            codes.append(c.post(url, data=data).status_code)
        times.append((time.perf_counter() - t0) * 1000)

    started = time.perf_counter()
    threads = [threading.Thread(target=go, args=(c, k)) for k, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = (time.perf_counter() - started) * 1000
    with app.app_context():
        kept = db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.round_id == ids["round"]))
        submitted = db.session.scalar(select(func.count()).select_from(RoundExpert).where(
            RoundExpert.round_id == ids["round"], RoundExpert.state == "submitted"))
    times.sort()
    expected = len(ids["experts"]) * len(ids["entries"])
    return {"requests": len(codes), "ok": codes.count(302), "ballots_kept": kept, "ballots_expected": expected,
            "all_kept": kept == expected and submitted == len(ids["experts"]), "submitted": submitted,
            "wall_ms": round(wall, 1), "p50_ms": round(times[len(times) // 2], 1), "max_ms": round(times[-1], 1)}


def seal(app: Any, ids: dict[str, Any]) -> None:
    c = app.test_client()
    c.post("/login/", data={"username": "bench_city", "password": PASSWORD})
    with app.app_context():
        r = c.post(f"/title/tally/{ids['meeting']}/seal", data={"round_id": ids["round"]})
    assert r.status_code == 302


def run_backend(name: str, url: str, args: argparse.Namespace) -> None:
    from app.dbutil import reset_postgres_schema

    reset_postgres_schema(url)
    app = migrated_app(url)
    t0 = time.perf_counter()
    ids = generate(app, args.experts, args.applicants)
    log(f"[{name}] generated in {time.perf_counter() - t0:.1f} s")
    base = {"bench": "title.vote", "backend": name, "experts": args.experts, "applicants": args.applicants}
    res = concurrent_submit(app, ids)
    print(json.dumps({**base, "case": "concurrent_submit", **res}, ensure_ascii=False), flush=True)
    tally = f"/title/tally/{ids['meeting']}/?round={ids['round']}"
    cases = [("tally_progress", tally + "&tab=progress"), ("tally_result", tally + "&tab=result")]
    timed = [Timed(app, "bench_city", u) for _c, u in cases]
    for (case, u), r in zip(cases, measure_all(app, timed, args.runs), strict=True):
        print(json.dumps({**base, "case": case, "url": u, **r, "goal": {"p50_ms": 100}}, ensure_ascii=False),
              flush=True)
    seal(app, ids)
    timed = [Timed(app, "bench_city", tally + "&tab=result")]
    for r in measure_all(app, timed, args.runs):
        print(json.dumps({**base, "case": "tally_sealed", "url": tally + "&tab=result", **r,
                          "goal": {"p50_ms": 100}}, ensure_ascii=False), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--experts", type=int, default=60)
    parser.add_argument("--applicants", type=int, default=300)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--backend", default="postgresql", choices=["all", "sqlite", "postgresql"])
    args = parser.parse_args()
    os.environ.setdefault("ENABLED_MODULES", "all")
    each_backend(args.backend, "bench_title_vote.db", lambda name, url: run_backend(name, url, args))


if __name__ == "__main__":
    main()
