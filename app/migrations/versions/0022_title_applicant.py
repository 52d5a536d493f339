"""职称评审: the applicant part — one application per person per activity

Revision ID: 0022
Revises: 0021
"""

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("uq_title_application_user_activity", "title_application", ["user_id", "activity_id"], unique=True)


def downgrade():
    op.drop_index("uq_title_application_user_activity", table_name="title_application")
