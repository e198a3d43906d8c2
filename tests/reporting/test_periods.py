"""Report periods and the same period a year earlier (pure domain logic)."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.reporting.domain.errors import InvalidReportQuery
from services.reporting.domain.periods import parse_period


def test_helar_is_the_calendar_year() -> None:
    period = parse_period(2025, "helar", 8)
    assert period.as_json() == {"kind": "helar", "from": "2025-01-01", "to": "2025-12-31"}
    assert (period.first_month, period.last_month) == ("2025-01", "2025-12")


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
    for name in ("helar", "delar", f"{year:04d}-{month:02d}"):
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
