"""职称评审: schema changes of the title_committees part (none yet)

Revision ID: 0020
Revises: 0019
"""

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
