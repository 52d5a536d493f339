"""职称评审: schema changes of the title_applicant part (none yet)

Revision ID: 0022
Revises: 0021
"""

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
