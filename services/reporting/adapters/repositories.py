"""The service layer's ports on SQLAlchemy Core, within one session's transaction."""

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, and_, case, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.reporting.adapters import tables
from services.reporting.adapters.economy import SqlGoals, SqlMoney
from services.reporting.domain.bases import Base
from services.reporting.domain.contributions import BREAKDOWN_PREFIX, STARTED_PREFIX, Cell
from services.reporting.domain.figures import OPENING_STOCK
from services.reporting.domain.model import Insats
from services.reporting.domain.reports import PeriodRow, ProcessedThrough
from services.reporting.service_layer.unit_of_work import Goals, MetaState, Money
from shared.platform.db import upsert
from shared.platform.projection import META_ID


def _utc(moment: datetime | None) -> datetime | None:
    # SQLite keeps no zone: store UTC, read it back as UTC.
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


async def _meta_state(session: AsyncSession, *, for_update: bool) -> MetaState:
    row = await tables.bookkeeping.meta_row(session, "update" if for_update else None)
    return MetaState(
        row.generation,
        ProcessedThrough(row.processed_position, _utc(row.processed_occurred_at)),
    )


class SqlMeta:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock(self) -> MetaState:
        return await _meta_state(self._session, for_update=True)

    async def advance(self, position: int, occurred_at: datetime) -> None:
        await self._session.execute(
            update(tables.meta)
            .where(tables.meta.c.id == META_ID)
            .values(processed_position=position, processed_occurred_at=_utc(occurred_at))
        )


class SqlProcessed:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(self, change_ids: Sequence[str]) -> set[str]:
        return await tables.bookkeeping.claim(self._session, change_ids)


class SqlMonthly:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, deltas: Mapping[Cell, float]) -> None:
        if not deltas:
            return
        table = tables.monthly
        statement = upsert(self._session, table)
        statement = statement.on_conflict_do_update(
            index_elements=list(table.primary_key.columns),
            set_={"value": table.c.value + statement.excluded.value},
        )
        await self._session.execute(
            statement,
            [
                {
                    "insats_id": cell.insats_id,
                    "month": cell.month,
                    "gender": str(cell.gender),
                    "figure": cell.figure,
                    "code": cell.code,
                    "known_by": cell.known_by,
                    "value": value,
                }
                for cell, value in sorted(deltas.items())
            ],
        )


class SqlInsatser:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def register(self, insatser: Sequence[Insats]) -> None:
        if not insatser:
            return
        table = tables.insatser
        statement = upsert(self._session, table)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.insats_id],
            set_={
                "name": statement.excluded.name,
                "registration": statement.excluded.registration,
                "position": statement.excluded.position,
            },
            where=table.c.position < statement.excluded.position,
        )
        await self._session.execute(
            statement,
            [
                {
                    "insats_id": insats.insats_id,
                    "name": insats.name,
                    "registration": insats.registration,
                    "position": insats.position,
                }
                for insats in insatser
            ],
        )

    async def known(self, insats_id: str) -> bool:
        table = tables.insatser
        found = await self._session.scalar(
            select(table.c.insats_id).where(table.c.insats_id == insats_id)
        )
        return found is not None


def _insats(row) -> Insats:
    return Insats(row.insats_id, row.name, row.registration, row.position)


class SqlReportReader:
    # The ports' types: a protocol's attributes are invariant.
    money: Money
    goals: Goals

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self.money = SqlMoney(session)
        self.goals = SqlGoals(session)

    async def processed_through(self) -> ProcessedThrough:
        return (await _meta_state(self._session, for_update=False)).processed

    async def insats(self, insats_id: str) -> Insats | None:
        table = tables.insatser
        row = (
            await self._session.execute(select(table).where(table.c.insats_id == insats_id))
        ).one_or_none()
        return None if row is None else _insats(row)

    async def insatser(self) -> list[Insats]:
        table = tables.insatser
        rows = await self._session.execute(select(table).order_by(table.c.insats_id))
        return [_insats(row) for row in rows]

    async def period_rows(
        self,
        insats_id: str | None,
        first_month: str,
        last_month: str,
        known_by: str | None = None,
        base: Base = Base.ENDED,
    ) -> list[PeriodRow]:
        # Summed in the database: a report reads a few hundred rows, not one per month.
        table = tables.monthly
        before = case((table.c.month < first_month, True), else_=False).label("before")
        keys = (before, table.c.gender, table.c.figure, table.c.code)
        in_period: ColumnElement[bool] = table.c.month >= first_month
        if not base.reads_started:
            in_period = and_(in_period, ~table.c.figure.startswith(STARTED_PREFIX, autoescape=True))
        # Before the period only the opening stock is needed (and the breakdowns' stock).
        needed_before: list[ColumnElement[bool]] = [table.c.figure.in_(OPENING_STOCK)]
        if base.from_stock:
            needed_before += [
                table.c.figure.startswith(prefix, autoescape=True)
                for prefix in (BREAKDOWN_PREFIX, STARTED_PREFIX)
            ]
        query = (
            select(*keys, func.sum(table.c.value))
            .where(table.c.month <= last_month, or_(in_period, *needed_before))
            .group_by(*keys)
        )
        if insats_id is not None:
            query = query.where(table.c.insats_id == insats_id)
        if known_by is not None:
            query = query.where(table.c.known_by <= known_by)
        return [PeriodRow(bool(row[0]), *row[1:]) for row in await self._session.execute(query)]

    async def first_known_month(self) -> str | None:
        return await self._session.scalar(select(func.min(tables.monthly.c.known_by)))

    async def targets(self, insats_ids: Sequence[str]) -> dict[str, dict[str, int]]:
        table = tables.targets
        rows = await self._session.execute(
            select(table).where(table.c.insats_id.in_(set(insats_ids)))
        )
        targets: dict[str, dict[str, int]] = {}
        for row in rows:
            targets.setdefault(row.insats_id, {})[row.share] = row.percent
        return targets


class SqlTargets:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def replace(self, insats_id: str, targets: Mapping[str, int]) -> None:
        table = tables.targets
        await self._session.execute(delete(table).where(table.c.insats_id == insats_id))
        if targets:
            await self._session.execute(
                table.insert(),
                [
                    {"insats_id": insats_id, "share": share, "percent": percent}
                    for share, percent in targets.items()
                ],
            )


@asynccontextmanager
async def report_reader(sessions: async_sessionmaker) -> AsyncIterator[SqlReportReader]:
    async with sessions() as session, session.begin():
        yield SqlReportReader(session)
