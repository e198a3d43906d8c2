"""The service layer's ports on SQLAlchemy Core, within one session's transaction.

A batch costs the same few statements whatever its size: one per port call, each over every
participant of the batch, and what it writes (events, participants' rows, changes) one at its
commit (`Staged`). The statements are built once, here, per dialect: on PostgreSQL
the registrations (`domain.registrations`) go in as one array parameter (`= ANY(…)`,
`unnest(…)`), so the statement text, and asyncpg's prepared statement, is the same for
every batch; SQLite gets the portable `IN (…)`. The generation and the processed ids are
`shared.platform.projection`'s.
"""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter

import msgspec
from sqlalchemy import (
    ARRAY,
    Column,
    Executable,
    Select,
    String,
    Table,
    any_,
    bindparam,
    delete,
    func,
    literal_column,
    select,
    text,
    true,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from services.outcomes.adapters import tables
from services.outcomes.domain.incremental import PositionedParticipantEvent, Summary
from services.outcomes.domain.registrations import registration_key
from services.outcomes.service_layer.unit_of_work import Known, Stored
from shared.contract.events import ParticipantEvent, parse_intake_event
from shared.contract.records import OutcomeChange, ParticipantRecord, ParticipantRecordChanged
from shared.platform.db import dialect_of
from shared.platform.outbox import OutboxMessage, outbox_rows

_events = tables.participant_events
_participants = tables.participants


@dataclass(frozen=True)
class _Statements:
    lock: Executable | None
    events: Executable
    known: Executable
    store: "_Store"


_STORED = (
    (_events, "event_", ()),
    (_participants, "participant_", ("record", "summary")),
    (tables.outbox, "outbox_", ()),
)
"""What a transaction stores: each table, its parameters' prefix (one statement takes them
all), and the columns an upsert replaces in the row of its registration (none: rows are new).
The outbox comes last: its ids, in the order of its rows, are the order of publication."""


def _written(table: Table) -> list[Column]:
    """The columns a row gives (not an id the database counts)."""
    return [column for column in table.columns if column is not table.autoincrement_column]


@dataclass(frozen=True)
class _Store:
    """A transaction's events, participants' rows and changes written. On PostgreSQL one
    statement: three INSERTs (two as data-modifying CTEs), each of one row of arrays, a
    column each (`unnest`), so a batch is one round trip and one set of parameters (the
    outbox's rows were a parameter set each); on SQLite a statement per table, with a row of
    parameters per row."""

    statements: tuple[Executable, ...]
    """PostgreSQL's one statement, or SQLite's one per table (in `_STORED`'s order)."""
    array: bool

    async def execute(self, session: AsyncSession, rows: tuple[list[dict], ...]) -> None:
        """`rows`: each table's rows (in `_STORED`'s order), by column name."""
        if not self.array:
            for statement, table_rows in zip(self.statements, rows, strict=True):
                if table_rows:
                    await session.execute(statement, table_rows)
            return
        parameters = {
            prefix + column.name: [row[column.name] for row in table_rows]
            for (table, prefix, _), table_rows in zip(_STORED, rows, strict=True)
            for column in _written(table)
        }
        await session.execute(self.statements[0], parameters)


def _store(*, array: bool) -> _Store:
    inserts = [
        _insert(table, upsert, prefix=prefix if array else None)
        for table, prefix, upsert in _STORED
    ]
    if not array:
        return _Store(tuple(inserts), array=False)
    *first, last = inserts
    ctes = [insert.cte(f"stored_{table.name}") for insert, (table, _, _) in zip(first, _STORED)]
    return _Store((last.add_cte(*ctes),), array=True)


def _insert(
    table: Table, upsert: tuple[str, ...], *, prefix: str | None
) -> postgresql.Insert | sqlite.Insert:
    """All of the table's columns, each row new or, with `upsert`, these columns replaced in
    the row of its registration; with a `prefix`, from arrays named by it and the column
    (PostgreSQL), else a row of parameters per row (SQLite)."""
    statement: postgresql.Insert | sqlite.Insert
    columns = tuple(column.name for column in _written(table))
    if prefix is not None:
        unnested = [
            func.unnest(bindparam(prefix + column, type_=ARRAY(table.c[column].type)))
            for column in columns
        ]
        statement = postgresql.insert(table).from_select(columns, select(*unnested))
    else:
        statement = sqlite.insert(table)
    if upsert:
        return statement.on_conflict_do_update(
            index_elements=[table.c.registration],
            set_={column: statement.excluded[column] for column in upsert},
        )
    return statement


def _ids_in(column, *, array: bool):
    if array:
        return column == any_(bindparam("ids", type_=ARRAY(String)))
    return column.in_(bindparam("ids", expanding=True))


def _known(*, array: bool) -> Select:
    """Each participant's row (a participant with events has one), its summary and record.

    On PostgreSQL looked up by its key, for each of the batch's keys (`unnest`), in a
    lateral subquery (its `LIMIT` keeps the planner from making it a join): as a join, the
    planner hashed the keys and read the whole table to find theirs whenever its estimates
    said so (a sequential scan per batch, which grows with the participants there are)."""
    if not array:
        return select(
            _participants.c.registration, _participants.c.summary, _participants.c.record
        ).where(_ids_in(_participants.c.registration, array=False))
    keys = (
        func.unnest(bindparam("ids", type_=ARRAY(String)))
        .table_valued("registration")
        .render_derived("keys")
    )
    row = (
        select(_participants.c.summary, _participants.c.record)
        .where(_participants.c.registration == keys.c.registration)
        .limit(literal_column("1"))  # written in: the statement's one parameter is the keys
        .lateral("participants")
    )
    return select(keys.c.registration, row.c.summary, row.c.record).select_from(
        keys.join(row, true())
    )


def _statements(dialect: str) -> _Statements:
    array = dialect == "postgresql"
    # Sorted by the key, so two replicas never wait on each other in a circle; the lock is
    # evaluated after the sort (PostgreSQL postpones volatile output columns).
    lock = (
        text(
            "SELECT pg_advisory_xact_lock(k) FROM ("
            " SELECT DISTINCT hashtext('stegvis-outcomes-participant-' || id) AS k"
            " FROM unnest(CAST(:ids AS text[])) AS id"
            ") AS keys ORDER BY k"
        )
        if array
        else None  # one writer at a time anyway (BEGIN IMMEDIATE)
    )
    return _Statements(
        lock=lock,
        events=select(_events.c.registration, _events.c.position, _events.c.body)
        .where(_ids_in(_events.c.registration, array=array))
        .order_by(_events.c.position),
        known=_known(array=array),
        store=_store(array=array),
    )


_STATEMENTS = {dialect: _statements(dialect) for dialect in ("postgresql", "sqlite")}


def _statements_of(session: AsyncSession) -> _Statements:
    return _STATEMENTS[dialect_of(session)]


class SqlMeta:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def generation(self) -> int:
        return (await tables.bookkeeping.meta_row(self._session, "share")).generation


class SqlProcessed:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(self, event_ids: Collection[str]) -> set[str]:
        return await tables.bookkeeping.claim(self._session, event_ids)


_SUMMARY_JSON = msgspec.json.Encoder(enc_hook=dict)
"""A summary as `[position, stopped, {measure: [times, first, latest]}]`, an observation as
`[date, order, value]`: the tuples as JSON arrays, written by msgspec in one call. `enc_hook`:
a summary without observations holds a read-only mapping (`NOTHING_YET`'s), written as the
dict it is."""

_SUMMARY_OF_JSON = msgspec.json.Decoder(Summary)
"""A stored summary straight into the tuples the domain steps on (`Summary`, each measure's
`Observed`), checked against their types as it is parsed."""


def summary_json(summary: Summary | None) -> str | None:
    return None if summary is None else _SUMMARY_JSON.encode(summary).decode()


def _summary(body: str | None) -> Summary | None:
    return None if body is None else _SUMMARY_OF_JSON.decode(body)


class RecordTexts:
    """Each record's JSON, made once per transaction: a change's `after` is also the record
    stored and the next change's `before`, and a record read keeps the text it was read
    from. Fields at their defaults are left out (the record parses the same without them):
    every byte of a record is written to the database, the outbox, the stream and read by
    reporting, and most of a record's fields are empty."""

    def __init__(self) -> None:
        self._texts: dict[int, tuple[ParticipantRecord, str]] = {}
        # Keyed by identity (records are frozen); the record is kept, so its id stays its own.

    def read(self, text: str) -> ParticipantRecord:
        record = ParticipantRecord.model_validate_json(text)
        self._texts[id(record)] = (record, text)
        return record

    def of(self, record: ParticipantRecord | None) -> str:
        if record is None:
            return "null"
        known = self._texts.get(id(record))
        if known is not None:
            return known[1]
        text = record.model_dump_json(exclude_defaults=True)
        self._texts[id(record)] = (record, text)
        return text


def change_json(change: OutcomeChange, texts: RecordTexts) -> str:
    """The change's JSON, a record change's records each written once (`RecordTexts`)."""
    if not isinstance(change, ParticipantRecordChanged):
        return change.model_dump_json()
    # `before` and `after` are the model's last fields: the rest, then them, is its JSON.
    rest = change.model_dump_json(exclude=_RECORDS)
    return f'{rest[:-1]},"before":{texts.of(change.before)},"after":{texts.of(change.after)}}}'


_RECORDS = {"before", "after"}


class Staged:
    """The rows a transaction writes, held until its commit (`flush`), so that its events,
    participants' rows and changes are one statement (on PostgreSQL), not one per port."""

    def __init__(self) -> None:
        self.events: list[dict] = []
        self.participants: list[dict] = []
        self.outbox: list[dict] = []

    async def flush(self, session: AsyncSession) -> None:
        rows = (self.events, self.participants, self.outbox)  # `_STORED`'s order
        if any(rows):
            await _statements_of(session).store.execute(session, rows)
        for written in rows:
            written.clear()


def participant_rows(participants: Mapping[str, Known], texts: RecordTexts) -> list[dict]:
    """The participants' rows as the store writes them, in the order of their keys."""
    return [
        {
            "registration": key,
            "record": None if known.record is None else texts.of(known.record),
            "summary": summary_json(known.summary),
        }
        for key, known in sorted(participants.items(), key=itemgetter(0))
    ]


class SqlParticipants:
    def __init__(self, session: AsyncSession, texts: RecordTexts, staged: Staged) -> None:
        self._session = session
        self._texts = texts
        self._staged = staged
        self._sql = _statements_of(session)
        self.forgotten = 0
        """Registrations erased in this transaction."""

    async def forget(self, registrations: Collection[str]) -> None:
        keys = sorted(registrations)
        if keys:
            for table in (_events, _participants):
                await self._session.execute(delete(table).where(table.c.registration.in_(keys)))
            self.forgotten += len(keys)

    async def lock(self, registrations: Sequence[str]) -> None:
        if self._sql.lock is not None and registrations:
            await self._session.execute(self._sql.lock, {"ids": list(registrations)})

    async def events(
        self, registrations: Collection[str]
    ) -> dict[str, list[PositionedParticipantEvent]]:
        found: dict[str, list[PositionedParticipantEvent]] = {}
        if not registrations:
            return found
        rows = await self._session.execute(self._sql.events, {"ids": list(registrations)})
        for registration, position, body in rows:
            # Stored only after it was validated as one; parsed once per row and batch.
            event: ParticipantEvent = parse_intake_event(body)  # type: ignore[assignment]
            found.setdefault(registration, []).append((position, event))
        return found

    async def known(self, registrations: Collection[str]) -> dict[str, Known]:
        if not registrations:
            return {}
        rows = await self._session.execute(self._sql.known, {"ids": list(registrations)})
        return {
            registration: Known(
                None if record is None else self._texts.read(record),
                _summary(summary),
            )
            for registration, summary, record in rows
        }

    async def store(self, stored: Stored) -> None:
        self._staged.events += [
            {
                "event_id": event.event_id,
                "registration": registration_key(event.insats_id, event.participant_id),
                "position": position,
                "body": body,
            }
            for position, event, body in stored.events
        ]
        self._staged.participants += participant_rows(stored.participants, self._texts)


class SqlChanges:
    def __init__(self, session: AsyncSession, texts: RecordTexts, staged: Staged) -> None:
        self._session = session
        self._texts = texts
        self._staged = staged
        self.staged = False

    async def publish(self, changes: Sequence[OutcomeChange]) -> None:
        self._staged.outbox.extend(
            outbox_rows(
                [
                    OutboxMessage(
                        change.change_id,
                        change.type,
                        change.position,
                        change_json(change, self._texts),
                    )
                    for change in changes
                ]
            )
        )
        self.staged = self.staged or bool(changes)

    async def withdraw(self, change_ids: Collection[str]) -> None:
        if change_ids:
            staged = self._staged.outbox
            staged[:] = [row for row in staged if row["message_id"] not in change_ids]
            outbox = tables.outbox
            await self._session.execute(
                delete(outbox).where(outbox.c.message_id.in_(sorted(change_ids)))
            )
