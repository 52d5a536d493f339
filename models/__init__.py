"""SQLAlchemy models of the platform (core, the expert library). Each business line's models
are imported by its module when the line is enabled (app/modules.py)."""

from models import (
    core,  # noqa: F401
    experts,  # noqa: F401
)
