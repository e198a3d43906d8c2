"""Costs dated by the month whose closing first knew them, so that a report as closed keeps
the utfall known then while the current one shows a later correction.

Costs already set are dated by their own month (as if each was set in time).

Revision ID: reporting_0008_economy_restated
Revises: reporting_0007_kommun_codes
"""

import sqlalchemy as sa
from alembic import op

revision = "reporting_0008_economy_restated"
down_revision = "reporting_0007_kommun_codes"
branch_labels = None
depends_on = None


def _columns() -> list[sa.Column]:
    return [
        sa.Column("insats_id", sa.String(64), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
    ]


def upgrade() -> None:
    # A new table rather than a new key on the old one: SQLite cannot alter a primary key.
    op.rename_table("reporting_costs", "reporting_costs_0005")
    op.create_table(
        "reporting_costs",
        *_columns(),
        sa.Column("known_by", sa.String(7), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint(
            "insats_id", "month", "known_by", name="reporting_costs_dated_pkey"
        ),
    )
    op.execute(
        "INSERT INTO reporting_costs (insats_id, month, known_by, amount) "
        "SELECT insats_id, month, month, amount FROM reporting_costs_0005"
    )
    op.drop_table("reporting_costs_0005")


def downgrade() -> None:
    op.rename_table("reporting_costs", "reporting_costs_0006")
    op.create_table(
        "reporting_costs",
        *_columns(),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("insats_id", "month"),
    )
    # The amount of each month now: its latest dated one.
    op.execute(
        "INSERT INTO reporting_costs (insats_id, month, amount) "
        "SELECT insats_id, month, amount FROM reporting_costs_0006 AS dated "
        "WHERE known_by = (SELECT max(known_by) FROM reporting_costs_0006 AS later "
        "WHERE later.insats_id = dated.insats_id AND later.month = dated.month)"
    )
    op.drop_table("reporting_costs_0006")
