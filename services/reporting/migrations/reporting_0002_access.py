"""Intake's users and credentials, from which reporting authenticates.

Revision ID: reporting_0002
Revises: reporting_0001
"""

from alembic import op

from shared.contract.access import access_columns

revision = "reporting_0002"
down_revision = "reporting_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    users, credentials = access_columns()
    op.create_table("reporting_access_users", *users)
    # With the unique constraint on secret_hash and the index on username the columns declare.
    op.create_table("reporting_access_credentials", *credentials)


def downgrade() -> None:
    op.drop_table("reporting_access_credentials")
    op.drop_table("reporting_access_users")
