"""Small-count suppression of published reports (pure domain logic)."""

import copy
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from services.reporting.domain import suppression
from services.reporting.domain.bases import Base, Counting
from services.reporting.domain.breakdowns import MULTI_VALUED
from services.reporting.domain.document import Path, Report, report_json
from services.reporting.domain.figures import MEANS, SHARES
from services.reporting.domain.periods import parse_period
from services.reporting.domain.reports import ProcessedThrough
from services.reporting.domain.suppression import hidden_cells
from shared.contract.codes import Reason
from shared.contract.records import ParticipantRecord
from tests.reporting.strategies import cells_of, histories, periods
from tests.reporting.support import POLICY, report_of

PROCESSED = ProcessedThrough(7, datetime(2025, 12, 31, 23, 0, tzinfo=UTC))
COLUMNS = ("total", "kvinna", "man", "annan")
HELAR_2025 = parse_period(2025, "helar", 8)
INSATSER = (("a", "Arbetsrehab"), ("b", "Steget"))


def suppress_together(reports: list[dict], threshold: int) -> list[dict]:
    """The domain's, on reports as the API answers them: the test reads their JSON."""
    models = [Report.model_validate(report) for report in reports]
    return [report_json(report) for report in suppression.suppress_together(models, threshold)]


def suppress(report: dict, threshold: int) -> dict:
    return suppress_together([report], threshold)[0]


def is_hidden(report: dict, path: Path, column: str) -> bool:
    return suppression.is_hidden(Report.model_validate(report), path, column)


def _report(
    cells, period, insats: str | None, name: str | None, counting: Counting = Counting()
) -> dict:
    return report_json(report_of(cells, period, insats, name, PROCESSED, counting))


def _forbund(cells) -> list[dict]:
    """The whole förbund's report, then each insats's."""
    return [_report(cells, HELAR_2025, insats, name) for insats, name in ((None, None), *INSATSER)]


def _sections(report: Mapping) -> tuple[Mapping, Mapping]:
    return report, report["previous_year"]


def _count_rows(section: Mapping) -> dict[tuple, dict]:
    """Every row of counts of a section by its path: the test's own reading of the report."""
    rows: dict[tuple, dict] = {
        ("figures", name): columns
        for name, columns in section["figures"].items()
        if name not in MEANS
    }
    for name, codes in section["breakdowns"].items():
        rows |= {("breakdowns", name, code): columns for code, columns in codes.items()}
    for measure, metrics in section["step_movement"].items():
        rows |= {
            ("step", measure, metric): metrics[metric] for metric in ("participants", "improved")
        }
    for months, followup in section["followup"].items():
        rows |= {
            ("followup", months, name): columns
            for name, columns in followup.items()
            if name != "reached_percent"
        }
    return rows


def _count_cells(section: Mapping) -> dict[tuple, int | None]:
    return {
        (*path, column): columns[column]
        for path, columns in _count_rows(section).items()
        for column in COLUMNS
    }


def _sums(section: Mapping, base: str) -> Iterator[list]:
    """The values of every sum a reader could subtract in: a total first, then its parts
    (`base`: the figure the breakdowns sum to)."""
    f = section["figures"]
    cells = _count_cells(section)
    for *row, column in cells:
        if column == "total":
            yield [cells[(*row, column)] for column in COLUMNS]
    for column in COLUMNS:
        yield [f["participants"][column], f["opening"][column], f["new"][column]]
        yield [f["participants"][column], f["ongoing_at_end"][column], f["ended"][column]]
        yield [
            f[name][column] for name in ("ended", "positive_exits", "unclear_exits", "other_exits")
        ]
        for name, codes in section["breakdowns"].items():
            if name not in MULTI_VALUED:
                yield [f[base][column], *(columns[column] for columns in codes.values())]


def _forbund_sums(reports: list[dict]) -> Iterator[list]:
    """Each of the förbund's counts beside the insatser's it is the sum of."""
    whole, *parts = reports
    for index, section in enumerate(_sections(whole)):
        part_cells = [_count_cells(_sections(part)[index]) for part in parts]
        for key, value in _count_cells(section).items():
            yield [value, *(cells[key] for cells in part_cells if key in cells)]


def _recoverable(reports: list[dict]) -> list[list]:
    """The sums with exactly one hidden cell: it is the total minus the others."""
    sums = [
        values
        for report in reports
        for section in _sections(report)
        for values in _sums(section, report["base"])
    ]
    if len(reports) > 1:
        sums += _forbund_sums(reports)
    return [values for values in sums if values.count(None) == 1]


