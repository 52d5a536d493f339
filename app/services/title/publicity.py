"""评审会议管理 — the publicity part (being written; see app/services/title/meetings.py)."""
