"""Thin FAB views; each business line registers its own menus."""

from __future__ import annotations

from typing import Any


def register_all(appbuilder: Any, modules: list[str]) -> None:
    from views import commissioner, core, experts, grassroots

    core.register(appbuilder)
    commissioner.register(appbuilder)
    experts.register(appbuilder)
    grassroots.register(appbuilder)
