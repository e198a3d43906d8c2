"""What one record adds to the monthly figures (pure domain logic)."""

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.reporting.domain.breakdowns import completed_months
from services.reporting.domain.contributions import (
    Cell,
    accumulate,
    change_delta,
    contributions,
    volume_contributions,
)
from shared.contract.codes import (
    FOLLOWUP_MONTHS,
    followup_due,
)
from shared.contract.records import FollowupRecord, ParticipantRecord, StepMovement
from tests.reporting.support import KNOWN_AT_START, followup_record, records


def _open(**fields) -> ParticipantRecord:
    return ParticipantRecord(
        participant_id="P1", insats_id="a", gender="kvinna", start_date=date(2024, 3, 10), **fields
    )


def _nonzero(cells: dict[Cell, float]) -> dict[Cell, float]:
    return {cell: value for cell, value in cells.items() if value != 0}


def _by_figure(cells: dict[Cell, float]) -> dict[tuple[str, str, str], float]:
    return {(cell.month, cell.figure, cell.code): value for cell, value in cells.items()}


def test_an_open_participant_counts_as_new_and_by_its_start_in_the_start_month_only() -> None:
    assert _by_figure(contributions(_open(birth_year=1985, vas_start=40))) == {
        ("2024-03", "new", ""): 1,
        # The breakdowns known at the start, values unbanded (2024 − 1985 = 39).
        ("2024-03", "breakdown_started:age_band", "39"): 1,
        ("2024-03", "breakdown_started:education", "okand"): 1,
        ("2024-03", "breakdown_started:support_at_start", "okand"): 1,
        ("2024-03", "breakdown_started:years_in_support", "okand"): 1,
        ("2024-03", "breakdown_started:referrer", "okand"): 1,
        ("2024-03", "breakdown_started:municipality", "okand"): 1,
    }


def test_an_ended_participant_adds_the_exit_figures_in_the_end_month() -> None:
    record = _open(
        birth_year=1985,
        support_at_start=("a_kassa", "sjukpenning"),
        years_in_support=4,
        municipality="2480",
        vas_start=40,
        end_date=date(2025, 2, 14),
        reason="arbete",
        outcome_class="positive",
        direct_to_work_or_studies=True,
        health_better=True,
        activity_increased=False,
        work_capacity="narmat",
        vas_end=60,
        respect=6,
        steps={
            "vas": StepMovement(first=40, latest=60),
            "activity_hours": StepMovement(first=10, latest=8),
        },
    )
    added = _by_figure(contributions(record))
    end = {
        (figure, code): value
        for (month, figure, code), value in added.items()
        if month == "2025-02"
    }
    assert added[("2024-03", "new", "")] == 1
    assert end == {
        ("ended", ""): 1,
        ("positive_exits", ""): 1,
        ("direct_to_work_or_studies", ""): 1,
        ("health_answered", ""): 1,
        ("health_better", ""): 1,
        ("activity_answered", ""): 1,
        ("work_capacity_narmat", ""): 1,
        ("days_in_insats", ""): 341,
        ("vas_start_sum", ""): 40,
        ("vas_start_n", ""): 1,
        ("vas_end_sum", ""): 60,
        ("vas_end_n", ""): 1,
        ("respect_sum", ""): 6,
        ("respect_n", ""): 1,
        ("breakdown:reason", "arbete"): 1,
        ("breakdown:age_band", "39"): 1,  # 2024 − 1985, banded when read
        ("breakdown:education", "okand"): 1,
        ("breakdown:support_at_start", "a_kassa"): 1,
        ("breakdown:support_at_start", "sjukpenning"): 1,
        ("breakdown:support_at_end", "okand"): 1,
        ("breakdown:years_in_support", "4"): 1,
        ("breakdown:weeks_in_insats_band", "11"): 1,  # completed months
        ("breakdown:referrer", "okand"): 1,
        ("breakdown:municipality", "2480"): 1,
        # Changes in hundredths (STEP_SCALE): VAS +20, activity −2 hours.
        ("step_n:vas", ""): 1,
        ("step_change_sum:vas", ""): 2000,
        ("step_improved:vas", ""): 1,
        ("step_n:activity_hours", ""): 1,
        ("step_change_sum:activity_hours", ""): -200,
    }
    started = {
        (figure, code)
        for (month, figure, code), value in added.items()
        if month == "2024-03" and figure.startswith("breakdown_started:")
    }
    assert started == {
        ("breakdown_started:age_band", "39"),
        ("breakdown_started:education", "okand"),
        ("breakdown_started:support_at_start", "a_kassa"),
        ("breakdown_started:support_at_start", "sjukpenning"),
        ("breakdown_started:years_in_support", "4"),
        ("breakdown_started:referrer", "okand"),
        ("breakdown_started:municipality", "2480"),
    }
    due = {(month, code) for (month, figure, code) in added if figure == "followup_due"}
    assert due == {("2025-05", "3"), ("2025-08", "6"), ("2026-02", "12")}  # none registered
    assert len(added) == len(end) + 1 + len(started) + len(due)


