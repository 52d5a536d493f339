"""评审会议管理 — the voting part (being written; see app/services/title/meetings.py)."""
