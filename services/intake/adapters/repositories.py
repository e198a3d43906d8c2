"""The service layer's repositories on SQLAlchemy Core, within one session's transaction."""

import json
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Annotated, Any, Protocol

from pydantic import Discriminator, TypeAdapter
from sqlalchemy import (
    ARRAY,
    CTE,
    CursorResult,
    Executable,
    Float,
    Insert,
    Select,
    Table,
    bindparam,
    exists,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.adapters import tables
from services.intake.adapters.driver_statements import DriverConnection, DriverStatement
from services.intake.domain.model import Insats, Participant
from services.intake.service_layer.answers import Answer, IdempotencyKey, StoredAnswer
from services.intake.service_layer.unit_of_work import AuditEntry, ConcurrentWrite, Lock
from shared.contract.codes import Registration
from shared.contract.events import IntakeEvent, ParticipantEvent
from shared.platform.db import dialect_of
from shared.platform.outbox import OutboxMessage, add_to_outbox


class SqlInsatser:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, insats_id: str, *, lock: Lock = Lock.NONE) -> Insats | None:
        query = locked(
            select(tables.insatser).where(tables.insatser.c.insats_id == insats_id), lock
        )
        row = (await self._session.execute(query)).first()
        return _insats(row) if row else None

    async def add(self, insats: Insats) -> None:
        await self._session.execute(insert(tables.insatser).values(**_insats_values(insats)))

    async def update(self, insats: Insats) -> None:
        await self._session.execute(
            update(tables.insatser)
            .where(tables.insatser.c.insats_id == insats.insats_id)
            .values(**_insats_values(insats))
        )

    async def list(self) -> list[Insats]:
        rows = await self._session.execute(
            select(tables.insatser).order_by(tables.insatser.c.insats_id)
        )
        return [_insats(row) for row in rows]


class InsatsCopies:
    """This process's copy of each insats registered `individ`, as last read: a start reads
    it here instead of from the database, which saves a statement. Only where the write
    checks the registration again (`SqlEventLog.append_with_participant` outside a
    transaction) and only `individ` ones (those a start is accepted in): a copy since
    changed never accepts what the database would refuse, nor refuses what it would accept.
    Forgotten when a write found an insats changed (`ConcurrentWrite`; the command then
    runs again and reads it anew)."""

    def __init__(self) -> None:
        self._copies: dict[str, Insats] = {}

    def get(self, insats_id: str) -> Insats | None:
        return self._copies.get(insats_id)

    def keep(self, insats: Insats) -> None:
        if insats.registration is Registration.INDIVID:
            self._copies[insats.insats_id] = insats

    def forget(self) -> None:
        self._copies.clear()


class CopiedInsatser(SqlInsatser):
    """`SqlInsatser` whose reads come from `InsatsCopies` where it has one, else from the
    driver's connection: outside a transaction, where no read holds a lock anyway."""

    def __init__(
        self, session: AsyncSession, driver: DriverConnection, copies: InsatsCopies
    ) -> None:
        super().__init__(session)
        self._driver = driver
        self._copies = copies

    async def get(self, insats_id: str, *, lock: Lock = Lock.NONE) -> Insats | None:
        if (copy := self._copies.get(insats_id)) is not None:
            return copy
        row = await _INSATS.fetchrow(self._driver, {"insats_id": insats_id})
        if row is None:
            return None
        stored_id, name, registration = row
        insats = Insats(stored_id, name, Registration(registration))
        self._copies.keep(insats)
        return insats


_INSATS = DriverStatement(
    select(
        tables.insatser.c.insats_id, tables.insatser.c.name, tables.insatser.c.registration
    ).where(tables.insatser.c.insats_id == bindparam("insats_id"))
)


def locked(query: Select, lock: Lock) -> Select:
    """The query, holding its rows until commit as `lock` says (SQLite ignores it: there a
    transaction holds the whole database for writing from its start)."""
    if lock is Lock.SHARE:
        # KEY SHARE: the weakest row lock; it conflicts only with FOR UPDATE (Lock.UPDATE),
        # not with other sharers, nor with the KEY SHARE lock a foreign key check takes.
        return query.with_for_update(read=True, key_share=True)
    if lock is Lock.UPDATE:
        return query.with_for_update()
    return query


