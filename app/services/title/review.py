"""职称评审: review (being built)."""
