"""职称评审: schema changes of the title_review part — the trail index the material-review tabs read
(已上报 / 已退回 / 不通过: a unit's latest decision; 评审人员统计: what a unit passed up; 上级单位退回,重审:
the 退回 entries; what waits at a unit by series and applicant's unit, counted from the index;
a review's route nodes by review, which the review page and every transition read).

Revision ID: 0023
Revises: 0022
"""

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_title_trail_unit_action", "core_review_trail", ["unit_id", "action", "review_id", "id"])
    op.create_index("ix_title_trail_action", "core_review_trail", ["action", "review_id"])
    op.create_index("ix_title_review_node_review", "core_review_node", ["review_id", "position"])
    op.create_index("ix_title_application_waiting", "title_application",
                    ["review_unit_id", "review_state", "series", "unit_id"])


def downgrade():
    op.drop_index("ix_title_application_waiting", table_name="title_application")
    op.drop_index("ix_title_review_node_review", table_name="core_review_node")
    op.drop_index("ix_title_trail_action", table_name="core_review_trail")
    op.drop_index("ix_title_trail_unit_action", table_name="core_review_trail")
