"""Reports and the list of insatser, as the API and the pages read them."""

import re
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime

from services.reporting.domain.bands import Bands
from services.reporting.domain.bases import Counting
from services.reporting.domain.breakdowns import DEFAULT_BANDS
from services.reporting.domain.closing import Closing, closing, restatements
from services.reporting.domain.document import (
    ClosingModel,
    GoalResult,
    Report,
    ReportFigures,
    Target,
)
from services.reporting.domain.errors import InvalidReportQuery, UnknownInsats
from services.reporting.domain.months import Month
from services.reporting.domain.periods import Period, parse_period
from services.reporting.domain.reports import ProcessedThrough, report_document
from services.reporting.domain.targets import target_results
from services.reporting.service_layer.economy import section_economy
from services.reporting.service_layer.goals import report_goals
from services.reporting.service_layer.unit_of_work import ReportReader
from shared.contract.events import INSATS_ID_PATTERN

OpenReader = Callable[[], AbstractAsyncContextManager[ReportReader]]
Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class ReportSource:
    """What the report API and the HTML pages read reports from."""

    def __init__(
        self,
        open_reader: OpenReader,
        delar_end_month: int,
        month_close_days: int = 5,
        clock: Clock = _utc_now,
        bands: Mapping[str, Bands] = DEFAULT_BANDS,
    ) -> None:
        """`bands`: the förbund's bands of each banded breakdown (`STEGVIS_BANDS`)."""
        self._open_reader = open_reader
        self._delar_end_month = delar_end_month
        self._month_close_days = month_close_days
        self._clock = clock
        self._bands = bands

    async def report(
        self,
        year: int,
        period: str,
        insats: str | None,
        as_closed: bool = False,
        counting: Counting = Counting(),
    ) -> Report:
        """The report as the JSON API answers it (`insats` None: the whole förbund), with
        its economy, targets and goals and whether it was restated since its last month
        closed; `as_closed`: the figures as they were when it closed; `counting`: whom its
        breakdowns count, and the bands asked for beside the förbund's.

        Raises `InvalidReportQuery` for a period it cannot answer, `UnknownInsats`.
        """
        asked = parse_period(year, period, self._delar_end_month)
        counting = counting.over(self._bands)
        async with self._open_reader() as reader:
            # Read first: the figures read after it include at least this much.
            processed = await reader.processed_through()
            name = await _insats_name(reader, insats)
            first_known = await reader.first_known_month()
            closed = closing(
                asked.last_month,
                Month.parse(first_known) if first_known else None,
                self._clock(),
                self._month_close_days,
            )
            if as_closed and not closed.recorded:
                raise InvalidReportQuery("as_closed", _not_recorded(closed))
            now, targets_now, goals_now = await _document(
                reader, asked, insats, name, processed, counting
            )
            shown, targets, goals = now, targets_now, goals_now
            changed = []
            if closed.recorded:
                then, targets_then, goals_then = await _document(
                    reader, asked, insats, name, processed, counting, str(asked.last_month)
                )
                changed = restatements(now, then)
                if as_closed:
                    shown, targets, goals = then, targets_then, goals_then
        return Report(
            **dict(shown),
            targets=targets,
            goals=goals,
            closing=ClosingModel(
                **closed.as_json(), as_closed=as_closed, restated=bool(changed), changes=changed
            ),
        )

    async def insatser(self) -> list[dict]:
        """Every insats registered: `insats_id`, `name`, `registration`."""
        async with self._open_reader() as reader:
            return [insats.as_json() for insats in await reader.insatser()]

    async def targets(self, insats: str) -> dict[str, int]:
        """The insats's targets (share: whole percent); raises `UnknownInsats`."""
        async with self._open_reader() as reader:
            await _insats_name(reader, insats)
            return (await reader.targets([insats])).get(insats, {})


def _not_recorded(closed: Closing) -> str:
    if not closed.closed:
        return f"the period has not closed yet (it closes at {closed.closes_at.isoformat()})"
    return "the period closed before Stegvis counted any figures"


async def _insats_name(reader: ReportReader, insats: str | None) -> str | None:
    if insats is None:
        return None
    # Not of an id's form (it may even hold a NUL, which PostgreSQL refuses to compare):
    # it names no insats.
    well_formed = re.fullmatch(INSATS_ID_PATTERN, insats) is not None
    known = await reader.insats(insats) if well_formed else None
    if known is None:
        raise UnknownInsats(insats)
    return known.name


async def _document(
    reader: ReportReader,
    asked: Period,
    insats: str | None,
    name: str | None,
    processed: ProcessedThrough,
    counting: Counting,
    known_by: str | None = None,
) -> tuple[ReportFigures, list[Target], list[GoalResult]]:
    """The report from the figures known by the closing of `known_by` (None: all), with the
    economy of both periods, and the targets and goals of the insats, or of every insats for
    the whole förbund, beside it."""
    previous = asked.previous_year()

    async def of(insats_id: str | None, insats_name: str | None) -> ReportFigures:
        base = counting.base
        rows = await reader.period_rows(
            insats_id, str(asked.first_month), str(asked.last_month), known_by, base
        )
        previous_rows = await reader.period_rows(
            insats_id, str(previous.first_month), str(previous.last_month), known_by, base
        )
        return report_document(
            rows, previous_rows, asked, insats_id, insats_name, processed, counting
        )

    document = await of(insats, name)
    if insats is not None:
        targets = (await reader.targets([insats])).get(insats, {})
        results = target_results(targets, document)
    else:
        names = {known.insats_id: known.name for known in await reader.insatser()}
        results = []
        for insats_id, targets in sorted((await reader.targets(list(names))).items()):
            of_insats = await of(insats_id, names[insats_id])
            results += [
                result.model_copy(update={"insats": insats_id, "insats_name": names[insats_id]})
                for result in target_results(targets, of_insats)
            ]
    document.economy = await section_economy(reader, asked, insats, document)
    document.previous_year.economy = await section_economy(
        reader, previous, insats, document.previous_year
    )
    return document, results, await report_goals(reader, insats, document, of)
