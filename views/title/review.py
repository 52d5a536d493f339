"""职称评审: review screens (being built)."""

from __future__ import annotations

from typing import Any


def register_review(appbuilder: Any) -> None:
    return None
