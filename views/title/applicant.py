"""职称评审: applicant screens (being built)."""

from __future__ import annotations

from typing import Any


def register_applicant(appbuilder: Any) -> None:
    return None
