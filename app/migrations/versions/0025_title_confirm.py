"""职称评审 III: 评审结果确认 — the application's confirmation (confirming unit, state, reason, time), its 职称文件文号
and 批准日期 and 提交发证信息; the activity's submission to confirmation and 办结.

Revision ID: 0025
Revises: 0024
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("title_application") as batch:
        batch.add_column(sa.Column("confirm_unit_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("confirm_state", sa.String(length=12), nullable=True))
        batch.add_column(sa.Column("confirm_reason", sa.String(length=500), nullable=True))
        batch.add_column(sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("doc_number", sa.String(length=50), nullable=True))
        batch.add_column(sa.Column("approved_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("issuance_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key("fk_title_application_confirm_unit", "core_unit", ["confirm_unit_id"], ["id"])
        batch.create_index("ix_title_application_confirm_unit_id", ["confirm_unit_id"])
    with op.batch_alter_table("title_activity") as batch:
        batch.add_column(sa.Column("confirm_submitted_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("title_activity") as batch:
        batch.drop_column("closed_at")
        batch.drop_column("confirm_submitted_at")
    with op.batch_alter_table("title_application") as batch:
        batch.drop_index("ix_title_application_confirm_unit_id")
        batch.drop_constraint("fk_title_application_confirm_unit", type_="foreignkey")
        batch.drop_column("issuance_at")
        batch.drop_column("approved_on")
        batch.drop_column("doc_number")
        batch.drop_column("confirmed_at")
        batch.drop_column("confirm_reason")
        batch.drop_column("confirm_state")
        batch.drop_column("confirm_unit_id")
