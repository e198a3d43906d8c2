"""An index of the monthly cells by month: the whole förbund's reads of a period (its months
and the same months a year earlier, of every insats) find them instead of scanning the table
(the key begins with the insats); the förbund's first month is its first entry with a figure.

Revision ID: reporting_0012_by_month
Revises: reporting_0011_by_figure
"""

from alembic import op

revision = "reporting_0012_by_month"
down_revision = "reporting_0011_by_figure"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("reporting_monthly_by_month", "reporting_monthly", ["month"])


def downgrade() -> None:
    op.drop_index("reporting_monthly_by_month", table_name="reporting_monthly")
