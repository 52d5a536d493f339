"""职称评审 III — the history part (being written)."""
