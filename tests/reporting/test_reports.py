"""A period's report from the monthly figures (pure domain logic)."""

import random
from datetime import UTC, date, datetime
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from services.reporting.domain.breakdowns import BREAKDOWNS, MULTI_VALUED
from services.reporting.domain.contributions import (
    Contributions,
    accumulate,
    change_delta,
    volume_contributions,
)
from services.reporting.domain.figures import FIGURES, MEANS, SHARES
from services.reporting.domain.periods import Period, parse_period
from services.reporting.domain.reports import ProcessedThrough, round_half_up
from shared.contract.codes import Reason
from shared.contract.records import ParticipantRecord, StepMovement
from tests.reporting.strategies import cells_of, histories, periods
from tests.reporting.support import document_of

PROCESSED = ProcessedThrough(42, datetime(2025, 12, 31, 23, 0, tzinfo=UTC))
GENDER_COLUMNS = ("kvinna", "man", "annan")


def _record(participant: str, gender: str, start: date, **fields) -> ParticipantRecord:
    return ParticipantRecord(
        participant_id=participant, insats_id="a", gender=gender, start_date=start, **fields
    )


def _ended(reason: str, end: date, **fields) -> dict:
    return {
        "end_date": end,
        "reason": reason,
        "outcome_class": _CLASSES[reason],
        "direct_to_work_or_studies": reason in {"arbete", "studier"},
        **fields,
    }


_CLASSES = {
    "arbete": "positive",
    "studier": "positive",
    "arbetstraning": "positive",
    "annan_insats": "unclear",
    "sjukdom": "other",
}

# One insats's history (the hand-made year of the end-to-end test).
HISTORY = [
    _record(
        "P1",
        "kvinna",
        date(2024, 3, 10),
        birth_year=1985,
        vas_start=40,
        **_ended(
            "arbete",
            date(2025, 2, 14),
            health_better=True,
            activity_increased=True,
            work_capacity="narmat",
            vas_end=60,
            respect=6,
        ),
    ),
    _record(
        "P2",
        "man",
        date(2024, 11, 1),
        **_ended(
            "annan_insats",
            date(2025, 9, 30),
            health_better=False,
            activity_increased=False,
            work_capacity="lika",
        ),
    ),
    _record(
        "P6",
        "kvinna",
        date(2024, 5, 5),
        **_ended("arbetstraning", date(2024, 10, 10), health_better=True),
    ),
    _record(
        "P3",
        "kvinna",
        date(2025, 1, 15),
        vas_start=30,
        steps={"vas": StepMovement(first=30, latest=55)},
        **_ended("studier", date(2025, 6, 15), health_better=True, vas_end=55, respect=5),
    ),
    _record("P4", "annan", date(2025, 4, 1)),
    _record("P5", "man", date(2025, 8, 20), **_ended("sjukdom", date(2025, 12, 31))),
    _record(
        "P7", "man", date(2025, 10, 1), steps={"activity_hours": StepMovement(first=5, latest=12)}
    ),
]


def _report(cells: Contributions, period: Period, insats: str | None = "a") -> dict:
    return document_of(cells, period, insats, "Arbetsrehab", PROCESSED)


def _columns(total, kvinna, man, annan) -> dict:
    return {"total": total, "kvinna": kvinna, "man": man, "annan": annan}


