"""Monthly figures dated by the month whose closing first counted them, and targets.

Figures already counted are dated by their own month (as if each arrived in time); a
`stegvis rebuild` dates them by when intake accepted their events.

Revision ID: reporting_0003
Revises: reporting_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "reporting_0003"
down_revision = "reporting_0002"
branch_labels = None
depends_on = None

_KEY = ("insats_id", "month", "gender", "figure", "code")


def _columns() -> list[sa.Column]:
    return [
        sa.Column("insats_id", sa.String(64), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("gender", sa.String(8), nullable=False),
        sa.Column("figure", sa.String(128), nullable=False),
        sa.Column("code", sa.String(128), nullable=False),
    ]


def upgrade() -> None:
    # A new table rather than a new key on the old one: SQLite cannot alter a primary key.
    op.rename_table("reporting_monthly", "reporting_monthly_0002")
    op.create_table(
        "reporting_monthly",
        *_columns(),
        sa.Column("known_by", sa.String(7), nullable=False),
        sa.Column("value", sa.Double, nullable=False),
        sa.PrimaryKeyConstraint(*_KEY, "known_by", name="reporting_monthly_dated_pkey"),
    )
    key = ", ".join(_KEY)
    op.execute(
        f"INSERT INTO reporting_monthly ({key}, known_by, value) "
        f"SELECT {key}, month, value FROM reporting_monthly_0002"
    )
    op.drop_table("reporting_monthly_0002")
    op.create_table(
        "reporting_targets",
        sa.Column("insats_id", sa.String(64), nullable=False),
        sa.Column("share", sa.String(64), nullable=False),
        sa.Column("percent", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("insats_id", "share"),
    )


def downgrade() -> None:
    op.drop_table("reporting_targets")
    op.rename_table("reporting_monthly", "reporting_monthly_0003")
    op.create_table(
        "reporting_monthly",
        *_columns(),
        sa.Column("value", sa.Double, nullable=False),
        sa.PrimaryKeyConstraint(*_KEY),
    )
    key = ", ".join(_KEY)
    op.execute(
        f"INSERT INTO reporting_monthly ({key}, value) "
        f"SELECT {key}, sum(value) FROM reporting_monthly_0003 GROUP BY {key}"
    )
    op.drop_table("reporting_monthly_0003")
