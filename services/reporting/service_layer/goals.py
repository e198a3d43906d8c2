"""Setting an insats's goals (the förbund's admins), reading them, and the goals each
report lists."""

from collections.abc import Awaitable, Callable, Sequence

from services.reporting.domain.document import GoalResult, ReportFigures
from services.reporting.domain.goals import Goal, goal_results
from services.reporting.service_layer.economy import OpenReader, require_insats, require_readable
from services.reporting.service_layer.unit_of_work import ReportReader, UnitOfWork


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


async def report_goals(
    reader: ReportReader,
    insats: str | None,
    document: ReportFigures,
    report_of: Callable[[str, str | None], Awaitable[ReportFigures]],
) -> list[GoalResult]:
    """The goals of the insats beside its `document`'s outcomes; for the whole förbund
    (`insats` None), every insats's beside its own report (`report_of(insats, name)`), each
    with its `insats`."""
    if insats is not None:
        return goal_results((await reader.goals.of([insats])).get(insats, []), document)
    names = {known.insats_id: known.name for known in await reader.insatser()}
    results = []
    for insats_id, goals in sorted((await reader.goals.of(list(names))).items()):
        report = await report_of(insats_id, names[insats_id])
        results += [
            result.model_copy(update={"insats": insats_id})
            for result in goal_results(goals, report)
        ]
    return results
