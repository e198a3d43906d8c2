"""An index of the monthly cells by figure, then insats and month: the reads that want a few
figures over many months (a report's opening stock, the page's trend and monthly charts) find
them without walking every cell of the insats, or of the whole förbund.

Revision ID: reporting_0011_by_figure
Revises: reporting_0010_move
"""

from alembic import op

revision = "reporting_0011_by_figure"
down_revision = "reporting_0010_move"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "reporting_monthly_by_figure", "reporting_monthly", ["figure", "insats_id", "month"]
    )


def downgrade() -> None:
    op.drop_index("reporting_monthly_by_figure", table_name="reporting_monthly")
