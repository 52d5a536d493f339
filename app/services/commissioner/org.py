"""机构信息 (TC-07 … TC-09) and the legal-person unit's admission.

A legal-person unit registers through 单位注册 under the province (the platform's registration
on the review engine). While it waits it may fill its 机构信息 and upload the stamped 法人申请表
(附件2“单位概况”, PDF); the province's 法人审核 cannot approve before both are there. Only an
approved (active) legal unit's teams take part in the selection.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.services.commissioner.individual import CommissionerError
from app.services.core import attachments, registration
from app.services.core import users as user_service
from app.services.core.validators import check_length, check_phone
from app.workflow import Require
from models.commissioner.org import CommissionerOrg
from models.core.unit import Unit

KIND_CODES = {"commissioner.province": "province", "commissioner.city": "city", "commissioner.legal": "legal",
              "commissioner.dispatched": "dispatched"}
STAMPED = "stamped_application"
# 七 系统管理 · 用户管理: the province manages every account of the line
user_service.LINE_ACCOUNT_MANAGERS.add("commissioner.province")


def kind_of(unit: Unit | None) -> str | None:
    """province | city | legal | dispatched for the commissioner units, None for any other unit."""
    for cat in unit.categories if unit is not None else []:
        if cat.code in KIND_CODES:
            return KIND_CODES[cat.code]
    return None


def fields_for(kind: str | None) -> list[tuple[str, Any]]:
    """The form of 机构信息: the manual's fields for a legal unit (四) or a department (六、七)."""
    if kind == "legal":
        return [("name", _l("单位名称")), ("nature", _l("单位性质")), ("legal_name", _l("法人代表")),
                ("location", _l("所在地")), ("contact", _l("联系人")), ("contact_phone", _l("联系电话")),
                ("phone", _l("单位电话")), ("business", _l("主营业务"))]
    return [("name", _l("机构名称")), ("location", _l("所在地")), ("phone", _l("联系电话")), ("contact", _l("联系人")),
            ("contact_phone", _l("联系人电话"))]


UNIT_ATTRS = ("name", "nature", "legal_name", "phone")


def org_of(unit: Unit) -> CommissionerOrg | None:
    return db.session.scalar(select(CommissionerOrg).where(CommissionerOrg.unit_id == unit.id))


def values_of(unit: Unit) -> dict[str, Any]:
    org = org_of(unit)
    out = {k: getattr(unit, k) or "" for k in UNIT_ATTRS}
    for k in ("location", "contact", "contact_phone", "business"):
        out[k] = (getattr(org, k) or "") if org is not None else ""
    return out


def save_org(user: Any, data: Any) -> CommissionerOrg:
    """Save the user's own unit's 机构信息; only its administrator may; the caller commits."""
    unit = db.session.get(Unit, user.unit_id) if getattr(user, "unit_id", None) else None
    kind = kind_of(unit)
    if unit is None or kind is None:
        raise CommissionerError(_("本单位不是科技特派员管理单位"))
    if not user.is_unit_admin:
        raise CommissionerError(_("只有单位管理员可以修改机构信息"))
    values: dict[str, str] = {}
    problems: list[tuple[str | None, str]] = []  # all at once
    for key, label in fields_for(kind):
        value = (data.get(key) or "").strip()
        if not value:
            problems.append((key, _("%(f)s为必填项，若无相关信息请填写“无”", f=str(label))))
        values[key] = value
    for key in ("phone", "contact_phone"):
        reason = check_phone(values[key]) if values.get(key) else None
        if reason:
            problems.append((key, str(reason)))
    if values.get("nature"):
        from app.services.core import dicts

        if values["nature"] not in dict(dicts.choices("unit_nature")):
            problems.append(("nature", _("请选择单位性质")))
    if problems:
        raise CommissionerError.of(problems)
    labels = dict(fields_for(kind))
    for key, value in values.items():  # each value fits its column (the unit's or the org's)
        column = getattr(Unit if key in UNIT_ATTRS else CommissionerOrg, key, None)
        reason = check_length(value, column, labels[key]) if column is not None else None
        if reason:
            raise CommissionerError(reason, key)
    for key in UNIT_ATTRS:
        if key in values:
            setattr(unit, key, values[key])
    org = org_of(unit) or CommissionerOrg(unit_id=unit.id)
    for key in ("location", "contact", "contact_phone", "business"):
        if key in values:
            setattr(org, key, values[key])
    db.session.add(org)
    return org


