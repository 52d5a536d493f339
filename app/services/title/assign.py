"""评审会议管理 — the assign part (being written; see app/services/title/meetings.py)."""
