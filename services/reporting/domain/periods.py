"""Report periods: helår, delår (through a configured month) or one month, and the same
period a year earlier."""

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Literal

from services.reporting.domain.contributions import month_of
from services.reporting.domain.errors import InvalidReportQuery

PeriodKind = Literal["helar", "delar", "month"]

MIN_YEAR = 1900
MAX_YEAR = 9999
_MONTH = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    first: date
    last: date

    # Cached: a report compares every monthly row with them.
    @cached_property
    def first_month(self) -> str:
        return month_of(self.first)

    @cached_property
    def last_month(self) -> str:
        return month_of(self.last)

    def previous_year(self) -> "Period":
        return _months(self.kind, self.first.year - 1, self.first.month, self.last.month)

    def as_json(self) -> dict:
        return {"kind": self.kind, "from": self.first.isoformat(), "to": self.last.isoformat()}


def _months(kind: PeriodKind, year: int, first_month: int, last_month: int) -> Period:
    last_day = calendar.monthrange(year, last_month)[1]
    return Period(kind, date(year, first_month, 1), date(year, last_month, last_day))


def parse_period(year: int, period: str, delar_end_month: int) -> Period:
    """The period `period` (`helar`, `delar` or `YYYY-MM`) of `year`."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidReportQuery("year", f"must be between {MIN_YEAR} and {MAX_YEAR}")
    if period == "helar":
        return _months("helar", year, 1, 12)
    if period == "delar":
        return _months("delar", year, 1, delar_end_month)
    match = _MONTH.fullmatch(period)
    if match is None or not 1 <= int(match[2]) <= 12:
        raise InvalidReportQuery("period", "must be helar, delar or a month YYYY-MM")
    if int(match[1]) != year:
        raise InvalidReportQuery("period", f"the month {period} is not in the year {year}")
    month = int(match[2])
    return _months("month", year, month, month)
