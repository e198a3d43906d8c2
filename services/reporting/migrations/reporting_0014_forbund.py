"""The monthly cells summed over the insatser (`tables.forbund`), filled from the cells there
are: the whole förbund's reports summed every insats's cells (90,000 for a helår of the
benchmark's history), now a fifth of them.

Revision ID: reporting_0014_forbund
Revises: reporting_0013_yearly
"""

import sqlalchemy as sa
from alembic import op

revision = "reporting_0014_forbund"
down_revision = "reporting_0013_yearly"
branch_labels = None
depends_on = None

KEY = ("month", "gender", "figure", "code", "known_by")


def upgrade() -> None:
    op.create_table(
        "reporting_forbund",
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("gender", sa.String(8), nullable=False),
        sa.Column("figure", sa.String(128), nullable=False),
        sa.Column("code", sa.String(160), nullable=False),
        sa.Column("known_by", sa.String(7), nullable=False),
        sa.Column("value", sa.Double, nullable=False),
        sa.PrimaryKeyConstraint(*KEY, name="reporting_forbund_pkey"),
        postgresql_with={"fillfactor": 50},
    )
    op.create_index("reporting_forbund_by_figure", "reporting_forbund", ["figure", "month"])
    key = ", ".join(KEY)
    op.execute(
        f"INSERT INTO reporting_forbund ({key}, value)"
        f" SELECT {key}, sum(value) FROM reporting_monthly GROUP BY {key}"
    )


def downgrade() -> None:
    op.drop_table("reporting_forbund")
