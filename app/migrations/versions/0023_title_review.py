"""职称评审: schema changes of the title_review part — the trail index the material-review tabs read
(已上报 / 已退回 / 不通过: a unit's latest decision; 评审人员统计: what a unit passed up).

Revision ID: 0023
Revises: 0022
"""

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_title_trail_unit_action", "core_review_trail", ["unit_id", "action", "review_id"])


def downgrade():
    op.drop_index("ix_title_trail_unit_action", table_name="core_review_trail")
