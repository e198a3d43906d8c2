"""Intake's tables (created by `migrations/`, which must match these definitions)."""

from pathlib import Path

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    false,
    text,
)

from shared.contract.access import access_tables
from shared.platform.outbox import Id, outbox_table

SERVICE = "intake"
"""The service whose tables these are (its schema's migration history is its own)."""
REVISIONS_DIR = Path(__file__).parents[1] / "migrations"

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
        primary_key=True,
        index=True,
    ),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date),
    Column("voided", Boolean, nullable=False, server_default=false()),
    Column("moved_from", String(64)),
    Index(
        "ux_intake_participants_first_code",
        "participant_id",
        unique=True,
        postgresql_where=text("moved_from IS NULL"),
        sqlite_where=text("moved_from IS NULL"),
    ),
)
"""A registration: a participant's code in an insats. A code's first registration
(`moved_from` NULL) is unique across the förbund, so a new code is never one in use; a
move (`moved_from`: the insats it came from) takes the code to another insats."""

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

access = access_tables(
    metadata,
    "intake",
    user_extras=(Column("password_hash", String(200)),),
    credential_extras=(Column("created_at", DateTime(timezone=True), nullable=False),),
)
"""Users and credentials, as every service keeps them, plus what only intake knows."""

access_outbox = outbox_table(metadata, "intake_access_outbox")

audit = Table(
    "intake_audit",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("credential_id", String(32)),
    Column("action", String(40), nullable=False),
    Column("target", String(300), nullable=False),
)
"""Who changed what and when: every accepted write (never a participant's identity: there
is none, only the opaque code)."""
