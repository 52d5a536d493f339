"""Issue 14 item 6: over-long input never answers 5xx and is never stored.

The walker takes every POST/PUT route of ``app.url_map``, finds a user who may use it (a
public visitor for the registration pages), finds the route's form on the pages of its view
(the route's own page, the list and the pages the list links to), and posts the form
with over-long text: once with every text input and textarea over-long, once per field with
only that field over-long (the others as the page rendered them: on an edit page, valid
values, which is how the 500s were found). Selects and hidden inputs keep their values. The
REST APIs get the same over-long values on every string field of their add and edit schema.
Nothing may answer 5xx, and afterwards no column holds more than its length (String(n)) or
the Text cap (``TEXT_MAX_LENGTH``) — on SQLite, which would store it, as on PostgreSQL.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest
from sqlalchemy import String, select, text
from werkzeug.exceptions import HTTPException

from app.extensions import db
from app.services.core.validators import max_length, text_max_length
from models.core.user import UnitUser

LONG_LEN = 300_000
ACTORS = ["sysadmin", "secadmin", "hb_admin", "hb_wh_admin", "hb_wh_ja_admin", "hb_wh_ja_e1_admin", "hbkj_admin",
          "hbkj_wh_admin", "hbkj_hzau_admin", "ktp_draft", "ktp_returned", "ktp_lead_draft", "center_admin"]
# Routes that take no typed text (or must not be walked): deletes, actions, uploads, sign-in.
SKIP_ENDPOINT_SUFFIXES = (".delete", ".action", ".action_post", "_delete", ".upload", ".cancel")
SKIP_ENDPOINTS = {"AuthDBView.login", "SecurityApi.login", "SecurityApi.refresh", "ImportView.start",
                  "ImportView.commit", "ImportView.delete", "CommissionerOrgView.upload", "CommissionerFilesView.upload",
                  "GrassrootsServiceTeamView.summary_upload"}
# Internal Text columns that hold no typed value (job payloads, import rows, the audit trail).
INTERNAL_TEXT = {"core_audit_log", "core_import_batch", "core_import_row", "core_job", "ab_api_key"}
TEXT_TYPES = {"text", "email", "tel", "search", "url", "password", "number", ""}


def long_value(n: int = LONG_LEN) -> str:
    return ("测a" * (n // 2 + 1))[:n]


def _actor_permissions(app: Any) -> dict[str, set[tuple[str, str]]]:
    out: dict[str, set[tuple[str, str]]] = {}
    with app.app_context():
        for name in ACTORS:
            user = db.session.scalar(select(UnitUser).where(UnitUser.username == name))
            assert user is not None, name
            out[name] = {(pv.permission.name, pv.view_menu.name) for r in user.roles for pv in r.permissions}
        db.session.remove()
    return out


def _required_permission(view: Any, func: Any) -> tuple[str, str] | None:
    perm = getattr(func, "_permission_name", None)
    if perm is None:
        return None
    name = (getattr(view, "method_permission_name", None) or {}).get(func.__name__) or perm
    if not name.startswith("can_"):
        name = "can_" + name
    return name, view.class_permission_name


class Walk:
    """Pages fetched per actor, forms found per endpoint."""

    def __init__(self, app: Any, login_as: Any, client_factory: Any):
        self.app = app
        self.adapter = app.url_map.bind("localhost")
        self.clients: dict[str | None, Any] = {}
        self.login_as = login_as
        self.client_factory = client_factory
        self.pages: dict[tuple[str | None, str], str | None] = {}
        self.forms: dict[tuple[str | None, str], list[tuple[str, Any]]] = defaultdict(list)
        self.crawled: set[tuple[str | None, str]] = set()

    def client(self, actor: str | None) -> Any:
        if actor not in self.clients:
            self.clients[actor] = self.client_factory() if actor is None else self.login_as(actor)
        return self.clients[actor]

    def page(self, actor: str | None, url: str) -> str | None:
        key = (actor, url)
        if key not in self.pages:
            r = self.client(actor).get(url, follow_redirects=True)
            body = r.get_data(as_text=True) if r.status_code == 200 and r.mimetype == "text/html" else None
            self.pages[key] = body
            if body:
                self._collect(actor, r.request.path, body)
        return self.pages[key]

    def _collect(self, actor: str | None, url: str, body: str) -> None:
        doc = lxml.html.fromstring(body)
        for form in doc.forms:
            if (form.method or "GET").upper() != "POST":
                continue
            action = urlsplit(urljoin("http://localhost" + url, form.get("action") or url)).path
            try:
                endpoint, _args = self.adapter.match(action, method="POST")
            except HTTPException:
                continue
            self.forms[(actor, endpoint)].append((action, form))

    def crawl_view(self, actor: str | None, view: Any, rule: Any) -> None:
        base = getattr(view, "route_base", "") or ""
        key = (actor, base)
        if key in self.crawled:
            if not rule.arguments and "GET" in rule.methods:
                self.page(actor, rule.rule)
            return
        self.crawled.add(key)
        starts = []
        if not rule.arguments and "GET" in rule.methods:
            starts.append(rule.rule)
        default = getattr(view, "default_view", None)
        for r in self.app.url_map.iter_rules():
            if r.endpoint == f"{type(view).__name__}.{default}" and not r.arguments and "GET" in r.methods:
                starts.append(r.rule)
        if hasattr(view, "list_columns") and "list" in dir(view):
            starts.append(f"{base}/list/")
        linked: dict[str, list[str]] = defaultdict(list)
        for url in dict.fromkeys(starts):
            body = self.page(actor, url)
            if not body or not base:
                continue
            for href in re.findall(r'(?:href|action)="([^"#?]+)', body):
                path = urlsplit(urljoin("http://localhost" + url, href)).path
                if not path.startswith(base + "/") or not re.search(r"/\d+", path):
                    continue
                if re.search(r"/(delete|download|export|pdf|action)(/|$)", path):
                    continue
                pattern = re.sub(r"\d+", "#", path)
                if len(linked[pattern]) < 2 and path not in linked[pattern]:
                    linked[pattern].append(path)
        for paths in linked.values():
            for path in paths:
                self.page(actor, path)


def _field_values(form: Any) -> tuple[list[tuple[str, str]], list[str]]:
    """The values a browser would send, with a choice made in empty selects and radio groups,
    and the names of the text inputs and textareas."""
    values = list(form.form_values())
    sent = {k for k, _v in values}
    texts: list[str] = []
    radios: dict[str, str] = {}
    for el in form.inputs:
        name = el.get("name")
        if not name:
            continue
        tag = el.tag
        kind = (el.get("type") or "").lower()
        if tag == "textarea" or (tag == "input" and kind in TEXT_TYPES):
            if el.get("readonly") is None and el.get("disabled") is None and name != "csrf_token":
                texts.append(name)
        elif tag == "select" and not el.multiple:
            options = [o.get("value", o.text_content()) for o in el.findall(".//option")]
            current = dict(values).get(name)
            if not current:
                choice = next((o for o in options if o), None)
                if choice is not None:
                    values = [(k, v) for k, v in values if k != name] + [(name, choice)]
        elif tag == "input" and kind == "radio" and name not in sent:
            radios.setdefault(name, el.get("value") or "on")
    values += list(radios.items())
    return values, list(dict.fromkeys(texts))


class Crash:
    """What the server would answer when the view raised (tests propagate exceptions)."""

    def __init__(self, exc: Exception):
        self.status_code = 500
        self.exc = exc

    def get_data(self, as_text: bool = False) -> str:
        return repr(self.exc)

    def get_json(self) -> None:
        return None


def _post(client: Any, url: str, values: list[tuple[str, str]]) -> Any:
    from werkzeug.datastructures import MultiDict

    data = MultiDict(values)
    if client.csrf and "csrf_token" not in data:
        data["csrf_token"] = client.csrf
    try:
        return client.http.post(url, data=data)
    except Exception as e:  # noqa: BLE001 - a crash is what the walk looks for
        return Crash(e)


def _json(client: Any, method: str, url: str, payload: Any) -> Any:
    try:
        return client.json(method, url, payload)
    except Exception as e:  # noqa: BLE001
        return Crash(e)


def _form_with(page: str, field: str) -> Any:
    return next(f for f in lxml.html.fromstring(page).forms if f.xpath(f'.//*[@name="{field}"]'))


def _overlong_columns() -> list[str]:
    bad = []
    from flask_appbuilder.models.sqla import Model

    text_cap = text_max_length()
    for mapper in Model.registry.mappers:
        table = getattr(mapper.class_, "__tablename__", None)
        if table is None or mapper.inherits is not None:
            continue
        for col in mapper.columns:
            if not isinstance(col.type, String) or col.table.name != table:
                continue
            limit = col.type.length or (None if table in INTERNAL_TEXT else max(max_length(col) or 0, text_cap))
            if not limit:
                continue
            longest = db.session.execute(text(f'SELECT max(length("{col.name}")) FROM {table}')).scalar()
            if longest and longest > limit:
                bad.append(f"{table}.{col.name}: {longest} > {limit}")
    return bad


def test_overlong_input_is_refused_everywhere(app, login_as, client):
    from tests.conftest import Client

    perms = _actor_permissions(app)
    walk = Walk(app, login_as, lambda: Client(app))
    long = long_value()
    failures: list[str] = []
    walked: list[str] = []
    fields_walked = 0
    unreached: list[str] = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        methods = rule.methods & {"POST", "PUT"}
        if not methods or rule.rule.startswith("/api/") or rule.endpoint in SKIP_ENDPOINTS:
            continue
        if rule.endpoint.endswith(SKIP_ENDPOINT_SUFFIXES):
            continue
        func = app.view_functions[rule.endpoint]
        view = getattr(func, "__self__", None)
        if view is None:
            continue
        needed = _required_permission(view, func)
        actors: list[str | None] = [None] if needed is None else [a for a in ACTORS if needed in perms[a]]
        found = None
        for actor in actors:
            walk.crawl_view(actor, view, rule)
            if walk.forms.get((actor, rule.endpoint)):
                found = actor
                break
        if not walk.forms.get((found, rule.endpoint)):
            unreached.append(rule.endpoint)
            continue
        c = walk.client(found)
        seen_actions: set[str] = set()
        for action, form in walk.forms[(found, rule.endpoint)]:
            values, texts = _field_values(form)
            if not texts or action in seen_actions:
                continue
            seen_actions.add(action)
            walked.append(f"{rule.endpoint} {action} ({found})")
            cases = [[(k, long if k in texts else v) for k, v in values]]
            cases += [[(k, long if k == name else v) for k, v in values] + ([] if name in dict(values) else
                                                                             [(name, long)]) for name in texts]
            fields_walked += len(texts)
            for case in cases:
                r = _post(c, action, case)
                if r.status_code >= 500:
                    over = [k for k, v in case if v == long]
                    failures.append(f"POST {action} as {found} with {over[:4]} over-long -> {r.status_code} "
                                    f"{getattr(r, 'exc', '')!r}"[:300])
    # the REST APIs: every string field of the add and edit schemas
    for view in app.appbuilder.baseviews:
        if not hasattr(view, "add_model_schema") or not getattr(view, "resource_name", None):
            continue
        if type(view).__name__ == "SecurityApi":
            continue
        base = f"/api/v1/{view.resource_name}"
        actor = next((a for a in ACTORS if ("can_put", view.class_permission_name) in perms[a]
                      or ("can_post", view.class_permission_name) in perms[a]), None)
        if actor is None:
            unreached.append(base)
            continue
        c = walk.client(actor)
        r = c.get(f"{base}/?q=(page_size:1)")
        ids = (r.get_json() or {}).get("ids") or []
        for method, url, schema in (("POST", f"{base}/", view.add_model_schema),
                                    ("PUT", f"{base}/{ids[0]}" if ids else None, view.edit_model_schema)):
            if url is None:
                continue
            strings = [name for name, f in schema.fields.items() if type(f).__name__ == "String"]
            walked.append(f"{type(view).__name__} {method} {url} ({actor})")
            fields_walked += len(strings)
            for payload in [dict.fromkeys(strings, long)] + [{s: long} for s in strings]:
                r = _json(c, method, url, payload)
                if r.status_code >= 500 or r.status_code in (200, 201):
                    failures.append(f"{method} {url} as {actor} with {list(payload)[:4]} over-long -> {r.status_code} "
                                    f"{getattr(r, 'exc', '')!r}"[:300])
    print(f"\nwalked {len(walked)} forms/APIs, {fields_walked} text fields; no form found for {len(unreached)}: "
          f"{sorted(set(unreached))}")
    with app.app_context():
        stored = _overlong_columns()
        db.session.remove()
    assert not failures, "\n".join(failures)
    assert not stored, "over-long values stored:\n" + "\n".join(stored)
    assert len(walked) >= 60, walked
    for must in ("RegisterView.form", "CommissionerRegisterView.form", "CommissionerMyView.profile", "NewChildUnitView.step1",
                 "PersonView.edit", "StaffView.add", "ComposeView.compose", "NoticeView.add"):
        assert any(w.startswith(must + " ") for w in walked), f"{must} was not walked"


@pytest.mark.parametrize(("url", "field", "n"), [
    ("/commissioner/register/", "name", 65), ("/register/", "name", 201), ("/register/", "phone", 40),
])
def test_reported_cases_answer_with_the_field(app, client, url, field, n):
    """The cases of the report: a Chinese message beside the field, what was typed kept."""
    from tests.conftest import unique

    page = client.get(url).get_data(as_text=True)
    form = _form_with(page, field)
    values, _texts = _field_values(form)
    valid = {"username": unique("len"), "phone": "13912345678", "admin_phone": "13912345678",
             "password": "Demo@2026x", "conf_password": "Demo@2026x"}
    values = [(k, "字" * n if k == field else valid.get(k, v)) for k, v in values]
    r = _post(client, url, values)
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    assert "不能超过" in body
    assert "字" * n in body  # what was typed stays in the form


def test_new_unit_wizard_later_steps_refuse_overlong(app, login_as):
    """Steps 2 and 3 of 新增下级单位 are reached only through a valid step 1."""
    from tests.conftest import credit_code, unique

    c = login_as("hb_wh_admin")
    form = _form_with(c.get("/newunit/").get_data(as_text=True), "credit_code")
    values, _texts = _field_values(form)
    category = form.xpath('.//input[@name="categories"]')[0].get("value")
    values = [(k, v) for k, v in values if k not in ("name", "credit_code", "phone", "categories")]
    values += [("name", unique("长度单位")), ("credit_code", credit_code()), ("phone", "027-12345678"),
               ("categories", category)]
    r = _post(c, "/newunit/", values)
    assert r.status_code == 302 and r.headers["Location"].endswith("/newunit/legal"), r.get_data(as_text=True)[:500]
    long = long_value()
    for step, url in ((2, "/newunit/legal"), (3, "/newunit/operator")):
        form = _form_with(c.get(url).get_data(as_text=True), "legal_name" if step == 2 else "username")
        values, texts = _field_values(form)
        values = [(k, v) for k, v in values if k != "back"]
        assert texts, step
        for name in texts:
            r = _post(c, url, [(k, long if k == name else v) for k, v in values])
            assert r.status_code == 200, (url, name, r.status_code)
            if "password" not in name:
                assert "不能超过" in r.get_data(as_text=True), (url, name)
        if step == 2:
            r = _post(c, url, [(k, v) for k, v in values if k not in texts])
            assert r.status_code == 302, r.get_data(as_text=True)[:500]
    _post(c, "/newunit/cancel", [])


def test_paths_without_a_discoverable_form_refuse_overlong(app, login_as):
    """Issue 14.6 for the routes the walker finds no form for (edit pages of rows it did not create,
    batch review opinions): over-long values are refused in Chinese, never 5xx, never stored; the
    flush guard's refusal is a 400 page (app.security.baseline) wherever a form has no validator."""
    from sqlalchemy import select

    from models.core.unit import Department
    from models.core.workflow import CommonOpinion
    from tests.conftest import unique, unit_by_name

    long = long_value(5000)
    c = login_as("hb_wh_admin")
    with app.app_context():
        wh = unit_by_name("武汉市人力资源和社会保障局")
        dept = Department(unit_id=wh.id, name=unique("科室"))
        db.session.add(dept)
        user = db.session.scalar(select(UnitUser).where(UnitUser.username == "hb_wh_admin"))
        op = CommonOpinion(user_id=user.id, text="同意")
        db.session.add(op)
        db.session.commit()
        dept_id, op_id = dept.id, op.id
    for url, data in [(f"/departments/edit/{dept_id}", {"name": long, "head": long, "phone": long, "remark": long}),
                      (f"/opinions/edit/{op_id}", {"text": long}),
                      ("/parentchanges/review_batch", {"action": "return", "opinion": long, "rowid": ["1"]})]:
        r = c.post(url, data)
        assert r.status_code < 500, (url, r.status_code)
        if r.status_code == 200:
            assert "不能超过" in r.get_data(as_text=True), url
    with app.app_context():
        assert len(db.session.get(Department, dept_id).name) <= 100
        assert db.session.get(CommonOpinion, op_id).text == "同意"
        assert not _overlong_columns()


