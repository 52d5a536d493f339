"""Menu conditions of the 职称评审 line: each kind of unit (by its category) sees its chapter's menus."""

from __future__ import annotations

from collections.abc import Callable


def unit_kind(*kinds: str) -> Callable[[], bool]:
    """A menu condition: the user's unit is a title unit of one of ``kinds``."""

    def cond() -> bool:
        from flask import g

        from app.services.title.common import user_kinds

        return bool(user_kinds(getattr(g, "user", None)) & set(kinds))

    return cond
