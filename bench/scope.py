"""make bench-scope: the unit scope at size.

Generates 50,000 units in 5 levels and 1,000,000 scoped records (core_person), then
prints one JSON line per case: the list page (25 rows, rendered HTML) as a user of a
mid-level unit, a county unit and the root, each measured interleaved with the fair
baseline — the same list served by a plain FAB ModelView with no scope and no relation
filter ("bare_fab_<level>", same user) — and the ratio of their medians ("<level>_vs_bare");
the REST list; the lazy tree's children request; the unit list. SQLite always; PostgreSQL
too when TEST_DATABASE_URL is set. See bench/README.md (Scope).

    .venv/bin/python -m bench.scope [--units 50000] [--records 1000000] [--runs 30]
        [--backend all|sqlite|postgresql] [--no-vacuum] [--show-sql]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import resource
import statistics
import sys
import time
from typing import Any

from sqlalchemy import event, insert, text

from bench import each_backend

HERE = os.path.dirname(os.path.abspath(__file__))
PASSWORD = "Bench@2026"
BATCH = 20000  # rows per executemany on SQLite


def log(*a: Any) -> None:
    print(*a, file=sys.stderr, flush=True)


def tree_shape(total: int) -> list[int]:
    """Units per level: 1 root, 10, 100, 1000, the rest as leaves."""
    levels = [1, 10, 100, 1000]
    while sum(levels) >= total:
        levels = [max(1, n // 10) for n in levels]
    levels.append(total - sum(levels))
    return levels


def generate(app: Any, units: int, records: int, vacuum: bool = True) -> dict[str, Any]:
    from app.extensions import db
    from models.core.person import Person
    from models.core.unit import Unit

    shape = tree_shape(units)
    now = dt.datetime.now()
    rows: list[dict[str, Any]] = []
    levels: list[list[tuple[int, str]]] = []
    next_id = 1
    for depth, count in enumerate(shape):
        level = []
        parents = levels[-1] if levels else [(None, "/")]
        for i in range(count):
            pid, ppath = parents[i % len(parents)]
            uid = next_id
            next_id += 1
            path = f"{ppath}{uid}/" if pid is not None else f"/{uid}/"
            rows.append({"id": uid, "name": f"单位{uid}", "parent_id": pid, "path": path, "depth": depth,
                         "active": True, "sort": 0, "created_on": now, "changed_on": now})
            level.append((uid, path))
        levels.append(level)
    t0 = time.perf_counter()
    with app.app_context():
        for i in range(0, len(rows), BATCH):
            db.session.execute(insert(Unit), rows[i:i + BATCH])
        db.session.commit()
        leaves = [u for u, _p in levels[-1]]
        log(f"units: {len(rows)} in {time.perf_counter() - t0:.1f}s, shape {shape}")
        t1 = time.perf_counter()
        engine = db.engine
        if engine.dialect.name == "postgresql":
            raw = engine.raw_connection()
            try:
                with raw.cursor() as cur, cur.copy(
                    "COPY core_person (id, name, sex, title_series, title_level, education, unit_id, created_on,"
                    " changed_on) FROM STDIN"
                ) as copy:
                    for i in range(1, records + 1):
                        copy.write_row((i, f"人员{i}", "1" if i % 2 else "2", f"{i % 29 + 1:02d}", str(i % 4 + 1),
                                        "21", leaves[i % len(leaves)], now, now))
                        if i % 200000 == 0:
                            log(f"  copied {i} records")
                raw.commit()
            finally:
                raw.close()
            db.session.execute(text("SELECT setval(pg_get_serial_sequence('core_person','id'), :n)"),
                               {"n": records})
            db.session.execute(text("SELECT setval(pg_get_serial_sequence('core_unit','id'), :n)"),
                               {"n": len(rows)})
            db.session.commit()
        else:
            batch = []
            for i in range(1, records + 1):
                batch.append({"id": i, "name": f"人员{i}", "sex": "1" if i % 2 else "2",
                              "title_series": f"{i % 29 + 1:02d}", "title_level": str(i % 4 + 1), "education": "21",
                              "unit_id": leaves[i % len(leaves)], "created_on": now, "changed_on": now})
                if len(batch) == BATCH:
                    db.session.execute(insert(Person), batch)
                    batch = []
                    if i % 200000 == 0:
                        log(f"  inserted {i} records")
            if batch:
                db.session.execute(insert(Person), batch)
            db.session.commit()
        log(f"records: {records} in {time.perf_counter() - t1:.1f}s")
    insert_seconds = time.perf_counter() - t0
    # Steady state: on PostgreSQL, VACUUM sets the visibility map (autovacuum's work in
    # production) so that counts can be answered from the index. --no-vacuum: ANALYZE only.
    t2 = time.perf_counter()
    with app.app_context():
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            pg = conn.dialect.name == "postgresql"
            stmt = "VACUUM ANALYZE" if pg and vacuum else "ANALYZE"
            conn.execute(text(stmt))
    log(f"{stmt}: {time.perf_counter() - t2:.1f}s")
    return {"levels": levels, "insert_seconds": insert_seconds, "analyze_seconds": time.perf_counter() - t2,
            "gen_seconds": time.perf_counter() - t0, "analyze": stmt}


def make_users(app: Any, levels: list[list[tuple[int, str]]]) -> dict[str, str]:
    from app.extensions import db
    from app.services.core import users as user_service
    from models.core.unit import Unit

    picks = {"root": levels[0][0][0], "mid": levels[2][0][0], "county": levels[3][0][0]}
    out = {}
    with app.app_context():
        sm = app.appbuilder.sm
        for case, uid in picks.items():
            unit = db.session.get(Unit, uid)
            user_service.create_user(unit, username=f"bench_{case}", name=case, phone="13900000000",
                                     password=PASSWORD, is_admin=True)
            out[case] = f"bench_{case}"
        user_service.create_user(db.session.get(Unit, picks["root"]), username="bench_sys", name="sys",
                                 phone="13900000001", password=PASSWORD, roles=[sm.find_role(sm.auth_role_admin)])
        # established accounts: no forced first-login password change in the measurement
        db.session.execute(text("UPDATE ab_user SET must_change_password = false WHERE username LIKE 'bench_%'"))
        db.session.commit()
    return out


def in_scope_count(app: Any, username: str, model: Any = None) -> int:
    """Rows of ``model`` (default core_person) the user may reach, by the app's own scope_clause."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.security.scope import scope_clause
    from models.core.person import Person
    from models.core.user import UnitUser

    model = model or Person
    with app.app_context():
        user = db.session.scalar(select(UnitUser).where(UnitUser.username == username))
        return db.session.scalar(select(func.count()).select_from(model).where(scope_clause(model, user))) or 0


