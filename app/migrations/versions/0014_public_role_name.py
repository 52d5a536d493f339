"""the visitors' role is called 匿名访问 (AUTH_ROLE_PUBLIC), not FAB's English "Public"

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 07:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.execute(sa.text(
        "UPDATE ab_role SET name = '匿名访问' WHERE name = 'Public' "
        "AND NOT EXISTS (SELECT 1 FROM (SELECT id FROM ab_role WHERE name = '匿名访问') AS taken)"
    ))


def downgrade():
    op.execute(sa.text(
        "UPDATE ab_role SET name = 'Public' WHERE name = '匿名访问' "
        "AND NOT EXISTS (SELECT 1 FROM (SELECT id FROM ab_role WHERE name = 'Public') AS taken)"
    ))
