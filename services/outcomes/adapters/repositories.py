"""The service layer's ports on SQLAlchemy Core, within one session's transaction.

A batch costs the same few statements whatever its size: one per port call, each over every
participant of the batch. The statements are built once, here, per dialect: on PostgreSQL
the participant and event ids go in as one array parameter (`= ANY(…)`, `unnest(…)`), so
the statement text, and asyncpg's prepared statement, is the same for every batch; SQLite
gets the portable `IN (…)`.
"""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import (
    ARRAY,
    Executable,
    String,
    any_,
    bindparam,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from services.outcomes.adapters import tables
from services.outcomes.service_layer.unit_of_work import PositionedParticipantEvent
from shared.contract.events import ParticipantEvent, parse_intake_event
from shared.contract.records import OutcomeChange, ParticipantRecord
from shared.platform.outbox import OutboxMessage, add_to_outbox

_events = tables.participant_events
_participants = tables.participants
_processed = tables.processed


@dataclass(frozen=True)
class _Statements:
    generation: Executable
    claim: Executable
    """Inserts the ids not processed before and returns them (the others conflict)."""
    lock: Executable | None
    events: Executable
    records: Executable
    upsert: Executable
    delete: Executable
    claim_takes_array: bool
    """Whether `claim` takes the ids as one array parameter (else one row of values each)."""


def _ids_in(column, *, array: bool):
    if array:
        return column == any_(bindparam("ids", type_=ARRAY(String)))
    return column.in_(bindparam("ids", expanding=True))


def _upsert(dialect_insert) -> Executable:
    statement = dialect_insert(_participants)
    return statement.on_conflict_do_update(
        index_elements=[_participants.c.participant_id],
        set_={"insats_id": statement.excluded.insats_id, "record": statement.excluded.record},
    )


def _statements(dialect: str) -> _Statements:
    array = dialect == "postgresql"
    dialect_insert = postgresql.insert if array else sqlite.insert
    generation = select(tables.meta.c.generation).where(tables.meta.c.id == 1)
    if array:
        # SQLite's BEGIN IMMEDIATE already serialises writers; PostgreSQL needs the row lock.
        generation = generation.with_for_update(read=True)
        claim = dialect_insert(_processed).from_select(
            ["event_id"], select(func.unnest(bindparam("ids", type_=ARRAY(String))))
        )
        # Sorted by the key, so two replicas never wait on each other in a circle; the
        # lock is evaluated after the sort (PostgreSQL postpones volatile output columns).
        lock = text(
            "SELECT pg_advisory_xact_lock(k) FROM ("
            " SELECT DISTINCT hashtext('stegvis-outcomes-participant-' || id) AS k"
            " FROM unnest(CAST(:ids AS text[])) AS id"
            ") AS keys ORDER BY k"
        )
    else:
        claim = dialect_insert(_processed)
        lock = None  # one writer at a time anyway (BEGIN IMMEDIATE)
    return _Statements(
        generation=generation,
        claim=claim.on_conflict_do_nothing(index_elements=[_processed.c.event_id]).returning(
            _processed.c.event_id
        ),
        lock=lock,
        events=select(_events.c.participant_id, _events.c.position, _events.c.body)
        .where(_ids_in(_events.c.participant_id, array=array))
        .order_by(_events.c.position),
        records=select(_participants.c.participant_id, _participants.c.record).where(
            _ids_in(_participants.c.participant_id, array=array)
        ),
        upsert=_upsert(dialect_insert),
        delete=_participants.delete().where(
            _participants.c.participant_id.in_(bindparam("ids", expanding=True))
        ),
        claim_takes_array=array,
    )


_STATEMENTS = {dialect: _statements(dialect) for dialect in ("postgresql", "sqlite")}
_ADD_EVENTS = insert(_events)


def _statements_of(session: AsyncSession) -> _Statements:
    return _STATEMENTS[session.get_bind().dialect.name]


class SqlMeta:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._sql = _statements_of(session)

    async def generation(self) -> int:
        return (await self._session.execute(self._sql.generation)).scalar_one()


class SqlProcessed:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._sql = _statements_of(session)

    async def claim(self, event_ids: Collection[str]) -> set[str]:
        # Sorted, so two replicas claiming some of the same ids take them in one order. One
        # that claims an id meanwhile makes us wait for its commit; then the id is not new.
        ids = sorted(set(event_ids))
        if not ids:
            return set()
        if self._sql.claim_takes_array:
            claimed = await self._session.scalars(self._sql.claim, {"ids": ids})
        else:
            claimed = await self._session.scalars(
                self._sql.claim, [{"event_id": event_id} for event_id in ids]
            )
        return set(claimed)


class SqlParticipants:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._sql = _statements_of(session)

    async def lock(self, participant_ids: Sequence[str]) -> None:
        if self._sql.lock is not None and participant_ids:
            await self._session.execute(self._sql.lock, {"ids": list(participant_ids)})

    async def events(
        self, participant_ids: Collection[str]
    ) -> dict[str, list[PositionedParticipantEvent]]:
        found: dict[str, list[PositionedParticipantEvent]] = {}
        if not participant_ids:
            return found
        rows = await self._session.execute(self._sql.events, {"ids": list(participant_ids)})
        for participant_id, position, body in rows:
            # Stored only after it was validated as one; parsed once per row and batch.
            event: ParticipantEvent = parse_intake_event(body)  # type: ignore[assignment]
            found.setdefault(participant_id, []).append((position, event))
        return found

    async def records(self, participant_ids: Collection[str]) -> dict[str, ParticipantRecord]:
        if not participant_ids:
            return {}
        rows = await self._session.execute(self._sql.records, {"ids": list(participant_ids)})
        return {
            participant_id: ParticipantRecord.model_validate_json(body)
            for participant_id, body in rows
        }

    async def add_events(self, events: Sequence[PositionedParticipantEvent]) -> None:
        if events:
            await self._session.execute(
                _ADD_EVENTS,
                [
                    {
                        "event_id": event.event_id,
                        "participant_id": event.participant_id,
                        "position": position,
                        "body": event.model_dump_json(),
                    }
                    for position, event in events
                ],
            )

    async def save(self, records: Mapping[str, ParticipantRecord | None]) -> None:
        kept = sorted(
            (participant_id, record)
            for participant_id, record in records.items()
            if record is not None
        )
        if kept:
            await self._session.execute(
                self._sql.upsert,
                [
                    {
                        "participant_id": participant_id,
                        "insats_id": record.insats_id,
                        "record": record.model_dump_json(),
                    }
                    for participant_id, record in kept
                ],
            )
        gone = sorted(pid for pid, record in records.items() if record is None)
        if gone:
            await self._session.execute(self._sql.delete, {"ids": gone})


class SqlChanges:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self.staged = False

    async def publish(self, changes: Sequence[OutcomeChange]) -> None:
        await add_to_outbox(
            self._session,
            tables.outbox,
            [
                OutboxMessage(
                    change.change_id, change.type, change.position, change.model_dump_json()
                )
                for change in changes
            ],
        )
        self.staged = self.staged or bool(changes)
