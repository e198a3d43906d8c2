"""Bands set by lower edges and the base the breakdowns count (pure domain logic): each
banded breakdown sums to its base's figure and equals a count made directly from the
records, for any records and any edges."""

from collections import Counter
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.reporting.domain.bands import Bands, bands_of
from services.reporting.domain.bases import Base, Counting
from services.reporting.domain.breakdowns import (
    AGE_BAND,
    BANDED,
    DEFAULT_BANDS,
    EDUCATION,
    REASON,
    WEEKS_IN_INSATS_BAND,
    YEARS_IN_SUPPORT,
    age_at_start,
    asked_bands,
    completed_months,
    configured_bands,
)
from services.reporting.domain.errors import InvalidReportQuery
from services.reporting.domain.periods import Period, parse_period
from services.reporting.domain.reports import ProcessedThrough
from shared.contract.records import ParticipantRecord
from tests.reporting.strategies import cells_of, periods
from tests.reporting.support import document_of, records

PROCESSED = ProcessedThrough(1, datetime(2026, 1, 1, tzinfo=UTC))
COLUMNS = ("total", "kvinna", "man", "annan")


def test_edges_give_the_codes_the_förbund_prints() -> None:
    assert bands_of("15,30,45,65").codes() == ("15-29", "30-44", "45-64", "65-")
    assert bands_of([0, 1, 2, 3]).codes() == ("0", "1", "2", "3-")
    bands = bands_of("16,21,26,30")
    assert [bands.code_of(age) for age in (15, 16, 20, 21, 29, 30, 67)] == [
        "okand",
        "16-20",
        "16-20",
        "21-25",
        "26-29",
        "30-",
        "30-",
    ]


def test_the_default_bands_are_the_v1_codes() -> None:
    assert DEFAULT_BANDS[AGE_BAND].codes() == (
        "15-18",
        "19-24",
        "25-29",
        "30-34",
        "35-39",
        "40-44",
        "45-49",
        "50-54",
        "55-59",
        "60-67",
    )
    assert DEFAULT_BANDS[YEARS_IN_SUPPORT].codes() == ("0-1", "2-3", "4-5", "6+")
    assert DEFAULT_BANDS[WEEKS_IN_INSATS_BAND].codes() == ("0-3", "4-6", "7-12", "13+")
    assert DEFAULT_BANDS[AGE_BAND].code_of(68) == "okand"


@pytest.mark.parametrize(
    ("edges", "reason"),
    [
        ("15,x", "whole numbers"),
        ("30,15", "increase"),
        ("15,15", "increase"),
        ("", "whole numbers"),
        ("-1,4", "from 0"),
        (",".join(str(n) for n in range(40)), "from 1 to 30"),
    ],
)
def test_bad_edges_are_refused_naming_the_parameter(edges: str, reason: str) -> None:
    with pytest.raises(InvalidReportQuery) as refused:
        asked_bands({"age_bands": "16,21", "month_bands": edges})
    assert refused.value.field == "month_bands"
    assert reason in refused.value.reason


def test_the_förbund_s_bands_are_checked_by_name_and_edges() -> None:
    assert configured_bands({"age_band": [15, 30]})[AGE_BAND] == Bands((15, 30))
    assert configured_bands({})[YEARS_IN_SUPPORT] == DEFAULT_BANDS[YEARS_IN_SUPPORT]
    with pytest.raises(ValueError, match="not a banded breakdown"):
        configured_bands({"reason": [1, 2]})
    with pytest.raises(ValueError, match="age_band: the edges must increase"):
        configured_bands({"age_band": [30, 15]})


def _value(name: str, record: ParticipantRecord, base: Base, period: Period) -> int | None:
    """The value a banded breakdown counts the record by, worked out from the record."""
    if name == AGE_BAND:
        return age_at_start(record.start_date, record.birth_year)
    if name == YEARS_IN_SUPPORT:
        return record.years_in_support
    ended_in_period = record.end_date is not None and record.end_date <= period.last_month.last_day
    if base in (Base.NEW, Base.ONGOING_AT_END) or not ended_in_period:
        return None
    assert record.end_date is not None
    return completed_months(record.start_date, record.end_date)


def _in_base(record: ParticipantRecord, base: Base, period: Period) -> bool:
    first, last = period.first_month.first_day, period.last_month.last_day
    end = record.end_date
    started, active_at_end = record.start_date <= last, end is None or end > last
    return {
        Base.ENDED: end is not None and first <= end <= last,
        Base.NEW: first <= record.start_date <= last,
        Base.PARTICIPANTS: started and (end is None or end >= first),
        Base.ONGOING_AT_END: started and active_at_end,
    }[base]