def test_the_flush_guard_answers_400_in_chinese(app):
    from app.services.core.validators import ValueTooLongError

    with app.test_request_context("/departments/edit/1", method="POST"):
        response = app.make_response(app.handle_user_exception(ValueTooLongError("名称不能超过100个字", "name")))
    assert response.status_code == 400 and "名称不能超过100个字" in response.get_data(as_text=True)


def test_team_run_forms_refuse_overlong(app, login_as):
    """Issue 14.6 on the team's run page (forms the walker cannot reach: a started team): projects,
    funding items, expert evaluations and the 成效评估 refuse over-long text in Chinese, store nothing."""
    from models.grassroots.team import ProjectExpert, ServiceProject, TeamEvaluation
    from tests.grassroots.test_teams import EXEC, _team

    long = long_value(30000)
    pk = _team(app, login_as)
    ex = login_as(EXEC)
    run = f"/grassroots/teams/run/{pk}"
    ex.post(f"{run}/start", data={"started": "1", "start_date": "2027-03-01", "mode": "single"})
    r = ex.post(f"{run}/project", data={"name": long, "place": "江岸区", "content": "x", "start_date": "2027-03-02"},
                follow_redirects=True)
    assert r.status_code == 200 and "不能超过" in r.get_data(as_text=True)
    r = ex.post(f"{run}/project", data={"name": "义诊", "place": "江岸区", "content": long, "start_date": "2027-03-02"},
                follow_redirects=True)
    assert r.status_code == 200 and "不能超过" in r.get_data(as_text=True)
    ex.post(f"{run}/project", data={"name": "义诊", "place": "江岸区", "content": "筛查", "start_date": "2027-03-02"})
    with app.app_context():
        project_id = db.session.scalar(select(ServiceProject.id).where(ServiceProject.team_id == pk))
        from models.experts.expert import Expert

        unit_id = db.session.scalar(select(ServiceProject.unit_id).where(ServiceProject.id == project_id))
        expert = db.session.scalar(select(Expert).where(Expert.unit_id == unit_id))
        if expert is None:  # one of the executing unit's own
            expert = Expert(nationality="中国", name="长度测试", id_type="01", id_number="L" + str(project_id).zfill(17),
                            sex="1", birth_ym="197805", retired=False, work_unit="x", admin_post="无",
                            phone="13900000000", honours="无", major="x", title="2", unit_id=unit_id)
            db.session.add(expert)
            db.session.flush()
        db.session.add(ProjectExpert(project_id=project_id, expert_id=expert.id, unit_id=unit_id))
        db.session.commit()
        row_id = db.session.scalar(select(ProjectExpert.id).where(ProjectExpert.project_id == project_id))
    r = ex.post(f"{run}/expert/{row_id}/evaluate", data={"rating": "1", "comment": long})
    assert r.status_code < 500 and "不能超过" in r.get_data(as_text=True)
    ex.post(f"{run}/end", data={"ended": "1", "end_date": "2027-09-30"})
    r = ex.post(f"{run}/funding", data={"item": long, "amount": "100", "note": "x"}, follow_redirects=True)
    assert r.status_code == 200 and "不能超过100个字" in r.get_data(as_text=True)
    r = ex.post(f"{run}/evaluation", data={"served": "1", "description": long})
    assert r.status_code < 500 and "不能超过" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(TeamEvaluation.description).where(TeamEvaluation.team_id == pk)) is None
        assert db.session.get(ProjectExpert, row_id).comment is None
        assert not _overlong_columns()


