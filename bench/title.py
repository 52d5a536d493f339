"""make bench-title: 职称评审 material review at size (issue 17).

Generates one 四川-like tree (province and city 人社部门, a 主管部门 with 500 申报单位), a filed committee of
the city with an activity opening three levels, and 100,000 applications in that activity (one person
each, series spread over five series), each submitted on the review engine (its review, route nodes and
trail): most wait at the 主管部门, the rest are passed on, returned or rejected there. Then, through the
app's own request path (a logged-in test client), prints one JSON line per case:

- ``review_list``: the 主管部门's 下级单位人员审核 list filtered by one series (goal: p50 ≤ 40 ms, ≤ 10 SQL);
- ``review_list_tab``: the same list on its 初审 tab;
- ``review_page``: one applicant's whole review page with 20 achievement entries and 30 attachments
  (goal: p50 ≤ 60 ms).

SQLite always; PostgreSQL too when TEST_DATABASE_URL is set.

    .venv/bin/python -m bench.title [--applications 100000] [--runs 30] [--backend all|sqlite|postgresql]
        [--show-sql]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import time
from typing import Any

from sqlalchemy import insert, select, text

from bench import each_backend, migrated_app
from bench.scope import PASSWORD, Timed, measure_all

SERIES = ["08", "09", "07", "24", "01"]  # 工程技术, 农业技术, 卫生技术, 会计, 高校教师
LEVELS = ["3", "2", "4"]
BATCH = 5000


def log(*a: Any) -> None:
    print(*a, file=sys.stderr, flush=True)


def _hash() -> str:
    from werkzeug.security import generate_password_hash

    return generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


def generate(app: Any, applications: int) -> dict[str, Any]:
    """The tree, the committee, the activity and ``applications`` submitted applications; returns the
    ids and logins the cases use."""
    from app.extensions import db
    from models.core.attachment import Attachment
    from models.core.unit import Category, Unit
    from models.core.user import UnitUser
    from models.core.workflow import Review, ReviewNode, ReviewTrail
    from models.title import AchievementEntry, AchievementItem, Activity, ActivityLevel, Application, Committee

    started = time.perf_counter()
    now = dt.datetime.now()
    with app.app_context():
        sm = app.appbuilder.sm
        cats = {c.code: c for c in db.session.scalars(select(Category))}

        def unit(name: str, parent: Unit | None, region: str, cat: str, nature: str = "10") -> Unit:
            u = Unit(name=name, parent_id=parent.id if parent else None, region_code=region, nature=nature, path="")
            u.categories = [cats[cat]]
            db.session.add(u)
            db.session.flush()
            u.path = (parent.path if parent else "/") + f"{u.id}/"
            u.depth = (parent.depth + 1) if parent else 0
            return u

        root = unit("平台根单位", None, "", "core.root")
        prov = unit("四川省人力资源和社会保障厅", root, "510000", "title.hr")
        city = unit("乐山市人力资源和社会保障局", prov, "511100", "title.hr")
        dept = unit("乐山市住房和城乡建设局", city, "511100", "title.competent")
        db.session.flush()
        admin_role = sm.find_role("单位管理员")
        applicant_role = sm.find_role("职称申报人")
        pw = _hash()

        def account(login: str, u: Unit) -> UnitUser:
            user = UnitUser(first_name=login, last_name="", username=login, email=f"{login}@bench.invalid",
                            active=True, password=pw, unit_id=u.id, is_unit_admin=True, must_change_password=False,
                            user_type="unit", line="title")
            user.roles = [admin_role]
            db.session.add(user)
            return user

        account("bench_city", city)
        account("bench_dept", dept)
        db.session.flush()
        leaves = []
        for i in range(500):
            leaves.append(unit(f"乐山市第{i + 1}建筑工程有限公司", dept, "511102", "title.applicant", "30"))
        db.session.flush()
        committee = Committee(unit_id=city.id, name="乐山市工程技术系列中级职称评审委员会", agency="乐山市职称改革工作领导小组办公室",
                              office="乐山市人社局专技科", levels="2,3,4", authority_unit_id=city.id, filing_unit_id=city.id,
                              contact="张老师", contact_phone="0833-2000000", address="乐山市市中区", series="08",
                              region_codes="511100", review_state="approved", filed_at=now,
                              valid_until=dt.date.today() + dt.timedelta(days=1000))
        db.session.add(committee)
        db.session.flush()
        activity = Activity(unit_id=city.id, committee_id=committee.id, name=f"{now.year}年度乐山市工程技术系列中级职称评审",
                            scope_text="全市工程技术人员", year=now.year, apply_start=now - dt.timedelta(days=20),
                            first_submit_until=now + dt.timedelta(days=20), resubmit_until=now + dt.timedelta(days=25),
                            receive_until=now + dt.timedelta(days=30), review_state="approved", published_at=now,
                            stage="receiving", saved_part="materials")
        db.session.add(activity)
        db.session.flush()
        for lv in LEVELS:
            db.session.add(ActivityLevel(activity_id=activity.id, level=lv, majors="建筑工程\n市政工程\n道路桥梁"))
        items = []
        for i, kinds in enumerate(["general", "paper", "patent", "award"], start=1):
            item = AchievementItem(activity_id=activity.id, sort=i, heading="业绩成果", templates=kinds)
            db.session.add(item)
            items.append(item)
        db.session.commit()
        ids = {"city": city.id, "dept": dept.id, "committee": committee.id, "activity": activity.id,
               "leaves": [u.id for u in leaves], "items": [i.id for i in items]}
        applicant_role_id = applicant_role.id

    # persons, applications, reviews, nodes and trails in batches (Core inserts: the generator is not measured)
    with app.app_context():
        conn = db.session.connection()
        user_id0 = (db.session.scalar(text("SELECT max(id) FROM ab_user")) or 0) + 1
        app_id0 = (db.session.scalar(text("SELECT max(id) FROM title_application")) or 0) + 1
        review_id0 = (db.session.scalar(text("SELECT max(id) FROM core_review")) or 0) + 1
        user_role = sm.user_model.roles.property.secondary
        for start in range(0, applications, BATCH):
            n = min(BATCH, applications - start)
            users, roles, apps, reviews, nodes, trails = [], [], [], [], [], []
            for k in range(start, start + n):
                uid, aid, rid = user_id0 + k, app_id0 + k, review_id0 + k
                leaf = ids["leaves"][k % len(ids["leaves"])]
                idn = f"5111021980{(k % 12) + 1:02d}{(k % 28) + 1:02d}{k % 1000:03d}"[:17] + "X"
                users.append({"id": uid, "first_name": f"申报人{k}", "last_name": "", "username": f"b{k:06d}{idn}"[:30],
                              "email": f"p{k}@bench.invalid", "active": True, "password": pw, "unit_id": leaf,
                              "is_unit_admin": False, "must_change_password": False, "user_type": "person",
                              "line": "title", "session_version": 0})
                roles.append({"user_id": uid, "role_id": applicant_role_id})
                # 80 % wait at the 主管部门 (step 1), 10 % passed on to the committee's unit, 5 % returned, 5 % rejected
                r = k % 20
                state, step, current = ("pending", 1, ids["dept"])
                if r in (16, 17):
                    state, step, current = ("pending", 2, ids["city"])
                elif r == 18:
                    state, step, current = ("returned", 1, None)
                elif r == 19:
                    state, step, current = ("rejected", 1, None)
                submitted = now - dt.timedelta(minutes=k % 5000)
                apps.append({"id": aid, "unit_id": leaf, "user_id": uid, "activity_id": ids["activity"],
                             "committee_id": ids["committee"], "year": now.year, "series": SERIES[k % len(SERIES)],
                             "level": LEVELS[k % len(LEVELS)], "major": "建筑工程", "eval_method": "normal",
                             "category": "direct", "name": f"申报人{k}", "sex": "1" if k % 2 else "2", "id_number": idn,
                             "phone": f"139{k:08d}"[:11], "workplace": f"乐山市第{(k % 500) + 1}建筑工程有限公司",
                             "review_state": state, "review_unit_id": current, "created_on": submitted,
                             "changed_on": submitted})
                reviews.append({"id": rid, "matter": "title.application", "record_id": aid, "state": state, "step": step,
                                "level": 0, "round": 1, "current_unit_id": current, "applicant_user_id": uid,
                                "applicant_unit_id": leaf, "version": 2, "submitted_at": submitted})
                for pos, u in enumerate([leaf, ids["dept"], ids["city"]]):
                    nodes.append({"review_id": rid, "position": pos, "unit_id": u, "kind": "review"})
                trails.append({"review_id": rid, "at": submitted, "user_id": uid, "user_name": f"申报人{k}", "unit_id": leaf,
                               "action": "submit", "from_state": "draft", "to_state": "pending", "step": 0, "level": 0,
                               "round": 1})
                trails.append({"review_id": rid, "at": submitted, "user_id": None, "user_name": "单位审核员",
                               "unit_id": leaf, "action": "approve", "opinion": "同意推荐", "from_state": "pending",
                               "to_state": "pending", "step": 0, "level": 0, "round": 1})
            conn.execute(insert(UnitUser.__table__), users)
            conn.execute(insert(user_role), roles)
            conn.execute(insert(Application.__table__), apps)
            conn.execute(insert(Review.__table__), reviews)
            conn.execute(insert(ReviewNode.__table__), nodes)
            conn.execute(insert(ReviewTrail.__table__), trails)
            db.session.commit()
            conn = db.session.connection()
            if (start // BATCH) % 4 == 0:
                log(f"  {start + n} applications")
        # the page case: one application with 20 entries and 30 attachments
        page_id = app_id0
        data = {"general": {"start": "2020-01-01", "end": "2021-12-31", "work_name": "乐山大佛景区道路改造工程",
                            "after_title": "是", "role": "项目技术负责人，主持施工组织设计。", "result": "获市优质工程奖。"},
                "paper": {"name": "高填方路基沉降控制技术研究", "published_on": "2021-06-01", "category": "期刊论文",
                          "journal": "四川建筑", "issn": "CN51-1144/TU", "rank": "1", "words": "8"},
                "patent": {"name": "一种路基压实检测装置", "patent_type": "实用新型专利", "patent_no": "ZL202120000000.1",
                           "approved_on": "2022-03-01", "rank": "1", "country": "中国"},
                "award": {"name": "乐山市科学技术进步奖", "grantor": "乐山市人民政府", "award_level": "市厅级",
                          "awarded_on": "2022-12-01", "grade": "二等奖"}}
        kinds = ["general", "paper", "patent", "award"]
        entries = [{"application_id": page_id, "item_id": ids["items"][i % 4], "template": kinds[i % 4],
                    "data": data[kinds[i % 4]]} for i in range(20)]
        conn.execute(insert(AchievementEntry.__table__), entries)
        entry_ids = list(db.session.scalars(select(AchievementEntry.id).where(AchievementEntry.application_id == page_id)))
        atts = []
        for i in range(30):
            owner, oid, slot = (("title.achievement", entry_ids[i % len(entry_ids)], "file") if i < 24 else
                                ("title.application", page_id, "material"))
            atts.append({"owner_type": owner, "owner_id": oid, "slot": slot, "file_name": f"佐证材料{i + 1}.pdf",
                         "storage_key": f"bench/{page_id}/{i}", "kind": "pdf", "size": 120000, "sha256": "0" * 64,
                         "uploaded_by": user_id0, "uploaded_at": now, "unit_id": ids["leaves"][0]})
        conn.execute(insert(Attachment.__table__), atts)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":  # what autovacuum does after a bulk load (visibility map, statistics)
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as auto:
                auto.execute(text("VACUUM ANALYZE"))
    ids["page"] = page_id
    ids["generate_s"] = round(time.perf_counter() - started, 1)
    return ids


# the cases: (name, login, url) — the list endpoints are the material review's (views/title/review.py)
def cases(ids: dict[str, Any]) -> list[tuple[str, str, str]]:
    base = "/title/applications"
    return [
        ("review_list", "bench_dept", f"{base}/list/?side=lower&q_series=08"),
        ("review_list_tab", "bench_dept", f"{base}/list/?side=lower&tab=first&q_series=08"),
        ("review_page", "bench_dept", f"{base}/review/{ids['page']}"),
    ]


def run_backend(name: str, url: str, args: argparse.Namespace) -> None:
    from app.dbutil import reset_postgres_schema

    reset_postgres_schema(url)
    app = migrated_app(url)
    log(f"[{name}] generating {args.applications} applications …")
    ids = generate(app, args.applications)
    log(f"[{name}] generated in {ids['generate_s']} s")
    timed = [Timed(app, login, u, args.show_sql) for _case, login, u in cases(ids)]
    results = measure_all(app, timed, args.runs)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    goals = {"review_list": {"p50_ms": 40, "sql_count": 10}, "review_list_tab": {"p50_ms": 40, "sql_count": 10},
             "review_page": {"p50_ms": 60}}
    for (case, login, u), res in zip(cases(ids), results, strict=True):
        print(json.dumps({"bench": "title", "backend": name, "case": case, "user": login, "url": u,
                          "applications": args.applications, **res, "goal": goals.get(case), "peak_rss_mb": peak},
                         ensure_ascii=False), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--backend", default="all", choices=["all", "sqlite", "postgresql"])
    parser.add_argument("--show-sql", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("ENABLED_MODULES", "all")
    each_backend(args.backend, "bench_title.db", lambda name, url: run_backend(name, url, args))


if __name__ == "__main__":
    main()