def test_the_year_of_one_insats_worked_out_by_hand() -> None:
    report = _report(cells_of(HISTORY), parse_period(2025, "helar", 8))
    assert list(report) == [
        "insats",
        "insats_name",
        "base",
        "period",
        "figures",
        "shares",
        "breakdowns",
        "step_movement",
        "activities",
        "flows",
        "people",
        "followup",
        "previous_year",
        "processed_through",
    ]
    assert (report["insats"], report["insats_name"]) == ("a", "Arbetsrehab")
    assert report["processed_through"] == {
        "position": 42,
        "occurred_at": "2025-12-31T23:00:00+00:00",
    }
    f = report["figures"]
    assert list(f) == list(FIGURES)
    assert f["opening"] == _columns(2, 1, 1, 0)
    assert f["new"] == _columns(4, 1, 2, 1)
    assert f["participants"] == _columns(6, 2, 3, 1)
    assert f["ended"] == _columns(4, 2, 2, 0)
    assert f["ongoing_at_end"] == _columns(2, 0, 1, 1)
    assert f["positive_exits"] == _columns(2, 2, 0, 0)
    assert f["unclear_exits"] == _columns(1, 0, 1, 0)
    assert f["other_exits"] == _columns(1, 0, 1, 0)
    assert f["direct_to_work_or_studies"] == _columns(2, 2, 0, 0)
    assert f["health_better"] == _columns(2, 2, 0, 0)
    assert f["health_answered"] == _columns(3, 2, 1, 0)
    assert f["activity_increased"] == _columns(1, 1, 0, 0)
    assert f["activity_answered"] == _columns(2, 1, 1, 0)
    assert f["work_capacity_narmat"] == _columns(1, 1, 0, 0)
    assert f["work_capacity_lika"] == _columns(1, 0, 1, 0)
    assert f["work_capacity_langre_bort"] == _columns(0, 0, 0, 0)
    # Days: P1 341 + P3 151 = 492 (k), P2 333 + P5 133 = 466 (m); 958 / 28 = 34.21.
    assert f["mean_weeks_in_insats"] == _columns(34.2, 35.1, 33.3, None)
    assert f["vas_mean_at_start"] == _columns(35.0, 35.0, None, None)
    assert f["vas_mean_at_end"] == _columns(57.5, 57.5, None, None)
    assert f["respect_mean"] == _columns(5.5, 5.5, None, None)
    assert f["volume_participants"] == _columns(0, 0, 0, 0)
    assert all(type(value) is int for value in f["ended"].values())
    # Shares are whole percentages of those ended (health: of those who answered).
    shares = report["shares"]
    assert shares["positive_exits"] == _columns(50, 100, 0, None)
    assert shares["unclear_exits"] == _columns(25, 0, 50, None)
    assert shares["health_better"] == _columns(67, 100, 0, None)  # 2 of 3 answered
    assert shares["activity_increased"] == _columns(50, 100, 0, None)

    breakdowns = report["breakdowns"]
    assert list(breakdowns) == list(BREAKDOWNS)
    assert list(breakdowns["reason"]) == [*(reason.value for reason in Reason), "okand"]
    assert breakdowns["reason"]["arbete"] == _columns(1, 1, 0, 0)
    assert breakdowns["reason"]["pension"] == _columns(0, 0, 0, 0)
    assert breakdowns["age_band"]["35-39"] == _columns(1, 1, 0, 0)
    assert breakdowns["age_band"]["okand"] == _columns(3, 1, 2, 0)
    assert breakdowns["weeks_in_insats_band"]["4-6"] == _columns(2, 1, 1, 0)  # P3 5, P5 4
    assert list(breakdowns["municipality"]) == ["okand"]
    # P7's movement is not counted: still in the insats.
    assert report["step_movement"] == {
        "vas": {
            "participants": _columns(1, 1, 0, 0),
            "improved": _columns(1, 1, 0, 0),
            "mean_change": _columns(25.0, 25.0, None, None),
        }
    }

    last = report["previous_year"]
    assert last["period"] == {"kind": "helar", "from": "2024-01-01", "to": "2024-12-31"}
    assert last["figures"]["new"] == _columns(3, 2, 1, 0)
    assert last["figures"]["ended"] == _columns(1, 1, 0, 0)
    assert last["figures"]["ongoing_at_end"] == _columns(2, 1, 1, 0)
    assert last["figures"]["direct_to_work_or_studies"] == _columns(0, 0, 0, 0)
    assert last["breakdowns"]["reason"]["arbetstraning"] == _columns(1, 1, 0, 0)


def test_a_month_counts_its_opening_stock_from_every_month_before() -> None:
    june = _report(cells_of(HISTORY), parse_period(2025, "2025-06", 8))["figures"]
    assert june["opening"] == _columns(3, 1, 1, 1)  # P2, P3, P4
    assert june["ended"] == _columns(1, 1, 0, 0)
    assert june["mean_weeks_in_insats"]["total"] == 21.6  # 151 / 7 = 21.57


