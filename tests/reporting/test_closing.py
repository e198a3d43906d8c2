"""Months as they closed: when a month closes, which closing a change was in time for, and
that the figures as closed are what a projection of the events accepted until then gives,
whatever arrived later, in whatever batches."""

import asyncio
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.reporting.adapters.memory import MemoryDatabase
from services.reporting.domain.bases import Base, Counting
from services.reporting.domain.closing import closes_at, closing, known_by, restatements
from services.reporting.domain.contributions import Contributions
from services.reporting.domain.document import Report
from services.reporting.domain.months import Month
from services.reporting.domain.periods import parse_period
from services.reporting.domain.reports import ProcessedThrough
from services.reporting.service_layer.handlers import apply_changes
from shared.contract.records import ParticipantRecord, ParticipantRecordChanged
from tests.reporting.strategies import histories, periods
from tests.reporting.support import changed, report_of

PROCESSED = ProcessedThrough(1, None)


def test_a_month_closes_at_swedish_midnight_after_its_grace_days() -> None:
    # Summer time (UTC+2), winter time (UTC+1), and across the new year.
    assert closes_at(Month.parse("2025-03"), 5) == datetime(2025, 4, 5, 22, 0, tzinfo=UTC)
    assert closes_at(Month.parse("2025-10"), 0) == datetime(2025, 10, 31, 23, 0, tzinfo=UTC)
    assert closes_at(Month.parse("2025-12"), 10) == datetime(2026, 1, 10, 23, 0, tzinfo=UTC)


def test_a_change_is_known_by_the_first_closing_after_intake_accepted_it() -> None:
    march_closes = closes_at(Month.parse("2025-03"), 5)
    assert known_by(march_closes - timedelta(microseconds=1), 5) == "2025-03"
    assert known_by(march_closes, 5) == "2025-04"
    # Accepted early in April, a change is still in time for March's closing.
    assert known_by(datetime(2025, 4, 2, 12, 0, tzinfo=UTC), 5) == "2025-03"
    assert known_by(datetime(2025, 12, 31, 23, 30, tzinfo=UTC), 0) == "2026-01"


def test_a_period_has_figures_as_closed_once_it_closed_while_stegvis_counted() -> None:
    now = datetime(2025, 6, 1, tzinfo=UTC)
    assert closing(Month.parse("2025-05"), True, now, 5).as_json() == {
        "closes_at": "2025-06-06T00:00:00+02:00",
        "closed": False,
        "recorded": False,
    }
    assert closing(Month.parse("2025-04"), True, now, 5).recorded
    # Closed before the first figure was known: nothing was counted at its closing.
    assert not closing(Month.parse("2024-12"), False, now, 5).recorded


def _with(report: Report, ended: dict, reasons: dict, last_year_ended: int) -> Report:
    """The report with these values set (the rest 0, as of nobody)."""
    changed = report.model_copy(deep=True)
    for column, value in ended.items():
        setattr(changed.figure("ended"), column, value)
    for code, total in reasons.items():
        changed.breakdown("reason")[code].total = total
    changed.previous_year.figure("ended").total = last_year_ended
    return changed


def test_restatements_name_each_changed_value_of_the_period() -> None:
    empty = report_of({}, parse_period(2025, "helar", 8), None, None, PROCESSED)
    closed = _with(empty, {"total": 2, "kvinna": 1}, {"arbete": 1, "sjukdom": 1}, 9)
    now = _with(empty, {"total": 3, "kvinna": 1}, {"arbete": 2, "sjukdom": 1}, 7)
    assert [change.model_dump() for change in restatements(now, closed)] == [
        {
            "section": "breakdowns",
            "name": "reason",
            "code": "arbete",
            "column": "total",
            "as_closed": 1,
            "now": 2,
        },
        {
            "section": "figures",
            "name": "ended",
            "code": "",
            "column": "total",
            "as_closed": 2,
            "now": 3,
        },
    ]
    assert restatements(now, now) == []


def _known_by(cells: Contributions, month: str) -> Contributions:
    return {cell: value for cell, value in cells.items() if cell.known_by <= month}


@st.composite
def moments_near_closings(draw) -> datetime:
    """Within ten days of a month's closing: where being in time or late is decided."""
    month = Month(draw(st.integers(2022, 2026)), draw(st.integers(1, 12)))
    return closes_at(month, 5) + timedelta(minutes=draw(st.integers(-14_400, 14_400)))


