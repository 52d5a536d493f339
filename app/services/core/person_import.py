"""专业技术人员 batch import: the second customer of the import pipeline (with a unit column)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.services.documents import imports
from app.services.documents.columns import Column
from models.core.person import Person

COLUMNS = [
    Column("unit", _l("所属单位"), required=True, kind="unit", width=28),
    Column("name", _l("姓名"), required=True, max_len=64),
    Column("sex", _l("性别"), kind="dict", dict_code="sex"),
    Column("id_type", _l("证件类型"), kind="dict", dict_code="id_type"),
    Column("id_number", _l("证件号码"), required=True, max_len=32, width=22, masked="id"),
    Column("birth_date", _l("出生日期"), kind="date"),
    Column("phone", _l("手机号码"), kind="mobile", masked="phone"),
    Column("ethnicity", _l("民族"), kind="dict", dict_code="ethnicity"),
    Column("politics", _l("政治面貌"), kind="dict", dict_code="politics"),
    Column("education", _l("学历"), kind="dict", dict_code="education"),
    Column("title_series", _l("职称系列"), kind="dict", dict_code="title_series", width=20),
    Column("title_level", _l("职称层级"), kind="dict", dict_code="title_level"),
    Column("major", _l("专业"), max_len=100),
]


def check_row(values: dict[str, Any]) -> list[tuple[str, str]]:
    from app.services.core.validators import check_id_number

    number = (values.get("id_number") or "").upper()
    if (values.get("id_type") or "01") != "01" or not number:
        return []
    reason = check_id_number(number)
    if reason:
        return [("id_number", str(reason))]
    birth = values.get("birth_date")
    if birth and birth.strftime("%Y%m%d") != number[6:14]:
        return [("birth_date", _("出生日期与身份证号码不一致"))]
    return []


def row_values(values: dict[str, Any], user: Any, ctx: Any = None) -> dict[str, Any]:
    """One person's column values for the import's bulk insert (``unit`` is the resolved unit id)."""
    data = {c.key: values.get(c.key) for c in COLUMNS if c.key != "unit"}
    data["id_number"] = str(data["id_number"]).upper()
    data["id_type"] = data["id_type"] or "01"
    data["unit_id"] = values["unit"]
    return data


IMPORT = imports.register(imports.ImportSpec(
    code="persons", title=_l("专业技术人员"), model=Person, columns=COLUMNS, row_values=row_values, key="id_number",
    row_check=check_row, list_endpoint="PersonView.list", permission=("can_add", "PersonView"),
))
