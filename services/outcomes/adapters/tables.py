"""Outcomes' tables (created by `migrations/`, which must match these definitions)."""

from pathlib import Path

from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, Text

from shared.platform.outbox import outbox_table

SERVICE = "outcomes"
"""The service whose tables these are (its schema's migration history is its own)."""
REVISIONS_DIR = Path(__file__).parents[1] / "migrations"

metadata = MetaData()

meta = Table(
    "outcomes_meta",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("generation", Integer, nullable=False),
)

processed = Table(
    "outcomes_processed",
    metadata,
    Column("event_id", String(64), primary_key=True),
)

participant_events = Table(
    "outcomes_participant_events",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("participant_id", String(32), nullable=False, index=True),
    Column("position", BigInteger, nullable=False),
    Column("body", Text, nullable=False),
)

participants = Table(
    "outcomes_participants",
    metadata,
    Column("participant_id", String(32), primary_key=True),
    Column("insats_id", String(64), nullable=False),
    Column("record", Text, nullable=False),
)

outbox = outbox_table(metadata, "outcomes_outbox")

PROJECTION = (processed, participant_events, participants, outbox)
"""Everything `reset` throws away (the generation in `meta` survives, renewed)."""