def test_the_whole_forbund_sums_the_insatser_and_lists_the_municipalities_of_both_years() -> None:
    cells = cells_of(
        [
            *HISTORY,
            _record(
                "Q1",
                "kvinna",
                date(2024, 2, 1),
                municipality="2460",
                **_ended("sjukdom", date(2024, 3, 31)),
            ).model_copy(update={"insats_id": "b"}),
        ]
    )
    accumulate(cells, volume_contributions("v", date(2025, 3, 10), {"kvinna": 12, "man": 8}))
    whole = _report(cells, parse_period(2025, "helar", 8), insats=None)
    assert whole["figures"]["new"] == _columns(4, 1, 2, 1)
    assert whole["figures"]["volume_participants"] == _columns(20, 12, 8, 0)
    assert whole["previous_year"]["figures"]["ended"] == _columns(2, 2, 0, 0)
    assert whole["breakdowns"]["municipality"] == {
        "2460": _columns(0, 0, 0, 0),
        "okand": _columns(4, 2, 2, 0),
    }
    assert whole["previous_year"]["breakdowns"]["municipality"] == {
        "2460": _columns(1, 1, 0, 0),
        "okand": _columns(1, 1, 0, 0),
    }


def test_means_round_half_up_on_exact_fractions() -> None:
    assert round_half_up(Fraction(5, 100)) == 0.1
    assert round_half_up(Fraction(3425, 100)) == 34.3
    assert round_half_up(Fraction(-5, 100)) == -0.1
    assert round_half_up(Fraction(4999, 100_000)) == 0.0
    assert round_half_up(Fraction(151, 7)) == 21.6


@given(st.integers(-(10**6), 10**6), st.integers(1, 10**4))
def test_rounding_is_to_the_nearest_tenth_with_halves_away_from_zero(
    numerator: int, denominator: int
) -> None:
    value = Fraction(numerator, denominator)
    rounded = Fraction(str(round_half_up(value)))
    assert (rounded * 10).denominator == 1
    assert abs(rounded - value) <= Fraction(1, 20)
    if abs(rounded - value) == Fraction(1, 20):
        assert abs(rounded) > abs(value)


def _applied_in_any_order(history: list[list[ParticipantRecord]], rng: random.Random):
    changes = [
        (before, after)
        for versions in history
        for before, after in zip([None, *versions], versions)
    ]
    rng.shuffle(changes)
    cells: Contributions = {}
    for before, after in changes:
        accumulate(cells, change_delta(before, after))
    return cells


@given(histories(), periods(), st.randoms(use_true_random=False))
def test_reports_from_changes_in_any_order_add_up(history, period, rng) -> None:
    report = _report(_applied_in_any_order(history, rng), period, insats=None)
    finals = _report(cells_of(versions[-1] for versions in history), period, insats=None)
    assert report == finals

    for section in (report, report["previous_year"]):
        f = section["figures"]
        for column in ("total", *GENDER_COLUMNS):
            opening, new, ended = (f[name][column] for name in ("opening", "new", "ended"))
            assert opening + new - ended == f["ongoing_at_end"][column]
            assert f["participants"][column] == opening + new
            assert min(opening, f["ongoing_at_end"][column]) >= 0
            exits = ("positive_exits", "unclear_exits", "other_exits")
            assert sum(f[name][column] for name in exits) == ended
            for name, codes in section["breakdowns"].items():
                if name not in MULTI_VALUED:
                    assert sum(c[column] for c in codes.values()) == ended, name
        for name, whole in SHARES.items():
            for column, share in section["shares"][name].items():
                part, of = f[name][column], f[whole][column]
                if of == 0:
                    assert share is None
                else:
                    assert 0 <= share <= 100 and abs(share - 100 * part / of) <= 0.5
        counts = [columns for name, columns in f.items() if name not in MEANS]
        counts += [c for codes in section["breakdowns"].values() for c in codes.values()]
        for columns in counts:
            assert columns["total"] == sum(columns[gender] for gender in GENDER_COLUMNS)
