"""The one read a request's reports are made from, and its rows summed in one pass.

A report shows a period beside the same period a year earlier, each with its opening stock
(those new less those ended in every month before it), now and as its last month closed,
for one insats or the whole förbund; the förbund's also reads each insats's shares for its
targets and goals, and the workbook, the published exports and the överblick every insats's
report. All of them are sums of the same monthly rows, so the database sums those rows once
by where their month lies (`Segment`), whether the period's closing counted them, and, where
more than one scope is asked, by insats; `Readings` sums the rows into every scope and
version at once, and nothing is read again per insats.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

from services.reporting.domain.contributions import BREAKDOWN_PREFIX, STARTED_PREFIX
from services.reporting.domain.figures import OPENING_STOCK
from services.reporting.domain.periods import Period


class Segment(IntEnum):
    """Where a month lies: only `OPENING_STOCK` is read of the months outside both periods."""

    BEFORE_PREVIOUS = 0
    """Before the period a year earlier: both periods' opening stock."""
    PREVIOUS = 1
    """In the period a year earlier; its `OPENING_STOCK` also opens the asked period."""
    BETWEEN = 2
    """After the period a year earlier, before the asked one: the asked period's opening."""
    CURRENT = 3
    """In the asked period."""


@dataclass(frozen=True)
class Window:
    """The months a read covers: the asked period and the same period a year earlier
    (`YYYY-MM`, as the monthly rows are stored)."""

    previous_first: str
    previous_last: str
    first: str
    last: str

    @property
    def years(self) -> tuple[int, int]:
        """The year of the asked period, and the year before (whose budgets it reads)."""
        year = int(self.first[:4])
        return year, year - 1

    @classmethod
    def of(cls, period: Period) -> "Window":
        previous = period.previous_year()
        return cls(
            str(previous.first_month),
            str(previous.last_month),
            str(period.first_month),
            str(period.last_month),
        )


@dataclass(frozen=True)
class ReadRow:
    """A figure summed over a segment's months, of one insats (None: summed over all);
    `closed`: counted by the closing of the asked period's last month."""

    insats_id: str | None
    segment: Segment
    closed: bool
    gender: str
    figure: str
    code: str
    value: float


Codes = dict[str, dict[str, float]]
"""Code → gender → count."""


class PeriodSums:
    """A period's figures, and those of `OPENING_STOCK` before it, by gender; with a stock
    base, the breakdowns' cells before it too (`bases.py`)."""

    def __init__(self) -> None:
        self.in_period: dict[tuple[str, str], dict[str, float]] = {}
        self.before: dict[str, dict[str, float]] = {figure: {} for figure in OPENING_STOCK}
        self.cells_before: dict[tuple[str, str], dict[str, float]] = {}

    def add(self, figure: str, code: str, gender: str, value: float) -> None:
        cell = self.in_period.setdefault((figure, code), {})
        cell[gender] = cell.get(gender, 0) + value

    def add_before(self, figure: str, code: str, gender: str, value: float) -> None:
        if figure in OPENING_STOCK:
            cell = self.before[figure]
        else:
            cell = self.cells_before.setdefault((figure, code), {})
        cell[gender] = cell.get(gender, 0) + value

    def plus(self, other: "PeriodSums") -> "PeriodSums":
        """A new sum of both."""
        summed = PeriodSums()
        for sums in (self, other):
            for (figure, code), values in sums.in_period.items():
                for gender, value in values.items():
                    summed.add(figure, code, gender, value)
            for figure, values in sums.before.items():
                for gender, value in values.items():
                    summed.add_before(figure, "", gender, value)
            for (figure, code), values in sums.cells_before.items():
                for gender, value in values.items():
                    summed.add_before(figure, code, gender, value)
        return summed

    def of(self, figure: str, code: str = "") -> dict[str, float]:
        return self.in_period.get((figure, code), {})

    def codes(self, figure: str, before: bool = False) -> Codes:
        """The figure's counts by code, of the period or (`before`) of the months before."""
        cells = self.cells_before if before else self.in_period
        return {code: values for (named, code), values in cells.items() if named == figure}

    def seen(self, prefix: str) -> set[tuple[str, str]]:
        """(figure without `prefix`, code) of the nonzero figures named `prefix…`."""
        return {
            (figure.removeprefix(prefix), code)
            for (figure, code), values in self.in_period.items()
            if figure.startswith(prefix) and any(values.values())
        }


@dataclass(frozen=True)
class Sums:
    """The figures of one scope in one version: the asked period and a year earlier."""

    current: PeriodSums
    previous: PeriodSums

    def plus(self, other: "Sums") -> "Sums":
        return Sums(self.current.plus(other.current), self.previous.plus(other.previous))


_CELLS = (BREAKDOWN_PREFIX, STARTED_PREFIX)
"""The breakdowns' cells, read before a period only for a stock base."""


def _empty() -> Sums:
    return Sums(PeriodSums(), PeriodSums())


def _add(sums: Sums, row: ReadRow) -> None:
    segment, figure, gender, value = row.segment, row.figure, row.gender, row.value
    if segment is Segment.CURRENT:
        sums.current.add(figure, row.code, gender, value)
        return
    if segment is Segment.PREVIOUS:
        sums.previous.add(figure, row.code, gender, value)
    if figure not in OPENING_STOCK and not figure.startswith(_CELLS):
        return
    if segment is Segment.BEFORE_PREVIOUS:
        sums.previous.add_before(figure, row.code, gender, value)
    sums.current.add_before(figure, row.code, gender, value)


class Readings:
    """The rows of one read summed per scope (an insats id, or None: the whole förbund) into
    those counted by the closing (`as_closed`) and all of them. A row of an insats counts
    for the whole förbund too when `whole` (the read was of every insats)."""

    def __init__(self, rows: Iterable[ReadRow], whole: bool) -> None:
        # Those the closing counted, and those it did not (a late change): few or none, so
        # the figures as closed are mostly the figures now, summed once.
        self._known: dict[str | None, Sums] = {}
        self._late: dict[str | None, Sums] = {}
        for row in rows:
            into = self._known if row.closed else self._late
            scopes = (row.insats_id, None) if whole and row.insats_id else (row.insats_id,)
            for scope in scopes:
                sums = into.get(scope)
                if sums is None:
                    sums = into[scope] = _empty()
                _add(sums, row)
        self._now: dict[str | None, Sums] = {}

    def as_closed(self, scope: str | None) -> Sums:
        return self._known.get(scope) or _empty()

    def now(self, scope: str | None) -> Sums:
        late = self._late.get(scope)
        if late is None:
            return self.as_closed(scope)
        if scope not in self._now:
            self._now[scope] = self.as_closed(scope).plus(late)
        return self._now[scope]

    def restated(self, scope: str | None) -> bool:
        """Whether anything came late: the figures now may differ from those as closed."""
        return scope in self._late
