"""The service layer's ports on SQLAlchemy Core, within one session's transaction."""

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

import msgspec
from sqlalchemy import (
    ColumnElement,
    Executable,
    Select,
    Table,
    and_,
    bindparam,
    case,
    delete,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.reporting.adapters import tables
from services.reporting.adapters.economy import SqlGoals, SqlMoney
from services.reporting.adapters.report_context import read_report_context
from services.reporting.domain.bases import Base
from services.reporting.domain.contributions import BREAKDOWN_PREFIX, STARTED_PREFIX, Cell
from services.reporting.domain.figures import OPENING_STOCK
from services.reporting.domain.model import Insats
from services.reporting.domain.readings import ReadRow, Segment, Window
from services.reporting.domain.report_context import ReportContext
from services.reporting.domain.reports import FIGURE_SOURCES, ProcessedThrough
from services.reporting.domain.series import MonthRow, YearRow
from services.reporting.service_layer.unit_of_work import Goals, MetaState, Money
from shared.contract.access import as_utc
from shared.platform.db import dialect_of, upsert
from shared.platform.projection import META_ID


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else as_utc(moment)


async def _meta_state(session: AsyncSession, *, for_update: bool) -> MetaState:
    row = await tables.bookkeeping.meta_row(session, "update" if for_update else None)
    return MetaState(
        row.generation,
        ProcessedThrough(row.processed_position, _utc(row.processed_occurred_at)),
    )


_PG_LOCK = text(
    # The lock and the advance in one round trip: an UPDATE holds the row as FOR UPDATE
    # does, and one that waited for a reset sets (and returns) the row the reset left. One
    # row per generation: the aggregates take the values of its generation's, if further.
    f"UPDATE {tables.meta.name} AS meta"
    " SET (processed_position, processed_occurred_at) = ("
    " SELECT coalesce(max(newest.position), meta.processed_position),"
    " coalesce(max(newest.occurred_at), meta.processed_occurred_at)"
    " FROM unnest(CAST(:generations AS integer[]), CAST(:positions AS bigint[]),"
    " CAST(:occurred_ats AS timestamptz[])) AS newest(generation, position, occurred_at)"
    " WHERE newest.generation = meta.generation AND newest.position > meta.processed_position)"
    f" WHERE meta.id = {META_ID} RETURNING meta.generation"
)


class SqlMeta:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock(self, newest: Mapping[int, ProcessedThrough]) -> int:
        if dialect_of(self._session) == "postgresql":
            parameters = {
                "generations": list(newest),
                "positions": [passed.position for passed in newest.values()],
                "occurred_ats": [passed.occurred_at for passed in newest.values()],
            }
            return (await self._session.execute(_PG_LOCK, parameters)).scalar_one()
        state = await _meta_state(self._session, for_update=True)
        passed = newest.get(state.generation)
        if passed is not None and passed.position > state.processed.position:
            await self._session.execute(
                update(tables.meta)
                .where(tables.meta.c.id == META_ID)
                .values(
                    processed_position=passed.position,
                    processed_occurred_at=_utc(passed.occurred_at),
                )
            )
        return state.generation


class SqlProcessed:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(self, change_ids: Sequence[str]) -> set[str]:
        return await tables.bookkeeping.claim(self._session, change_ids)


CELL_COLUMNS = ("insats_id", "month", "gender", "figure", "code", "known_by")
"""A cell's columns, in `Cell`'s order; then its `value`."""

_TREND_FIGURES = frozenset(FIGURE_SOURCES)


def _year_key(cell: tuple) -> tuple | None:
    """A cell's row of `tables.yearly`: the trend's figures, uncoded, by year."""
    insats_id, month, gender, figure, code, _known_by, _value = cell
    if code == "" and figure in _TREND_FIGURES:
        return (insats_id, month[:4], gender, figure)
    return None


def _forbund_key(cell: tuple) -> tuple:
    """A cell's row of `tables.forbund`: every cell, whatever its insats."""
    return cell[1:-1]


@dataclass(frozen=True)
class _Sums:
    """A table of the monthly cells summed by its key (`key` of a cell's row, None where
    the table has none of it), written in the same statement as the cells."""

    table: Table
    key: Callable[[tuple], tuple | None]

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.table.primary_key.columns)

    def of(self, rows: Sequence[tuple]) -> list[tuple]:
        """The rows' deltas summed into the table's rows (a row whose deltas cancel out
        is kept: its monthly cells exist too)."""
        sums: dict[tuple, float] = {}
        key_of = self.key
        for row in rows:
            key = key_of(row)
            if key is not None:
                sums[key] = sums.get(key, 0.0) + row[-1]
        # Sorted, as the cells are: replicas lock the rows they share in one order.
        return [(*key, value) for key, value in sorted(sums.items())]


SUMS = (_Sums(tables.yearly, _year_key), _Sums(tables.forbund, _forbund_key))
"""What is kept summed beside `tables.monthly`: the trend's years, the whole förbund."""


