"""职称评审 III: schema changes of the title_talent part (none yet).

Revision ID: 0028
Revises: 0027
"""

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
