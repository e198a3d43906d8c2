"""Kommun as SCB's code list: each stored kommun name (events, the outbox, the idempotency
answers) becomes its code, unknown ones `okand` (logged: `shared.platform.kommun_recoding`).

Revision ID: intake_0004_kommun_codes
Revises: intake_0003
"""

from alembic import op

from shared.platform.kommun_recoding import recode_all

revision = "intake_0004_kommun_codes"
down_revision = "intake_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    recode_all(
        op.get_bind(),
        "intake",
        [
            ("intake_events", "position", "body"),
            ("intake_outbox", "id", "body"),
            ("intake_idempotency", "key", "response"),
        ],
    )


def downgrade() -> None:
    """The names are not restored: a code stands for its kommun as well."""
