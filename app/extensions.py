"""Extension objects shared by the whole application."""

from __future__ import annotations

from flask_appbuilder.models.sqla import Model
from flask_appbuilder.models.sqla.base import SQLA
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

# One metadata for FAB's tables and ours, so Alembic sees every table.
db = SQLA(metadata=Model.metadata)
migrate = Migrate()
csrf = CSRFProtect()
