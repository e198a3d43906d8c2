"""Users, credentials (API tokens and sessions), their outbox to the access stream, and the
audit log.

Revision ID: intake_0002
Revises: intake_0001
"""

import sqlalchemy as sa
from alembic import op

from shared.contract.access import access_columns
from shared.platform.outbox import Id, outbox_columns

revision = "intake_0002"
down_revision = "intake_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    users, credentials = access_columns()
    op.create_table("intake_users", *users, sa.Column("password_hash", sa.String(200)))
    op.create_table(
        "intake_credentials",
        *credentials,
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table("intake_access_outbox", *outbox_columns())
    op.create_table(
        "intake_audit",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("credential_id", sa.String(32)),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("target", sa.String(300), nullable=False),
    )


def downgrade() -> None:
    for table in ("intake_audit", "intake_access_outbox", "intake_credentials", "intake_users"):
        op.drop_table(table)
