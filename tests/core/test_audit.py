"""审计日志 (P-19, issue 3 item 7)."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import exc as sa_exc
from sqlalchemy import select, text

from app.extensions import db
from models.core.audit import AuditLog
from tests.conftest import Client, unit_by_name


def _rows(**where):
    q = select(AuditLog).order_by(AuditLog.id)
    for k, v in where.items():
        q = q.where(getattr(AuditLog, k) == v)
    return list(db.session.scalars(q))


def test_create_update_delete_with_before_and_after(app, login_as):
    c = login_as("hb_admin")
    with app.app_context():
        hb = unit_by_name("湖北省人力资源和社会保障厅").id
    assert c.post("/departments/add", {"unit": str(hb), "name": "审计测试处", "phone": "027-87650000"}).status_code == 302
    with app.app_context():
        from models.core.unit import Department

        dep = db.session.scalar(select(Department).where(Department.name == "审计测试处"))
        did = dep.id
        created = _rows(object_type="core_department", object_id=str(did), action="create")
        assert created and created[0].username == "hb_admin" and created[0].unit_name == "湖北省人力资源和社会保障厅"
        assert json.loads(created[0].changes)["name"] == [None, "审计测试处"]
    c.post(f"/departments/edit/{did}", {"name": "审计测试二处", "phone": "027-87650000"})
    c.post(f"/departments/delete/{did}")
    with app.app_context():
        upd = _rows(object_type="core_department", object_id=str(did), action="update")
        assert json.loads(upd[-1].changes)["name"] == ["审计测试处", "审计测试二处"]
        assert _rows(object_type="core_department", object_id=str(did), action="delete")
        assert upd[-1].ip == "127.0.0.1"


def test_refused_save_leaves_no_row_and_passwords_never_logged(app, login_as):
    c = login_as("hb_wh_admin")
    with app.app_context():
        before = db.session.scalar(select(db.func.count()).select_from(AuditLog))
        yc = unit_by_name("宜昌市人力资源和社会保障局").id
    c.post("/departments/add", {"unit": str(yc), "name": "越权审计"})  # refused: out of scope
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(AuditLog)) == before
    c.post("/resetmypassword/form", {"old_password": "Demo@2026", "password": "Audit#2026x",
                                     "conf_password": "Audit#2026x"})
    with app.app_context():
        rows = _rows(object_type="ab_user", action="update", username="hb_wh_admin")
        assert rows and all("Audit#2026x" not in (r.changes or "") for r in rows)
        assert any('"******"' in (r.changes or "") for r in rows)
        u = db.session.scalar(select(__import__("models.core.user", fromlist=["UnitUser"]).UnitUser).where(
            text("username = 'hb_wh_admin'")))
        from werkzeug.security import generate_password_hash

        u.password = generate_password_hash("Demo@2026")
        db.session.commit()


def test_logins_and_lockout_audited(app):
    Client(app).login("nobody_at_all", "Wrong#12345")
    Client(app).login("sc_staff", "Demo@2026")
    with app.app_context():
        assert _rows(action="login_failure", result="refused")
        ok = _rows(action="login_success", username="sc_staff")
        assert ok and ok[-1].unit_name == "四川省人力资源和社会保障厅"


def test_role_change_audited(app):
    with app.app_context():
        from models.core.user import UnitUser

        u = db.session.scalar(select(UnitUser).where(UnitUser.username == "sd_staff"))
        u.roles = list(u.roles) + [app.appbuilder.sm.find_role("单位管理员")]
        db.session.commit()
        rows = _rows(action="role_change", object_id=str(u.id))
        assert rows and "单位管理员" in rows[-1].changes


def test_only_the_audit_administrator_reads_and_exports(app, login_as):
    assert login_as("hb_admin").get("/auditlog/list/").status_code == 403
    assert login_as("sysadmin").get("/auditlog/list/").status_code == 403
    assert login_as("secadmin").get("/auditlog/list/").status_code == 403
    a = login_as("auditadmin")
    body = a.get("/auditlog/list/").get_data(as_text=True)
    assert "审计日志" in body and "登录成功" in body
    r = a.get("/auditlog/export/?_flt_0_action=login_success")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.data)).active
    header = [c.value for c in next(ws.iter_rows(max_row=1))]
    assert header[:3] == ["时间", "用户", "单位"]
    assert a.post("/auditlog/delete/1").status_code in (403, 404, 405)


def test_purge_keeps_six_months(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["audit", "purge", "--days", "30"]).exit_code != 0
    with app.app_context():
        old = dt.datetime.now(dt.UTC) - dt.timedelta(days=200)
        db.session.add(AuditLog(action="login_success", username="ancient", created_at=old))
        db.session.commit()
        count = db.session.scalar(select(db.func.count()).select_from(AuditLog))
    result = runner.invoke(args=["audit", "purge"])
    assert result.exit_code == 0 and "purged: 1" in result.output
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(AuditLog)) == count - 1


def test_append_only_on_postgresql(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("the trigger is PostgreSQL's")
        row = AuditLog(action="login_success", username="fresh")
        db.session.add(row)
        db.session.commit()
        rid = row.id
        for stmt in (f"UPDATE core_audit_log SET username='x' WHERE id={rid}",
                     f"DELETE FROM core_audit_log WHERE id={rid}"):
            with pytest.raises(sa_exc.DBAPIError):
                with db.engine.begin() as conn:
                    conn.execute(text(stmt))


def test_rejected_at_commit_leaves_no_row(app, login_as):
    """A save the database refuses (duplicate name) rolls its audit rows back with it."""
    c = login_as("sc_admin")
    with app.app_context():
        sc = unit_by_name("四川省人力资源和社会保障厅").id
    assert c.post("/departments/add", {"unit": str(sc), "name": "审计重名处"}).status_code == 302
    with app.app_context():
        before = db.session.scalar(select(db.func.count()).select_from(AuditLog))
    assert c.post("/departments/add", {"unit": str(sc), "name": "审计重名处"}).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(AuditLog)) == before
        from models.core.unit import Department

        dep = Department(unit_id=sc, name="审计回滚处")
        db.session.add(dep)
        db.session.flush()  # the audit row is written in the same transaction...
        assert db.session.scalar(select(db.func.count()).select_from(AuditLog)) == before + 1
        db.session.rollback()  # ...and goes with it
        assert db.session.scalar(select(db.func.count()).select_from(AuditLog)) == before


def test_permission_change_audited(app):
    with app.app_context():
        sm = app.appbuilder.sm
        role = sm.add_role("审计测试角色")
        pv = sm.find_permission_view_menu("can_list", "DepartmentView")
        role.permissions = [pv]
        db.session.commit()
        rows = _rows(action="permission_change", object_id=str(role.id))
        assert rows and "DepartmentView" in rows[-1].changes
        role.permissions = []
        db.session.commit()
        before, after = json.loads(_rows(action="permission_change", object_id=str(role.id))[-1].changes)[
            "permissions"]
        assert after == [] and any("DepartmentView" in p for p in before)


def test_audit_screen_only_in_the_audit_role(app):
    from seed.roles import roles_table

    with app.app_context():
        ROLES = roles_table()  # noqa: N806
    holders = {role for role, table in ROLES.items() if "AuditLogView" in table}
    assert holders == {"审计管理员"}
    assert set(ROLES["审计管理员"]["AuditLogView"]) == {"can_list", "can_show", "can_export"}


def test_fresh_audit_administrator_and_export_escapes_formulas(app, login_as):
    from app.services.core.users import create_user
    from tests.conftest import unique

    with app.app_context():
        from models.core.unit import Unit

        root = db.session.scalar(select(Unit).where(Unit.parent_id.is_(None)))
        name = unique("aud")
        u = create_user(root, username=name, name="审计员", phone="13900003333", password="Demo@2026",
                        roles=[app.appbuilder.sm.find_role("审计管理员")], commit=False)
        u.must_change_password = False
        db.session.add(AuditLog(action="login_failure", username="=HYPERLINK(\"x\")", result="refused"))
        db.session.commit()
    assert login_as("hb_admin").get("/auditlog/export/").status_code == 403
    a = login_as(name)
    assert a.get("/auditlog/list/").status_code == 200
    r = a.get("/auditlog/export/?_flt_0_username=" + "=HYPERLINK")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.data)).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0][:5] == ["时间", "用户", "单位", "IP地址", "操作"]
    assert any(row[1] == "'=HYPERLINK(\"x\")" for row in rows[1:])
    with app.app_context():
        assert _rows(action="export", username=name)