def _primary_only(report: dict, threshold: int) -> dict:
    """A broken suppression: the small counts hidden, nothing else."""
    broken = copy.deepcopy(report)
    for section in _sections(broken):
        for columns in _count_rows(section).values():
            columns.update(
                {column: None for column, value in columns.items() if 0 < value < threshold}
            )
    return broken


def _record(
    n: int,
    gender: str,
    insats: str = "a",
    end: date | None = date(2025, 6, 1),
    reason: str = "arbete",
) -> ParticipantRecord:
    ended = {}
    if end is not None:
        ended = {
            "end_date": end,
            "reason": reason,
            "outcome_class": POLICY.outcome_class(Reason(reason)),
            "direct_to_work_or_studies": POLICY.is_direct(Reason(reason)),
        }
    return ParticipantRecord(
        participant_id=f"P{n}",
        insats_id=insats,
        gender=gender,
        start_date=date(2025, 2, 1),
        **ended,
    )


def test_a_small_count_hides_the_smallest_cell_it_could_be_worked_out_from() -> None:
    # Ended 12 = 3 women + 9 men + 0 of another gender, threshold 5: the 3 is hidden, but
    # alone it would be 12 − 9 − 0, so the smallest other cell that is not 0 goes too (9,
    # not the total 12). The 0 stays: a 0 singles nobody out.
    ended = {"total": 12, "kvinna": 3, "man": 9, "annan": 0}
    row = [tuple(ended)]
    assert hidden_cells(ended, row, 5) == {"kvinna", "man"}
    assert hidden_cells(ended, [], 5) == {"kvinna"}  # without the sums: recoverable
    # The hiding spreads through every sum the cell is in, and stops when each has two.
    cells = {"ended": 12, "a": 3, "b": 9, "x": 20, "y": 8}
    sums = [("ended", "a", "b"), ("x", "b", "y")]  # x = b + y, another table showing b
    assert hidden_cells(cells, sums, 5) == {"a", "b", "y"}
    # Ties go to the cell listed first; a cell None is hidden already.
    assert hidden_cells({"t": 12, "p": 6, "q": 6}, [("t", "p", "q")], 5) == set()
    assert hidden_cells({"t": 12, "p": None, "q": 6, "r": 6}, [("t", "p", "q", "r")], 5) == {
        "p",
        "q",
    }


def test_a_report_of_3_women_and_9_men_ended_hides_both_genders_and_nothing_else() -> None:
    records = [_record(n, "kvinna" if n < 3 else "man") for n in range(12)]
    exact = _report(cells_of(records), HELAR_2025, "a", "Arbetsrehab")
    published = suppress(exact, 5)

    f = published["figures"]
    for name in ("participants", "new", "ended", "positive_exits"):
        assert f[name] == {"total": 12, "kvinna": None, "man": None, "annan": 0}, name
    assert f["opening"] == f["ongoing_at_end"] == {column: 0 for column in COLUMNS}
    assert published["breakdowns"]["reason"]["arbete"]["man"] is None
    # The shares and means of the hidden columns go with them; the totals' stay exact.
    assert published["shares"]["positive_exits"] == {
        "total": 100,
        "kvinna": None,
        "man": None,
        "annan": None,
    }
    assert f["mean_weeks_in_insats"]["total"] == exact["figures"]["mean_weeks_in_insats"]["total"]
    assert f["mean_weeks_in_insats"]["man"] is None
    rows_of_12 = sum(
        value == 12 for section in _sections(exact) for value in _count_cells(section).values()
    )  # their totals
    assert published["suppression"] == {
        "threshold": 5,
        "suppressed_cells": 2 * rows_of_12,
        "note": "Antal från 1 till 4 visas som .., liksom de värden som de annars skulle kunna "
        "räknas fram ur, så att ingen enskild deltagare kan pekas ut. "
        "De tal som visas är exakta.",
    }
    assert _recoverable([published]) == []
    # Hiding the small counts alone gives them away: 12 − 9 − 0 = 3 women.
    assert [12, None, 9, 0] in _recoverable([_primary_only(exact, 5)])


def test_an_insats_small_count_is_hidden_against_the_whole_forbund_too() -> None:
    # Arbetsrehab ended 3 women, Steget 10: the förbund's 13 less Steget's 10 would give
    # Arbetsrehab's 3 away, had they been suppressed one by one.
    records = [
        *(_record(n, "kvinna") for n in range(3)),
        *(_record(n, "kvinna", insats="b") for n in range(3, 13)),
    ]
    family = _forbund(cells_of(records))
    alone = [suppress(report, 5) for report in family]
    assert [13, None, 10] in _recoverable(alone)
    together = suppress_together(family, 5)
    assert _recoverable(together) == []
    assert [report["figures"]["ended"]["kvinna"] for report in together[1:]] == [None, None]