def _json_upsert(table: Table, columns: Sequence[str], parameter: str) -> str:
    """An INSERT adding each row of the JSON array `parameter` (its key's values, then its
    value) to the table's row with that key. The JSON goes in as one parameter (`_json`
    writes it in C; asyncpg encodes an array parameter element by element in Python, slower
    than the executemany it would replace): one statement whatever the batch's size, the same
    text every batch, so asyncpg's prepared statement is reused. As jsonb, each element is
    parsed once, not again for each `->>` of its fields: a fifth less of PostgreSQL's CPU a
    change."""
    values = [f"item->>{index}" for index in range(len(columns))]
    return (
        f"INSERT INTO {table.name} ({', '.join((*columns, 'value'))})"
        f" SELECT {', '.join(values)}, (item->>{len(values)})::float8"
        f" FROM jsonb_array_elements(CAST(:{parameter} AS jsonb)) AS item"
        f" ON CONFLICT ({', '.join(columns)})"
        f" DO UPDATE SET value = {table.name}.value + excluded.value"
    )


_JSON = msgspec.json.Encoder()


def _json(rows: Sequence[tuple]) -> str:
    """The rows as a JSON array of arrays: msgspec's encoder writes a batch's ~1,000 rows in
    a quarter of `json.dumps`'s CPU (which took some 7% of reporting's a change)."""
    return _JSON.encode(rows).decode()


def _sqlite_adding(table: Table) -> Executable:
    statement = sqlite.insert(table)
    return statement.on_conflict_do_update(
        index_elements=list(table.primary_key.columns),
        set_={"value": table.c.value + statement.excluded.value},
    )


def _in_one_statement(upserts: Sequence[tuple[Table, Sequence[str]]]) -> str:
    """The upserts (`_json_upsert`, each of the JSON named as its table) as one statement,
    all but the last as data-modifying CTEs: one round trip, one prepared plan."""
    *first, (last, last_columns) = upserts
    steps = ", ".join(
        f"added_{table.name} AS ({_json_upsert(table, columns, table.name)})"
        for table, columns in first
    )
    return f"WITH {steps} {_json_upsert(last, last_columns, last.name)}"


_PG_RETAINED = text(_json_upsert(tables.retained, CELL_COLUMNS, "cells"))
_PG_MONTHLY = text(
    _in_one_statement(
        [(tables.monthly, CELL_COLUMNS), *((sums.table, sums.columns) for sums in SUMS)]
    )
)
_SQLITE_ADDING = {
    table.name: _sqlite_adding(table)
    for table in (tables.monthly, tables.retained, *(sums.table for sums in SUMS))
}


