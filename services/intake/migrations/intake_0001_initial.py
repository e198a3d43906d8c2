"""Intake's tables: event log, validation state, idempotency answers, outbox.

Revision ID: intake_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from shared.platform.outbox import Id, outbox_columns

revision = "intake_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "intake_events",
        sa.Column("position", Id, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("insats_id", sa.String(64), nullable=False),
        sa.Column("participant_id", sa.String(32)),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.UniqueConstraint("event_id", name="uq_intake_events_event_id"),
    )
    op.create_index("ix_intake_events_insats_id", "intake_events", ["insats_id"])
    op.create_table(
        "intake_insatser",
        sa.Column("insats_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("registration", sa.String(16), nullable=False),
    )
    op.create_table(
        "intake_participants",
        sa.Column("participant_id", sa.String(32), primary_key=True),
        sa.Column(
            "insats_id",
            sa.String(64),
            sa.ForeignKey("intake_insatser.insats_id", name="fk_intake_participants_insats_id"),
            nullable=False,
        ),
        sa.Column("start_date", sa.Date, nullable=False),
        sa.Column("end_date", sa.Date),
    )
    op.create_index("ix_intake_participants_insats_id", "intake_participants", ["insats_id"])
    op.create_table(
        "intake_idempotency",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer, nullable=False),
        sa.Column("response", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table("intake_outbox", *outbox_columns())


def downgrade() -> None:
    for table in (
        "intake_outbox",
        "intake_idempotency",
        "intake_participants",
        "intake_insatser",
        "intake_events",
    ):
        op.drop_table(table)
