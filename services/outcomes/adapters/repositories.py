"""The service layer's ports on SQLAlchemy Core, within one session's transaction."""

from collections.abc import Sequence

from sqlalchemy import insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import ParticipantEvent, parse_intake_event
from shared.outbox import OutboxMessage, add_to_outbox
from shared.records import OutcomeChange, ParticipantRecord
from services.outcomes.adapters import tables


def _is_postgresql(session: AsyncSession) -> bool:
    return session.bind.dialect.name == "postgresql"


class SqlMeta:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def generation(self) -> int:
        # SQLite's BEGIN IMMEDIATE already serialises writers; PostgreSQL needs the row lock.
        query = select(tables.meta.c.generation).where(tables.meta.c.id == 1)
        if _is_postgresql(self._session):
            query = query.with_for_update(read=True)
        return (await self._session.execute(query)).scalar_one()


class SqlProcessed:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(self, event_ids: Sequence[str]) -> set[str]:
        column = tables.processed.c.event_id
        seen = set(
            await self._session.scalars(select(column).where(column.in_(set(event_ids))))
        )
        new_ids = set(event_ids) - seen
        if new_ids:
            # A replica that claims the same id meanwhile fails on the primary key and retries.
            await self._session.execute(
                insert(tables.processed), [{"event_id": event_id} for event_id in new_ids]
            )
        return new_ids


class SqlParticipants:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock(self, participant_ids: Sequence[str]) -> None:
        # Sorted by the caller, so two replicas never wait on each other in a circle.
        if _is_postgresql(self._session):
            for participant_id in participant_ids:
                await self._session.execute(
                    text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                    {"key": f"stegvis-outcomes-participant-{participant_id}"},
                )

    async def add_events(self, events: Sequence[tuple[int, ParticipantEvent]]) -> None:
        if events:
            await self._session.execute(
                insert(tables.participant_events),
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

    async def events(self, participant_id: str) -> list[ParticipantEvent]:
        table = tables.participant_events
        bodies = await self._session.scalars(
            select(table.c.body)
            .where(table.c.participant_id == participant_id)
            .order_by(table.c.position)
        )
        return [parse_intake_event(body) for body in bodies]

    async def record(self, participant_id: str) -> ParticipantRecord | None:
        table = tables.participants
        body = await self._session.scalar(
            select(table.c.record).where(table.c.participant_id == participant_id)
        )
        return ParticipantRecord.model_validate_json(body) if body else None

    async def save(self, participant_id: str, record: ParticipantRecord | None) -> None:
        table = tables.participants
        if record is None:
            await self._session.execute(
                table.delete().where(table.c.participant_id == participant_id)
            )
            return
        values = {"insats_id": record.insats_id, "record": record.model_dump_json()}
        updated = await self._session.execute(
            update(table).where(table.c.participant_id == participant_id).values(**values)
        )
        if updated.rowcount == 0:
            await self._session.execute(
                insert(table).values(participant_id=participant_id, **values)
            )


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
