"""职称评审 (seed 004): the line's services."""
