"""Horizontal bars stacked by gender, as geometry for the report page's SVG charts: the
period's flows and the breakdowns of those ended that people would rather look at than read,
the trend over years (the core figures stacked by gender, the shares as whole percentages)
and the period month by month.

Pure: the words come in with `ChartLabels` (the pages' Swedish), the drawing is a template's.
Lengths are SVG user units; every bar is scaled to the chart's largest total, which spans
`BAR_SPAN`.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from services.reporting.domain import contributions as c
from services.reporting.domain.breakdowns import BREAKDOWNS
from services.reporting.domain.document import Counts, Row, Section
from services.reporting.domain.figures import FIGURES, GENDER_CODES, PARTICIPANTS, SHARES, TOTAL
from services.reporting.domain.months import Month
from services.reporting.domain.series import MONTH_FLOWS, Series

WIDTH = 640
BAR_SPAN = 560
"""The longest bar; the rest of `WIDTH` keeps room for the total written after it."""
LEGEND_HEIGHT = 32
ROW_HEIGHT = 48
TEXT_OFFSET = 16
"""From a row's top to the baseline of its label, written above the bar (long Swedish
labels need the chart's whole width)."""
BAR_OFFSET = 22
BAR_HEIGHT = 20

FLOWS = tuple(name for name, figure in FIGURES.items() if figure.flow)
CHARTED_BREAKDOWNS = tuple(name for name, breakdown in BREAKDOWNS.items() if breakdown.charted)
TREND_FIGURES = (PARTICIPANTS, c.NEW, c.ENDED)
"""The core figures the trend draws year by year (and, after them, every share)."""


@dataclass(frozen=True)
class ChartLabels:
    """The words a chart is drawn with, passed in so the domain stays free of the pages."""

    flows_title: str
    breakdown_title: Callable[[str], str]
    figure: Callable[[str], str]
    code: Callable[[str, str], str]
    trend_title: Callable[[str], str]
    """A core figure's chart over years."""
    shares_title: str
    share: Callable[[str], str]
    month_title: Callable[[str], str]
    """A figure's chart month by month."""
    month: Callable[[Month], str]


@dataclass(frozen=True)
class Segment:
    gender: str
    count: int
    x: float
    width: float


@dataclass(frozen=True)
class Bar:
    label: str
    total: int | None
    """None: a share of nobody."""
    counts: Mapping[str, int | None]
    """By gender code, zeros included: the table behind the chart lists them all."""
    segments: tuple[Segment, ...]
    """Only the genders counted: a zero draws nothing."""
    text_y: float
    y: float

    @property
    def end(self) -> float:
        """Where the bar stops, and its total is written."""
        return sum(segment.width for segment in self.segments)


@dataclass(frozen=True)
class Chart:
    key: str
    """Unique on the page: the stem of the SVG's and the table's ids."""
    title: str
    bars: tuple[Bar, ...]
    width: int = WIDTH
    bar_height: int = BAR_HEIGHT
    percent: bool = False
    """Whole percentages, each bar its total's on a scale to 100; else counts by gender."""

    @property
    def height(self) -> int:
        return LEGEND_HEIGHT + ROW_HEIGHT * len(self.bars)


def _count(columns: Row, column: str) -> int:
    """A count of an exact report (charts are drawn of those only)."""
    return int(columns.of(column) or 0)


def _bar(label: str, columns: Row, row: int, largest: int) -> Bar:
    counts = {gender: _count(columns, gender) for gender in GENDER_CODES}
    segments, x = [], 0.0
    for gender, count in counts.items():
        if count:
            width = round(BAR_SPAN * count / largest, 2)
            segments.append(Segment(gender, count, round(x, 2), width))
            x += width
    top = LEGEND_HEIGHT + ROW_HEIGHT * row
    total = _count(columns, TOTAL)
    return Bar(label, total, counts, tuple(segments), top + TEXT_OFFSET, top + BAR_OFFSET)


def stacked_chart(key: str, title: str, rows: Iterable[tuple[str, Row]]) -> Chart:
    """A chart of (label, a report's row) rows, in the order given."""
    rows = list(rows)
    # An all-zero chart still lists its rows, with no bars: 1 avoids dividing by zero.
    largest = max((_count(columns, TOTAL) for _, columns in rows), default=0) or 1
    bars = tuple(_bar(label, columns, row, largest) for row, (label, columns) in enumerate(rows))
    return Chart(key, title, bars)


def report_charts(section: Section, labels: ChartLabels) -> tuple[Chart, ...]:
    """The charts of one period's section of a report (the report itself, or its
    `previous_year`): the flows, then each charted breakdown."""
    flows = stacked_chart(
        "flows",
        labels.flows_title,
        ((labels.figure(name), section.figure(name)) for name in FLOWS),
    )
    return (
        flows,
        *(
            stacked_chart(
                name,
                labels.breakdown_title(name),
                (
                    (labels.code(name, code), columns)
                    for code, columns in section.breakdown(name).items()
                ),
            )
            for name in CHARTED_BREAKDOWNS
        ),
    )


def percent_chart(key: str, title: str, rows: Iterable[tuple[str, Row]]) -> Chart:
    """A chart of (label, a report's share row) rows: each bar the total percentage, on a
    scale to 100 (the genders' are in its label and table)."""
    bars = []
    for row, (label, columns) in enumerate(rows):
        counts = {gender: _percent(columns, gender) for gender in GENDER_CODES}
        total = _percent(columns, TOTAL)
        segments = () if not total else (Segment(TOTAL, total, 0, BAR_SPAN * total / 100),)
        top = LEGEND_HEIGHT + ROW_HEIGHT * row
        bars.append(Bar(label, total, counts, segments, top + TEXT_OFFSET, top + BAR_OFFSET))
    return Chart(key, title, tuple(bars), percent=True)


def _percent(columns: Row, column: str) -> int | None:
    value = columns.of(column)
    return None if value is None else int(value)


def trend_charts(series: Series, labels: ChartLabels) -> tuple[Chart, ...]:
    """The years of a series side by side: each core figure (`TREND_FIGURES`) by gender,
    then every share, year after year."""
    return (
        *(
            stacked_chart(
                f"trend-{name}",
                labels.trend_title(name),
                ((str(year.year), year.figure(name)) for year in series.years),
            )
            for name in TREND_FIGURES
        ),
        percent_chart(
            "trend-shares",
            labels.shares_title,
            (
                (f"{labels.share(name)} {year.year}", year.share(name))
                for name in SHARES
                for year in series.years
            ),
        ),
    )


def month_charts(
    months: Sequence[tuple[Month, Mapping[str, Counts]]], labels: ChartLabels
) -> tuple[Chart, ...]:
    """The period month by month: each of `series.MONTH_FLOWS` by gender."""
    return tuple(
        stacked_chart(
            f"months-{name}",
            labels.month_title(name),
            ((labels.month(month), flows[name]) for month, flows in months),
        )
        for name in MONTH_FLOWS
    )