@st.composite
def accepted_histories(draw) -> list[ParticipantRecordChanged]:
    """Each participant's changes, accepted at intake at increasing moments over 2022–2026."""
    changes: list[ParticipantRecordChanged] = []
    for versions in draw(histories()):
        moments = sorted(
            draw(st.lists(moments_near_closings(), min_size=len(versions), max_size=len(versions)))
        )
        for before, after, moment in zip([None, *versions], versions, moments):
            position = len(changes) + 1
            changes.append(
                ParticipantRecordChanged(
                    change_id=f"c{position}",
                    generation=1,
                    position=position,
                    occurred_at=moment,
                    insats_id=after.insats_id,
                    participant_id=after.participant_id,
                    before=before,
                    after=after,
                )
            )
    return changes


async def _projection(changes, batches: list[int]) -> Contributions:
    database = MemoryDatabase()
    start = 0
    for size in batches:
        await apply_changes(database.unit_of_work(), changes[start : start + size], 5)
        start += size
    await apply_changes(database.unit_of_work(), changes[start:], 5)
    return database.state.monthly


@settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60, deadline=None
)
@given(accepted_histories(), periods(), st.data())
async def test_a_rebuild_reproduces_every_period_as_it_closed(changes, period, data) -> None:
    """The report as it stood at the closing (only what intake had accepted by then) equals
    the report as closed that reporting answers later from the whole log, after late
    changes, in any order and batching (a rebuild replays the same log)."""
    closed_at = closes_at(period.last_month, 5)
    at_closing = [change for change in changes if change.occurred_at < closed_at]
    seen_at_closing = await _projection(at_closing, [])

    replayed = data.draw(st.permutations(changes))
    batches = data.draw(st.lists(st.integers(1, 5), max_size=5))
    rebuilt = await _projection(replayed, batches)

    # Whomever the breakdowns count.
    counting = Counting(data.draw(st.sampled_from(Base)))
    then = report_of(seen_at_closing, period, None, None, PROCESSED, counting)
    known = _known_by(rebuilt, str(period.last_month))
    as_closed = report_of(known, period, None, None, PROCESSED, counting)
    assert as_closed == then
    late = [change for change in changes if change.occurred_at >= closed_at]
    if not late:
        assert report_of(rebuilt, period, None, None, PROCESSED, counting) == then


def test_a_late_correction_restates_the_month_but_not_its_figures_as_closed() -> None:
    started = ParticipantRecord(
        participant_id="P1", insats_id="a", gender="kvinna", start_date=date(2025, 1, 8)
    )
    to_work = changed(
        started, {"end_date": date(2025, 2, 20), "reason": "arbete", "outcome_class": "positive"}
    )
    ill = changed(to_work, {"reason": "sjukdom", "outcome_class": "other"})

    def accepted(position: int, moment: datetime, before, after) -> ParticipantRecordChanged:
        return ParticipantRecordChanged(
            change_id=f"c{position}",
            generation=1,
            position=position,
            occurred_at=moment,
            insats_id="a",
            participant_id="P1",
            before=before,
            after=after,
        )

    changes = [
        accepted(1, datetime(2025, 1, 10, tzinfo=UTC), None, started),
        accepted(2, datetime(2025, 3, 3, tzinfo=UTC), started, to_work),
        accepted(3, datetime(2025, 5, 1, tzinfo=UTC), to_work, ill),
    ]
    cells = asyncio.run(_projection(changes, []))
    february = parse_period(2025, "2025-02", 8)

    def exits(report: Report) -> tuple:
        return tuple(
            report.figure(name).total for name in ("ended", "positive_exits", "other_exits")
        )

    now = report_of(cells, february, None, None, PROCESSED)
    as_closed = report_of(_known_by(cells, "2025-02"), february, None, None, PROCESSED)
    assert (exits(as_closed), exits(now)) == ((1, 1, 0), (1, 0, 1))
    restated = {(c.name, c.column) for c in restatements(now, as_closed) if c.section == "figures"}
    assert restated == {
        ("positive_exits", "total"),
        ("positive_exits", "kvinna"),
        ("other_exits", "total"),
        ("other_exits", "kvinna"),
    }
    # The helår closes after the correction: as closed, it already counts it.
    year = parse_period(2025, "helar", 8)
    assert report_of(_known_by(cells, "2025-12"), year, None, None, PROCESSED) == report_of(
        cells, year, None, None, PROCESSED
    )