def _insats(row) -> Insats:
    return Insats(row.insats_id, row.name, Registration(row.registration))


def _insats_values(insats: Insats) -> dict:
    return {
        "insats_id": insats.insats_id,
        "name": insats.name,
        "registration": insats.registration.value,
    }


def _insert_unless_taken(session: AsyncSession, table: Table) -> Insert:
    """INSERT … ON CONFLICT DO NOTHING (any of the table's unique keys), in the session's
    dialect."""
    if dialect_of(session) == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


async def _execute_dml(session: AsyncSession, statement: Executable) -> CursorResult:
    """Execute an INSERT or UPDATE; its result is a cursor's, with the row count and the
    inserted key (the session's signature promises only a `Result`)."""
    result = await session.execute(statement)
    assert isinstance(result, CursorResult)
    return result


participant_event_adapter: TypeAdapter[ParticipantEvent] = TypeAdapter(
    Annotated[ParticipantEvent, Discriminator("type")]
)
"""A stored event of a participant (the log's rows with a participant id hold only these)."""


class SqlParticipants:
    def __init__(self, session: AsyncSession, driver: DriverConnection | None = None) -> None:
        """`driver`: as `SqlEventLog`'s; a read then holds nothing (the write checks the
        participant again: `SqlEventLog.append_for`)."""
        self._session = session
        self._driver = driver

    async def get(
        self, insats_id: str, participant_id: str, *, lock: Lock = Lock.NONE
    ) -> Participant | None:
        if self._driver is not None:
            parameters = {"participant_id": participant_id, "insats_id": insats_id}
            row = await _PARTICIPANT.fetchrow(self._driver, parameters)
            return Participant(*row) if row else None
        table = tables.participants
        query = locked(
            select(table).where(
                table.c.participant_id == participant_id, table.c.insats_id == insats_id
            ),
            lock,
        )
        row = (await self._session.execute(query)).first()
        return participant_of_row(row) if row else None

    async def add(self, participant: Participant) -> bool:
        # ON CONFLICT DO NOTHING: a taken key leaves the transaction usable (a plain INSERT's
        # unique violation would abort it); the insert waits for a transaction holding the
        # same key uncommitted, and stores the row if that one rolls back.
        insert_ = _insert_unless_taken(self._session, tables.participants)
        result = await _execute_dml(
            self._session, insert_.values(**_participant_values(participant))
        )
        return result.rowcount == 1

    async def update(self, participant: Participant) -> None:
        table = tables.participants
        await self._session.execute(
            update(table)
            .where(
                table.c.participant_id == participant.participant_id,
                table.c.insats_id == participant.insats_id,
            )
            .values(**_participant_values(participant))
        )

    async def list(self, insats_id: str, *, active_only: bool) -> list[Participant]:
        table = tables.participants
        query = select(table).where(table.c.insats_id == insats_id, table.c.voided.is_(False))
        if active_only:
            query = query.where(table.c.end_date.is_(None))
        rows = await self._session.execute(
            query.order_by(table.c.start_date, table.c.participant_id)
        )
        return [participant_of_row(row) for row in rows]


def participant_of_row(row) -> Participant:
    return Participant(
        row.participant_id,
        row.insats_id,
        row.start_date,
        row.end_date,
        row.voided,
        row.moved_from,
    )


_STATE = ("participant_id", "insats_id", "start_date", "end_date", "voided", "moved_from")
"""A registration's columns, in `Participant`'s order."""
_PARTICIPANT = DriverStatement(
    select(*(tables.participants.c[name] for name in _STATE)).where(
        tables.participants.c.participant_id == bindparam("participant_id"),
        tables.participants.c.insats_id == bindparam("insats_id"),
    )
)


def _participant_values(participant: Participant) -> dict:
    return {
        "participant_id": participant.participant_id,
        "insats_id": participant.insats_id,
        "start_date": participant.start_date,
        "end_date": participant.end_date,
        "voided": participant.voided,
        "moved_from": participant.moved_from,
    }


class StagedAudit(Protocol):
    """The audit entries staged to go with the next event (`SqlAuditLog`)."""

    @property
    def staged(self) -> list[AuditEntry]: ...

    def take_staged(self) -> list[AuditEntry]: ...


