"""职称评审: committees screens (being built)."""

from __future__ import annotations

from typing import Any


def register_committees(appbuilder: Any) -> None:
    return None