attachments.register_owner("commissioner.org", CommissionerOrg, [
    attachments.Slot(STAMPED, _l("盖章法人申请表（附件2“单位概况”PDF扫描件）"), kinds=("pdf",), max_mb=20,
                     required=True),
], edit_permission=("can_org", "commissioner.Org"),
    # the legal unit's administrator (also while its registration waits; the 法人审核 reads it)
    writers=attachments.Writers(attachments.RECORD_UNIT, ("can_org", "commissioner.Org"), admin_only=True,
                                label=_l("法人单位")))


def stamped(unit: Unit) -> list[Any]:
    org = org_of(unit)
    return attachments.current(org, STAMPED) if org is not None else []


def save_stamped(user: Any, stream: Any, file_name: str) -> Any:
    """The legal unit's own upload, also while its registration waits (its scope is still empty)."""
    unit = db.session.get(Unit, user.unit_id) if getattr(user, "unit_id", None) else None
    if kind_of(unit) != "legal":
        raise CommissionerError(_("只有法人单位需要上传盖章法人申请表"))
    if not user.is_unit_admin:
        raise CommissionerError(_("只有单位管理员可以上传"))
    org = org_of(unit)
    if org is None:
        raise CommissionerError(_("请先填写机构信息"))
    try:
        return attachments.save_upload(org, STAMPED, stream, file_name, user=user, owner_checked=True)
    except attachments.AttachmentError as e:
        raise CommissionerError(str(e)) from e


def sheet_pdf(unit: Unit) -> bytes:
    """法人申请表（附件2“单位概况”）filled from 机构信息, to print, stamp and scan."""
    from app.services.core import dicts
    from app.services.documents import pdf

    return pdf.document("commissioner_org_sheet", unit=unit, org=org_of(unit),
                        nature=dicts.label("unit_nature", unit.nature))


# -- 法人审核: the province's review of a registering legal unit ----------------------------


def _is_legal(record: Any, review: Any, user: Any) -> bool:
    return kind_of(db.session.get(Unit, record.unit_id)) == "legal"


def _complete(record: Any, review: Any, user: Any) -> str | None:
    unit = db.session.get(Unit, record.unit_id)
    if org_of(unit) is None:
        return _("该法人单位尚未填写机构信息，不能通过")
    if not stamped(unit):
        return _("该法人单位尚未上传盖章法人申请表，不能通过")
    return None


registration.REGISTRATION.requires.append(Require(actions=("approve",), check=_complete, when=_is_legal))


def _panel(unit: Unit) -> dict[str, Any] | None:
    if kind_of(unit) != "legal":
        return None
    org = org_of(unit)
    return {"template": "commissioner/org_panel.html", "unit": unit, "org": org, "fields": fields_for("legal"),
            "values": values_of(unit), "files": stamped(unit)}


def _next_step(user: Any) -> tuple[str, str] | None:
    unit = db.session.get(Unit, user.unit_id) if getattr(user, "unit_id", None) else None
    if kind_of(unit) != "legal":
        return None
    return (_("填写机构信息并上传盖章法人申请表"), "CommissionerOrgView.org")


registration.DETAIL_PANELS.append(_panel)
registration.PENDING_STEPS.append(_next_step)
registration.PENDING_ENDPOINTS.update({"CommissionerOrgView.org", "CommissionerOrgView.upload", "CommissionerOrgView.download",
                                       "CommissionerOrgView.sheet"})
