"""A report's context (`ReportContext`) in one statement: the meta row, with the insatser,
targets, goals, budgets and costs beside it, each table's rows as one JSON array (a round
trip and a statement's execution each, in Python and in PostgreSQL, were most of the cost of
reading them)."""

import json
from typing import Any

from sqlalchemy import JSON, ColumnElement, and_, bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from services.reporting.adapters import tables
from services.reporting.domain.goals import GOALS
from services.reporting.domain.model import Insats
from services.reporting.domain.readings import Window
from services.reporting.domain.report_context import DatedCost, ReportContext
from services.reporting.domain.reports import ProcessedThrough
from shared.contract.access import as_utc
from shared.platform.projection import META_ID


class _JsonRows(FunctionElement[Any]):
    """Each row's values as a JSON array, all rows' as one array (NULL or `[]`: none), as
    the dialect writes it."""

    type = JSON()
    inherit_cache = True


@compiles(_JsonRows, "postgresql")
def _json_rows_postgresql(element: _JsonRows, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_agg(json_build_array({compiler.process(element.clauses, **kw)}))"


@compiles(_JsonRows, "sqlite")
def _json_rows_sqlite(element: _JsonRows, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_group_array(json_array({compiler.process(element.clauses, **kw)}))"


def _rows(*columns: ColumnElement, where: ColumnElement[bool] | None = None) -> Any:
    rows = select(_JsonRows(*columns))
    return (rows if where is None else rows.where(where)).scalar_subquery()


def _statement() -> Any:
    insatser, targets, goals = tables.insatser, tables.targets, tables.goals
    budgets, costs, meta = tables.budgets, tables.costs, tables.meta
    month = costs.c.month
    return select(
        meta.c.processed_position,
        meta.c.processed_occurred_at,
        _rows(insatser.c.insats_id, insatser.c.name, insatser.c.registration, insatser.c.position),
        _rows(targets.c.insats_id, targets.c.share, targets.c.percent),
        _rows(goals.c.insats_id, goals.c.position, goals.c.goal),
        _rows(
            budgets.c.insats_id,
            budgets.c.year,
            budgets.c.budget,
            where=budgets.c.year.in_([bindparam("year"), bindparam("previous_year")]),
        ),
        _rows(
            costs.c.insats_id,
            month,
            costs.c.known_by,
            costs.c.amount,
            where=or_(
                and_(month >= bindparam("first"), month <= bindparam("last")),
                and_(month >= bindparam("previous_first"), month <= bindparam("previous_last")),
            ),
        ),
    ).where(meta.c.id == META_ID)


_STATEMENT = _statement()
"""Built once: each report only binds its window's months and years."""


async def read_report_context(session: AsyncSession, window: Window) -> ReportContext:
    year, previous_year = window.years
    parameters = {
        "year": year,
        "previous_year": previous_year,
        "first": window.first,
        "last": window.last,
        "previous_first": window.previous_first,
        "previous_last": window.previous_last,
    }
    row = (await session.execute(_STATEMENT, parameters)).one()
    position, occurred_at, insatser, targets, goals, budgets, costs = row
    by_share: dict[str, dict[str, int]] = {}
    for insats_id, share, percent in targets or ():
        by_share.setdefault(insats_id, {})[share] = percent
    given: dict[str, list] = {}
    for insats_id, _position, goal in sorted(goals or ()):
        given.setdefault(insats_id, []).append(json.loads(goal))
    budgeted: dict[int, dict[str, int]] = {}
    for insats_id, of_year, budget in budgets or ():
        budgeted.setdefault(of_year, {})[insats_id] = budget
    return ReportContext(
        ProcessedThrough(position, None if occurred_at is None else as_utc(occurred_at)),
        sorted((Insats(*insats) for insats in insatser or ()), key=lambda of: of.insats_id),
        by_share,
        {insats_id: GOALS.validate_python(of) for insats_id, of in given.items()},
        window,
        budgeted,
        [DatedCost(*cost) for cost in costs or ()],
    )
