"""Reports and the list of insatser, as the API and the pages read them."""

from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from services.reporting.domain.bands import Bands
from services.reporting.domain.bases import Counting
from services.reporting.domain.breakdowns import DEFAULT_BANDS
from services.reporting.domain.closing import Closing, closes_at, closing, known_by
from services.reporting.domain.document import Report
from services.reporting.domain.errors import InvalidReportQuery, UnknownInsats
from services.reporting.domain.model import Insats
from services.reporting.domain.periods import parse_period
from services.reporting.domain.readings import Readings, Window
from services.reporting.domain.report_book import ReportBook
from services.reporting.service_layer.unit_of_work import ReportReader

OpenReader = Callable[[], AbstractAsyncContextManager[ReportReader]]
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ReportQuery:
    """A report asked for: of the period `period` of `year` (as `periods.parse_period`
    takes them), of the insats (None: the whole förbund); `as_closed`: its figures as they
    were when its last month closed; `counting`: whom its breakdowns count, and the bands
    asked for beside the förbund's."""

    year: int
    period: str
    insats: str | None = None
    as_closed: bool = False
    counting: Counting = field(default_factory=Counting)


class ReportSource:
    """What the report API and the HTML pages read reports from."""

    def __init__(
        self,
        open_reader: OpenReader,
        delar_end_month: int,
        month_close_days: int = 5,
        clock: Clock = utc_now,
        bands: Mapping[str, Bands] = DEFAULT_BANDS,
        followups: tuple[int, ...] = (),
    ) -> None:
        """`bands`: the förbund's bands of each banded breakdown (`STEGVIS_BANDS`);
        `followups`: the follow-ups it makes, in months after the stop (`STEGVIS_FOLLOWUPS`)."""
        self._open_reader = open_reader
        self._delar_end_month = delar_end_month
        self._month_close_days = month_close_days
        self._clock = clock
        self._bands = bands
        self._followups = followups

    async def report(
        self,
        year: int,
        period: str,
        insats: str | None,
        as_closed: bool = False,
        counting: Counting = Counting(),
    ) -> Report:
        """The report as the JSON API answers it (see `ReportQuery`), with its economy,
        targets and goals and whether it was restated since its last month closed.

        Raises `InvalidReportQuery` for a period it cannot answer, `UnknownInsats`.
        """
        book = await self.book(ReportQuery(year, period, insats, as_closed, counting))
        return book.report(insats, as_closed)

    async def book(self, query: ReportQuery, every: bool = False) -> ReportBook:
        """The reports of the period from one read: of the insats, or (`insats` None) of
        the whole förbund, and of each insats too when `every`; their breakdowns counted
        as `counting` says.

        Raises what `report` raises.
        """
        async with self._open_reader() as reader:
            return await self.read_book(reader, query, every)

    async def read_book(
        self, reader: ReportReader, query: ReportQuery, every: bool = False
    ) -> ReportBook:
        """`book` within a read already open (a page's, with its charts)."""
        insats, as_closed = query.insats, query.as_closed
        asked = parse_period(query.year, query.period, self._delar_end_month)
        counting = query.counting.over(self._bands, self._followups)
        window = Window.of(asked)
        # Read first: the figures read after it include at least its position.
        context = await reader.report_context(window)
        registered = insatser = context.insatser
        if insats is not None:
            insatser = [known_insats(registered, insats)]
        now, close_days = self._clock(), self._month_close_days
        last_month = asked.last_month
        # Before the period closes it has no figures as closed: no need to look.
        closed = closing(
            last_month,
            now >= closes_at(last_month, close_days) and await reader.counted_by(str(last_month)),
            now,
            close_days,
        )
        if as_closed and not closed.recorded:
            raise InvalidReportQuery("as_closed", _not_recorded(closed))
        closing_month = str(asked.last_month) if closed.recorded else None
        settings = context.settings([known.insats_id for known in insatser], closing_month)
        # The whole förbund's targets and goals are read from its insatser's figures.
        by_insats = insats is None and bool(every or settings.targets or settings.goals)
        rows = await reader.report_rows(window, insats, by_insats, closing_month, counting.base)
        return ReportBook(
            asked,
            Readings(rows, whole=by_insats),
            insatser,
            settings,
            context.processed,
            closed,
            counting,
            registered,
        )

    def known_by_now(self) -> str:
        """The first month whose closing counts a change made now (a cost set)."""
        return known_by(self._clock(), self._month_close_days)

    async def insatser(self) -> list[dict]:
        """Every insats registered: `insats_id`, `name`, `registration`."""
        async with self._open_reader() as reader:
            return [insats.as_json() for insats in await reader.insatser()]

    async def targets(self, insats: str) -> dict[str, int]:
        """The insats's targets (share: whole percent); raises `UnknownInsats`."""
        async with self._open_reader() as reader:
            known_insats(await reader.insatser(), insats)
            return (await reader.targets([insats])).get(insats, {})


def _not_recorded(closed: Closing) -> str:
    if not closed.closed:
        return f"the period has not closed yet (it closes at {closed.closes_at.isoformat()})"
    return "the period closed before Stegvis counted any figures"


def known_insats(insatser: list[Insats], insats: str) -> Insats:
    """The insats `insats` of those registered; raises `UnknownInsats`."""
    for known in insatser:
        if known.insats_id == insats:
            return known
    raise UnknownInsats(insats)