def _followup(months: int, reached: bool, status: str | None = None) -> FollowupRecord:
    return followup_record(months, date(2025, 8, 20), reached, status)


def _followup_cells(record) -> dict[tuple[str, str, str], float]:
    return {
        key: value
        for key, value in _by_figure(contributions(record)).items()
        if key[1].startswith("followup_")
    }


def test_a_follow_up_counts_in_the_month_it_falls_due_whenever_it_was_registered() -> None:
    ended = _open(end_date=date(2025, 2, 28), reason="sjukdom", outcome_class="other")
    followed = ended.model_copy(
        update={
            "followups": (
                _followup(3, reached=False),
                _followup(6, reached=True, status="arbetssokande"),
                _followup(12, reached=True, status="studier"),
            )
        }
    )
    assert _followup_cells(followed) == {
        ("2025-05", "followup_due", "3"): 1,
        ("2025-08", "followup_due", "6"): 1,
        ("2025-08", "followup_reached", "6"): 1,
        ("2025-08", "followup_positive", "6"): 1,  # positive, not work or studies
        ("2026-02", "followup_due", "12"): 1,
        ("2026-02", "followup_reached", "12"): 1,
        ("2026-02", "followup_work_or_studies", "12"): 1,
        ("2026-02", "followup_positive", "12"): 1,
    }
    moved = ended.model_copy(update={"reason": "annan_insats", "moved_to": "b"})
    assert _followup_cells(moved) == {}  # a move is no exit: nothing falls due
    assert _followup_cells(_open()) == {}


def test_completed_months_count_only_whole_months() -> None:
    assert completed_months(date(2024, 3, 10), date(2025, 2, 14)) == 11
    assert completed_months(date(2024, 3, 10), date(2024, 6, 9)) == 2
    assert completed_months(date(2024, 3, 10), date(2024, 6, 10)) == 3
    assert completed_months(date(2024, 3, 10), date(2024, 3, 10)) == 0


def test_volume_counts_by_gender_in_the_month_of_its_date() -> None:
    assert volume_contributions("v", date(2025, 3, 10), {"kvinna": 12, "man": 0, "annan": 1}) == {
        Cell("v", "2025-03", "kvinna", "volume_participants"): 12,
        Cell("v", "2025-03", "annan", "volume_participants"): 1,
    }


@given(records())
def test_a_record_changed_into_itself_changes_nothing(record) -> None:
    assert change_delta(record, record) == {}


@given(st.none() | records(), st.none() | records())
def test_before_plus_the_delta_is_after(before, after) -> None:
    total = dict(contributions(before))
    accumulate(total, change_delta(before, after))
    assert _nonzero(total) == _nonzero(contributions(after))


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # two records
@given(records(), records(), st.sets(st.sampled_from(KNOWN_AT_START)) | st.just(KNOWN_AT_START))
def test_before_plus_the_delta_is_after_when_the_change_keeps_some_of_the_start(
    before, other, kept
) -> None:
    # A participant's later record: the same start (a check-in, a stop, a correction of the
    # end) or one corrected in part; the delta computes only what differs.
    after = other.model_copy(update={field: getattr(before, field) for field in kept})
    total = dict(contributions(before))
    accumulate(total, change_delta(before, after))
    assert _nonzero(total) == _nonzero(contributions(after))


@given(records())
def test_an_open_record_counts_nothing_but_its_start(record) -> None:
    opened = record.model_copy(update={"end_date": None})
    checked_in = opened.model_copy(update={"steps": {"vas": StepMovement(first=1, latest=99)}})
    assert change_delta(opened, checked_in) == {}


@given(records())
def test_every_cell_is_in_the_start_or_the_end_month_or_where_a_follow_up_is_due(record) -> None:
    months = {f"{record.start_date:%Y-%m}"}
    if record.end_date:
        months.add(f"{record.end_date:%Y-%m}")
        months |= {f"{followup_due(record.end_date, m):%Y-%m}" for m in FOLLOWUP_MONTHS}
    cells = contributions(record)
    assert {cell.month for cell in cells} <= months
    assert {(cell.insats_id, cell.gender) for cell in cells} == {(record.insats_id, record.gender)}