def test_a_target_outcome_is_hidden_with_its_share() -> None:
    records = [
        *(_record(n, "kvinna") for n in range(3)),
        *(_record(n, "man", reason="sjukdom") for n in range(3, 12)),
    ]
    whole, arbetsrehab, steget = _forbund(cells_of(records))
    target = {"share": "positive_exits", "target": 40, "outcome": 25, "met": False}
    arbetsrehab["targets"] = [target]
    whole["targets"] = [{**target, "insats": "a", "insats_name": "Arbetsrehab"}]
    steget["targets"] = [{**target, "outcome": None, "met": None}]  # nobody ended

    published = suppress_together([whole, arbetsrehab, steget], 5)
    assert published[1]["targets"] == [{**target, "outcome": None, "met": None}]
    assert published[0]["targets"][0]["outcome"] is None
    # Published without Arbetsrehab's report, whether its share is hidden is unknown.
    assert suppress(whole, 5)["targets"][0]["met"] is None
    assert suppress(steget, 5)["targets"] == steget["targets"]


def test_a_share_of_nobody_is_not_hidden_but_a_share_of_a_hidden_count_is() -> None:
    published = suppress(_forbund(cells_of([_record(0, "kvinna")]))[1], 5)
    assert published["shares"]["positive_exits"]["man"] is None
    assert not is_hidden(published, ("shares", "positive_exits"), "man")  # 0 ended men
    assert is_hidden(published, ("shares", "positive_exits"), "kvinna")
    assert is_hidden(published, ("figures", "mean_weeks_in_insats"), "total")
    assert not is_hidden(published, ("figures", "opening"), "total")


@settings(deadline=None)  # three reports, each suppressed thrice: ~0.1 s an example
@given(histories(), periods(), st.integers(2, 6), st.sampled_from(Base))
def test_published_reports_single_out_nobody(history, period, threshold, base) -> None:
    cells = cells_of(versions[-1] for versions in history)
    family = [
        _report(cells, period, insats, name, Counting(base))
        for insats, name in ((None, None), *INSATSER)
    ]
    # The sums a reader would use hold in the exact reports.
    for values in [v for r in family for s in _sections(r) for v in _sums(s, base)]:
        assert values[0] == sum(values[1:])
    assert all(values[0] == sum(values[1:]) for values in _forbund_sums(family))

    together = suppress_together(family, threshold)
    assert _recoverable(together) == []
    alone = [suppress(report, threshold) for report in family]
    for exact, shown in [*zip(family, together), *zip(family, alone)]:
        assert _recoverable([shown]) == []
        _assert_exact_where_shown(exact, shown, threshold)
        assert suppress(shown, threshold) == shown
    assert suppress_together(together, threshold) == together


def _assert_exact_where_shown(exact: Mapping, shown: Mapping, threshold: int) -> None:
    for exact_section, section in zip(_sections(exact), _sections(shown)):
        counts, exact_counts = _count_cells(section), _count_cells(exact_section)
        assert not [value for value in counts.values() if value and value < threshold]
        assert all(value in (None, exact_counts[key]) for key, value in counts.items())
        figures = section["figures"]
        for name, whole in SHARES.items():
            for column, share in section["shares"][name].items():
                assert share in (None, exact_section["shares"][name][column])
                if figures[name][column] is None or figures[whole][column] is None:
                    assert share is None
        for name in MEANS:
            for column, mean in figures[name].items():
                assert mean in (None, exact_section["figures"][name][column])
                ended = figures["ended"][column]
                if ended is None or ended < threshold:
                    assert mean is None
        for months, followup in section["followup"].items():
            exact_share = exact_section["followup"][months]["reached_percent"]
            for column, share in followup["reached_percent"].items():
                assert share in (None, exact_share[column])
                if followup["reached"][column] is None or followup["due"][column] is None:
                    assert share is None
        for measure, metrics in section["step_movement"].items():
            exact_change = exact_section["step_movement"][measure]["mean_change"]
            for column, change in metrics["mean_change"].items():
                assert change in (None, exact_change[column])
                participants = metrics["participants"][column]
                if participants is None or participants < threshold:
                    assert change is None
    assert shown["suppression"]["suppressed_cells"] == sum(
        value is None for section in _sections(shown) for value in _count_cells(section).values()
    )
