"""职称评审: activities (being built)."""
