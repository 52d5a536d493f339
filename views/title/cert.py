"""职称评审 III — the views of the cert part (being written)."""

from __future__ import annotations

from typing import Any


def register_cert(appbuilder: Any) -> None:
    """Registers the part's views (none yet)."""
