"""Setting an insats's goals (the förbund's admins) and reading them (each report's goals:
`domain/report_book.py`)."""

from collections.abc import Sequence

from services.reporting.domain.goals import Goal
from services.reporting.service_layer.economy import OpenReader, require_insats, require_readable
from services.reporting.service_layer.unit_of_work import UnitOfWork


async def set_goals(uow: UnitOfWork, insats_id: str, goals: Sequence[Goal]) -> None:
    """Replace the insats's goals; raises `UnknownInsats`."""
    async with uow:
        await require_insats(uow, insats_id)
        await uow.goals.replace(insats_id, goals)
        await uow.commit()


async def stored_goals(open_reader: OpenReader, insats_id: str) -> list[Goal]:
    """The insats's goals in order; raises `UnknownInsats`."""
    async with open_reader() as reader:
        await require_readable(reader, insats_id)
        return (await reader.goals.of([insats_id])).get(insats_id, [])
