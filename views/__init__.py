"""Thin FAB views: the platform's menus, then each enabled business line's (app/modules.py)."""

from __future__ import annotations

from typing import Any


def register_all(appbuilder: Any, lines: list[Any]) -> None:
    from app import modules
    from views import core, experts

    core.register(appbuilder)
    experts.register(appbuilder)
    modules.register_views(appbuilder, lines)
