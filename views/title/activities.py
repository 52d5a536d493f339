"""职称评审: activities screens (being built)."""

from __future__ import annotations

from typing import Any


def register_activities(appbuilder: Any) -> None:
    return None
