"""Reporting's tables: generation and position processed, processed ids, monthly figures,
insatser.

Revision ID: reporting_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "reporting_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    meta = op.create_table(
        "reporting_meta",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("generation", sa.Integer, nullable=False),
        sa.Column("processed_position", sa.BigInteger, nullable=False),
        sa.Column("processed_occurred_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.bulk_insert(meta, [{"id": 1, "generation": 1, "processed_position": 0}])
    op.create_table(
        "reporting_processed",
        sa.Column("change_id", sa.String(64), primary_key=True),
    )
    op.create_table(
        "reporting_monthly",
        sa.Column("insats_id", sa.String(64), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("gender", sa.String(8), nullable=False),
        sa.Column("figure", sa.String(128), nullable=False),
        sa.Column("code", sa.String(128), nullable=False),
        sa.Column("value", sa.Double, nullable=False),
        sa.PrimaryKeyConstraint("insats_id", "month", "gender", "figure", "code"),
    )
    op.create_table(
        "reporting_insatser",
        sa.Column("insats_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("registration", sa.String(16), nullable=False),
        sa.Column("position", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "reporting_insatser",
        "reporting_monthly",
        "reporting_processed",
        "reporting_meta",
    ):
        op.drop_table(table)
