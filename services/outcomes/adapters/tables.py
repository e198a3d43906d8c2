"""Outcomes' tables (created by `migrations/`, which must match these definitions)."""

from pathlib import Path

from sqlalchemy import BigInteger, Column, MetaData, String, Table, Text

from shared.platform.outbox import outbox_table
from shared.platform.projection import Bookkeeping, meta_columns, processed_columns

SERVICE = "outcomes"
"""The service whose tables these are (its schema's migration history is its own)."""
REVISIONS_DIR = Path(__file__).parents[1] / "migrations"

metadata = MetaData()

# Keyed by registration (`domain.registrations.registration_key`): a code in an insats.

meta = Table("outcomes_meta", metadata, *meta_columns())

processed = Table("outcomes_processed", metadata, *processed_columns("event_id"))

participant_events = Table(
    "outcomes_participant_events",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("registration", String(97), nullable=False, index=True),
    Column("position", BigInteger, nullable=False),
    Column("body", Text, nullable=False),
)

participants = Table(
    "outcomes_participants",
    metadata,
    Column("registration", String(97), primary_key=True),
    Column("record", Text, nullable=True),
    Column("summary", Text, nullable=True),
    # Room on each page for a row's next version (`migrations/outcomes_0005_room.py`): a
    # batch updates the rows it touches, in place (HOT) only where their page has room.
    postgresql_with={"fillfactor": 60},
)
"""One row per registration with stored events, read and written once a batch
(`migrations/outcomes_0006_one_row.py`): its record as JSON (NULL: not started, or none
since a void) and what the next event needs besides it (`domain.incremental.Summary` as
JSON; NULL: derive the next record from all the events)."""

outbox = outbox_table(metadata, "outcomes_outbox")

bookkeeping = Bookkeeping(meta, processed, derived=(participant_events, participants, outbox))
"""The generation and processed ids; `reset` empties the rest (the generation survives,
renewed)."""
