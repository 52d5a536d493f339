"""职称评审 III — the cert part (being written)."""