HUGE = "9" * 5000  # beyond Python's int parsing limit (4300 digits) and any database integer


def test_huge_numbers_typed_into_ids_pages_and_years(app, login_as):
    """Issue 14.6: a number too long for an integer, typed into an id, a page or a year, is refused
    (400/404/a form error), never a 500."""
    c = login_as("hb_wh_admin")
    for method, url, data in [
        ("get", f"/notices/portal?page={HUGE}", None),
        ("get", f"/messages/options/units?mode=write&page={HUGE}", None),
        ("get", f"/messages/compose?draft={HUGE}", None),
        ("get", f"/messages/compose?unit={HUGE}&user={HUGE}", None),
        ("post", "/grassroots/bases/show/1/year", {"year": HUGE}),
        ("get", f"/experts/add?project={HUGE}", None),
        ("get", "/experts/show/" + "9" * 30, None),
        ("get", "/units/show/" + "9" * 30, None),
        ("post", "/rolematrix/role/1", {"pv": [HUGE]}),
    ]:
        r = getattr(c, method)(url, data) if data is not None else getattr(c, method)(url)
        assert r.status_code < 500, (url, r.status_code)


def test_agreements_and_appointing_refuse_overlong(app, login_as):
    """Issue 14.6: the service agreements (reached once an application is approved) and 分配管理员
    refuse over-long text by field, in Chinese, and store nothing."""
    from tests.conftest import make_unit, unique, unit_by_name

    long = long_value(30000)
    fields = {"specialty": long, "enterprise_business": long, "needs": long, "work_plan": long, "targets": long}
    for login, url in (("ktp_done", "/commissioner/my/agreement"), ("ktp_lead_done", "/commissioner/team/agreement")):
        r = login_as(login).post(url, data=fields)
        assert r.status_code == 200, (url, r.status_code)
        assert "不能超过" in r.get_data(as_text=True), url
    with app.app_context():  # a child unit still without its administrator
        ja_id = make_unit(unit_by_name("武汉市人力资源和社会保障局"), unique("待分配单位"), admin=False).id
    r = login_as("hb_wh_admin").post(f"/units/appoint/{ja_id}", data={
        "username": long[:300], "name": long, "phone": long, "email": long, "password": "Appoint#2026",
        "conf_password": "Appoint#2026"})
    assert r.status_code == 200 and "不能超过" in r.get_data(as_text=True)
    with app.app_context():
        assert not _overlong_columns()
