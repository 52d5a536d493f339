"""职称评审: committees (being built)."""
