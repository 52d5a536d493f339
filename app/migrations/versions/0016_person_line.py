"""a person account belongs to the business line it registered in (ab_user.line)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 14:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("ab_user") as batch:
        batch.add_column(sa.Column("line", sa.String(length=30), nullable=True))
    # every person account so far registered as a 科技特派员
    op.execute("UPDATE ab_user SET line = 'commissioner' WHERE user_type = 'person'")


def downgrade():
    with op.batch_alter_table("ab_user") as batch:
        batch.drop_column("line")
