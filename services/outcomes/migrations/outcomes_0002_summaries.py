"""Outcomes' participant summaries: what the next event needs besides the record.

Every participant with stored events gets a row whose summary is NULL ("derive the next
record from all the events"); the first event that arrives for it writes the summary.

Revision ID: outcomes_0002
Revises: outcomes_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "outcomes_0002"
down_revision = "outcomes_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outcomes_participant_summaries",
        sa.Column("participant_id", sa.String(32), primary_key=True),
        sa.Column("summary", sa.Text, nullable=True),
    )
    op.execute(
        "INSERT INTO outcomes_participant_summaries (participant_id, summary)"
        " SELECT DISTINCT participant_id, NULL FROM outcomes_participant_events"
    )


def downgrade() -> None:
    op.drop_table("outcomes_participant_summaries")
