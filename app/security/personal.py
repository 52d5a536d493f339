"""Personal data (issue 3, item 5): ID numbers and phones are masked for every role
without the 查看完整个人信息 permission, in lists, details, forms, the API and logs.

A model declares its personal columns: ``__personal_columns__ = {"id_number": "id",
"phone": "phone"}``. The permission is ``can_view_full`` on the pseudo-view
``PersonalData`` (seed/roles.py grants it).
"""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context

PERMISSION = ("can_view_full", "PersonalData")


def mask_id(value: str) -> str:
    v = str(value)
    if len(v) <= 10:
        return v[:2] + "*" * max(len(v) - 4, 0) + v[-2:]
    return v[:6] + "*" * (len(v) - 10) + v[-4:]


def mask_phone(value: str) -> str:
    v = str(value)
    if len(v) == 11 and v.isdigit():
        return v[:3] + "****" + v[-4:]
    if len(v) > 6:
        return v[:3] + "*" * (len(v) - 6) + v[-3:]
    return "*" * len(v)


def mask(kind: str, value: Any) -> Any:
    if value in (None, ""):
        return value
    return mask_id(value) if kind == "id" else mask_phone(value)


def personal_columns(model: Any) -> dict[str, str]:
    return dict(getattr(model, "__personal_columns__", {}) or {})


def can_view_full() -> bool:
    """Whether the acting user may see personal data in full (cached per request)."""
    if not has_request_context():
        return True  # commands and jobs run with the operator's own rights
    cached = g.get("_view_full")
    if cached is not None:
        return cached
    from flask import current_app

    user = g.get("user")
    allowed = bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and current_app.appbuilder.sm.has_access(*PERMISSION)
    )
    g._view_full = allowed
    return allowed


def shown(kind: str, value: Any) -> Any:
    return value if can_view_full() else mask(kind, value)
