"""职称评审: applications (being built)."""