def _direct_count(
    records: list[ParticipantRecord], name: str, bands: Bands, base: Base, period: Period
) -> dict[str, Counter]:
    counted: dict[str, Counter] = {}
    for record in records:
        if _in_base(record, base, period):
            value = _value(name, record, base, period)
            code = "okand" if value is None else bands.code_of(value)
            counted.setdefault(code, Counter())[str(record.gender)] += 1
    return counted


edges = st.lists(st.integers(0, 70), min_size=1, max_size=6, unique=True).map(sorted)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(records(insats_ids=st.just("a")), max_size=12),
    periods(),
    st.sampled_from(Base),
    st.sampled_from(sorted(BANDED)),
    edges,
)
def test_each_banded_breakdown_sums_to_its_base_and_is_a_direct_count(
    records, period, base, name, lower_edges
) -> None:
    bands = Bands(tuple(lower_edges))
    counting = Counting(base, {name: bands})
    report = document_of(cells_of(records), period, "a", "A", PROCESSED, counting)
    assert report["base"] == base
    breakdown = report["breakdowns"][name]
    assert tuple(breakdown)[:-1] == bands.codes() and tuple(breakdown)[-1] == "okand"
    for column in COLUMNS:
        assert sum(row[column] for row in breakdown.values()) == report["figures"][base][column]
    direct = _direct_count(records, name, bands, base, period)
    for code, row in breakdown.items():
        by_gender = direct.get(code, Counter())
        assert row == {"total": sum(by_gender.values()), **{g: by_gender[g] for g in COLUMNS[1:]}}


def _participant(n: int, start: date, birth_year: int, end: date | None = None, **fields):
    return ParticipantRecord(
        participant_id=f"P{n}",
        insats_id="a",
        gender="kvinna" if n % 2 else "man",
        start_date=start,
        birth_year=birth_year,
        end_date=end,
        **({"reason": "egen_begaran", "outcome_class": "other"} if end else {}),
        **fields,
    )


def test_a_year_banded_as_the_seed_report_prints_it() -> None:
    """Hikikomori 2017 (Vänersborg/Mellerud): those enrolled at the year's end by age,
    16–20 / 21–25 / 26–29 år, 3 + 16 + 8 = 27; and those ended by months in the insats,
    "upp till 3 månader … 22–24 månader", 8 + 4 + 3 + 2 = 17."""
    ages = [17] * 3 + [23] * 16 + [28] * 8
    ongoing = [_participant(n, date(2017, 1 + n % 12, 1), 2017 - age) for n, age in enumerate(ages)]
    months = [2] * 8 + [5] * 4 + [14] * 3 + [23] * 2
    # Ended on 31 December 2019, each started on the first of the month that many before.
    ended = [
        _participant(
            100 + n,
            date((2019 * 12 + 11 - month) // 12, (11 - month) % 12 + 1, 1),
            1995,
            date(2019, 12, 31),
        )
        for n, month in enumerate(months)
    ]
    assert [completed_months(r.start_date, r.end_date) for r in ended] == months
    period = parse_period(2019, "helar", 8)
    counting = Counting(
        Base.ONGOING_AT_END,
        {
            AGE_BAND: bands_of("16,21,26,30"),
            WEEKS_IN_INSATS_BAND: bands_of("0,4,7,10,13,16,19,22,25"),
        },
    )
    at_end = document_of(cells_of(ongoing + ended), period, "a", "Hikikomori", PROCESSED, counting)
    assert at_end["figures"]["ongoing_at_end"]["total"] == 27
    assert {code: row["total"] for code, row in at_end["breakdowns"][AGE_BAND].items()} == {
        "16-20": 3,
        "21-25": 16,
        "26-29": 8,
        "30-": 0,
        "okand": 0,
    }
    # Those still enrolled have no exit yet: their reasons are all unknown.
    assert at_end["breakdowns"][REASON]["okand"]["total"] == 27
    assert at_end["breakdowns"][EDUCATION]["okand"]["total"] == 27

    exits = document_of(
        cells_of(ongoing + ended),
        period,
        "a",
        "Hikikomori",
        PROCESSED,
        Counting(Base.ENDED, counting.bands),
    )
    assert {
        code: row["total"] for code, row in exits["breakdowns"][WEEKS_IN_INSATS_BAND].items()
    } == {
        "0-3": 8,
        "4-6": 4,
        "7-9": 0,
        "10-12": 0,
        "13-15": 3,
        "16-18": 0,
        "19-21": 0,
        "22-24": 2,
        "25-": 0,
        "okand": 0,
    }