class SqlEventLog:
    """The event log; whatever it appends is staged in the outbox in the same transaction."""

    def __init__(
        self, session: AsyncSession, audit: StagedAudit, driver: DriverConnection | None = None
    ) -> None:
        """`audit`: its staged entries are written with the next event appended.
        `driver`: PostgreSQL's connection outside a transaction, which the statements then
        run on instead of the session's (`driver_statements`)."""
        self._session = session
        # The driver's is PostgreSQL's (and asks the session nothing: `_SessionOnDemand`).
        self._postgresql = driver is not None or dialect_of(session) == "postgresql"
        self._driver = driver
        self._audit = audit
        self.appended: list[IntakeEvent] = []
        self.write_sent = False
        """Whether a statement that writes was sent (outside a transaction, it may have
        committed even when its answer never came)."""

    async def append(self, event: IntakeEvent) -> int:
        position = await self._append(event, None)
        assert position is not None
        return position

    async def append_with_participant(
        self, event: IntakeEvent, participant: Participant, insats: Insats
    ) -> int | None:
        return await self._append(event, (participant, insats))

    async def append_for(
        self, event: IntakeEvent, participant: Participant, changed: Participant | None = None
    ) -> int:
        if self._driver is None:
            # In a transaction, the participant is held as the command read it (`Lock`).
            position = await self.append(event)
            if changed is not None:
                await SqlParticipants(self._session).update(changed)
            return position
        parameters = self._event_parameters(event, event.model_dump_json())
        parameters |= _state_parameters("b", participant)
        statement = _APPEND_FOR_PARTICIPANT
        if changed is not None:
            parameters |= _state_parameters("c", changed)
            statement = _APPEND_CHANGING_PARTICIPANT
        (position,) = await self._write(statement, parameters)
        if position is None:
            raise ConcurrentWrite(f"participant {participant.participant_id} changed meanwhile")
        self._audit.take_staged()  # written with the event
        self.appended.append(event)
        return position

    def _event_parameters(self, event: IntakeEvent, body: str) -> dict:
        """The event's, and the staged audit entries', of PostgreSQL's append statements."""
        return _audit_parameters(self._audit.staged) | {
            "e_event_id": event.event_id,
            "e_type": event.type,
            "e_insats_id": event.insats_id,
            "e_participant_id": getattr(event, "participant_id", None),
            "e_occurred_at": event.occurred_at,
            "e_body": body,
            "e_staged_at": time.time(),
        }

    async def _append(
        self, event: IntakeEvent, registration: tuple[Participant, Insats] | None
    ) -> int | None:
        body = event.model_dump_json()
        if self._postgresql:
            # One round trip: participant, event, outbox row and the staged audit entries
            # in one statement.
            parameters = self._event_parameters(event, body)
            if registration is None:
                (position,) = await self._write(_APPEND, parameters)
            else:
                participant, insats = registration
                parameters |= {
                    "p_participant_id": participant.participant_id,
                    "p_insats_id": participant.insats_id,
                    "p_start_date": participant.start_date,
                    "p_moved_from": participant.moved_from,
                    "i_registration": insats.registration.value,
                }
                position, insats_as_checked = await self._write(
                    _APPEND_WITH_PARTICIPANT, parameters
                )
                if not insats_as_checked:
                    raise ConcurrentWrite(f"insats {insats.insats_id} changed meanwhile")
            if position is not None:
                self._audit.take_staged()  # written with the event
        else:
            if registration is not None:
                participant, insats = registration
                # Its transaction holds the whole database: a read sees what the write will.
                stored_insats = await SqlInsatser(self._session).get(insats.insats_id)
                if stored_insats is None or stored_insats.registration != insats.registration:
                    raise ConcurrentWrite(f"insats {insats.insats_id} changed meanwhile")
                if not await SqlParticipants(self._session).add(participant):
                    return None
            result = await _execute_dml(
                self._session,
                insert(tables.events).values(
                    event_id=event.event_id,
                    type=event.type,
                    insats_id=event.insats_id,
                    participant_id=getattr(event, "participant_id", None),
                    occurred_at=event.occurred_at,
                    body=body,
                ),
            )
            position = result.lastrowid  # SQLite: the rowid, which the position is
            await add_to_outbox(
                self._session,
                tables.outbox,
                [OutboxMessage(event.event_id, event.type, position, body)],
            )
        if position is not None:
            self.appended.append(event)
        return position

    async def _write(self, statement: DriverStatement, parameters: dict) -> Sequence[Any]:
        """The row of one of PostgreSQL's append statements."""
        self.write_sent = True
        if self._driver is not None:
            row = await statement.fetchrow(self._driver, parameters)
            assert row is not None
            return row
        return (await self._session.execute(statement.statement, parameters)).one()

    async def of_participant(self, insats_id: str, participant_id: str) -> list[ParticipantEvent]:
        events = tables.events
        bodies = await self._session.scalars(
            select(events.c.body)
            .where(events.c.participant_id == participant_id, events.c.insats_id == insats_id)
            .order_by(events.c.position)
        )
        return [participant_event_adapter.validate_json(body) for body in bodies]

    async def has_registrations(self, insats_id: str) -> bool:
        events = tables.events
        return bool(
            await self._session.scalar(
                select(
                    exists().where(
                        events.c.insats_id == insats_id, events.c.type != "InsatsDefined"
                    )
                )
            )
        )


