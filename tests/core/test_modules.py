"""Business lines as modules (issue 16): the manifest, membership by category, one line per deployment.

A unit belongs to the lines of its categories, a person to the line they registered in; a view of
another line is refused by URL and hidden from the menu whatever the roles grant (单位管理员 holds
both lines' permissions in the demo). A deployment with one line enabled starts, seeds and shows
nothing of the other line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from sqlalchemy import select

from app.extensions import db
from models.core.user import UnitUser

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _user(login: str) -> UnitUser:
    return db.session.scalar(select(UnitUser).where(UnitUser.username == login))


def test_every_shipped_line_has_a_manifest(app):
    from app import modules

    with app.app_context():
        slugs = modules.enabled_slugs()
        assert slugs == ["commissioner", "grassroots", "title"]
        for module in modules.enabled():
            assert module.slug == module.models.split(".")[-1]
            assert all(code.startswith(module.slug + ".") for code in module.categories)
        # every view a line registered is remembered as that line's
        assert modules.VIEW_LINE["grassroots.ServiceTeam"] == "grassroots"
        assert modules.VIEW_LINE["commissioner.Application"] == "commissioner"
        assert modules.VIEW_LINE["Commissioner"] == "commissioner"  # its menu category
        assert modules.VIEW_LINE["title.Application"] == "title"
        assert "UnitView" not in modules.VIEW_LINE  # the platform's views belong to no line


def test_membership_follows_categories_and_registration(app):
    from app.modules import lines_of

    with app.app_context():
        assert lines_of(_user("hb_admin")) == {"grassroots", "title", "cedu"}
        assert lines_of(_user("hbkj_admin")) == {"commissioner"}
        assert lines_of(_user("ktp_city")) == {"commissioner"}  # a person: the line they registered in
        assert {"grassroots", "commissioner"} <= lines_of(_user("center_admin"))  # the root takes part in all


def test_another_lines_view_is_refused_whatever_the_roles_say(app, login_as):
    """hb_admin's role 单位管理员 grants the 科技特派员 screens (the platform role carries both lines'
    work), and yet neither the URL nor the menu opens them; hbkj_admin likewise for 专家服务基层."""
    sm = app.appbuilder.sm
    with app.test_request_context():
        hb, hbkj = _user("hb_admin"), _user("hbkj_admin")
        granted = {(pv.permission.name, pv.view_menu.name) for r in hb.roles for pv in r.permissions}
        assert ("can_list", "commissioner.People") in granted and ("can_list", "grassroots.ServiceTeam") in granted
        assert not sm.holds(hb, "can_list", "commissioner.People")
        assert sm.holds(hb, "can_list", "grassroots.ServiceTeam")
        assert not sm.holds(hbkj, "can_list", "grassroots.ServiceTeam")
        assert sm.holds(hbkj, "can_list", "commissioner.People")

    c = login_as("hb_admin")
    for url in ("/commissioner/people/list/", "/commissioner/applications/list/", "/commissioner/stats/", "/commissioner/org/"):
        r = c.get(url)
        assert r.status_code in (302, 403, 404), (url, r.status_code)
        assert "王晓农" not in r.get_data(as_text=True)
    home = c.get("/").get_data(as_text=True)
    assert "专家服务基层" in home and "科技特派员" not in home
    assert c.get("/grassroots/teams/list/").status_code == 200

    k = login_as("hbkj_admin")
    assert k.get("/grassroots/teams/list/").status_code in (302, 403, 404)
    home = k.get("/").get_data(as_text=True)
    assert "科技特派员" in home and "专家服务基层" not in home
    assert k.get("/commissioner/people/list/").status_code == 200


def test_a_person_sees_the_links_of_their_own_line(app, login_as):
    c = login_as("ktp_city")
    page = c.get("/").get_data(as_text=True)
    assert "个人申请表" in page and "/commissioner/my/" in page
    assert c.get("/grassroots/teams/list/").status_code in (302, 403, 404)


SINGLE_LINE = textwrap.dedent("""
    import json, os, sys, tempfile
    sys.path.insert(0, {root!r})
    os.environ["ENABLED_MODULES"] = "grassroots"
    from app import create_app
    path = os.path.join(tempfile.mkdtemp(prefix="talent-one-line-"), "app.db")
    app = create_app({{"SQLALCHEMY_DATABASE_URI": "sqlite:///" + path, "TESTING": True, "SERVER_NAME": None,
                      "SECRET_KEY": "x", "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False,
                      "FAB_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}})
    with app.app_context():
        from flask_migrate import upgrade
        upgrade()
        from seed.categories import sync_categories
        from seed.demo import load_demo
        from seed.dicts import sync_dicts
        from seed.roles import sync_roles
        sync_roles(app.appbuilder)
        sync_categories()
        sync_dicts()
        load_demo(app.appbuilder)
        from app.extensions import db
        from sqlalchemy import text
        sm = app.appbuilder.sm
        rules = [r.rule + " " + (r.endpoint or "") for r in app.url_map.iter_rules()]
        menu = []
        def walk(items):
            for i in items:
                menu.append(i.name + " " + str(i.label))
                walk(i.childs or [])
        walk(app.appbuilder.menu.get_list())
        roles = [r.name for r in sm.get_all_roles()]
        perms = [pv.view_menu.name for pv in sm.find_role("单位管理员").permissions]
        categories = [r[0] for r in db.session.execute(text("SELECT code FROM core_category"))]
        users = db.session.execute(text("SELECT count(*) FROM ab_user")).scalar()
    client = app.test_client()
    portal = client.get("/").get_data(as_text=True)
    with app.app_context():
        db.session.execute(text("UPDATE ab_user SET must_change_password = false"))
        db.session.commit()
    client.post("/login/", data={{"username": "hb_admin", "password": "Demo@2026"}})
    home = client.get("/").get_data(as_text=True)
    r = client.get("/grassroots/teams/list/")
    teams = r.status_code
    print(json.dumps({{"rules": rules, "menu": menu, "roles": roles, "perms": perms, "categories": categories,
                      "users": users, "portal": portal, "home": home, "teams": teams,
                      "commissioner_models": "models.commissioner" in sys.modules}}))
""")


def test_a_deployment_with_one_line_starts_seeds_and_shows_nothing_of_the_other():
    script = SINGLE_LINE.format(root=ROOT)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PYTEST_DATABASE_URL")}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=ROOT,
                         timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["users"] > 50  # the demo tree was seeded
    assert not [r for r in got["rules"] if "ktp" in r.lower() or "commissioner" in r.lower() or "/title/" in r]
    assert not [m for m in got["menu"] if "Ktp" in m or "Commissioner" in m or "科技特派员" in m or m.startswith("Title")]
    assert not [r for r in got["roles"] if "科技特派员" in r or r == "职称申报人"]
    assert not [v for v in got["perms"] if v.startswith(("Ktp", "Commissioner", "commissioner.", "title."))]
    assert not [c for c in got["categories"] if c.startswith(("commissioner.", "title."))]
    assert "grassroots.manage" in got["categories"]
    assert "科技特派员" not in got["portal"] and "职称申报人注册" not in got["portal"] and "单位注册" in got["portal"]
    assert "专家服务基层" in got["home"] and "科技特派员" not in got["home"] and "待办事项" in got["home"]
    assert got["teams"] == 200, out.stderr[-2000:]
    assert got["commissioner_models"] is False


def test_old_commissioner_addresses_redirect_to_the_new_ones(login_as):
    c = login_as("hbkj_admin")
    r = c.get("/ktp/people/list/?page=1")
    assert r.status_code == 308 and r.headers["Location"].endswith("/commissioner/people/list/?page=1")
    assert c.get("/ktp/people/list/", follow_redirects=True).status_code == 200


def test_a_lines_permissions_carry_its_slug(app):
    """The naming rule: a line's views are named "<slug>.<Name>" in FAB's permissions, and the grants made
    under the old names (Ktp…View) were renamed in place by migration 0017."""
    from app import modules

    with app.app_context():
        names = [v.class_permission_name for v in app.appbuilder.baseviews
                 if modules.VIEW_LINE.get(v.class_permission_name) == "commissioner"]
        assert names and all(n.startswith("commissioner.") for n in names)
        assert app.appbuilder.sm.find_view_menu("KtpApplicationView") is None
        assert app.appbuilder.sm.find_permission_view_menu("can_review", "commissioner.Application") is not None


MIGRATE = textwrap.dedent("""
    import json, os, sys, tempfile
    sys.path.insert(0, {root!r})
    from app import create_app
    from sqlalchemy import text
    url = {url!r} or "sqlite:///" + os.path.join(tempfile.mkdtemp(prefix="talent-rename-"), "app.db")
    from app.dbutil import reset_postgres_schema
    reset_postgres_schema(url)
    app = create_app({{"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "x"}})
    with app.app_context():
        from flask_migrate import upgrade
        from app.extensions import db
        upgrade(revision="0016")
        x = db.session.execute
        x(text("INSERT INTO ab_permission (id, name) VALUES (901, 'can_review')"))
        x(text("INSERT INTO ab_view_menu (id, name) VALUES (902, 'KtpApplicationView'), (903, 'KtpPeople'), "
               "(904, 'ServiceTeamView')"))
        x(text("INSERT INTO ab_permission_view (id, permission_id, view_menu_id) VALUES (905, 901, 902), (906, 901, 904)"))
        x(text("INSERT INTO ab_role (id, name) VALUES (907, '审核岗')"))
        x(text("INSERT INTO ab_permission_view_role (id, permission_view_id, role_id) VALUES (908, 905, 907), "
               "(909, 906, 907)"))
        x(text("INSERT INTO core_menu_setting (name, label, hidden, created_on, changed_on) "
               "VALUES ('KtpPeople', '特派员名单', false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        x(text("INSERT INTO core_unit (id, name, path, depth, active, sort, created_on, changed_on) "
               "VALUES (1, '测试单位', '/1/', 0, true, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP), "
               "(2, '下级单位', '/1/2/', 1, true, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        x(text("INSERT INTO ktp_org (unit_id, location, contact, contact_phone, created_on, changed_on) "
               "VALUES (1, '武汉', '周', '13900000000', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        x(text("INSERT INTO gr_base (id, unit_id, approved_year, field) VALUES (1, 2, 2019, '农业')"))
        x(text("INSERT INTO gr_base_year (base_id, unit_id, year, review_state) VALUES (1, 2, 2026, 'draft')"))
        db.session.commit()
        upgrade()
        years = x(text("SELECT count(*) FROM grassroots_base_year JOIN grassroots_base b ON b.id = base_id")).scalar()
        fk = x(text("PRAGMA foreign_keys")).scalar() if db.engine.dialect.name == "sqlite" else 1
        grants = [tuple(r) for r in x(text(
            "SELECT p.name, v.name FROM ab_permission_view_role pvr JOIN ab_permission_view pv ON pv.id = "
            "pvr.permission_view_id JOIN ab_permission p ON p.id = pv.permission_id JOIN ab_view_menu v "
            "ON v.id = pv.view_menu_id WHERE pvr.role_id = 907 ORDER BY v.name"))]
        menu = x(text("SELECT name FROM core_menu_setting")).scalar()
        org = x(text("SELECT location FROM commissioner_org")).scalar()
        x(text("INSERT INTO commissioner_org (unit_id, location, contact, contact_phone, created_on, changed_on) "
               "VALUES (2, '宜昌', '李', '13900000001', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))  # the sequence serves
        db.session.commit()
        from flask_migrate import downgrade
        downgrade(revision="0016")
        back = x(text("SELECT count(*) FROM ktp_org")).scalar()
        views = sorted(r[0] for r in x(text("SELECT name FROM ab_view_menu WHERE id IN (902, 903, 904)")))
    print(json.dumps({{"grants": grants, "menu": menu, "org": org, "back": back, "views": views, "years": years, "fk": fk}},
                     ensure_ascii=False))
""")


def _side_database() -> str:
    """On PostgreSQL runs, a database of its own beside the suite's ("<name>_migrate"); else SQLite."""
    main = os.environ.get("PYTEST_DATABASE_URL", "")
    if not main.startswith("postgresql"):
        return ""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    target = make_url(main)
    name = f"{target.database}_migrate"
    engine = create_engine(target, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if conn.exec_driver_sql("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).first() is None:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return target.set(database=name).render_as_string(hide_password=False)


def test_the_naming_migration_keeps_every_grant_and_record():
    """0017 renames the tables, the permission rows and the 系统菜单 settings in place, and back."""
    url = _side_database()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PYTEST_DATABASE_URL")}
    out = subprocess.run([sys.executable, "-c", MIGRATE.format(root=ROOT, url=url)], capture_output=True, text=True,
                         env=env, cwd=ROOT, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["grants"] == [["can_review", "commissioner.Application"], ["can_review", "grassroots.ServiceTeam"]]
    assert got["menu"] == "CommissionerPeople"
    assert got["org"] == "武汉" and got["years"] == 1  # a parent table rebuilt under its children keeps them
    assert got["fk"] == 1  # and the foreign keys are still enforced afterwards
    assert got["back"] == 2 and got["views"] == ["KtpApplicationView", "KtpPeople", "ServiceTeamView"]


def test_the_migrated_sqlite_database_enforces_foreign_keys(app):
    """A migration that switches SQLite's foreign keys off (0017 rebuilds tables) must leave them on."""
    from sqlalchemy import text

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
