"""SQLAlchemy models. Importing this package registers every table."""

from models import (
    commissioner,  # noqa: F401
    core,  # noqa: F401
    experts,  # noqa: F401
    grassroots,  # noqa: F401
)
