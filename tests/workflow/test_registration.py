"""单位自行注册 reviewed by the parent (P-03), with 用户权限申请."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from models.core.registration import UnitRegistration
from models.core.unit import Category, Unit
from tests.conftest import Client, credit_code, unique, unit_by_name


def _register(app, parent_name="青羊区人力资源局"):
    c = Client(app)
    c.token()
    with app.app_context():
        parent = unit_by_name(parent_name)
        cat = db.session.scalar(select(Category.id).where(Category.code == "title.applicant"))
        pid = parent.id
    login = unique("reg")
    code = credit_code()
    r = c.post("/register/", {"parent": str(pid), "credit_code": code, "name": f"自行注册单位{login}",
                              "nature": "40", "phone": "028-86660000", "categories": str(cat),
                              "username": login, "admin_name": "注册人", "admin_phone": "13611112222",
                              "password": "Regist#2026", "conf_password": "Regist#2026"})
    assert r.status_code == 302, r.get_data(as_text=True)[-600:]
    with app.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.credit_code == code))
        record = db.session.scalar(select(UnitRegistration).where(UnitRegistration.unit_id == unit.id))
        return login, unit.id, record.id


def test_registration_then_parent_approval_opens_the_unit(app, login_as):
    login, unit_id, rid = _register(app)
    applicant = login_as(login, "Regist#2026")
    r = applicant.get("/persons/list/")
    assert r.status_code == 302 and "/myapplication/" in r.headers["Location"]
    assert "审核中" in applicant.get("/myapplication/").get_data(as_text=True)
    parent = login_as("sc_cd_qy_admin")
    assert "自行注册单位" in parent.get("/unitregistrations/list/?todo=1").get_data(as_text=True)
    assert login_as("sc_cd_jj_admin").get(f"/unitregistrations/review/{rid}").status_code == 404  # sibling
    parent.post(f"/unitregistrations/review/{rid}", {"action": "return", "opinion": "请补充单位性质证明"})
    assert "请补充单位性质证明" in applicant.get("/myapplication/").get_data(as_text=True)
    applicant.post("/myapplication/", {})
    parent.post(f"/unitregistrations/review/{rid}", {"action": "approve", "opinion": "同意"})
    with app.app_context():
        assert db.session.get(Unit, unit_id).active
    assert applicant.get("/persons/list/").status_code == 200


def test_rejected_registration_stays_closed_and_bad_input_refused(app, login_as, client):
    login, unit_id, rid = _register(app)
    login_as("sc_cd_qy_admin").post(f"/unitregistrations/review/{rid}", {"action": "reject", "opinion": "不符合"})
    with app.app_context():
        assert not db.session.get(Unit, unit_id).active
    assert login_as(login, "Regist#2026").get("/persons/list/").status_code == 302
    client.token()
    with app.app_context():
        before = db.session.scalar(select(db.func.count()).select_from(Unit))
        pid = unit_by_name("青羊区人力资源局").id
    r = client.post("/register/", {"parent": str(pid), "credit_code": "123", "name": "坏代码单位",
                                   "phone": "028-86660000", "username": unique("bad"), "admin_name": "x",
                                   "admin_phone": "13611112222", "password": "Regist#2026",
                                   "conf_password": "Regist#2026"})
    assert r.status_code == 200 and "统一社会信用代码" in r.get_data(as_text=True)
    assert "坏代码单位" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Unit)) == before


def test_a_returned_registration_is_edited_then_resubmitted(app, login_as):
    """P-03 (issue 15.4): the registering unit changes what the opinion asks for, then resubmits."""
    login, unit_id, rid = _register(app)
    applicant = login_as(login, "Regist#2026")
    assert "registration-edit" not in applicant.get("/myapplication/").get_data(as_text=True)  # under review
    r = applicant.post("/myapplication/edit", {"name": "改名", "credit_code": credit_code(), "phone": "028-1",
                                              "nature": "40"})
    assert r.status_code == 302  # refused while under review: back to the page, nothing changed
    with app.app_context():
        assert db.session.get(Unit, unit_id).name.startswith("自行注册单位")
        cat = db.session.scalar(select(Category.id).where(Category.code == "title.applicant"))
    parent = login_as("sc_cd_qy_admin")
    parent.post(f"/unitregistrations/review/{rid}", {"action": "return", "opinion": "单位名称应与营业执照一致"})
    page = applicant.get("/myapplication/").get_data(as_text=True)
    assert "registration-edit" in page
    form = applicant.get("/myapplication/edit").get_data(as_text=True)
    assert "单位名称应与营业执照一致" in form and "自行注册单位" in form
    new_name = unique("营业执照名称单位")
    # a bad credit code is refused with its reason and what was typed stays
    r = applicant.post("/myapplication/edit", {"name": new_name, "credit_code": "123", "phone": "028-86660000",
                                              "nature": "40", "categories": str(cat)})
    assert r.status_code == 200 and new_name in r.get_data(as_text=True)
    with app.app_context():
        code = db.session.get(Unit, unit_id).credit_code
    r = applicant.post("/myapplication/edit", {"name": new_name, "credit_code": code, "phone": "028-86660000",
                                              "nature": "40", "categories": str(cat)})
    assert r.status_code == 302
    applicant.post("/myapplication/", {})
    with app.app_context():
        assert db.session.get(Unit, unit_id).name == new_name
    assert new_name in parent.get(f"/unitregistrations/show/{rid}").get_data(as_text=True)