_CLIENTS: dict[tuple[int, str], Any] = {}


class Timed:
    """One logged-in test client whose requests are timed and their SQL statements counted."""

    def __init__(self, app: Any, username: str, url: str, show_sql: bool = False):
        self.app, self.username, self.url, self.show_sql = app, username, url, show_sql
        self.client = _CLIENTS.get((id(app), username))
        if self.client is None:  # one login per user (the login rate limit counts them)
            self.client = app.test_client()
            r = self.client.post("/login/", data={"username": username, "password": PASSWORD})
            assert r.status_code == 302, f"login {username}: {r.status_code}"
            _CLIENTS[(id(app), username)] = self.client
        self.times: list[float] = []
        self.counts: list[int] = []
        self.statements: list[str] = []

    def warm(self, n: int = 3) -> None:
        for _ in range(n):
            resp = self.client.get(self.url)
            assert resp.status_code == 200, (self.url, resp.status_code)

    def once(self, counter: list[int], statements: list[str]) -> None:
        counter[0] = 0
        statements.clear()
        t = time.perf_counter()
        resp = self.client.get(self.url)
        self.times.append((time.perf_counter() - t) * 1000)
        self.counts.append(counter[0])
        assert resp.status_code == 200, (self.url, resp.status_code)
        self.statements = list(statements)

    def result(self) -> dict[str, Any]:
        if self.show_sql:  # the statements of the last timed request
            log(f"--- {self.username} GET {self.url}: {len(self.statements)} statements")
            for st in self.statements:
                log("   ", " ".join(st.split())[:600])
        times = sorted(self.times)
        return {
            "p50_ms": round(statistics.median(times), 2),
            "p95_ms": round(times[math.ceil(len(times) * 0.95) - 1], 2),  # nearest rank
            "sql_count": max(self.counts),
            "runs": len(times),
        }


