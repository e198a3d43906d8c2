"""The caseload read from intake's tables: active participants and their latest check-in,
as corrected (a voided or re-dated check-in counts as it stands now)."""

from collections.abc import Callable
from datetime import date

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.adapters import tables
from services.intake.adapters.repositories import participant_event_adapter
from services.intake.service_layer.caseload import CaseloadEntry
from shared.contract.events import (
    ParticipantEvent,
    ParticipantProgressed,
    effective_events,
)

_CHECK_IN_HISTORY = ("ParticipantProgressed", "ParticipantEventCorrected", "ParticipantEventVoided")
"""The check-ins and whatever may correct or void one. A correction or void of the start or
the stop names no event of this history, so it changes nothing here."""


class SqlCaseload:
    def __init__(self, new_session: Callable[[], AsyncSession]) -> None:
        self._new_session = new_session

    async def active(self, insats_id: str) -> list[CaseloadEntry]:
        participants, events = tables.participants, tables.events
        history = and_(
            events.c.participant_id == participants.c.participant_id,
            events.c.insats_id == insats_id,
            events.c.type.in_(_CHECK_IN_HISTORY),
        )
        query = (
            select(participants.c.participant_id, participants.c.start_date, events.c.body)
            .select_from(participants.outerjoin(events, history))
            .where(
                participants.c.insats_id == insats_id,
                participants.c.end_date.is_(None),
                participants.c.voided.is_(False),
            )
            .order_by(participants.c.start_date, participants.c.participant_id, events.c.position)
        )
        async with self._new_session() as session:
            rows = (await session.execute(query)).all()
        starts: dict[str, date] = {}  # in the query's order
        histories: dict[str, list[ParticipantEvent]] = {}
        for row in rows:
            starts[row.participant_id] = row.start_date
            if row.body is not None:
                histories.setdefault(row.participant_id, []).append(
                    participant_event_adapter.validate_json(row.body)
                )
        return [
            CaseloadEntry(pid, start, _latest_check_in(histories.get(pid, [])))
            for pid, start in starts.items()
        ]

    async def ended(self, insats_id: str) -> list[tuple[str, list[ParticipantEvent]]]:
        participants, events = tables.participants, tables.events
        query = (
            select(participants.c.participant_id, events.c.body)
            .select_from(
                participants.join(
                    events,
                    and_(
                        events.c.participant_id == participants.c.participant_id,
                        events.c.insats_id == insats_id,
                    ),
                )
            )
            .where(
                participants.c.insats_id == insats_id,
                participants.c.end_date.is_not(None),
                participants.c.voided.is_(False),
            )
            .order_by(participants.c.participant_id, events.c.position)
        )
        async with self._new_session() as session:
            rows = (await session.execute(query)).all()
        histories: dict[str, list[ParticipantEvent]] = {}
        for row in rows:
            event = participant_event_adapter.validate_json(row.body)
            histories.setdefault(row.participant_id, []).append(event)
        return list(histories.items())


def _latest_check_in(history: list[ParticipantEvent]) -> date | None:
    dates = [e.date for e in effective_events(history) if isinstance(e, ParticipantProgressed)]
    return max(dates, default=None)