class SqlCells:
    """A table of cells (`tables.monthly`, with its sums in `SUMS`; or `tables.retained`)."""

    def __init__(self, session: AsyncSession, table: Table) -> None:
        self._session = session
        self._table = table

    async def add(self, deltas: Mapping[Cell, float]) -> None:
        if not deltas:
            return
        # Sorted, so two replicas adding to some of the same cells lock them in one order.
        rows = [(*cell, value) for cell, value in sorted(deltas.items())]
        summed = SUMS if self._table is tables.monthly else ()
        if dialect_of(self._session) == "postgresql":
            if not summed:
                await self._session.execute(_PG_RETAINED, {"cells": _json(rows)})
                return
            parameters = {sums.table.name: _json(sums.of(rows)) for sums in summed}
            parameters[tables.monthly.name] = _json(rows)
            await self._session.execute(_PG_MONTHLY, parameters)
            return
        await self._sqlite_add(self._table, CELL_COLUMNS, rows)
        for sums in summed:
            if sum_rows := sums.of(rows):
                await self._sqlite_add(sums.table, sums.columns, sum_rows)

    async def _sqlite_add(self, table: Table, columns: Sequence[str], rows: list[tuple]) -> None:
        names = (*columns, "value")
        await self._session.execute(
            _SQLITE_ADDING[table.name], [dict(zip(names, row, strict=True)) for row in rows]
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


def _year_sums(of_one_insats: bool) -> Select:
    table = tables.yearly
    keys = (table.c.year, table.c.gender, table.c.figure)
    query = select(*keys, func.sum(table.c.value)).where(table.c.year <= bindparam("last_year"))
    if of_one_insats:
        query = query.where(table.c.insats_id == bindparam("insats_id"))
    return query.group_by(*keys)


_YEAR_SUMS, _YEAR_SUMS_OF_INSATS = _year_sums(False), _year_sums(True)
"""The trend's years (`year_rows`), of all insatser and of one, built once: building the
select took a page's Python about as long as running it."""


def _cells_of(insats_id: str | None, by_insats: bool = False) -> Table:
    """Where a scope's cells are read: the whole förbund's, unless by insats, already
    summed over its insatser (a fifth of the rows)."""
    return tables.forbund if insats_id is None and not by_insats else tables.monthly


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

    async def report_context(self, window: Window) -> ReportContext:
        return await read_report_context(self._session, window)

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

    async def report_rows(
        self,
        window: Window,
        insats_id: str | None,
        by_insats: bool,
        closing: str | None,
        base: Base = Base.ENDED,
    ) -> list[ReadRow]:
        # Summed in the database: a few hundred rows a scope, not one per month.
        table = _cells_of(insats_id, by_insats)
        month = table.c.month
        segment = case(
            (month < window.previous_first, Segment.BEFORE_PREVIOUS.value),
            (month <= window.previous_last, Segment.PREVIOUS.value),
            (month < window.first, Segment.BETWEEN.value),
            else_=Segment.CURRENT.value,
        ).label("segment")
        keys = [segment, table.c.gender, table.c.figure, table.c.code]
        if closing is not None:
            keys.insert(1, case((table.c.known_by <= closing, True), else_=False).label("closed"))
        if by_insats:
            keys.insert(0, table.c.insats_id)
        figure = table.c.figure
        in_periods: ColumnElement[bool] = or_(
            month >= window.first,
            and_(month >= window.previous_first, month <= window.previous_last),
        )
        if not base.reads_started:
            in_periods = and_(in_periods, ~figure.startswith(STARTED_PREFIX, autoescape=True))
        # Outside both periods only the opening stock is needed (and the breakdowns' stock).
        needed_outside: list[ColumnElement[bool]] = [figure.in_(OPENING_STOCK)]
        if base.from_stock:
            needed_outside += [
                figure.startswith(prefix, autoescape=True)
                for prefix in (BREAKDOWN_PREFIX, STARTED_PREFIX)
            ]
        query = (
            select(*keys, func.sum(table.c.value))
            .where(month <= window.last, or_(in_periods, *needed_outside))
            .group_by(*keys)
        )
        if insats_id is not None:
            query = query.where(table.c.insats_id == insats_id)
        rows = []
        for row in await self._session.execute(query):
            values = list(row)
            insats = values.pop(0) if by_insats else insats_id
            closed = bool(values.pop(1)) if closing is not None else True
            rows.append(ReadRow(insats, Segment(values[0]), closed, *values[1:]))
        return rows

    async def counted_by(self, month: str) -> bool:
        # The first such row answers: no scan for the earliest of all.
        table = tables.monthly
        found = await self._session.scalar(
            select(table.c.known_by).where(table.c.known_by <= month).limit(1)
        )
        return found is not None

    async def month_rows(
        self, insats_id: str | None, first_month: str, last_month: str
    ) -> list[MonthRow]:
        table = _cells_of(insats_id)
        month = case((table.c.month < first_month, None), else_=table.c.month).label("in_month")
        keys = (month, table.c.gender, table.c.figure)
        query = (
            select(*keys, func.sum(table.c.value))
            .where(table.c.month <= last_month, table.c.figure.in_(OPENING_STOCK))
            .group_by(*keys)
        )
        if insats_id is not None:
            query = query.where(table.c.insats_id == insats_id)
        return [MonthRow(*row) for row in await self._session.execute(query)]

    async def year_rows(self, insats_id: str | None, last_year: int) -> list[YearRow]:
        statement, parameters = _YEAR_SUMS, {"last_year": str(last_year)}
        if insats_id is not None:
            statement, parameters = _YEAR_SUMS_OF_INSATS, {**parameters, "insats_id": insats_id}
        return [
            YearRow(int(year), gender, figure, value)
            for year, gender, figure, value in await self._session.execute(statement, parameters)
        ]

    async def first_month(self, insats_id: str | None) -> str | None:
        table = tables.monthly
        # A voided registration leaves its months at 0: registered there is nobody.
        # An insats's is found at once in the key's order, the förbund's in the months'.
        query = select(func.min(table.c.month)).where(table.c.value != 0)
        if insats_id is not None:
            query = query.where(table.c.insats_id == insats_id)
        return await self._session.scalar(query)

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


_CUSTOM_PLANS = "force_custom_plan"
"""How a connection that has read a report plans its statements (set once, it stays): each
time with its values. A report's statements are prepared (asyncpg), and after five runs
PostgreSQL may keep a generic plan, blind to the months asked: the whole förbund's reads of
a month then scanned the table (44 ms of CPU instead of 10), its trend walked every month's
cells. Planning anew costs a tenth of a millisecond a statement; a consumer's batch on the
same connection plans its few statements anew too."""


@asynccontextmanager
async def report_reader(sessions: async_sessionmaker) -> AsyncIterator[SqlReportReader]:
    # Only reads, each statement on its own (autocommit): no BEGIN and COMMIT, two of a
    # report's round trips. A transaction would not make them one snapshot either (read
    # committed): what a read must see, it reads first (`ReportSource.read_book`).
    async with sessions() as session:
        connection = await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        if dialect_of(session) == "postgresql" and not connection.info.get(_CUSTOM_PLANS):
            await connection.exec_driver_sql(f"SET plan_cache_mode = {_CUSTOM_PLANS}")
            connection.info[_CUSTOM_PLANS] = True
        yield SqlReportReader(session)
