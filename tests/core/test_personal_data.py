"""Personal data masked for roles without 查看完整个人信息 (issue 3, item 5)."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from models.core.person import Person
from tests.conftest import unit_by_name


def _person(app):
    with app.app_context():
        unit = unit_by_name("江汉区第一人民医院")
        p = db.session.scalar(select(Person).where(Person.unit_id == unit.id).order_by(Person.id))
        return p.id, p.id_number, p.phone


def test_masking_rules():
    from app.security.personal import mask_id, mask_phone

    assert mask_id("110101199003071234") == "110101********1234"
    assert mask_phone("13812341234") == "138****1234"


def test_staff_sees_masked_admin_sees_full(app, login_as):
    pid, idn, phone = _person(app)
    staff = login_as("hb_wh_jh_e1_staff")
    body = staff.get(f"/persons/show/{pid}").get_data(as_text=True)
    assert idn not in body and phone not in body
    assert f"{idn[:6]}********{idn[-4:]}" in body and f"{phone[:3]}****{phone[-4:]}" in body
    assert phone not in staff.get("/persons/list/").get_data(as_text=True)
    api = staff.json("GET", f"/api/v1/person/{pid}").get_json()
    assert api["result"]["phone"] == f"{phone[:3]}****{phone[-4:]}"
    admin = login_as("hb_wh_jh_e1_admin")
    assert idn in admin.get(f"/persons/show/{pid}").get_data(as_text=True)


def test_masked_value_in_edit_form_is_kept_on_save(app, login_as):
    pid, idn, phone = _person(app)
    c = login_as("hb_wh_jh_e1_admin")
    with app.app_context():
        from tests.conftest import unit_by_name as ubn

        uid = ubn("江汉区第一人民医院").id
    staff = login_as("hb_wh_jh_e1_staff")
    form = staff.get(f"/persons/edit/{pid}").get_data(as_text=True)
    assert idn not in form and phone not in form
    masked_phone = re.search(r'name="phone"[^>]*value="([^"]*)"', form) or re.search(
        r'value="([^"]*)"[^>]*name="phone"', form)
    masked_id = re.search(r'name="id_number"[^>]*value="([^"]*)"', form) or re.search(
        r'value="([^"]*)"[^>]*name="id_number"', form)
    r = staff.post(f"/persons/edit/{pid}", {"unit": str(uid), "name": "改名不改号", "sex": "1", "id_type": "01",
                                             "id_number": masked_id.group(1), "phone": masked_phone.group(1)})
    assert r.status_code == 302, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r.get_data(as_text=True)))[-800:]
    with app.app_context():
        p = db.session.get(Person, pid)
        assert p.name == "改名不改号" and p.id_number == idn and p.phone == phone
    assert c  # the administrator's session is unaffected


def test_partial_search_on_personal_columns_refused(app, login_as):
    pid, idn, phone = _person(app)
    staff = login_as("hb_wh_jh_e1_staff")
    # FAB string filters: 0 starts with, 1 ends with, 2 contains, 3 equal …
    with app.app_context():
        view = next(v for v in app.appbuilder.baseviews if type(v).__name__ == "PersonView")
        names = [type(f).__name__ for f in view._filters.get_search_filters()["phone"]]
    partial = names.index("FilterStartsWith")
    equal = names.index("FilterEqual")
    assert staff.get(f"/persons/list/?_flt_{partial}_phone={phone[:3]}").status_code == 403
    assert staff.get(f"/persons/list/?_flt_{equal}_phone={phone}").status_code == 200
    r = staff.get(f"/api/v1/person/?q=(filters:!((col:phone,opr:sw,value:'{phone[:3]}')))")
    assert r.status_code == 403
    admin = login_as("hb_wh_jh_e1_admin")
    assert admin.get(f"/persons/list/?_flt_{partial}_phone={phone[:3]}").status_code == 200
