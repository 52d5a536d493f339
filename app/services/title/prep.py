"""评审会议管理 — the prep part (being written; see app/services/title/meetings.py)."""