_AUDIT_COLUMNS = tuple(column.name for column in tables.audit.c if column.name != "id")


def _audit_parameters(entries: list[AuditEntry]) -> dict[str, list]:
    """The staged audit entries as one array per column (`_append_statement`)."""
    return {f"a_{name}": [getattr(entry, name) for entry in entries] for name in _AUDIT_COLUMNS}


def _state_parameters(prefix: str, participant: Participant) -> dict:
    """The registration's columns as `_checked_participant`'s parameters."""
    return {f"{prefix}_{name}": getattr(participant, name) for name in _STATE}


def _checked_participant(*, changing: bool) -> tuple[CTE, CTE | None]:
    """PostgreSQL: the registration, if still as the command read it (`b_…`), held as the
    command's lock (`Lock.UPDATE` when changing, else `Lock.SHARE`) until the statement's
    transaction ends; changing, the update to its new state (`c_…`) too. Under read
    committed a row changed meanwhile is checked again as it is now, once its lock is had."""
    participants = tables.participants
    before = {name: bindparam(f"b_{name}", type_=participants.c[name].type) for name in _STATE}
    checked = locked(
        select(participants.c.participant_id).where(
            *(
                # `=` where no NULL can be: the key's index serves only that.
                participants.c[name].is_not_distinct_from(value)
                if participants.c[name].nullable
                else participants.c[name] == value
                for name, value in before.items()
            )
        ),
        Lock.UPDATE if changing else Lock.SHARE,
    ).cte("checked")
    if not changing:
        return checked, None
    changed = (
        update(participants)
        .where(
            participants.c.participant_id == checked.c.participant_id,
            participants.c.insats_id == before["insats_id"],
        )
        .values(
            {
                participants.c[name]: bindparam(f"c_{name}", type_=participants.c[name].type)
                for name in _STATE[2:]  # the key stays
            }
        )
        .returning(participants.c.participant_id)
        .cte("changed")
    )
    return checked, changed


