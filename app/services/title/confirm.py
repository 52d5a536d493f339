"""职称评审 III — the confirm part (being written)."""
