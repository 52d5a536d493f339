"""职称评审 III: 电子证书 (004 §1.2.8.1, TR-21) — certificate batches of the issuing unit and the
certificates they issue (number, QR token, frozen facts, the stored PDF and its SHA-256).

Revision ID: 0026
Revises: 0025
"""
import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "title_cert_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=False),
        sa.Column("doc_number", sa.String(length=50), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.Integer(), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["ab_user.id"]),
        sa.ForeignKeyConstraint(["issued_by"], ["ab_user.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["core_unit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("title_cert_batch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_title_cert_batch_unit_id"), ["unit_id"], unique=False)
        batch_op.create_index("ix_title_cert_batch_unit_kind", ["unit_id", "kind", "state"], unique=False)

    op.create_table(
        "title_certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("token", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("holder_user_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=30), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("series", sa.String(length=50), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("qualification", sa.String(length=100), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=False),
        sa.Column("doc_number", sa.String(length=50), nullable=False),
        sa.Column("issuing_unit_name", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("revoked_reason", sa.String(length=500), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pdf_key", sa.String(length=64), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["title_cert_batch.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["holder_user_id"], ["ab_user.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["core_unit.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
        sa.UniqueConstraint("token"),
    )
    with op.batch_alter_table("title_certificate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_title_certificate_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_title_certificate_holder_user_id"), ["holder_user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_title_certificate_unit_id"), ["unit_id"], unique=False)
        batch_op.create_index("ix_title_certificate_source", ["kind", "source_id"], unique=False)


def downgrade():
    with op.batch_alter_table("title_certificate", schema=None) as batch_op:
        batch_op.drop_index("ix_title_certificate_source")
        batch_op.drop_index(batch_op.f("ix_title_certificate_unit_id"))
        batch_op.drop_index(batch_op.f("ix_title_certificate_holder_user_id"))
        batch_op.drop_index(batch_op.f("ix_title_certificate_batch_id"))
    op.drop_table("title_certificate")
    with op.batch_alter_table("title_cert_batch", schema=None) as batch_op:
        batch_op.drop_index("ix_title_cert_batch_unit_kind")
        batch_op.drop_index(batch_op.f("ix_title_cert_batch_unit_id"))
    op.drop_table("title_cert_batch")
