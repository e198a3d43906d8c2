"""The reads of intake's event log `stegvis rebuild` derives the projections from in bulk."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.adapters import tables
from services.intake.adapters.repositories import last_position

_events = tables.events


@dataclass(frozen=True)
class LogCut:
    """The log up to a position: its newest, and each insats's number of events up to it."""

    position: int
    """0: an empty log."""
    counts: dict[str, int]


async def log_cut(session: AsyncSession) -> LogCut:
    position = await last_position(session)
    rows = await session.execute(
        select(_events.c.insats_id, func.count())
        .where(_events.c.position <= position)
        .group_by(_events.c.insats_id)
    )
    return LogCut(position, {insats_id: count for insats_id, count in rows})


async def insats_events(
    session: AsyncSession, insats_id: str, through: int
) -> list[tuple[int, str]]:
    """The insats's (position, JSON) of its events up to `through`, in log order."""
    rows = await session.execute(
        select(_events.c.position, _events.c.body)
        .where(_events.c.insats_id == insats_id, _events.c.position <= through)
        .order_by(_events.c.position)
    )
    return [(position, body) for position, body in rows]


async def positions_through(session: AsyncSession, through: int) -> set[int]:
    return set(
        await session.scalars(select(_events.c.position).where(_events.c.position <= through))
    )
