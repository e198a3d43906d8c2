"""The follow-ups after the stop in a report: counted in the period where each falls due
(the stop date plus the months), by kön, beside last year's; a move is never due; hidden
when published like every count of people; restated when one is registered late."""

from datetime import UTC, date, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.reporting.domain.bases import Counting
from services.reporting.domain.closing import restatements
from services.reporting.domain.periods import parse_period
from services.reporting.domain.reports import ProcessedThrough
from services.reporting.domain.suppression import suppress
from shared.contract.codes import OutcomePolicy
from shared.contract.records import FollowupRecord, ParticipantRecord
from tests.reporting.strategies import cells_of, histories, periods
from tests.reporting.support import document_of, followup_record, report_of

PROCESSED = ProcessedThrough(7, datetime(2025, 12, 31, tzinfo=UTC))
POLICY = OutcomePolicy()
HELAR_2025 = parse_period(2025, "helar", 8)


def _ended(
    code: str, gender: str, end: date, reason: str = "sjukdom", **fields
) -> ParticipantRecord:
    return ParticipantRecord(
        participant_id=code,
        insats_id="a",
        gender=gender,
        start_date=date(2023, 1, 10),
        end_date=end,
        reason=reason,
        outcome_class=POLICY.outcome_class(reason),
        **fields,
    )


def _after(months: int, reached: bool, status: str | None = None) -> FollowupRecord:
    return followup_record(months, date(2025, 10, 1), reached, status)


RECORDS = [
    # Due after six months in 2025: K1, M1, K2, K4; in 2024: A1; K3's in 2026.
    _ended("K1", "kvinna", date(2024, 12, 15), "arbete", followups=(_after(6, True, "arbete"),)),
    _ended("M1", "man", date(2025, 3, 10), followups=(_after(6, False),)),
    _ended("K2", "kvinna", date(2025, 1, 31), followups=(_after(6, True, "sjukdom"),)),
    _ended("M2", "man", date(2025, 5, 20), "annan_insats", moved_to="b"),  # a move: never due
    _ended("K3", "kvinna", date(2025, 8, 1)),
    _ended("A1", "annan", date(2024, 3, 1), followups=(_after(6, True, "arbetssokande"),)),
    _ended("K4", "kvinna", date(2025, 6, 30)),  # due 2025-12-30, not registered
]


def _columns(total, kvinna, man, annan) -> dict:
    return {"total": total, "kvinna": kvinna, "man": man, "annan": annan}


def test_a_follow_up_counts_where_it_falls_due_by_kon_beside_last_year() -> None:
    report = document_of(
        cells_of(RECORDS), HELAR_2025, "a", "A", PROCESSED, Counting(followups=(3, 6))
    )
    assert list(report["followup"]) == ["3", "6"]  # those the förbund makes, not 12
    six = report["followup"]["6"]
    assert list(six) == ["due", "reached", "reached_percent", "work_or_studies", "positive"]
    assert six["due"] == _columns(4, 3, 1, 0)
    assert six["reached"] == _columns(2, 2, 0, 0)
    assert six["reached_percent"] == _columns(50, 67, 0, None)
    assert six["work_or_studies"] == _columns(1, 1, 0, 0)
    assert six["positive"] == _columns(1, 1, 0, 0)
    # After three months: K1 (2025-03), M1, K2, K3, K4; none of them followed up then.
    assert report["followup"]["3"]["due"] == _columns(5, 4, 1, 0)
    assert report["followup"]["3"]["reached"] == _columns(0, 0, 0, 0)
    last_year = report["previous_year"]["followup"]["6"]
    assert last_year["due"] == _columns(1, 0, 0, 1)
    # Job seeking is a positive outcome, but not work or studies.
    assert (last_year["positive"]["annan"], last_year["work_or_studies"]["annan"]) == (1, 0)


def test_the_first_half_counts_only_those_due_in_it() -> None:
    delar = parse_period(2025, "q2", 8)
    report = document_of(cells_of(RECORDS), delar, "a", "A", PROCESSED, Counting(followups=(6,)))
    assert report["followup"]["6"]["due"] == _columns(1, 1, 0, 0)  # K1, 2025-06-15


def test_published_the_follow_ups_small_counts_are_hidden_with_their_shares() -> None:
    report = report_of(cells_of(RECORDS), HELAR_2025, "a", "A", PROCESSED, Counting(followups=(6,)))
    published = suppress(report, 5).followup["6"]
    assert published.due.model_dump() == _columns(None, None, None, 0)
    assert published.reached.model_dump() == _columns(None, None, 0, 0)
    assert published.reached_percent.model_dump() == _columns(None, None, None, None)


def test_a_follow_up_registered_late_restates_its_period() -> None:
    unregistered = [
        record.model_copy(update={"followups": ()}) if record.participant_id == "K2" else record
        for record in RECORDS
    ]
    counting = Counting(followups=(6,))
    as_closed = report_of(cells_of(unregistered), HELAR_2025, "a", "A", PROCESSED, counting)
    now = report_of(cells_of(RECORDS), HELAR_2025, "a", "A", PROCESSED, counting)
    changed = {
        (change.name, change.code, change.column): (change.as_closed, change.now)
        for change in restatements(now, as_closed)
        if change.section == "followup"
    }
    assert changed == {
        ("6", "reached", "total"): (1, 2),
        ("6", "reached", "kvinna"): (1, 2),
        ("6", "reached_percent", "total"): (25, 50),
        ("6", "reached_percent", "kvinna"): (33, 67),
    }


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories(), periods(), st.sampled_from([(3,), (6,), (3, 6, 12)]))
def test_the_follow_ups_add_up(history, period, followups) -> None:
    finals = [records[-1] for records in history]
    report = document_of(
        cells_of(finals), period, None, None, PROCESSED, Counting(followups=followups)
    )
    for section in (report, report["previous_year"]):
        assert list(section["followup"]) == [str(months) for months in followups]
        for rows in section["followup"].values():
            for column in ("total", "kvinna", "man", "annan"):
                due, reached = rows["due"][column], rows["reached"][column]
                assert 0 <= rows["work_or_studies"][column] <= reached <= due
                assert rows["positive"][column] <= reached
            genders = ("kvinna", "man", "annan")
            assert rows["due"]["total"] == sum(rows["due"][g] for g in genders)
