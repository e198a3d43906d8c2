"""A report's development over time: each year's helår, side by side (the trend, and
`/api/v1/reports/series`), and each month of a period (new, ended, and ongoing at the
month's end), for the page's charts."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from services.reporting.domain import contributions as c
from services.reporting.domain.document import Counts, FiguresModel, Row, Shares, SharesModel
from services.reporting.domain.errors import InvalidReportQuery
from services.reporting.domain.figures import ONGOING_AT_END, OPENING_STOCK
from services.reporting.domain.months import Month
from services.reporting.domain.periods import MAX_YEAR, MIN_YEAR, Period
from services.reporting.domain.readings import PeriodSums
from services.reporting.domain.reports import (
    ByGender,
    count_columns,
    figures_and_shares,
    stock,
)

MAX_YEARS = 50
"""The most years one series spans."""
MONTH_FLOWS = (c.NEW, c.ENDED, ONGOING_AT_END)
"""What the monthly chart shows of each month."""


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Fields per registry entry (as in `document`); to a type checker, plain parts.
if TYPE_CHECKING:
    _Figures = _Part
    _Shares = _Part
else:
    _Figures, _Shares = FiguresModel, SharesModel


class SeriesYear(_Part):
    year: int
    figures: _Figures = Field(description="The year's helår figures, as a report has them")
    shares: _Shares

    def figure(self, name: str) -> Row:
        return getattr(self.figures, name)

    def share(self, name: str) -> Shares:
        return getattr(self.shares, name)

    @classmethod
    def of(cls, year: int, sums: PeriodSums) -> "SeriesYear":
        figures, shares = figures_and_shares(sums)
        return cls(year=year, figures=figures, shares=shares)


class Series(_Part):
    """Each year's helår, oldest first."""

    years: list[SeriesYear]


def series_years(from_year: int | None, to_year: int, first_year: int | None) -> range:
    """The years a series covers: `from_year` (None: the first year anything was
    registered, `first_year`, or `to_year` if nothing was, at most `MAX_YEARS` back)
    through `to_year`.

    Raises `InvalidReportQuery` naming the year out of bounds, or `from_year` after
    `to_year` or too long before it."""
    # Left out, the start is the first registration, but no more than `MAX_YEARS` back.
    since = max(min(first_year or to_year, to_year), to_year - MAX_YEARS + 1)
    start = since if from_year is None else from_year
    for field, year in (("from_year", start), ("to_year", to_year)):
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise InvalidReportQuery(field, f"must be between {MIN_YEAR} and {MAX_YEAR}")
    if start > to_year:
        raise InvalidReportQuery("from_year", "must not be after to_year")
    if to_year - start >= MAX_YEARS:
        raise InvalidReportQuery("from_year", f"a series spans at most {MAX_YEARS} years")
    return range(start, to_year + 1)


@dataclass(frozen=True)
class YearRow:
    """A figure of `reports.FIGURE_SOURCES` of one gender summed over a year's months."""

    year: int
    gender: str
    figure: str
    value: float


def helar_sums(rows: Iterable[YearRow], years: range) -> list[PeriodSums]:
    """Each of `years`'s helår figures, its opening stock summed from every year before it
    (`rows`: every year through the last of `years`)."""
    in_year: dict[int, PeriodSums] = {}
    for row in rows:
        sums = in_year.get(row.year) or in_year.setdefault(row.year, PeriodSums())
        sums.add(row.figure, "", row.gender, row.value)
    before: dict[str, dict[str, float]] = {figure: {} for figure in OPENING_STOCK}
    helar = []
    for year in sorted(in_year.keys() | set(years)):
        sums = in_year.get(year) or PeriodSums()
        if year in years:
            for figure, values in before.items():
                for gender, value in values.items():
                    sums.add_before(figure, "", gender, value)
            helar.append(sums)
        for figure, values in before.items():
            _add(values, sums.of(figure))
    return helar


@dataclass(frozen=True)
class MonthRow:
    """`new` or `ended` of one gender summed over a month of the period (`month`), or over
    every month before it (`month` None)."""

    month: str | None
    gender: str
    figure: str
    value: float


def _add(into: dict[str, float], values: ByGender) -> None:
    for gender, value in values.items():
        into[gender] = into.get(gender, 0) + value


def month_flows(rows: Iterable[MonthRow], period: Period) -> list[tuple[Month, dict[str, Counts]]]:
    """Each month of `period` with its `MONTH_FLOWS` by gender: its new and ended, and
    those ongoing at its end (the opening stock, counted as a report's, plus the months'
    new less their ended so far)."""
    before: dict[str, dict[str, float]] = {figure: {} for figure in OPENING_STOCK}
    in_month: dict[tuple[str, str], dict[str, float]] = {}
    for row in rows:
        into = (
            before[row.figure]
            if row.month is None
            else in_month.setdefault((row.month, row.figure), {})
        )
        _add(into, {row.gender: row.value})
    flows = []
    month = period.first_month
    while month <= period.last_month:
        new, ended = (in_month.get((str(month), figure), {}) for figure in (c.NEW, c.ENDED))
        ongoing = stock(before, new, ended)[ONGOING_AT_END]
        counts = {c.NEW: new, c.ENDED: ended, ONGOING_AT_END: ongoing}
        flows.append((month, {name: Counts(**count_columns(counts[name])) for name in MONTH_FLOWS}))
        _add(before[c.NEW], new)
        _add(before[c.ENDED], ended)
        month = month.next()
    return flows
