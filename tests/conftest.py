"""Fixtures in the flaskr style: app, client, login_as, factories.

The schema is built by the real Alembic migrations. SQLite always; PostgreSQL when
PYTEST_DATABASE_URL is set (the Makefile runs the suite a second time with it).
"""

from __future__ import annotations

import itertools
import os
import re
import tempfile

import pytest
from sqlalchemy import text
from stdnum.cn import uscc

from app import create_app
from app.extensions import db

DEMO_PASSWORD = "Demo@2026"
_counter = itertools.count(1)


def _database_url() -> str:
    url = os.environ.get("PYTEST_DATABASE_URL")
    if url:
        return url
    path = os.path.join(tempfile.mkdtemp(prefix="talent-test-"), "test.db")
    return "sqlite:///" + path


@pytest.fixture(scope="session")
def app():
    url = _database_url()
    from app.dbutil import reset_postgres_schema

    reset_postgres_schema(url)
    application = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SERVER_NAME": None, "SECRET_KEY": "test-secret",
         "RATELIMIT_ENABLED": False,
         # the demo's 130 accounts are hashed at every session start: a fast method here only
         # (production keeps FAB's default, scrypt)
         "FAB_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}
    )
    with application.app_context():
        from flask_migrate import upgrade

        upgrade()
        from seed.categories import sync_categories
        from seed.demo import load_demo
        from seed.dicts import sync_dicts
        from seed.roles import sync_roles

        sync_roles(application.appbuilder)
        sync_categories()
        sync_dicts()
        load_demo(application.appbuilder)
        # demo passwords must be changed at first login; tests of that flow opt back in
        db.session.execute(text("UPDATE ab_user SET must_change_password = false"))
        db.session.commit()
        db.session.remove()
    yield application


@pytest.fixture()
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


class Client:
    """A test client that knows its CSRF token."""

    def __init__(self, app):
        self.app = app
        self.http = app.test_client()
        self.csrf = None

    def token(self) -> str:
        r = self.http.get("/login/")
        m = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', r.get_data(as_text=True))
        if not m:
            m = re.search(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', r.get_data(as_text=True))
        self.csrf = m.group(1) if m else None
        return self.csrf

    def login(self, username: str, password: str = DEMO_PASSWORD):
        token = self.token()
        r = self.http.post("/login/", data={"username": username, "password": password, "csrf_token": token})
        return r

    def get(self, url, **kw):
        return self.http.get(url, **kw)

    def post(self, url, data=None, **kw):
        data = dict(data or {})
        if self.csrf is None:
            self._refresh_token()
        data.setdefault("csrf_token", self.csrf)
        return self.http.post(url, data=data, **kw)

    def _refresh_token(self):
        r = self.http.get("/resetmypassword/form")
        m = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', r.get_data(as_text=True))
        self.csrf = m.group(1) if m else self.token()

    def json(self, method, url, payload=None):
        if self.csrf is None:
            self._refresh_token()
        return self.http.open(url, method=method, json=payload, headers={"X-CSRFToken": self.csrf or ""})


@pytest.fixture()
def login_as(app):
    def _login(username: str, password: str = DEMO_PASSWORD) -> Client:
        c = Client(app)
        r = c.login(username, password)
        assert r.status_code == 302, f"login failed for {username}"
        c._refresh_token()
        return c

    return _login


@pytest.fixture()
def client(app):
    return Client(app)


def unique(prefix: str = "t") -> str:
    return f"{prefix}{next(_counter)}{os.getpid() % 1000}"


def unique_phone() -> str:
    """A mobile number no other account of this run holds (注册 refuses a number twice)."""
    return f"137{(next(_counter) * 7919 + os.getpid()) % 10**8:08d}"


def credit_code(n: int | None = None) -> str:
    n = n if n is not None else next(_counter) + 500000
    body = f"91{n:06d}MA{(n * 31) % 10**7:07d}"[:17]
    return body + uscc.calc_check_digit(body)


def make_unit(parent, name=None, categories=("grassroots.manage", "title.hr"), admin=True):
    """Create a unit under ``parent`` (with an administrator unless admin=False)."""
    from sqlalchemy import select

    from app.services.core import users as user_service
    from app.services.core.units import assign_path
    from models.core.unit import Category, Unit

    cats = list(db.session.scalars(select(Category).where(Category.code.in_(categories))))
    unit = Unit(name=name or unique("单位"), credit_code=credit_code(), parent_id=parent.id if parent else None, path="")
    unit.categories = cats
    db.session.add(unit)
    db.session.flush()
    assign_path(unit, parent)
    if admin:
        u = user_service.create_user(
            unit, username=unique("adm"), name="管理员", phone="13900001111", password=DEMO_PASSWORD,
            is_admin=True, commit=False,
        )
        u.must_change_password = False  # an established account
    db.session.commit()
    return unit


def make_user(unit, roles=(), admin=False, username=None):
    from app.services.core import users as user_service

    user = user_service.create_user(
        unit, username=username or unique("usr"), name="测试", phone="13900002222", password=DEMO_PASSWORD,
        is_admin=admin, roles=list(roles),
    )
    user.must_change_password = False  # an established account
    db.session.commit()
    return user


def unit_by_name(name: str):
    from sqlalchemy import select

    from models.core.unit import Unit

    return db.session.scalar(select(Unit).where(Unit.name == name))


def line_slugs() -> list[str]:
    """The business lines this test run enables (ENABLED_MODULES; every shipped line by default)."""
    from app.modules import resolve

    return [m.slug for m in resolve(os.environ.get("ENABLED_MODULES", "all").split(","))]
