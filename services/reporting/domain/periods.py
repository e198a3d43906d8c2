"""Report periods: helår, delår (through a configured month), a calendar quarter or one
month, and the same period a year earlier."""

from dataclasses import dataclass
from datetime import date
from typing import Literal

from services.reporting.domain.errors import InvalidReportQuery
from services.reporting.domain.months import Month, quarter_months

PeriodKind = Literal["helar", "delar", "quarter", "month"]

MIN_YEAR = 1900
MAX_YEAR = 9999


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    first_month: Month
    last_month: Month

    @property
    def first(self) -> date:
        return self.first_month.first_day

    @property
    def last(self) -> date:
        return self.last_month.last_day

    def previous_year(self) -> "Period":
        return _months(self.kind, self.first.year - 1, self.first.month, self.last.month)

    def as_json(self) -> dict:
        return {"kind": self.kind, "from": self.first.isoformat(), "to": self.last.isoformat()}


def _months(kind: PeriodKind, year: int, first_month: int, last_month: int) -> Period:
    return Period(kind, Month(year, first_month), Month(year, last_month))


QUARTERS = {f"q{number}": number for number in range(1, 5)}
"""How a query names each calendar quarter."""


def parse_period(year: int, period: str, delar_end_month: int) -> Period:
    """The period `period` (`helar`, `delar`, `q1`…`q4` or `YYYY-MM`) of `year`."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidReportQuery("year", f"must be between {MIN_YEAR} and {MAX_YEAR}")
    if period == "helar":
        return _months("helar", year, 1, 12)
    if period == "delar":
        return _months("delar", year, 1, delar_end_month)
    if period in QUARTERS:
        return _months("quarter", year, *quarter_months(QUARTERS[period]))
    try:
        month = Month.parse(period)
    except ValueError:
        raise InvalidReportQuery(
            "period", "must be helar, delar, a quarter q1..q4 or a month YYYY-MM"
        ) from None
    if month.year != year:
        raise InvalidReportQuery("period", f"the month {period} is not in the year {year}")
    return Period("month", month, month)
