"""Duplicated and out-of-order events, through outcomes and then reporting on real SQL
(SQLite and PostgreSQL): whatever order intake's events arrive in, and however often, the
report's figures end as those of the log."""

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from services.outcomes import bootstrap as outcomes
from services.outcomes.adapters import tables
from services.outcomes.adapters.unit_of_work import SqlUnitOfWork as OutcomesUnitOfWork
from services.outcomes.service_layer.handlers import PositionedEvent, apply_events
from services.reporting import bootstrap as reporting
from services.reporting.adapters.repositories import report_reader
from services.reporting.adapters.unit_of_work import SqlUnitOfWork as ReportingUnitOfWork
from services.reporting.domain.document import report_json
from services.reporting.service_layer.handlers import apply_changes
from services.reporting.service_layer.views import ReportSource
from shared.contract.codes import OutcomePolicy
from shared.contract.events import (
    InsatsDefined,
    ParticipantProgressed,
    ParticipantStarted,
    ParticipantStopped,
)
from shared.contract.records import parse_outcome_change
from shared.platform.service import migrated_sessions
from shared.platform.settings import Settings

LOG = [
    PositionedEvent(n, event)
    for n, event in enumerate(
        [
            InsatsDefined(insats_id="a", name="Arbetsrehab", registration="individ"),
            ParticipantStarted(
                insats_id="a",
                participant_id="P1",
                start_date=date(2025, 1, 10),
                gender="kvinna",
                vas=30,
            ),
            ParticipantStarted(
                insats_id="a",
                participant_id="P2",
                start_date=date(2025, 2, 1),
                gender="man",
                vas=60,
            ),
            ParticipantProgressed(
                insats_id="a", participant_id="P1", date=date(2025, 3, 1), vas=50
            ),
            ParticipantStopped(
                insats_id="a",
                participant_id="P1",
                end_date=date(2025, 4, 1),
                reason="arbete",
                health_better=True,
                vas=70,
            ),
            ParticipantProgressed(
                insats_id="a", participant_id="P2", date=date(2025, 5, 1), vas=40
            ),
            ParticipantStopped(
                insats_id="a",
                participant_id="P2",
                end_date=date(2025, 6, 1),
                reason="sjukdom",
                health_better=False,
            ),
        ],
        start=1,
    )
]

# Batches of positions as they arrive; a position twice is the same event delivered twice.
ARRIVALS = {
    "in order": [[1], [2], [3], [4], [5], [6], [7]],
    "stops before starts": [[5], [7, 6], [2, 2], [3], [4, 1], [5], [3]],
    "progress before start": [[4], [6], [1], [3, 6], [2], [7], [5], [4, 2]],
    "all at once, reversed, twice": [[7, 6, 5, 4, 3, 2, 1, 7, 6, 5, 4, 3, 2, 1]],
}


@pytest.fixture
async def sessions(database_url: str, tmp_path: Path) -> AsyncIterator[tuple]:
    """Outcomes' and reporting's sessions, each on its own migrated tables."""
    settings = Settings(database_url=database_url, data_dir=tmp_path)
    async with (
        migrated_sessions(settings, outcomes.SERVICE, outcomes.REVISIONS_DIR) as outcome,
        migrated_sessions(settings, reporting.SERVICE, reporting.REVISIONS_DIR) as report,
    ):
        yield outcome, report


async def _published(sessions: async_sessionmaker) -> list:
    async with sessions() as session:
        rows = await session.scalars(select(tables.outbox.c.body).order_by(tables.outbox.c.id))
        return [parse_outcome_change(body) for body in rows]


@pytest.mark.parametrize("arrival", ARRIVALS)
async def test_duplicates_and_any_order_end_in_the_figures_of_the_log(sessions, arrival) -> None:
    outcome_sessions, report_sessions = sessions
    assert {position for batch in ARRIVALS[arrival] for position in batch} == set(range(1, 8))
    for batch in ARRIVALS[arrival]:
        await apply_events(
            OutcomesUnitOfWork(outcome_sessions, lambda: None),
            [LOG[position - 1] for position in batch],
            OutcomePolicy(),
        )
    changes = await _published(outcome_sessions)
    # Reporting too gets them out of order (retries), and twice (a relay's re-send).
    for change in [*reversed(changes), *changes]:
        await apply_changes(ReportingUnitOfWork(report_sessions), [change], close_days=5)

    source = ReportSource(lambda: report_reader(report_sessions), delar_end_month=8)
    figures = report_json(await source.report(2025, "helar", None))["figures"]
    steps = report_json(await source.report(2025, "helar", "a"))["step_movement"]

    def total(name: str) -> int | float | None:
        return figures[name]["total"]

    assert [total(name) for name in ("participants", "new", "ended", "ongoing_at_end")] == [
        2,
        2,
        2,
        0,
    ]
    assert figures["new"] == {"total": 2, "kvinna": 1, "man": 1, "annan": 0}
    assert [
        total(name)
        for name in (
            "positive_exits",
            "other_exits",
            "health_better",
            "health_answered",
            "direct_to_work_or_studies",
        )
    ] == [1, 1, 1, 2, 1]
    assert total("mean_weeks_in_insats") == 14.4  # (81 + 120) days / 2 / 7
    # P1's VAS 30 → 70 and P2's 60 → 40, first and latest by date whatever the arrival.
    assert steps["vas"]["mean_change"] == {
        "total": 10.0,
        "kvinna": 40.0,
        "man": -20.0,
        "annan": None,
    }
    assert steps["vas"]["improved"]["total"] == 1
