"""Erasing a participant from intake's tables: the log, the state, the unpublished outbox
rows, the stored answers and the audit log's references (api.md, "Privacy: erasure and
retention")."""

import json
import re
from datetime import date

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.adapters import tables
from services.intake.domain.model import Participant
from shared.contract.events import ParticipantErased
from shared.platform.outbox import OutboxMessage, add_to_outbox

ERASED = "(gallrad)"
"""What the audit log and an import's answer say where an erased participant's code was."""


class SqlErasure:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self.erased = 0
        """Participants erased in this transaction (their messages staged)."""

    async def erase(self, participant: Participant) -> ParticipantErased:
        code = participant.participant_id
        events = tables.events
        rows = (
            await self._session.execute(
                select(events.c.event_id, events.c.position)
                .where(events.c.participant_id == code)
                .order_by(events.c.position)
            )
        ).all()
        event_ids = tuple(row.event_id for row in rows)
        await self._session.execute(delete(events).where(events.c.participant_id == code))
        await self._session.execute(
            delete(tables.outbox).where(tables.outbox.c.message_id.in_(event_ids))
        )
        await self._session.execute(
            delete(tables.participants).where(tables.participants.c.participant_id == code)
        )
        await self._forget_answers(code)
        await self._forget_in_audit(code)
        erasure = ParticipantErased(
            insats_id=participant.insats_id, participant_id=code, event_ids=event_ids
        )
        # Published, never logged: a rebuild replays a log without the participant.
        last_position = rows[-1].position if rows else 0
        message = OutboxMessage(
            erasure.event_id, erasure.type, last_position, erasure.model_dump_json()
        )
        await add_to_outbox(self._session, tables.outbox, [message])
        self.erased += 1
        return erasure

    async def ended_before(self, day: date) -> list[Participant]:
        table = tables.participants
        rows = await self._session.execute(
            select(table)
            .where(table.c.end_date < day)
            .order_by(table.c.insats_id, table.c.participant_id)
        )
        return [
            Participant(row.participant_id, row.insats_id, row.start_date, row.end_date, row.voided)
            for row in rows
        ]

    async def _forget_answers(self, code: str) -> None:
        """An answer naming the participant goes; an import's answer stays (so the file is
        still imported once) without it."""
        table = tables.idempotency
        rows = await self._session.execute(
            select(table.c.key, table.c.response).where(
                _mentions(table.c.response, code) | _mentions(table.c.key, code)
            )
        )
        for row in rows:
            body = json.loads(row.response)
            if "participants" in body and code not in row.key.upper():
                body["participants"] = [
                    [number, insats, ERASED if participant == code else participant]
                    for number, insats, participant in body["participants"]
                ]
                await self._session.execute(
                    update(table).where(table.c.key == row.key).values(response=json.dumps(body))
                )
            else:
                await self._session.execute(delete(table).where(table.c.key == row.key))

    async def _forget_in_audit(self, code: str) -> None:
        audit = tables.audit
        pattern = re.compile(re.escape(code), re.IGNORECASE)
        rows = await self._session.execute(
            select(audit.c.id, audit.c.target).where(_mentions(audit.c.target, code))
        )
        for row in rows:
            await self._session.execute(
                update(audit)
                .where(audit.c.id == row.id)
                .values(target=pattern.sub(ERASED, row.target))
            )


def _mentions(column, code: str):
    """The column's text holds the code, in any case (a path as a form's user wrote it)."""
    return func.upper(column).contains(code.upper(), autoescape=True)
