"""P-06: walk every route of the app as users of sibling, child and county units
against records of another branch; every route must refuse and nothing may change.

A route that takes an argument the walker does not know fails the test: a new module
must either use ``pk`` for a record of its view's model or be listed below as public.
"""

from __future__ import annotations

import hashlib
import importlib

import pytest
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select, text

from app.extensions import db
from models.core.person import Person
from models.core.unit import Department, Unit
from models.core.user import RoleOwner, UnitUser
from tests.conftest import line_slugs, unit_by_name

# Routes with arguments that reach no unit-owned record (reference data, static files,
# the language switch). Anything else with an argument must be walked.
NOT_RECORD_ROUTES = {
    "static", "appbuilder.static", "LocaleView.index", "DictOptionsApi.children",
    "ComposeView.options",  # the actor's own reachable units/users (tests/core/test_messages.py)
    # a chart's figures are counted within the actor's own scope (tests/core/test_charts.py)
    "StatisticsView.chart", "StatisticsView.data", "StatisticsView.export",
    # an import spec's upload page and template: no record (batches are walked by pk)
    "ImportView.start", "ImportView.template",
    # 科技特派员 bundles and statistics are built from the actor's own scope (tests/commissioner/test_files_stats.py)
    "CommissionerFilesView.bundle", "CommissionerStatsView.export",
    "commissioner_moved",  # /ktp/<path>: a redirect to the line's new address (tests/core/test_modules.py)
    # the portal shows a published public 评审活动 and its 评审政策文件 to anyone; an unpublished or internal one
    # and the internal plan answer 404 (tests/title/test_activities.py)
    "TitleActivityPortalView.activity", "TitleActivityPortalView.file",
    # the public certificate check (no login; a token, or a number with the holder's name; tests/title/test_cert.py)
    "TitleCertVerifyView.by_token", "TitleCertVerifyView.verify",
    # a kind's own lists and a new batch from the actor's own eligible records (forged ids: tests/title/test_cert.py)
    "TitleCertView.index", "TitleCertView.create",
}
ACTORS = ["sc_admin", "hb_wh_admin", "hb_wh_ja_admin", "sc_staff"]


def db_digest() -> str:
    h = hashlib.sha256()
    insp = sa_inspect(db.engine)
    for table in sorted(insp.get_table_names()):
        if table == "alembic_version":
            continue
        cols = [c["name"] for c in insp.get_columns(table)]
        if table == "ab_user":
            cols = [c for c in cols if c not in ("last_login", "login_count", "fail_login_count")]
        quoted = ", ".join(f'"{c}"' for c in cols)  # a column may be a reserved word (start, end)
        rows = db.session.execute(text(f'SELECT {quoted} FROM "{table}" ORDER BY 1')).all()
        h.update(f"{table}:{len(rows)}:{rows!r}".encode())
    return h.hexdigest()


