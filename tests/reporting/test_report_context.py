"""A report's context from its one statement (`SqlReportReader.report_context`), on SQLite
and PostgreSQL: what the ports that read each table on its own read, and the money of the
window as now and as a closing knew it."""

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import async_sessionmaker

from services.reporting.adapters.repositories import report_reader
from services.reporting.adapters.unit_of_work import SqlUnitOfWork
from services.reporting.domain.economy import Budget
from services.reporting.domain.goals import GOALS
from services.reporting.domain.model import Insats
from services.reporting.domain.readings import Window
from services.reporting.domain.report_book import PeriodMoney
from services.reporting.domain.reports import ProcessedThrough

WINDOW = Window("2024-01", "2024-06", "2025-01", "2025-06")
"""Delår 2025 and 2024."""
OCCURRED_AT = datetime(2025, 7, 2, 9, 30, 15, 123456, tzinfo=UTC)
GOALS_OF_B = GOALS.validate_python(
    [
        {"figure": "new", "at_least": 5, "gender": "kvinna"},
        {"share": "health_better", "higher_than_previous_year": True},
        {"share": "positive_exits", "at_least_percent": 40},
    ]
)


async def _set(sessions: async_sessionmaker) -> None:
    uow = SqlUnitOfWork(sessions)
    async with uow:
        generation = await uow.meta.lock({})
        await uow.meta.lock({generation: ProcessedThrough(41, OCCURRED_AT)})
        await uow.insatser.register(
            [Insats(of, f"Insats {of}", "individ", position) for position, of in enumerate("cab")]
        )
        await uow.targets.replace("a", {"positive_exits": 40, "health_better": 70})
        await uow.targets.replace("c", {"direct_to_work_or_studies": 15})
        await uow.goals.replace("b", GOALS_OF_B)
        for insats, year, amount in [("a", 2025, 1_200_000), ("a", 2024, 900_000), ("b", 2025, 5)]:
            await uow.money.set_budget(insats, year, Budget(budget=amount))
        await uow.money.set_budget("c", 2023, Budget(budget=7))  # outside the window's years
        for insats, month, amount, known_by in [
            ("a", "2025-01", 100, "2025-02"),
            ("a", "2025-01", 150, "2025-09"),  # restated after the period closed
            ("a", "2025-06", 20, "2025-06"),
            ("a", "2025-07", 999, "2025-08"),  # after the period
            ("a", "2024-03", 30, "2024-04"),
            ("b", "2025-02", 7, "2025-10"),  # first set after the closing
            ("b", "2024-06", 8, "2024-07"),
            ("b", "2023-12", 9, "2024-01"),  # before the year-earlier period
        ]:
            await uow.money.set_cost(insats, month, amount, known_by)
        await uow.commit()


async def test_the_context_is_what_each_table_holds(sessions) -> None:
    await _set(sessions)
    async with report_reader(sessions) as reader:
        context = await reader.report_context(WINDOW)
        assert context.processed == await reader.processed_through()
        assert context.insatser == await reader.insatser()
        every = [known.insats_id for known in context.insatser]
        assert context.targets == await reader.targets(every)
        assert context.goals == await reader.goals.of(every)
    assert context.processed == ProcessedThrough(41, OCCURRED_AT)
    assert [known.insats_id for known in context.insatser] == ["a", "b", "c"]
    assert context.goals == {"b": GOALS_OF_B}

    settings = context.settings(["a", "b"], "2025-06")
    assert settings.targets == {"a": {"positive_exits": 40, "health_better": 70}}
    assert settings.goals == {"b": GOALS_OF_B}
    assert settings.money == PeriodMoney(
        {"a": 1_200_000, "b": 5}, costs={"a": 170, "b": 7}, closed_costs={"a": 120}
    )
    assert settings.previous_money == PeriodMoney(
        {"a": 900_000}, costs={"a": 30, "b": 8}, closed_costs={"a": 30, "b": 8}
    )
    as_now = context.settings(["c"], None)
    assert as_now.targets == {"c": {"direct_to_work_or_studies": 15}}
    assert as_now.goals == {}
    assert as_now.money.closed_costs == as_now.money.costs == {"a": 170, "b": 7}


async def test_an_empty_database_has_an_empty_context(sessions) -> None:
    async with report_reader(sessions) as reader:
        context = await reader.report_context(WINDOW)
    assert context.processed == ProcessedThrough(0, None)
    assert context.insatser == []
    assert context.targets == context.goals == {}
    settings = context.settings([], None)
    assert settings.money == settings.previous_money == PeriodMoney({}, {}, {})