def measure_all(app: Any, timed: list[Timed], runs: int) -> list[dict[str, Any]]:
    """Warm each client, then time ``runs`` rounds, each round one request of every client in turn
    (interleaved: a slow moment of the machine falls on all of them alike)."""
    from app.extensions import db

    current = [0]
    statements: list[str] = []

    def on_exec(_conn: Any, _cursor: Any, statement: str, *_a: Any) -> None:
        current[0] += 1
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    for t in timed:
        t.warm()
    event.listen(engine, "before_cursor_execute", on_exec)
    try:
        for _ in range(runs):
            for t in timed:
                t.once(current, statements)
    finally:
        event.remove(engine, "before_cursor_execute", on_exec)
    return [t.result() for t in timed]


def measure(app: Any, username: str, url: str, runs: int, show_sql: bool = False) -> dict[str, Any]:
    return measure_all(app, [Timed(app, username, url, show_sql)], runs)[0]


def build_app(url: str) -> Any:
    from flask_appbuilder import ModelView
    from flask_appbuilder.models.sqla.interface import SQLAInterface

    from app import create_app
    from models.core.person import Person

    class BarePersonView(ModelView):
        """The fair baseline: stock FAB over the same table, the scoped page's list and search
        columns (no relation filter: a ``unit`` filter would load every unit into the form)."""

        route_base = "/barepersons"
        datamodel = SQLAInterface(Person)
        list_columns = ["name", "sex", "unit", "title_series", "title_level", "education", "phone"]
        search_columns = ["name", "title_series", "title_level", "education", "phone"]
        order_columns = ["name"]
        base_order = ("id", "desc")

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False, "TESTING": True,
                      "SECRET_KEY": "bench"})
    with app.app_context():
        from flask_migrate import upgrade

        from seed.categories import sync_categories
        from seed.dicts import sync_dicts
        from seed.roles import sync_roles

        upgrade()
        app.appbuilder.add_view_no_menu(BarePersonView)
        sync_roles(app.appbuilder)
        sync_categories()
        sync_dicts()
    return app


def grant_bare(app: Any, usernames: list[str]) -> None:
    """Give the measured users the bare page too (a role of its own), so that both pages are
    drawn for the same user with the same navbar and the same row buttons: the role holds on
    BarePersonView every permission the users' roles hold on PersonView (list, show, edit,
    delete, add …)."""
    from sqlalchemy import select

    from app.extensions import db
    from models.core.user import UnitUser

    with app.app_context():
        sm = app.appbuilder.sm
        users = list(db.session.scalars(select(UnitUser).where(UnitUser.username.in_(usernames))))
        held = {pv.permission.name for u in users for r in u.roles for pv in r.permissions
                if pv.view_menu.name == "PersonView"}
        role = sm.find_role("bench_bare") or sm.add_role("bench_bare")
        pvs = [sm.find_permission_view_menu(p, "BarePersonView") for p in sorted(held | {"can_list"})]
        role.permissions = [pv for pv in pvs if pv is not None]
        for user in users:
            if role not in user.roles:
                user.roles.append(role)
        db.session.commit()


GOAL_RATIO = 0.5  # scoped p50 / bare p50 of the mid-level page (bench/README.md, Scope)