@pytest.fixture()
def foreign(app):
    """Records of the 宜昌 branch of 湖北 (and the province itself), out of every actor's scope."""
    with app.app_context():
        yc = unit_by_name("宜昌市人力资源和社会保障局")
        hb = unit_by_name("湖北省人力资源和社会保障厅")
        dep = db.session.scalar(select(Department).where(Department.unit_id == yc.id))
        if dep is None:
            dep = Department(unit_id=yc.id, name="宜昌人才科")
            db.session.add(dep)
            db.session.commit()
        from app.services.core import users as user_service

        admin = user_service.unit_admin(yc.id)
        role = db.session.scalar(select(RoleOwner).where(RoleOwner.unit_id == yc.id))
        if role is None:
            user_service.save_custom_role(admin, "宜昌审核岗", [])
            role = db.session.scalar(select(RoleOwner).where(RoleOwner.unit_id == yc.id))
        person = db.session.scalar(
            select(Person).join(Unit, Unit.id == Person.unit_id).where(Unit.path.like(yc.path + "%")).limit(1)
        )
        staff = db.session.scalar(select(UnitUser).where(UnitUser.unit_id == yc.id, UnitUser.is_unit_admin.is_(False)))
        from models.core.parent_change import ParentChange

        change = db.session.scalar(select(ParentChange).where(ParentChange.unit_id == yc.id))
        if change is None:  # a draft of the 宜昌 branch, on no actor's route
            change = ParentChange(unit_id=yc.id, old_parent_id=hb.id, new_parent_id=hb.id, reason="walk")
            db.session.add(change)
            db.session.commit()
        from models.core.workflow import CommonOpinion, ReviewPost

        post = db.session.scalar(select(ReviewPost).where(ReviewPost.unit_id == yc.id))
        if post is None:
            post = ReviewPost(unit_id=yc.id, matter="core.parent_change", level=1, user_id=admin.id)
            db.session.add(post)
        opinion = db.session.scalar(select(CommonOpinion).where(CommonOpinion.user_id == admin.id))
        if opinion is None:
            opinion = CommonOpinion(user_id=admin.id, text="同意")
            db.session.add(opinion)
        db.session.commit()
        from models.core.registration import UnitRegistration

        registration = db.session.scalar(select(UnitRegistration).where(UnitRegistration.unit_id == yc.id))
        if registration is None:
            registration = UnitRegistration(unit_id=yc.id)
            db.session.add(registration)
            db.session.commit()
        from app.services.core import attachments
        from models.core.attachment import Attachment
        from models.core.message import Message, MessageRecipient
        from models.core.notice import Notice

        notice = db.session.scalar(select(Notice).where(Notice.unit_id == yc.id, Notice.state == "draft"))
        if notice is None:
            notice = Notice(unit_id=yc.id, kind="01", title="宜昌草稿公告", content="草稿", author_id=admin.id)
            db.session.add(notice)
            db.session.commit()
        att = db.session.scalar(select(Attachment).where(Attachment.owner_id == notice.id,
                                                         Attachment.owner_type == "core.notice"))
        if att is None:
            import io

            att = attachments.save_upload(notice, "files", io.BytesIO(b"%PDF-1.4 walk"), "宜昌.pdf", user=admin)
            db.session.commit()
        msg = db.session.scalar(select(Message).where(Message.sender_id == admin.id, Message.state == "sent"))
        if msg is None:
            msg = Message(sender_id=admin.id, sender_unit_id=yc.id, state="sent", title="宜昌内部消息", body="x")
            msg.recipients = [MessageRecipient(user_id=staff.id)]
            draft = Message(sender_id=admin.id, sender_unit_id=yc.id, state="draft", title="宜昌草稿", body="")
            db.session.add_all([msg, draft])
            db.session.commit()
        msg_ids = list(db.session.scalars(select(Message.id).where(Message.sender_id == admin.id)).all())
        rec_ids = list(db.session.scalars(select(MessageRecipient.id).where(MessageRecipient.user_id == staff.id)))
        from models.core.document import ImportBatch, Job
        from models.experts.expert import Expert

        batch = db.session.scalar(select(ImportBatch).where(ImportBatch.user_id == admin.id))
        if batch is None:
            batch = ImportBatch(spec="experts", user_id=admin.id, unit_id=yc.id, file_name="宜昌.xlsx",
                                storage_key="walk", rows='[{"row": 2, "values": {"name": ""}}]',
                                errors='{"2": [["name", "必填"]]}', total=1)
            db.session.add(batch)
        job = db.session.scalar(select(Job).where(Job.user_id == admin.id))
        if job is None:
            job = Job(kind="export", title="宜昌导出", user_id=admin.id, state="done", result_key=att.storage_key,
                      result_name="宜昌.xlsx")
            db.session.add(job)
        expert = db.session.scalar(select(Expert).where(Expert.unit_id == yc.id))
        if expert is None:
            expert = Expert(unit_id=yc.id, name="宜昌专家", id_number="420502197805120011", sex="1", birth_ym="197805",
                            work_unit="宜昌", admin_post="无", phone="13900000000", honours="无", major="水利",
                            title="1")
            db.session.add(expert)
        db.session.commit()
        ids: dict = {}
        args: dict = {}
        for slug in line_slugs():  # each business line brings its own records (tests/<slug>/walker.py)
            line_ids, line_args = importlib.import_module(f"tests.{slug}.walker").foreign_records(
                yc=yc, hb=hb, admin=admin, staff=staff, expert=expert)
            ids.update(line_ids)
            args.update(line_args)
        ids.update({
            ImportBatch: [batch.id],
            Job: [job.id],
            Expert: [expert.id],
            Notice: [notice.id],
            Attachment: [att.id],
            Message: msg_ids,
            MessageRecipient: rec_ids,
            UnitRegistration: [registration.id],
            ReviewPost: [post.id],
            CommonOpinion: [opinion.id],
            Unit: [yc.id, hb.id],
            Person: [person.id],
            Department: [dep.id],
            UnitUser: [staff.id, admin.id],
            "Role": [role.role_id],
            ParentChange: [change.id],
        })
        out = {"ids": ids, "yc_id": yc.id, "notice_id": notice.id, "gr": args}
        db.session.remove()
        return out


def _model_of(view):
    dm = getattr(view, "datamodel", None)
    if dm is not None:
        return dm.obj
    return getattr(view, "scope_model", Unit)


def _targets(model, foreign):
    """Records of ``model`` outside every actor's scope. A scoped model without a factory fails the walk (a
    new line's routes must be walked with its own records, not with unit ids that prove nothing)."""
    if model.__name__ == "Role":
        return foreign["ids"]["Role"]
    if model not in foreign["ids"] and getattr(model, "__scope__", None) in (None, "public"):
        return foreign["ids"][Unit]  # owned by no unit (FAB's security tables, public settings)
    if model not in foreign["ids"]:
        pytest.fail(f"no foreign-record factory for {model.__module__}.{model.__name__}: add its records to the "
                    f"line's tests/<slug>/walker.py (foreign_records) or to the foreign fixture")
    return foreign["ids"][model]


