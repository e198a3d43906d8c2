"""A report's development over time, as the series API and the page's trend and monthly
charts read it: each year's helår since the first registration, and each month of a period;
the page reads its report and both charts in one read."""

from dataclasses import dataclass

from services.reporting.domain.document import Counts, Report
from services.reporting.domain.model import Insats
from services.reporting.domain.months import Month
from services.reporting.domain.periods import parse_period
from services.reporting.domain.series import (
    Series,
    SeriesYear,
    helar_sums,
    month_flows,
    series_years,
)
from services.reporting.service_layer.unit_of_work import ReportReader
from services.reporting.service_layer.views import (
    Clock,
    OpenReader,
    ReportQuery,
    ReportSource,
    known_insats,
)
from shared.contract.swedish_time import LOCAL_TIME

MonthFlows = list[tuple[Month, dict[str, Counts]]]
"""Each month of a period with its `series.MONTH_FLOWS`."""


@dataclass(frozen=True)
class Charted:
    """A report with its development: the years through its own (`trend`), its months; and
    every insats registered, read with them."""

    report: Report
    trend: Series
    months: MonthFlows
    insatser: list[Insats]


class SeriesSource:
    def __init__(self, open_reader: OpenReader, delar_end_month: int, clock: Clock) -> None:
        self._open_reader = open_reader
        self._delar_end_month = delar_end_month
        self._clock = clock

    def this_year(self) -> int:
        return self._clock().astimezone(LOCAL_TIME).year

    async def series(
        self, from_year: int | None, to_year: int | None, insats: str | None
    ) -> Series:
        """Each year's helår of the insats (None: the whole förbund), `from_year` (None: the
        year of its first registration) through `to_year` (None: this year).

        Raises `InvalidReportQuery` for years it cannot answer, `UnknownInsats`."""
        async with self._open_reader() as reader:
            await _require_known(reader, insats)
            return await self._series(reader, from_year, to_year, insats)

    async def charted(self, reports: ReportSource, query: ReportQuery) -> Charted:
        """The report (as `ReportSource.report`) with its years since the first registration,
        its months and every insats registered, from one read. Raises what
        `ReportSource.report` raises."""
        async with self._open_reader() as reader:
            # The book looks the insats up first.
            book = await reports.read_book(reader, query)
            trend = await self._series(reader, None, query.year, query.insats)
            months = await self._months(reader, query.year, query.period, query.insats)
        return Charted(book.report(query.insats, query.as_closed), trend, months, book.registered)

    async def _series(
        self, reader: ReportReader, from_year: int | None, to_year: int | None, insats: str | None
    ) -> Series:
        first = await reader.first_month(insats)
        years = series_years(
            from_year,
            self.this_year() if to_year is None else to_year,
            Month.parse(first).year if first else None,
        )
        # Of the figures and shares only (no breakdown is shown): one sum by year.
        rows = await reader.year_rows(insats, years[-1])
        return Series(
            years=[
                SeriesYear.of(year, sums)
                for year, sums in zip(years, helar_sums(rows, years), strict=True)
            ]
        )

    async def _months(
        self, reader: ReportReader, year: int, period: str, insats: str | None
    ) -> MonthFlows:
        """Each month of the period with its new, ended and ongoing at its end
        (`series.MONTH_FLOWS`)."""
        asked = parse_period(year, period, self._delar_end_month)
        rows = await reader.month_rows(insats, str(asked.first_month), str(asked.last_month))
        return month_flows(rows, asked)


async def _require_known(reader: ReportReader, insats: str | None) -> None:
    """Raises `UnknownInsats` unless the insats (None: the whole förbund) is registered."""
    if insats is not None:
        known_insats(await reader.insatser(), insats)
