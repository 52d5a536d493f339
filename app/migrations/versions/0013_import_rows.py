"""import rows: a staging table for import batches (checked once, paged on the server)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 18:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "core_import_row",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("row_no", sa.Integer(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("errors", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["batch_id"], ["core_import_batch.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("core_import_row", schema=None) as batch_op:
        batch_op.create_index("ix_core_import_row_batch", ["batch_id", "ok", "row_no"], unique=False)
        batch_op.create_index("ix_core_import_row_key", ["batch_id", "key"], unique=False)


def downgrade():
    with op.batch_alter_table("core_import_row", schema=None) as batch_op:
        batch_op.drop_index("ix_core_import_row_key")
        batch_op.drop_index("ix_core_import_row_batch")
    op.drop_table("core_import_row")
