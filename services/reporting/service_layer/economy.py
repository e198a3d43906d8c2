"""Setting an insats's budgets and costs (the förbund's admins), and reading what is stored
(each report's economy: `domain/report_book.py`)."""

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from services.reporting.domain.economy import Budget
from services.reporting.domain.errors import UnknownInsats
from services.reporting.service_layer.unit_of_work import ReportReader, UnitOfWork

OpenReader = Callable[[], AbstractAsyncContextManager[ReportReader]]


async def require_insats(uow: UnitOfWork, insats_id: str) -> None:
    """Raises `UnknownInsats` unless the insats is registered (within `uow`)."""
    if not await uow.insatser.known(insats_id):
        raise UnknownInsats(insats_id)


async def require_readable(reader: ReportReader, insats_id: str) -> None:
    """Raises `UnknownInsats` unless the insats is registered (as `reader` reads)."""
    if await reader.insats(insats_id) is None:
        raise UnknownInsats(insats_id)


async def set_budget(uow: UnitOfWork, insats_id: str, year: int, budget: Budget) -> None:
    """Replace the insats's budget of `year`; raises `UnknownInsats`."""
    async with uow:
        await require_insats(uow, insats_id)
        await uow.money.set_budget(insats_id, year, budget)
        await uow.commit()


async def set_cost(uow: UnitOfWork, insats_id: str, month: str, amount: int, known_by: str) -> None:
    """Replace the insats's cost of `month` from the closing of the month `known_by` on
    (the closings before keep the cost they knew); raises `UnknownInsats`."""
    async with uow:
        await require_insats(uow, insats_id)
        await uow.money.set_cost(insats_id, month, amount, known_by)
        await uow.commit()


async def stored_budget(open_reader: OpenReader, insats_id: str, year: int) -> Budget | None:
    """The insats's budget of `year` (None: not set); raises `UnknownInsats`."""
    async with open_reader() as reader:
        await require_readable(reader, insats_id)
        return await reader.money.budget(insats_id, year)


async def stored_cost(open_reader: OpenReader, insats_id: str, month: str) -> int | None:
    """The insats's cost of `month` (None: not set); raises `UnknownInsats`."""
    async with open_reader() as reader:
        await require_readable(reader, insats_id)
        return await reader.money.cost(insats_id, month)
