"""The reports an export is made of: the workbook's (the whole förbund's beside each insats's)
and the published ones, suppressed together so that no two published exports of a period
give away, side by side, a count either hides."""

from services.reporting.domain.bases import Counting
from services.reporting.domain.document import Report
from services.reporting.domain.errors import UnknownInsats
from services.reporting.domain.suppression import suppress_together
from services.reporting.service_layer.views import ReportSource

READ_ATTEMPTS = 3
"""How often the förbund's reports are read again while changes land between the reads."""


async def workbook_reports(
    source: ReportSource,
    year: int,
    period: str,
    insats: str | None,
    as_closed: bool = False,
    counting: Counting = Counting(),
) -> list[Report]:
    """The asked report first, then, for the whole förbund (`insats` None), each insats's in
    the order `source.insatser()` lists them (`as_closed`, `counting`: see
    `ReportSource.report`).

    Raises what `ReportSource.report` raises.
    """
    if insats is not None:
        return [await source.report(year, period, insats, as_closed, counting)]
    for _ in range(READ_ATTEMPTS):
        reports = [await source.report(year, period, None, as_closed, counting)]
        for known in await source.insatser():
            reports.append(
                await source.report(year, period, known["insats_id"], as_closed, counting)
            )
        # Read one by one, the reports may straddle a change. Through the same position,
        # the förbund's is the sum of the insatser's, as the suppression assumes; failing
        # that, each sheet shows the position it reached.
        if len({report.processed_through.position for report in reports}) == 1:
            break
    return reports


async def published_reports(
    source: ReportSource,
    threshold: int,
    year: int,
    period: str,
    insats: str | None,
    as_closed: bool = False,
    counting: Counting = Counting(),
) -> list[Report]:
    """`workbook_reports` suppressed for publishing: every report of the förbund is
    suppressed together, whichever is asked, so the whole förbund's export and each
    insats's agree on what they hide.

    Raises what `ReportSource.report` raises.
    """
    forbund = await workbook_reports(source, year, period, None, as_closed, counting)
    published = suppress_together(forbund, threshold)
    if insats is None:
        return published
    for report in published:
        if report.insats == insats:
            return [report]
    raise UnknownInsats(insats)
