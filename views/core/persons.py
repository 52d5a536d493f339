"""专业技术人员: people records of units — the first scoped business list."""

from __future__ import annotations

from typing import Any

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l

from app.services.core import person_import  # noqa: F401  (declares the import)
from app.services.core.validators import check_id_number, check_mobile
from models.core.person import Person
from views.base import FormError, ScopedModelRestApi, ScopedModelView

PERSON_LABELS = {
    "name": _l("姓名"), "sex": _l("性别"), "id_type": _l("证件类型"), "id_number": _l("证件号码"),
    "birth_date": _l("出生日期"), "phone": _l("手机号码"), "ethnicity": _l("民族"), "politics": _l("政治面貌"),
    "education": _l("学历"), "title_series": _l("职称系列"), "title_level": _l("职称层级"), "major": _l("专业"),
    "unit": _l("所属单位"), "created_on": _l("创建时间"),
}


class PersonView(ScopedModelView):
    route_base = "/persons"
    datamodel = SQLAInterface(Person)
    entity_title = _l("专业技术人员")
    label_columns = PERSON_LABELS
    list_columns = ["name", "sex", "unit", "title_series", "title_level", "education", "phone"]
    show_columns = ["name", "sex", "id_type", "id_number", "birth_date", "phone", "ethnicity", "politics",
                    "education", "title_series", "title_level", "major", "unit"]
    add_columns = edit_columns = ["unit", "name", "sex", "id_type", "id_number", "birth_date", "phone", "ethnicity",
                                  "politics", "education", "title_series", "title_level", "major"]
    # no relation filter on unit: it would load every unit of the subtree into a select
    search_columns = ["name", "title_series", "title_level", "education", "phone"]
    import_spec = "persons"
    order_columns = ["name"]
    base_order = ("id", "desc")

    def pre_add(self, item: Any) -> None:
        if item.id_type in (None, "", "01") and item.id_number:
            reason = check_id_number(item.id_number)
            if reason:
                raise FormError(reason, "id_number")
            item.id_number = item.id_number.strip().upper()
        if item.phone:
            reason = check_mobile(item.phone)
            if reason:
                raise FormError(reason, "phone")

    pre_update = pre_add


class PersonApi(ScopedModelRestApi):
    permission_title = _l("专业技术人员数据接口")
    resource_name = "person"
    datamodel = SQLAInterface(Person)
    list_columns = ["id", "name", "sex", "unit_id", "title_series", "title_level", "education"]
    show_columns = list_columns + ["phone", "birth_date", "major"]
    add_columns = ["name", "sex", "unit", "title_series", "title_level", "education", "phone", "major"]
    edit_columns = add_columns
    base_order = ("id", "desc")