def run_backend(name: str, url: str, args: argparse.Namespace) -> None:
    from app.dbutil import reset_postgres_schema

    reset_postgres_schema(url)
    app = build_app(url)
    gen = generate(app, args.units, args.records, vacuum=not args.no_vacuum)
    users = make_users(app, gen["levels"])
    grant_bare(app, list(users.values()))
    county_id = gen["levels"][3][0][0]
    province_id = gen["levels"][1][0][0]
    from models.core.unit import Unit

    scope_rows = {u: in_scope_count(app, u) for u in set(users.values())}
    unit_rows = in_scope_count(app, users["mid"], Unit)
    t_measure = time.perf_counter()

    def emit(case: str, result: dict[str, Any], rows: int | None = None) -> None:
        line = {"backend": name, "case": case, **result}
        if rows is not None:
            line["rows_in_scope"] = rows
        print(json.dumps(line, ensure_ascii=False), flush=True)

    # the list page against the fair baseline, interleaved: scoped, bare, scoped, bare …
    for level in ("mid", "county", "root"):
        user = users[level]
        scoped, bare = measure_all(app, [Timed(app, user, "/persons/list/", args.show_sql),
                                         Timed(app, user, "/barepersons/list/", args.show_sql)], args.runs)
        emit(f"{level}_list_html", scoped, scope_rows[user])
        emit(f"bare_fab_{level}", bare, args.records)  # no scope: every record
        ratio = scoped["p50_ms"] / bare["p50_ms"] if bare["p50_ms"] else None
        line: dict[str, Any] = {"backend": name, "case": f"{level}_vs_bare", "scoped_p50_ms": scoped["p50_ms"],
                                "bare_p50_ms": bare["p50_ms"], "ratio": round(ratio, 3) if ratio else None,
                                "overhead": round(ratio - 1, 3) if ratio else None,
                                "scoped_sql_count": scoped["sql_count"], "bare_sql_count": bare["sql_count"]}
        if level == "mid":
            line.update(goal_ratio=GOAL_RATIO, met=ratio is not None and ratio <= GOAL_RATIO,
                        goal_sql_count=5, sql_met=scoped["sql_count"] <= 5)
        print(json.dumps(line, ensure_ascii=False), flush=True)
    for case, user, url_ in [
        ("mid_rest", users["mid"], "/api/v1/person/"),
        ("county_rest", users["county"], "/api/v1/person/"),
        ("root_rest", users["root"], "/api/v1/person/"),
        ("tree_children_county", users["mid"], f"/unittree/children/{county_id}"),
        ("tree_children_province", users["root"], f"/unittree/children/{province_id}"),
        ("units_list_html_mid", users["mid"], "/units/list/"),
    ]:
        result = measure(app, user, url_, args.runs, args.show_sql)
        if case.startswith("units_list"):
            emit(case, result, unit_rows)  # units (not persons) the mid-level user may see
        elif "rest" in case:
            emit(case, result, scope_rows[user])
        else:
            emit(case, result)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"backend": name, "case": "summary", "units": args.units, "records": args.records,
                      "gen_seconds": round(gen["gen_seconds"], 1),
                      "insert_seconds": round(gen["insert_seconds"], 1),
                      "analyze": gen["analyze"], "analyze_seconds": round(gen["analyze_seconds"], 1),
                      "measure_seconds": round(time.perf_counter() - t_measure, 1),
                      "peak_rss_mb": round(peak, 1)}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=50000)
    parser.add_argument("--records", type=int, default=1000000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--backend", choices=["all", "sqlite", "postgresql"], default="all")
    parser.add_argument("--no-vacuum", action="store_true",
                        help="PostgreSQL: plain ANALYZE after loading instead of VACUUM ANALYZE")
    parser.add_argument("--show-sql", action="store_true",
                        help="log the SQL of the last timed request of each case to stderr")
    args = parser.parse_args()
    each_backend(args.backend, "bench.db", lambda name, url: run_backend(name, url, args))


if __name__ == "__main__":
    main()
