"""专家库 (G-13; fields of 004 图 2.2.25): one library shared by every module.

A unit sees the experts it and its lower units entered (the unit scope) and edits or
deletes only those it entered itself. One person is one expert: the ID number is unique.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func

from app.filters import local_now
from app.services.documents import imports
from app.services.documents.columns import Column
from models.experts.expert import Expert

COLUMNS = [
    Column("nationality", _l("国别"), max_len=30, note=_l("默认为中国")),
    Column("name", _l("姓名"), required=True, max_len=10),
    Column("id_type", _l("证件类型"), kind="dict", dict_code="id_type", note=_l("默认为居民身份证")),
    Column("id_number", _l("证件号码"), required=True, kind="str", max_len=18, unique=True, width=22, masked="id"),
    Column("sex", _l("性别"), required=True, kind="dict", dict_code="sex"),
    Column("birth_ym", _l("出生年月"), required=True, kind="ym"),
    Column("retired", _l("是否退休"), kind="bool"),
    Column("work_unit", _l("工作单位"), required=True, max_len=30, width=24),
    Column("supervising_unit", _l("主管单位"), max_len=30, width=24),
    Column("admin_post", _l("行政职务"), required=True, max_len=20, note=_l("无职务填“无”")),
    Column("admin_level", _l("行政职务级别"), kind="dict", dict_code="admin_level"),
    Column("phone", _l("联系电话1"), required=True, kind="mobile", width=14, masked="phone"),
    Column("phone2", _l("联系电话2"), kind="phone", max_len=11, width=14, masked="phone"),
    Column("honours", _l("所获荣誉、称号"), required=True, max_len=300, width=30, note=_l("无荣誉填“无”")),
    Column("series", _l("现专业技术系列"), kind="dict", dict_code="title_series", width=20),
    Column("major", _l("现从事专业"), required=True, max_len=30),
    Column("title", _l("现职称"), required=True, kind="dict", dict_code="title_level"),
]


def check_identity(values: dict[str, Any]) -> list[tuple[str, str]]:
    """The ID number of a 居民身份证 holder is checked (GB 11643) and must agree with sex and birth."""
    from app.services.core.validators import check_id_number

    number = values.get("id_number")
    if not number or (values.get("id_type") or "01") != "01":
        return []
    number = number.upper()
    reason = check_id_number(number)
    if reason:
        return [("id_number", str(reason))]
    problems: list[tuple[str, str]] = []
    birth = values.get("birth_ym")
    if birth and number[6:12] != birth:
        problems.append(("birth_ym", _("出生年月与身份证号码不一致")))
    sex = values.get("sex")
    if sex in ("1", "2") and ("1" if int(number[16]) % 2 == 1 else "2") != sex:
        problems.append(("sex", _("性别与身份证号码不一致")))
    return problems


def check_identities(cols: dict[str, list[Any]]) -> list[tuple[int, str, str]]:
    """``check_identity`` for a chunk of rows at once: [(position, column key, reason)]."""
    from app.services.core.validators import check_id_number

    out: list[tuple[int, str, str]] = []
    birth_differs, sex_differs = _("出生年月与身份证号码不一致"), _("性别与身份证号码不一致")
    for pos, (number, kind, birth, sex) in enumerate(zip(cols["id_number"], cols["id_type"], cols["birth_ym"],
                                                         cols["sex"], strict=True)):
        if not number or (kind or "01") != "01":
            continue
        number = number.upper()
        reason = check_id_number(number)
        if reason:
            out.append((pos, "id_number", str(reason)))
            continue
        if birth and number[6:12] != birth:
            out.append((pos, "birth_ym", birth_differs))
        if sex in ("1", "2") and ("1" if int(number[16]) % 2 == 1 else "2") != sex:
            out.append((pos, "sex", sex_differs))
    return out


def row_values(values: dict[str, Any], user: Any, ctx: Any = None) -> dict[str, Any]:
    """One expert's column values for the import's bulk insert (the same keys for every row)."""
    data = dict(values)  # every column of COLUMNS, parsed
    data["nationality"] = data["nationality"] or "中国"
    data["id_type"] = data["id_type"] or "01"
    data["id_number"] = data["id_number"].upper()
    data["retired"] = bool(data["retired"])
    data["unit_id"] = user.unit_id
    data["entered_by"] = user.id
    return data


def sql_values(cols: dict[str, Any], user: Any, ctx: Any = None) -> dict[str, Any]:
    """``row_values`` as SQL for the commit's INSERT … SELECT (``cols``: the staged values, NULL when
    empty). The ID number is the staged key: the value upper-cased by Python, as ``row_values`` does."""
    from sqlalchemy import Integer, false, literal

    data = {c.key: cols[c.key] for c in COLUMNS}
    data["nationality"] = func.coalesce(cols["nationality"], "中国")
    data["id_type"] = func.coalesce(cols["id_type"], "01")
    data["id_number"] = cols[imports.STAGED_KEY]
    data["retired"] = func.coalesce(cols["retired"], false())
    data["unit_id"] = literal(user.unit_id, Integer)
    data["entered_by"] = literal(user.id, Integer)
    return data


IMPORT = imports.register(imports.ImportSpec(
    code="experts", title=_l("专家库"), model=Expert, columns=COLUMNS, row_values=row_values, key="id_number",
    row_check=check_identity, rows_check=check_identities, list_endpoint="ExpertView.list",
    permission=("can_import", "ExpertView"), sql_values=sql_values, parallel=True,
))


def sheet_context(expert: Expert) -> dict[str, Any]:
    from app.security.personal import shown
    from app.services.core import dicts

    return {
        "expert": expert,
        "labels": {c: dicts.label(code, getattr(expert, c)) for c, code in Expert.__dict_columns__.items()},
        "id_number": shown("id", expert.id_number), "phone": shown("phone", expert.phone),
        "phone2": shown("phone", expert.phone2) if expert.phone2 else "",
        "printed_at": local_now(),
    }
