"""The report page's charts: bars stacked by gender, scaled to the largest total (the page
that draws them is tested in test_pages.py)."""

from typing import Any

import pytest

from services.reporting.domain import charts
from services.reporting.domain.document import Counts, Shares
from services.reporting.domain.periods import parse_period
from services.reporting.domain.reports import ProcessedThrough
from services.reporting.entrypoints import labels
from tests.reporting.support import report_of


def _columns(kvinna: int, man: int, annan: int) -> Counts:
    return Counts(total=kvinna + man + annan, kvinna=kvinna, man=man, annan=annan)


def test_segments_stack_by_gender_and_the_largest_total_spans_the_width() -> None:
    chart = charts.stacked_chart(
        "k",
        "Titel",
        [
            ("Största", _columns(4, 2, 2)),
            ("Hälften", _columns(0, 3, 1)),
            ("Ingen", _columns(0, 0, 0)),
        ],
    )
    largest, half, nobody = chart.bars

    assert [(s.gender, s.count, s.x, s.width) for s in largest.segments] == [
        ("kvinna", 4, 0, charts.BAR_SPAN / 2),
        ("man", 2, charts.BAR_SPAN / 2, charts.BAR_SPAN / 4),
        ("annan", 2, charts.BAR_SPAN * 3 / 4, charts.BAR_SPAN / 4),
    ]
    assert largest.end == charts.BAR_SPAN
    # A zero draws no segment, and the next one starts where the last one ended.
    assert [(s.gender, s.x) for s in half.segments] == [("man", 0), ("annan", 210)]
    assert half.end == pytest.approx(charts.BAR_SPAN * half.total / largest.total)
    assert (nobody.segments, nobody.end, nobody.total) == ((), 0, 0)
    assert nobody.counts == {"kvinna": 0, "man": 0, "annan": 0}

    # Rows in the order given, each below the last, inside the chart.
    assert [bar.label for bar in chart.bars] == ["Största", "Hälften", "Ingen"]
    assert largest.y < half.y < nobody.y < chart.height
    assert all(bar.text_y < bar.y for bar in chart.bars)


def test_a_chart_of_nobody_has_rows_and_no_bars() -> None:
    chart = charts.stacked_chart("k", "Titel", [("A", _columns(0, 0, 0))])
    assert [bar.segments for bar in chart.bars] == [()]
    assert charts.stacked_chart("k", "Titel", []).bars == ()


def test_the_report_charts_are_the_flows_and_the_charted_breakdowns_in_swedish() -> None:
    empty = _columns(0, 0, 0)
    section = report_of({}, parse_period(2025, "helar", 8), None, None, ProcessedThrough(1, None))
    for name in (*charts.FLOWS, "participants"):
        setattr(section.figures, name, _columns(1, 0, 0))
    for name in (*charts.CHARTED_BREAKDOWNS, "municipality"):
        setattr(section.breakdowns, name, {"okand": empty})
    figures: Any = section.figures  # fields made from the registry
    breakdowns: Any = section.breakdowns
    figures.new = _columns(2, 1, 0)
    breakdowns.age_band = {"25-29": _columns(1, 1, 0), "okand": empty}

    flows, *breakdowns = charts.report_charts(section, labels.charts("ended"))

    assert (flows.key, flows.title) == ("flows", "Ingående, nya, avslutade och pågående")
    assert [(bar.label, bar.total) for bar in flows.bars] == [
        ("Ingående (pågående vid periodens början)", 1),
        ("Nya", 3),
        ("Avslutade", 1),
        ("Pågående vid periodens slut", 1),
    ]
    assert [chart.key for chart in breakdowns] == list(charts.CHARTED_BREAKDOWNS)
    age = breakdowns[1]
    assert age.title == "Avslutade efter ålder vid start"
    assert [bar.label for bar in age.bars] == ["25–29 år", "Uppgift saknas"]
    assert breakdowns[0].title == "Avslutade efter avslutsanledning"


def test_a_chart_of_shares_draws_each_total_on_a_scale_to_100() -> None:
    def shares(total: int | None, kvinna: int | None) -> Shares:
        return Shares(total=total, kvinna=kvinna, man=None, annan=None)

    chart = charts.percent_chart(
        "s", "Andelar", [("Hälften", shares(50, 40)), ("Ingen", shares(None, None))]
    )
    half, nobody = chart.bars

    assert chart.percent
    assert [(s.gender, s.x, s.width) for s in half.segments] == [("total", 0, charts.BAR_SPAN / 2)]
    assert (half.total, half.counts) == (50, {"kvinna": 40, "man": None, "annan": None})
    # A share of nobody draws nothing and is written as a dash, not as 0.
    assert (nobody.segments, nobody.total) == ((), None)
    assert labels.chart_value(nobody.total, chart.percent) == "–"
    assert labels.chart_value(half.total, chart.percent) == "50\u00a0%"
