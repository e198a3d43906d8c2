"""Kommun as SCB's code list: each stored kommun name (the participants' events, their
records, the outbox of changes) becomes its code, unknown ones `okand` (logged:
`shared.platform.kommun_recoding`), as intake's event log does in `intake_0004`.

Revision ID: outcomes_0003_kommun_codes
Revises: outcomes_0002
"""

from alembic import op

from shared.platform.kommun_recoding import recode_all

revision = "outcomes_0003_kommun_codes"
down_revision = "outcomes_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    recode_all(
        op.get_bind(),
        "outcomes",
        [
            ("outcomes_participant_events", "event_id", "body"),
            ("outcomes_participants", "participant_id", "record"),
            ("outcomes_outbox", "id", "body"),
        ],
    )


def downgrade() -> None:
    """The names are not restored: a code stands for its kommun as well."""
