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


def test_export_follows_the_lists_filter_and_sort_rules(app, login_as):
    """Issue 14.2: the export of a list cannot recover masked digits by a partial filter or by sorting."""
    import io

    from python_calamine import CalamineWorkbook

    pid, idn, phone = _person(app)
    staff = login_as("hb_wh_jh_e1_staff")
    with app.app_context():
        view = next(v for v in app.appbuilder.baseviews if type(v).__name__ == "PersonView")
        names = [type(f).__name__ for f in view._filters.get_search_filters()["phone"]]
        assert "phone" not in view.order_columns and "id_number" not in view.order_columns
        experts = next(v for v in app.appbuilder.baseviews if type(v).__name__ == "ExpertView")
        assert not {"phone", "phone2", "id_number"} & set(experts.order_columns)
    partial = names.index("FilterStartsWith")
    equal = names.index("FilterEqual")
    # the same partial filter the list refuses is refused on the export
    assert staff.get(f"/persons/export/?_flt_{partial}_phone={phone[:3]}").status_code == 403
    assert staff.get("/experts/export/").status_code == 200  # the staff may export the list …
    assert staff.get("/experts/export/?_flt_0_id_number=4201").status_code == 403  # … not search its IDs
    # a personal column that is not even a search column of the list is refused the same way
    assert staff.get(f"/persons/export/?_flt_0_id_number={idn[:4]}").status_code == 403
    unfiltered = staff.get("/persons/export/")
    exact = staff.get(f"/persons/export/?_flt_{equal}_phone={phone}")
    assert exact.status_code == 200
    body = list(CalamineWorkbook.from_filelike(io.BytesIO(exact.data)).get_sheet_by_index(0).iter_rows())
    assert len(body) >= 2 and all(phone not in str(cell) for row in body for cell in row)
    # sorting by a masked column is ignored: the order is the list's default one
    by_phone = staff.get("/persons/export/?_oc_PersonView=phone&_od_PersonView=asc").data
    assert by_phone and list(CalamineWorkbook.from_filelike(io.BytesIO(by_phone)).get_sheet_by_index(0)
                             .iter_rows()) == list(CalamineWorkbook.from_filelike(io.BytesIO(unfiltered.data))
                                                   .get_sheet_by_index(0).iter_rows())
    api = staff.get("/api/v1/person/?q=(order_column:phone,order_direction:asc)")
    assert api.status_code == 400


def test_every_personal_looking_column_is_declared(app):
    """Issue 14.2: a column named like an ID number or a phone is declared personal (masked) or, for an
    office telephone, explicitly not personal — a new line cannot forget one."""
    from flask_appbuilder.models.sqla import Model

    pattern = re.compile(r"(id_number|id_no$|idcard|id_card|phone|mobile|telephone|^tel$)")
    missing = []
    for mapper in Model.registry.mappers:
        cls = mapper.class_
        declared = set(getattr(cls, "__personal_columns__", {}) or {}) | set(getattr(cls, "__not_personal__", ()))
        for column in mapper.columns:
            if pattern.search(column.key) and column.key not in declared:
                missing.append(f"{cls.__name__}.{column.key}")
    assert not missing, f"not declared personal or __not_personal__: {missing}"


def test_commissioner_phones_masked_for_roles_without_full_view(app, login_as):
    """A role that may list 科技特派员人员 and export them, without 查看完整个人信息, sees phones masked."""
    import io

    from python_calamine import CalamineWorkbook

    from app.security.personal import mask_phone
    from models.commissioner.individual import Commissioner
    from tests.conftest import make_user

    with app.app_context():
        sm = app.appbuilder.sm
        role = sm.find_role("测试-特派员查看") or sm.add_role("测试-特派员查看")
        for perm in ("can_list", "can_show"):
            sm.add_permission_role(role, sm.find_permission_view_menu(perm, "commissioner.People"))
        unit = unit_by_name("湖北省科学技术厅")
        user = make_user(unit, roles=[role])
        username = user.username
        phones = [c.phone for c in db.session.scalars(select(Commissioner))]
    c = login_as(username)
    body = c.get("/commissioner/people/list/").get_data(as_text=True)
    assert phones and not any(p in body for p in phones)
    # (the list shows no phone column; its show page and export do)
    xlsx = c.get("/commissioner/people/export/")
    assert xlsx.status_code == 200
    cells = [str(v) for row in CalamineWorkbook.from_filelike(io.BytesIO(xlsx.data)).get_sheet_by_index(0).iter_rows()
             for v in row]
    assert not any(p in cells for p in phones) and any(mask_phone(p) in cells for p in phones)
