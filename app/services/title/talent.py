"""职称评审 III — the talent part (being written)."""
