"""Intake's tables (created by `migrations/`, which must match these definitions)."""

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from shared.outbox import Id, outbox_table

metadata = MetaData()

events = Table(
    "intake_events",
    metadata,
    # The log's order; consumers sort a participant's events by it.
    Column("position", Id, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("type", String(64), nullable=False),
    Column("insats_id", String(64), nullable=False, index=True),
    Column("participant_id", String(32)),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("body", Text, nullable=False),
)

insatser = Table(
    "intake_insatser",
    metadata,
    Column("insats_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("registration", String(16), nullable=False),
)

participants = Table(
    "intake_participants",
    metadata,
    Column("participant_id", String(32), primary_key=True),
    Column(
        "insats_id",
        String(64),
        ForeignKey("intake_insatser.insats_id"),
        nullable=False,
        index=True,
    ),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date),
)

idempotency = Table(
    "intake_idempotency",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("response", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

outbox = outbox_table(metadata, "intake_outbox")
