"""Erased participants' contributions to the figures, kept across a rebuild.

Revision ID: reporting_0006_erasure
Revises: reporting_0005
"""

import sqlalchemy as sa
from alembic import op

revision = "reporting_0006_erasure"
down_revision = "reporting_0005"
branch_labels = None
depends_on = None

_KEY = ("insats_id", "month", "gender", "figure", "code", "known_by")


def upgrade() -> None:
    op.create_table(
        "reporting_retained",
        sa.Column("insats_id", sa.String(64), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("gender", sa.String(8), nullable=False),
        sa.Column("figure", sa.String(128), nullable=False),
        sa.Column("code", sa.String(128), nullable=False),
        sa.Column("known_by", sa.String(7), nullable=False),
        sa.Column("value", sa.Double, nullable=False),
        sa.PrimaryKeyConstraint(*_KEY, name="reporting_retained_pkey"),
    )


def downgrade() -> None:
    op.drop_table("reporting_retained")