def _iter_cases(app, foreign):
    unknown = []
    for rule in app.url_map.iter_rules():
        if not rule.arguments or rule.endpoint in NOT_RECORD_ROUTES:
            continue
        func = app.view_functions[rule.endpoint]
        view = getattr(func, "__self__", None)
        args = set(rule.arguments)
        known = {"pk", "name", "filename", "group_by", "owner", "owner_id", "slot", "row"} | set(foreign["gr"])
        if view is None or not args <= known:
            unknown.append(rule.rule)
            continue
        model = _model_of(view)
        names = list(getattr(view, "actions", {}).keys()) if "name" in args else [None]
        for pk in _targets(model, foreign):
            for name in names:
                values = {"pk": pk, "filename": "config.py", "group_by": "active", "owner": "core.notice",
                          "owner_id": foreign["notice_id"], "slot": "files", "row": 2, **foreign["gr"]}
                if name is not None:
                    values["name"] = name
                url = rule.rule
                for k, v in values.items():
                    url = url.replace(f"<{k}>", str(v)).replace(f"<int:{k}>", str(v)).replace(
                        f"<string:{k}>", str(v))
                for method in sorted(rule.methods & {"GET", "POST", "PUT", "DELETE"}):
                    yield rule.rule, method, url
    assert not unknown, f"routes with arguments the scope walker does not know: {unknown}"


@pytest.mark.parametrize("actor", ACTORS)
def test_every_route_refuses_foreign_records(app, login_as, foreign, actor):
    c = login_as(actor)
    with app.app_context():
        before = db_digest()
    cases = list(_iter_cases(app, foreign))
    assert len(cases) > 40
    failures = []
    for rule, method, url in cases:
        if url.startswith("/api/"):
            r = c.json(method, url, {"name": "越权修改"} if method in ("PUT", "POST") else None)
        elif method == "POST":
            r = c.post(url, {"name": "越权修改", "first_name": "越权", "phone": "13900009999"})
        else:
            r = c.get(url)
        allowed = {403, 404} | ({405} if method == "GET" and "/action/" in rule else set())
        if r.status_code not in allowed:
            failures.append(f"{method} {url} -> {r.status_code}")
    assert not failures, "\n".join(failures)
    with app.app_context():
        assert db_digest() == before, "a refused route changed the database"


def test_action_post_refuses_foreign_rows(app, login_as, foreign):
    c = login_as("hb_wh_admin")
    with app.app_context():
        before = db_digest()
    for view in app.appbuilder.baseviews:
        actions = getattr(view, "actions", None)
        if not actions or not hasattr(view, "route_base"):
            continue
        model = _model_of(view)
        for name in actions:
            for pk in _targets(model, foreign):
                r = c.post(f"{view.route_base}/action_post", {"action": name, "rowid": str(pk)})
                assert r.status_code in (403, 404), (view.route_base, name, pk, r.status_code)
    with app.app_context():
        assert db_digest() == before


def test_forged_unit_id_on_add_is_refused(app, login_as, foreign):
    c = login_as("hb_wh_admin")
    yc_id = foreign["yc_id"]
    with app.app_context():
        before = db_digest()
    r = c.post("/persons/add", {"unit": str(yc_id), "name": "越权人员", "sex": "1"})
    assert r.status_code == 200
    assert "所选单位不存在或不在您的管理范围内" in r.get_data(as_text=True)
    assert "越权人员" in r.get_data(as_text=True)  # what was typed is kept
    r = c.post("/departments/add", {"unit": str(yc_id), "name": "越权部门"})
    assert "所选单位不存在或不在您的管理范围内" in r.get_data(as_text=True)
    r = c.json("POST", "/api/v1/person/", {"name": "越权API", "unit": yc_id})
    assert r.status_code in (403, 422)
    with app.app_context():
        own = db.session.scalar(
            select(Person).join(Unit, Unit.id == Person.unit_id).where(
                Unit.path.like(unit_by_name("武汉市人力资源和社会保障局").path + "%")))
        own_id = own.id
    r = c.json("PUT", f"/api/v1/person/{own_id}", {"unit": yc_id})
    assert r.status_code in (403, 422)
    r = c.post("/units/move/" + str(unit_by_name_id(app, "江岸区人力资源局")), {"parent": str(yc_id)})
    assert r.status_code == 403  # only the system administrator moves units
    with app.app_context():
        assert db_digest() == before


def unit_by_name_id(app, name):
    with app.app_context():
        return unit_by_name(name).id


def test_scope_fails_closed_for_undeclared_models(app):
    from sqlalchemy import false as sa_false

    from app.security.scope import scope_clause

    class Undeclared:
        pass

    with app.app_context():
        admin = db.session.scalar(select(UnitUser).where(UnitUser.username == "hb_admin"))
        assert str(scope_clause(Undeclared, admin)) == str(sa_false())
        assert str(scope_clause(Person, None)) == str(sa_false())


def test_root_user_skips_predicate(app):
    from app.security.scope import scope_clause

    with app.app_context():
        root = db.session.scalar(select(UnitUser).where(UnitUser.username == "center_admin"))
        clause = scope_clause(Person, root)
        assert "core_unit" not in str(clause)
        hb = db.session.scalar(select(UnitUser).where(UnitUser.username == "hb_admin"))
        assert "core_unit" in str(scope_clause(Person, hb))
