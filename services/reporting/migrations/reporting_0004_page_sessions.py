"""Server-side sessions of the report pages (logout revokes them).

Revision ID: reporting_0004
Revises: reporting_0003
"""

import sqlalchemy as sa
from alembic import op

revision = "reporting_0004"
down_revision = "reporting_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reporting_page_sessions",
        sa.Column("secret_hash", sa.String(64), primary_key=True),
        sa.Column("credential_id", sa.String(32), nullable=True),
        sa.Column("admin_token_hash", sa.String(64), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("reporting_page_sessions")
