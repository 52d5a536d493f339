"""评审会议管理 — the draw part (being written; see app/services/title/meetings.py)."""
