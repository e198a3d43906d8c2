"""The reports an export is made of, each set from one read: the workbook's (the whole
förbund's beside each insats's, and their överblick), the published ones, suppressed together
so that no two published exports of a period give away, side by side, a count either hides,
and the överblick of every insats side by side."""

from dataclasses import dataclass

from services.reporting.domain.bases import Counting
from services.reporting.domain.document import Overview, Report
from services.reporting.domain.errors import UnknownInsats
from services.reporting.domain.model import Insats
from services.reporting.domain.overview import overview
from services.reporting.domain.suppression import suppress_together
from services.reporting.service_layer.views import ReportSource


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


async def workbook_reports(
    source: ReportSource,
    year: int,
    period: str,
    insats: str | None,
    as_closed: bool = False,
    counting: Counting = Counting(),
) -> ReportSet:
    """The reports of the asked one's workbook (`as_closed`, `counting`: see
    `ReportSource.report`).

    Raises what `ReportSource.report` raises.
    """
    book = await source.book(year, period, insats, as_closed, counting, every=insats is None)
    if insats is not None:
        return ReportSet([book.report(insats, as_closed)], book.insatser)
    return ReportSet(book.every_report(as_closed), book.insatser)


async def published_reports(
    source: ReportSource,
    threshold: int,
    year: int,
    period: str,
    insats: str | None,
    as_closed: bool = False,
    counting: Counting = Counting(),
) -> ReportSet:
    """`workbook_reports` suppressed for publishing: every report of the förbund is
    suppressed together, whichever is asked, so the whole förbund's export and each
    insats's agree on what they hide.

    Raises what `ReportSource.report` raises.
    """
    forbund = await workbook_reports(source, year, period, None, as_closed, counting)
    published = suppress_together(forbund.reports, threshold)
    if insats is None:
        return ReportSet(published, forbund.insatser)
    for report in published:
        if report.insats == insats:
            return ReportSet([report], forbund.insatser)
    raise UnknownInsats(insats)


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
    if published:
        read = await published_reports(source, threshold, year, period, None, as_closed)
    else:
        read = await workbook_reports(source, year, period, None, as_closed)
    return read.overview()
