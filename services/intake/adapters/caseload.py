"""The caseload read from intake's tables: active participants and their latest check-in."""

import json
from collections.abc import Callable
from datetime import date

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.adapters import tables
from services.intake.service_layer.caseload import CaseloadEntry


class SqlCaseload:
    def __init__(self, new_session: Callable[[], AsyncSession]) -> None:
        self._new_session = new_session

    async def active(self, insats_id: str) -> list[CaseloadEntry]:
        participants, events = tables.participants, tables.events
        # A check-in's date is in its JSON body; it is read here rather than with each
        # database's JSON functions, so the one query runs alike on SQLite and PostgreSQL.
        check_ins = and_(
            events.c.participant_id == participants.c.participant_id,
            events.c.insats_id == insats_id,
            events.c.type == "ParticipantProgressed",
        )
        query = (
            select(participants.c.participant_id, participants.c.start_date, events.c.body)
            .select_from(participants.outerjoin(events, check_ins))
            .where(participants.c.insats_id == insats_id, participants.c.end_date.is_(None))
            .order_by(participants.c.start_date, participants.c.participant_id)
        )
        async with self._new_session() as session:
            rows = (await session.execute(query)).all()
        starts: dict[str, date] = {}  # in the query's order
        latest: dict[str, date] = {}
        for row in rows:
            starts[row.participant_id] = row.start_date
            if row.body is not None:
                checked_in = date.fromisoformat(json.loads(row.body)["date"])
                latest[row.participant_id] = max(
                    checked_in, latest.get(row.participant_id, checked_in)
                )
        return [CaseloadEntry(pid, start, latest.get(pid)) for pid, start in starts.items()]
