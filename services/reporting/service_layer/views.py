"""Reports and the list of insatser, as the API and the pages read them."""

import re
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from shared.events import INSATS_ID_PATTERN
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
                # Not of an id's form (it may even hold a NUL, which PostgreSQL refuses to
                # compare): it names no insats.
                well_formed = re.fullmatch(INSATS_ID_PATTERN, insats) is not None
                known = await reader.insats(insats) if well_formed else None
                if known is None:
                    raise UnknownInsats(insats)
                name = known.name
            previous = asked.previous_year()
            rows = await reader.period_rows(insats, asked.first_month, asked.last_month)
            previous_rows = await reader.period_rows(
                insats, previous.first_month, previous.last_month
            )
        return report_document(rows, previous_rows, asked, insats, name, processed)

    async def insatser(self) -> list[dict]:
        """Every insats registered: `insats_id`, `name`, `registration`."""
        async with self._open_reader() as reader:
            return [insats.as_json() for insats in await reader.insatser()]