def _append_statement(
    *, with_participant: bool = False, for_participant: Lock | None = None
) -> Select:
    """PostgreSQL: append an event and stage it in the outbox in one statement, returning
    its position; the audit entries staged so far (`_audit_parameters`, none or more) go in
    with it. `with_participant`: store the new registration first (ON CONFLICT DO NOTHING, as
    `SqlParticipants.add`), in an insats still registered as the command checked
    (`i_registration`), which the statement holds (KEY SHARE, as `Lock.SHARE`) until its
    transaction ends: so the statement is right even outside a transaction. When the code is
    taken, or the insats changed, nothing is stored and the position is NULL;
    `insats_as_checked` tells which. `for_participant`: the event of a registration still as
    the command read it, held so (`_checked_participant`; `Lock.UPDATE`: changed to its new
    state too), else nothing is stored and the position is NULL."""
    events, outbox, audit = tables.events, tables.outbox, tables.audit
    event = {
        name: bindparam(f"e_{name}", type_=events.c[name].type)
        for name in ("event_id", "type", "insats_id", "participant_id", "occurred_at", "body")
    }
    checked = changed = None
    if for_participant is not None:
        held, changed = _checked_participant(changing=for_participant is Lock.UPDATE)
        append_event = insert(events).from_select(
            list(event), select(*event.values()).select_from(held)
        )
    elif with_participant:
        insatser, participants = tables.insatser, tables.participants
        checked = (
            select(insatser.c.insats_id)
            .where(
                insatser.c.insats_id == event["insats_id"],
                insatser.c.registration
                == bindparam("i_registration", type_=insatser.c.registration.type),
            )
            .with_for_update(read=True, key_share=True)
            .cte("checked")
        )
        registration = ("participant_id", "insats_id", "start_date", "moved_from")
        stored = (
            postgresql.insert(participants)
            .from_select(
                list(registration),
                select(
                    *(
                        bindparam(f"p_{name}", type_=participants.c[name].type)
                        for name in registration
                    )
                ).select_from(checked),
            )
            .on_conflict_do_nothing()
            .returning(participants.c.participant_id)
            .cte("stored_participant")
        )
        append_event = insert(events).from_select(
            list(event), select(*event.values()).select_from(stored)
        )
    else:
        append_event = insert(events).values(
            {events.c[name]: value for name, value in event.items()}
        )
    appended = append_event.returning(events.c.position).cte("appended")
    # Only with the event: a statement that stored nothing leaves them for the next one.
    audited = (
        insert(audit)
        .from_select(
            list(_AUDIT_COLUMNS),
            select(
                *(
                    func.unnest(bindparam(f"a_{name}", type_=ARRAY(audit.c[name].type)))
                    for name in _AUDIT_COLUMNS
                )
            ).where(exists(appended.select())),
        )
        .cte("audited")
    )
    staged = (
        insert(outbox)
        .from_select(
            ["message_id", "type", "position", "body", "created_at"],
            select(
                event["event_id"],
                event["type"],
                appended.c.position,
                event["body"],
                bindparam("e_staged_at", type_=outbox.c.created_at.type),
            ).select_from(appended),
        )
        .returning(outbox.c.position)
        .cte("staged")
    )
    position = select(staged.c.position).scalar_subquery().label("position")
    if changed is not None:
        return select(position).add_cte(audited, changed)
    if checked is None:
        return select(position).add_cte(audited)
    return select(position, exists(checked.select()).label("insats_as_checked")).add_cte(audited)


_APPEND = DriverStatement(_append_statement())
_APPEND_WITH_PARTICIPANT = DriverStatement(_append_statement(with_participant=True))
_APPEND_FOR_PARTICIPANT = DriverStatement(_append_statement(for_participant=Lock.SHARE))
_APPEND_CHANGING_PARTICIPANT = DriverStatement(_append_statement(for_participant=Lock.UPDATE))


async def last_position(session: AsyncSession) -> int:
    """The log's newest position (0 for an empty log)."""
    last = await session.execute(select(func.coalesce(func.max(tables.events.c.position), 0)))
    return last.scalar_one()


async def requeue_events(session: AsyncSession, after: int, through: int) -> None:
    """Stage the log's events at positions after `after` up to `through` for publication
    again, in order."""
    events = tables.events
    await session.execute(
        insert(tables.outbox).from_select(
            ["message_id", "type", "position", "body", "created_at"],
            select(
                events.c.event_id,
                events.c.type,
                events.c.position,
                events.c.body,
                literal(time.time(), Float),
            )
            .where(events.c.position > after, events.c.position <= through)
            .order_by(events.c.position),
        )
    )


class SqlAnswers:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, key: str) -> StoredAnswer | None:
        row = (
            await self._session.execute(
                select(tables.idempotency).where(tables.idempotency.c.key == key)
            )
        ).first()
        if row is None:
            return None
        return StoredAnswer(
            row.fingerprint, Answer(HTTPStatus(row.status_code), json.loads(row.response))
        )

    async def add(self, key: IdempotencyKey, answer: Answer) -> None:
        await self._session.execute(
            insert(tables.idempotency).values(
                key=key.key,
                fingerprint=key.fingerprint,
                status_code=int(answer.status),
                response=json.dumps(answer.body),
                created_at=datetime.now(UTC),
            )
        )
