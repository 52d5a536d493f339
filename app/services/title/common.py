"""What every part of the 职称评审 line shares: the kinds of unit (by category), regions, the error."""

from __future__ import annotations

from typing import Any

from app.services.errors import BusinessError

# category code -> kind
KINDS = {"title.hr": "hr", "title.competent": "competent", "title.applicant": "applicant",
         "title.self_review": "self_review", "title.central": "central"}
# the kinds that constitute committees and publish activities (人社部门, 主管部门, 自主评审单位, 中央在川单位)
COMMITTEE_KINDS = ("hr", "competent", "self_review", "central")
# the kinds that may decide 委托评审 (主管部门/人社部门)
ENTRUST_KINDS = ("hr", "competent")


class TitleError(BusinessError):
    """A refused 职称评审 operation; nothing changed."""


def kinds_of(unit: Any) -> set[str]:
    """The title kinds of ``unit`` (by its categories); the platform's root counts as 人社部门."""
    if unit is None:
        return set()
    codes = {c.code for c in getattr(unit, "categories", [])}
    out = {KINDS[c] for c in codes if c in KINDS}
    if getattr(unit, "parent_id", 0) is None:
        out.add("hr")
    return out


def user_kinds(user: Any) -> set[str]:
    if user is None or getattr(user, "user_type", "unit") != "unit":
        return set()
    return kinds_of(getattr(user, "unit", None))


def region_prefix(code: str | None) -> str:
    """The significant digits of a region code: 510000 → 51, 511100 → 5111, 511102 → 511102."""
    code = (code or "").strip()
    while code.endswith("00") and len(code) > 2:
        code = code[:-2]
    return code


def region_within(unit_code: str | None, area_code: str | None) -> bool:
    """Whether the region ``unit_code`` lies inside ``area_code`` (the same or below it)."""
    if not unit_code or not area_code:
        return False
    return (unit_code or "").startswith(region_prefix(area_code))
