"""Outcomes' state computed in memory (`adapters/memory.py`) as its tables' rows, and those
rows stored with the consumer's own statements (`stegvis rebuild`, `services/rebuild.py`)."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services.outcomes.adapters import tables
from services.outcomes.adapters.memory import MemoryState
from services.outcomes.adapters.repositories import RecordTexts, Staged, participant_rows
from shared.platform.bulk_insert import insert_new

CHUNK = 20_000
"""Rows a statement writes: a statement's parameters stay a few megabytes."""


_EVENT_COLUMNS = ("event_id", "registration", "position", "body")


@dataclass(frozen=True)
class Derived:
    """A part of outcomes' state as rows (by column name), picklable: what a process of
    the rebuild hands back."""

    processed: list[str]
    events: list[tuple]
    """Rows of `_EVENT_COLUMNS`."""
    participants: list[dict]


def derived_rows(state: MemoryState) -> Derived:
    """The state's rows as `SqlParticipants.store` stages them (the records' JSON made by
    `RecordTexts`, as the consumer writes it)."""
    return Derived(
        sorted(state.processed),
        [
            (event.event_id, key, position, body)
            for key, stored in state.events.items()
            for position, event, body in stored
        ],
        participant_rows(state.participants, RecordTexts()),
    )


async def store_derived(session: AsyncSession, parts: Sequence[Derived]) -> None:
    """Claim the parts' processed ids and write their events (both new rows in the tables
    the reset emptied: `insert_new`), their participants' rows (the consumer's statement,
    `CHUNK` rows at once), in the session's transaction. Nothing goes to the outbox:
    reporting is given its state whole."""
    ids = [(event_id,) for part in parts for event_id in part.processed]
    await insert_new(session, tables.processed, ("event_id",), ids)
    events = [row for part in parts for row in part.events]
    await insert_new(session, tables.participant_events, _EVENT_COLUMNS, events)
    staged = Staged()
    rows = [row for part in parts for row in part.participants]
    for start in range(0, len(rows), CHUNK):
        staged.participants.extend(rows[start : start + CHUNK])
        await staged.flush(session)
