"""Events, records and summaries per registration (a code in an insats), not per code: a
participant moved on (`move`) has a registration in each insats. The key is
`<insats_id>/<code>`; the insats of a stored code is that of its events.

Revision ID: outcomes_0004_move
Revises: outcomes_0003_kommun_codes
"""

import sqlalchemy as sa
from alembic import op

revision = "outcomes_0004_move"
down_revision = "outcomes_0003_kommun_codes"
branch_labels = None
depends_on = None

_TABLES = ("outcomes_participant_events", "outcomes_participants", "outcomes_participant_summaries")
_OLD_INDEX = "ix_outcomes_participant_events_participant_id"
_NEW_INDEX = "ix_outcomes_participant_events_registration"


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    insats = (
        "CAST(body AS json)->>'insats_id'" if postgresql else "json_extract(body, '$.insats_id')"
    )
    op.drop_index(_OLD_INDEX, "outcomes_participant_events")
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                "participant_id",
                new_column_name="registration",
                type_=sa.String(97),
                existing_type=sa.String(32),
                existing_nullable=False,
            )
    # The summaries and records before the events: they find a code's insats by them.
    op.execute(
        "UPDATE outcomes_participant_summaries SET registration = ("
        f" SELECT {insats} FROM outcomes_participant_events AS e"
        " WHERE e.registration = outcomes_participant_summaries.registration LIMIT 1"
        ") || '/' || registration"
    )
    op.execute("UPDATE outcomes_participants SET registration = insats_id || '/' || registration")
    op.execute(
        f"UPDATE outcomes_participant_events SET registration = {insats} || '/' || registration"
    )
    op.create_index(_NEW_INDEX, "outcomes_participant_events", ["registration"])


def downgrade() -> None:
    raise NotImplementedError("a code in two insatser has no place in the tables before")
