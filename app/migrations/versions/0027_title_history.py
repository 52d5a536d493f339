"""职称评审 III: 历史职称数据管理 (004 §1.2.8.2, TR-22) — historical review institutions, the imports of historical
titles (one group per way of obtaining, 职称文件文号 and import time, reviewed on the engine as ``title.history``) and
their rows (with the 社保风险 flag and the per-person review decision).

Revision ID: 0027
Revises: 0026
"""
import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "title_history_institution",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_unit_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("series", sa.String(length=8), nullable=False),
        sa.Column("levels", sa.String(length=40), nullable=False),
        sa.Column("year_from", sa.Integer(), nullable=True),
        sa.Column("year_to", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("created_on", sa.DateTime(), nullable=False),
        sa.Column("changed_on", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["owner_unit_id"], ["core_unit.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["core_unit.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("unit_id", "name", name="uq_title_history_institution_unit_name"),
    )
    with op.batch_alter_table("title_history_institution", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_title_history_institution_owner_unit_id"), ["owner_unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_title_history_institution_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "title_history_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("way", sa.String(length=12), nullable=False),
        sa.Column("doc_number", sa.String(length=60), nullable=False),
        sa.Column("doc_year", sa.Integer(), nullable=False),
        sa.Column("imported_by", sa.Integer(), nullable=True),
        sa.Column("imported_by_name", sa.String(length=64), nullable=True),
        sa.Column("issuing_unit_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("review_state", sa.String(length=16), nullable=False),
        sa.Column("review_unit_id", sa.Integer(), nullable=True),
        sa.Column("created_on", sa.DateTime(), nullable=False),
        sa.Column("changed_on", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["imported_by"], ["ab_user.id"]),
        sa.ForeignKeyConstraint(["issuing_unit_id"], ["core_unit.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["core_unit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("title_history_group", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_title_history_group_doc_number"), ["doc_number"], unique=False)
        batch_op.create_index(batch_op.f("ix_title_history_group_unit_id"), ["unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_title_history_group_review_state"), ["review_state"], unique=False)
        batch_op.create_index(batch_op.f("ix_title_history_group_review_unit_id"), ["review_unit_id"], unique=False)

    op.create_table(
        "title_history_title",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=True),
        sa.Column("name", sa.String(length=30), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("sex", sa.String(length=8), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("workplace", sa.String(length=100), nullable=True),
        sa.Column("series", sa.String(length=8), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("qualification", sa.String(length=60), nullable=False),
        sa.Column("major", sa.String(length=60), nullable=True),
        sa.Column("institution", sa.String(length=100), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=True),
        sa.Column("approved_on", sa.Date(), nullable=False),
        sa.Column("doc_number", sa.String(length=60), nullable=False),
        sa.Column("paper_number", sa.String(length=40), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("opinion", sa.String(length=500), nullable=True),
        sa.Column("risk_reason", sa.Text(), nullable=True),
        sa.Column("created_on", sa.DateTime(), nullable=False),
        sa.Column("changed_on", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["title_history_group.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["unit_id"], ["core_unit.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("id_number", "qualification", "doc_number", name="uq_title_history_title_cert"),
    )
    with op.batch_alter_table("title_history_title", schema=None) as batch_op:
        batch_op.create_index("ix_title_history_title_group", ["group_id", "id"], unique=False)


def downgrade():
    with op.batch_alter_table("title_history_title", schema=None) as batch_op:
        batch_op.drop_index("ix_title_history_title_group")
    op.drop_table("title_history_title")
    with op.batch_alter_table("title_history_group", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_title_history_group_review_unit_id"))
        batch_op.drop_index(batch_op.f("ix_title_history_group_review_state"))
        batch_op.drop_index(batch_op.f("ix_title_history_group_unit_id"))
        batch_op.drop_index(batch_op.f("ix_title_history_group_doc_number"))
    op.drop_table("title_history_group")
    with op.batch_alter_table("title_history_institution", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_title_history_institution_unit_id"))
        batch_op.drop_index(batch_op.f("ix_title_history_institution_owner_unit_id"))
    op.drop_table("title_history_institution")
