"""职称评审 III: 专技人才 (TR-24) — the person's talent information reviewed up the tree.

Revision ID: 0028
Revises: 0027
"""

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "title_talent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=30), nullable=False),
        sa.Column("sex", sa.String(length=2), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("phone", sa.String(length=11), nullable=True),
        sa.Column("ethnicity", sa.String(length=4), nullable=False),
        sa.Column("politics", sa.String(length=4), nullable=False),
        sa.Column("education", sa.String(length=4), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("series", sa.String(length=4), nullable=True),
        sa.Column("level", sa.String(length=4), nullable=True),
        sa.Column("title_name", sa.String(length=50), nullable=True),
        sa.Column("major", sa.String(length=50), nullable=True),
        sa.Column("overseas", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("review_state", sa.String(length=16), nullable=False),
        sa.Column("review_unit_id", sa.Integer(), nullable=True),
        sa.Column("created_on", sa.DateTime(), nullable=False),
        sa.Column("changed_on", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["core_unit.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["ab_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("title_talent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_title_talent_review_state"), ["review_state"], unique=False)
        batch_op.create_index(batch_op.f("ix_title_talent_review_unit_id"), ["review_unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_title_talent_unit_id"), ["unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_title_talent_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("title_talent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_title_talent_user_id"))
        batch_op.drop_index(batch_op.f("ix_title_talent_unit_id"))
        batch_op.drop_index(batch_op.f("ix_title_talent_review_unit_id"))
        batch_op.drop_index(batch_op.f("ix_title_talent_review_state"))
    op.drop_table("title_talent")
