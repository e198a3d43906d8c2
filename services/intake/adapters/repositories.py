"""The service layer's repositories on SQLAlchemy Core, within one session's transaction."""

import json
import time
from datetime import UTC, datetime
from http import HTTPStatus

from sqlalchemy import Float, exists, func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.codes import Registration
from shared.events import IntakeEvent
from shared.outbox import OutboxMessage, add_to_outbox
from services.intake.adapters import tables
from services.intake.domain.model import Insats, Participant
from services.intake.service_layer.answers import Answer, IdempotencyKey, StoredAnswer


class SqlInsatser:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, insats_id: str, *, for_update: bool = False) -> Insats | None:
        query = select(tables.insatser).where(tables.insatser.c.insats_id == insats_id)
        if for_update:
            query = query.with_for_update()
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


def _insats(row) -> Insats:
    return Insats(row.insats_id, row.name, Registration(row.registration))


def _insats_values(insats: Insats) -> dict:
    return {
        "insats_id": insats.insats_id,
        "name": insats.name,
        "registration": insats.registration.value,
    }


class SqlParticipants:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, participant_id: str) -> Participant | None:
        row = (
            await self._session.execute(
                select(tables.participants).where(
                    tables.participants.c.participant_id == participant_id
                )
            )
        ).first()
        return _participant(row) if row else None

    async def add(self, participant: Participant) -> None:
        await self._session.execute(
            insert(tables.participants).values(**_participant_values(participant))
        )

    async def update(self, participant: Participant) -> None:
        await self._session.execute(
            update(tables.participants)
            .where(tables.participants.c.participant_id == participant.participant_id)
            .values(**_participant_values(participant))
        )

    async def list(self, insats_id: str, *, active_only: bool) -> list[Participant]:
        table = tables.participants
        query = select(table).where(table.c.insats_id == insats_id)
        if active_only:
            query = query.where(table.c.end_date.is_(None))
        rows = await self._session.execute(
            query.order_by(table.c.start_date, table.c.participant_id)
        )
        return [_participant(row) for row in rows]


def _participant(row) -> Participant:
    return Participant(row.participant_id, row.insats_id, row.start_date, row.end_date)


def _participant_values(participant: Participant) -> dict:
    return {
        "participant_id": participant.participant_id,
        "insats_id": participant.insats_id,
        "start_date": participant.start_date,
        "end_date": participant.end_date,
    }


class SqlEventLog:
    """The event log; whatever it appends is staged in the outbox in the same transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self.appended: list[IntakeEvent] = []

    async def append(self, event: IntakeEvent) -> int:
        body = event.model_dump_json()
        result = await self._session.execute(
            insert(tables.events).values(
                event_id=event.event_id,
                type=event.type,
                insats_id=event.insats_id,
                participant_id=getattr(event, "participant_id", None),
                occurred_at=event.occurred_at,
                body=body,
            )
        )
        position = result.inserted_primary_key[0]
        await add_to_outbox(
            self._session,
            tables.outbox,
            [OutboxMessage(event.event_id, event.type, position, body)],
        )
        self.appended.append(event)
        return position

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


async def requeue_event_log(session: AsyncSession) -> int:
    """Stage the whole log for publication again, in order; returns the last position."""
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
            ).order_by(events.c.position),
        )
    )
    return await session.scalar(select(func.coalesce(func.max(events.c.position), 0)))


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
