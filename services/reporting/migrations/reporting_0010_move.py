"""A cell's code (monthly and retained) long enough for a move's flow: `<from insats>><to insats>`.

Revision ID: reporting_0010_move
Revises: reporting_0009_bands
"""

import sqlalchemy as sa
from alembic import op

revision = "reporting_0010_move"
down_revision = "reporting_0009_bands"
branch_labels = None
depends_on = None


_CELL_TABLES = ("reporting_monthly", "reporting_retained")


def upgrade() -> None:
    for name in _CELL_TABLES:
        with op.batch_alter_table(name) as table:
            table.alter_column(
                "code", type_=sa.String(160), existing_type=sa.String(128), existing_nullable=False
            )


def downgrade() -> None:
    for name in _CELL_TABLES:
        with op.batch_alter_table(name) as table:
            table.alter_column(
                "code", type_=sa.String(128), existing_type=sa.String(160), existing_nullable=False
            )
