"""the unit path index covers the unit id on PostgreSQL (the scope's subquery answered from the index)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 15:55:00

Every scoped list asks ``unit_id IN (SELECT id FROM core_unit WHERE path LIKE '/1/5/%')``: with
the id in the index PostgreSQL reads the subtree's ids without visiting the table (an index-only
scan). SQLite has no INCLUDE; its index stays as it is.
"""
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_core_unit_path", table_name="core_unit")
        op.create_index("ix_core_unit_path", "core_unit", ["path"], postgresql_include=["id"])


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_core_unit_path", table_name="core_unit")
        op.create_index("ix_core_unit_path", "core_unit", ["path"])
