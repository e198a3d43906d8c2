"""The trend's figures of the monthly cells summed by year (`tables.yearly`), filled from
the cells there are: the whole förbund's trend read ~17k cells a page, now a few hundred rows.

Revision ID: reporting_0013_yearly
Revises: reporting_0012_by_month
"""

import sqlalchemy as sa
from alembic import op

revision = "reporting_0013_yearly"
down_revision = "reporting_0012_by_month"
branch_labels = None
depends_on = None

TREND_FIGURES = (
    "new",
    "ended",
    "positive_exits",
    "unclear_exits",
    "other_exits",
    "direct_to_work_or_studies",
    "health_better",
    "health_answered",
    "activity_increased",
    "activity_answered",
    "work_capacity_narmat",
    "work_capacity_lika",
    "work_capacity_langre_bort",
    "days_in_insats",
    "vas_start_sum",
    "vas_start_n",
    "vas_end_sum",
    "vas_end_n",
    "respect_sum",
    "respect_n",
    "volume_participants",
)
"""`reports.FIGURE_SOURCES` as of this revision (a migration does not change with the code)."""


def upgrade() -> None:
    op.create_table(
        "reporting_yearly",
        sa.Column("insats_id", sa.String(64), nullable=False),
        sa.Column("year", sa.String(4), nullable=False),
        sa.Column("gender", sa.String(8), nullable=False),
        sa.Column("figure", sa.String(128), nullable=False),
        sa.Column("value", sa.Double, nullable=False),
        sa.PrimaryKeyConstraint("insats_id", "year", "gender", "figure"),
    )
    figures = ", ".join(f"'{figure}'" for figure in TREND_FIGURES)
    op.execute(
        "INSERT INTO reporting_yearly (insats_id, year, gender, figure, value)"
        " SELECT insats_id, substr(month, 1, 4), gender, figure, sum(value)"
        f" FROM reporting_monthly WHERE code = '' AND figure IN ({figures})"
        " GROUP BY insats_id, substr(month, 1, 4), gender, figure"
    )


def downgrade() -> None:
    op.drop_table("reporting_yearly")
