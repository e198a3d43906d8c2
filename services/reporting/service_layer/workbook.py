"""The reports an export is made of, each set from one read: the workbook's (the whole
förbund's beside each insats's, and their överblick), the published ones, suppressed together
so that no two published exports of a period give away, side by side, a count either hides,
and the överblick of every insats side by side."""

from dataclasses import dataclass, replace

from services.reporting.domain.document import Overview, Report
from services.reporting.domain.errors import UnknownInsats
from services.reporting.domain.model import Insats
from services.reporting.domain.overview import overview
from services.reporting.domain.suppression import suppress_together
from services.reporting.service_layer.views import ReportQuery, ReportSource


@dataclass(frozen=True)
class ReportSet:
    """The asked report first, then, for the whole förbund, each insats's in the order of
    `insatser` (the insatser registered)."""

    reports: list[Report]
    insatser: list[Insats]

    def overview(self) -> Overview:
        """Every insats's report side by side with the whole förbund's (a set of the whole
        förbund's only)."""
        return overview(self.reports, self.insatser)


async def report_set(
    source: ReportSource, query: ReportQuery, published_at: int | None = None
) -> ReportSet:
    """The reports of the asked one's workbook; `published_at` (a threshold): suppressed for
    publishing, every report of the förbund together, whichever is asked, so the whole
    förbund's export and each insats's agree on what they hide.

    Raises what `ReportSource.report` raises.
    """
    insats = query.insats
    if published_at is not None:
        forbund = await report_set(source, replace(query, insats=None))
        published = suppress_together(forbund.reports, published_at)
        if insats is None:
            return ReportSet(published, forbund.insatser)
        for report in published:
            if report.insats == insats:
                return ReportSet([report], forbund.insatser)
        raise UnknownInsats(insats)
    book = await source.book(query, every=insats is None)
    if insats is not None:
        return ReportSet([book.report(insats, query.as_closed)], book.insatser)
    return ReportSet(book.every_report(query.as_closed), book.insatser)


async def overview_of(
    source: ReportSource,
    threshold: int,
    year: int,
    period: str,
    as_closed: bool = False,
    published: bool = False,
) -> Overview:
    """Every insats side by side with the whole förbund (`published`: as published, from
    the reports suppressed together).

    Raises what `ReportSource.report` raises.
    """
    query = ReportQuery(year, period, None, as_closed)
    read = await report_set(source, query, threshold if published else None)
    return read.overview()
