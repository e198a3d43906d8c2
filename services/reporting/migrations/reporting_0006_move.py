"""A monthly cell's code long enough for a move's flow: `<from insats>><to insats>`.

Revision ID: reporting_0006_move
Revises: reporting_0005
"""

import sqlalchemy as sa
from alembic import op

revision = "reporting_0006_move"
down_revision = "reporting_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reporting_monthly") as table:
        table.alter_column(
            "code", type_=sa.String(160), existing_type=sa.String(128), existing_nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("reporting_monthly") as table:
        table.alter_column(
            "code", type_=sa.String(128), existing_type=sa.String(160), existing_nullable=False
        )
