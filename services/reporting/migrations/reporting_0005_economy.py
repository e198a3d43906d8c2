"""Economy and goals per insats: budgets by year (and who pays them), costs by month, and
the goals as boards write them. Configuration set by the förbund's admins.

Revision ID: reporting_0005
Revises: reporting_0004
"""

import sqlalchemy as sa
from alembic import op

revision = "reporting_0005"
down_revision = "reporting_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reporting_budgets",
        sa.Column("insats_id", sa.String(64), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("budget", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("insats_id", "year"),
    )
    op.create_table(
        "reporting_budget_financiers",
        sa.Column("insats_id", sa.String(64), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("financier", sa.String(32), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("insats_id", "year", "financier"),
    )
    op.create_table(
        "reporting_costs",
        sa.Column("insats_id", sa.String(64), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("insats_id", "month"),
    )
    op.create_table(
        "reporting_goals",
        sa.Column("insats_id", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("goal", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("insats_id", "position"),
    )


def downgrade() -> None:
    for table in (
        "reporting_goals",
        "reporting_costs",
        "reporting_budget_financiers",
        "reporting_budgets",
    ):
        op.drop_table(table)
