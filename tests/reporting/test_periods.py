"""Report periods, months and the same period a year earlier (pure domain logic)."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.reporting.domain.errors import InvalidReportQuery
from services.reporting.domain.months import Month
from services.reporting.domain.periods import parse_period


def test_helar_is_the_calendar_year() -> None:
    period = parse_period(2025, "helar", 8)
    assert period.as_json() == {"kind": "helar", "from": "2025-01-01", "to": "2025-12-31"}
    assert (str(period.first_month), str(period.last_month)) == ("2025-01", "2025-12")


def test_delar_ends_with_the_configured_month() -> None:
    assert parse_period(2025, "delar", 8).as_json() == {
        "kind": "delar",
        "from": "2025-01-01",
        "to": "2025-08-31",
    }
    assert parse_period(2025, "delar", 6).last == date(2025, 6, 30)


def test_a_month_and_the_same_month_a_year_earlier() -> None:
    february = parse_period(2024, "2024-02", 8)
    assert february.as_json() == {"kind": "month", "from": "2024-02-01", "to": "2024-02-29"}
    assert february.previous_year().as_json() == {
        "kind": "month",
        "from": "2023-02-01",
        "to": "2023-02-28",
    }


@pytest.mark.parametrize(
    ("year", "period", "field"),
    [
        (2025, "2024-06", "period"),
        (2025, "sommar", "period"),
        (2025, "2025-13", "period"),
        (2025, "2025-6", "period"),
        (2025, "q5", "period"),
        (2025, "q0", "period"),
        (1899, "helar", "year"),
        (10_000, "helar", "year"),
    ],
)
def test_a_period_it_cannot_answer_names_the_field(year: int, period: str, field: str) -> None:
    with pytest.raises(InvalidReportQuery) as refused:
        parse_period(year, period, 8)
    assert refused.value.field == field


@given(st.integers(1901, 9999), st.integers(1, 12), st.integers(1, 11))
def test_every_period_lies_in_its_year_and_its_previous_one_year_before(
    year: int, month: int, delar_end_month: int
) -> None:
    for name in ("helar", "delar", f"q{(month + 2) // 3}", f"{year:04d}-{month:02d}"):
        period = parse_period(year, name, delar_end_month)
        previous = period.previous_year()
        assert period.first.year == period.last.year == year
        assert period.first <= period.last
        assert previous.kind == period.kind
        assert (previous.first.year, previous.first.month, previous.last.month) == (
            year - 1,
            period.first.month,
            period.last.month,
        )


def test_a_quarter_is_its_three_calendar_months() -> None:
    assert parse_period(2025, "q1", 8).as_json() == {
        "kind": "quarter",
        "from": "2025-01-01",
        "to": "2025-03-31",
    }
    q4 = parse_period(2024, "q4", 8)
    assert (str(q4.first_month), str(q4.last_month)) == ("2024-10", "2024-12")
    assert q4.previous_year().as_json() == {
        "kind": "quarter",
        "from": "2023-10-01",
        "to": "2023-12-31",
    }


@pytest.mark.parametrize("text", ["2025-00", "2025-13", "2025-1", "25-01", "2025-01-01", ""])
def test_a_month_is_parsed_from_yyyy_mm_only(text: str) -> None:
    with pytest.raises(ValueError):
        Month.parse(text)


def test_a_month_knows_its_days_its_quarter_and_the_next() -> None:
    february = Month.parse("2024-02")
    assert (february.first_day, february.last_day) == (date(2024, 2, 1), date(2024, 2, 29))
    assert str(february) == "2024-02" and february.quarter == 1
    assert Month.parse("2025-12").next() == Month(2026, 1)
    assert Month(2025, 12).quarter == 4
    assert sorted([Month(2026, 1), Month(2025, 12), Month(2025, 2)]) == [
        Month(2025, 2),
        Month(2025, 12),
        Month(2026, 1),
    ]


@given(st.dates(max_value=date(9999, 11, 30)))
def test_the_month_of_a_day_holds_it(day: date) -> None:
    month = Month.of(day)
    assert month.first_day <= day <= month.last_day
    assert month.next().first_day == month.last_day + timedelta(days=1)
