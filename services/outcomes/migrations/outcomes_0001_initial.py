"""Outcomes' tables: generation, processed ids, participants' events and records, outbox.

Revision ID: outcomes_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from shared.platform.outbox import outbox_columns

revision = "outcomes_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    meta = op.create_table(
        "outcomes_meta",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("generation", sa.Integer, nullable=False),
    )
    op.bulk_insert(meta, [{"id": 1, "generation": 1}])
    op.create_table(
        "outcomes_processed",
        sa.Column("event_id", sa.String(64), primary_key=True),
    )
    op.create_table(
        "outcomes_participant_events",
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("participant_id", sa.String(32), nullable=False),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_index(
        "ix_outcomes_participant_events_participant_id",
        "outcomes_participant_events",
        ["participant_id"],
    )
    op.create_table(
        "outcomes_participants",
        sa.Column("participant_id", sa.String(32), primary_key=True),
        sa.Column("insats_id", sa.String(64), nullable=False),
        sa.Column("record", sa.Text, nullable=False),
    )
    op.create_table("outcomes_outbox", *outbox_columns())


def downgrade() -> None:
    for table in (
        "outcomes_outbox",
        "outcomes_participants",
        "outcomes_participant_events",
        "outcomes_processed",
        "outcomes_meta",
    ):
        op.drop_table(table)
