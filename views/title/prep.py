"""评审会议管理 — the views of the prep part (being written; see views/title/meetings.py)."""

from __future__ import annotations

from typing import Any


def register_prep(appbuilder: Any) -> None:
    """Registers the part's views (none yet)."""
