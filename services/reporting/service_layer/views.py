"""Reports and the list of insatser, as the API and the pages read them."""

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from services.reporting.domain.errors import UnknownInsats
from services.reporting.domain.periods import parse_period
from services.reporting.domain.reports import report_document
from services.reporting.service_layer.unit_of_work import ReportReader

OpenReader = Callable[[], AbstractAsyncContextManager[ReportReader]]


class ReportSource:
    """What the report API and the HTML pages read reports from."""

    def __init__(self, open_reader: OpenReader, delar_end_month: int) -> None:
        self._open_reader = open_reader
        self._delar_end_month = delar_end_month

    async def report(self, year: int, period: str, insats: str | None) -> dict:
        """The report as the JSON API answers it (`insats` None: the whole förbund).

        Raises `InvalidReportQuery` for a period it cannot answer, `UnknownInsats`.
        """
        asked = parse_period(year, period, self._delar_end_month)
        async with self._open_reader() as reader:
            # Read first: the figures read after it include at least this much.
            processed = await reader.processed_through()
            name = None
            if insats is not None:
                known = await reader.insats(insats)
                if known is None:
                    raise UnknownInsats(insats)
                name = known.name
            rows = await reader.monthly_rows(
                insats, asked.previous_year().first_month, asked.last_month
            )
        return report_document(rows, asked, insats, name, processed)

    async def insatser(self) -> list[dict]:
        """Every insats registered: `insats_id`, `name`, `registration`."""
        async with self._open_reader() as reader:
            return [insats.as_json() for insats in await reader.insatser()]
