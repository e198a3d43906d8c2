"""Small-count suppression, for reports published outside the förbund: no count from 1 to one
below a threshold is shown, nor any cell it could be worked out from, so that no reader can
single out a person. A hidden value is None (null in JSON, `..` in the exports, as SCB
writes it); every value shown is exact.

The counts of a report are tied by sums: a row's total is its genders', the opening stock
and the new are the participants, and so are the ongoing and the ended, the exits and each
single-valued breakdown's codes add up to the ended (or the report's other base), and the
whole förbund's cells are its insatser's. A hidden cell alone in such a sum is the total
minus the others, so another cell of that sum is hidden with it (complementary
suppression), until every sum hides none or at least two of its cells.
"""

from collections import deque
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from typing import Protocol, TypeVar

from services.reporting.domain import contributions as c
from services.reporting.domain.breakdowns import BREAKDOWNS, MULTI_VALUED
from services.reporting.domain.document import (
    AnyRow,
    ClosingModel,
    Path,
    Report,
    Row,
    Section,
    Suppression,
)
from services.reporting.domain.economy import hide_costs_per_hidden_count
from services.reporting.domain.figures import (
    COLUMNS,
    FIGURES,
    FOLLOWUP,
    FOLLOWUP_METRICS,
    MEANS,
    SHARES,
    STEP_IMPROVED,
    STEP_MEAN_CHANGE,
    STEP_PARTICIPANTS,
    SUMS,
    Kind,
    kind_of,
    sum_parts,
)
from services.reporting.domain.goals import hide_hidden_outcomes

HIDDEN = ".."
"""How the exports write a hidden value."""

Key = TypeVar("Key", bound=Hashable)


def hidden_cells(
    cells: Mapping[Key, float | None], sums: Iterable[Sequence[Key]], threshold: int
) -> set[Key]:
    """The cells to hide: those from 1 to `threshold` − 1 (and those None: hidden already),
    then, until no sum (a total and its parts) has exactly one hidden cell, that sum's
    smallest other cell not 0 (the first in `cells`' order on a tie)."""
    order = {key: index for index, key in enumerate(cells)}
    hidden = {key for key, value in cells.items() if value is None or 0 < value < threshold}
    sums = [tuple(keys) for keys in sums]
    sums_of: dict[Key, list[int]] = {}
    for index, keys in enumerate(sums):
        for key in keys:
            sums_of.setdefault(key, []).append(index)
    pending = deque(range(len(sums)))
    while pending:
        keys = sums[pending.popleft()]
        if sum(key in hidden for key in keys) != 1:
            continue
        # A 0 reveals nobody. There is always another cell when the sum holds (the hidden
        # one is not 0); when it does not, nothing can be worked out from it anyway.
        shown = [key for key in keys if key not in hidden and cells[key]]
        if shown:
            cover = min(shown, key=lambda key: (cells[key], order[key]))
            hidden.add(cover)
            pending.extend(sums_of[cover])
    return hidden


class Rows(Protocol):
    """What a hidden value is told in: a report's section, or an överblick's row."""

    def row(self, path: Path) -> AnyRow | None: ...


def _row(section: Rows, path: Path) -> Row:
    """The row at `path` of a section that has it."""
    row = section.row(path)
    assert row is not None, path
    return row


def _bases(path: Path) -> tuple[Path, ...]:
    """The counts a value is shown with: a share its count and its whole, a figure's mean
    the ended (it averages them, or those of them who answered), a step's mean change its
    participants, a follow-up's share its part and whole, a count itself."""
    kind = kind_of(path)
    section, name, *rest = path
    if section == FOLLOWUP:
        share = FOLLOWUP_METRICS[rest[0]].share
        return (path,) if share is None else tuple((section, name, of) for of in share)
    if kind is Kind.SHARE:
        return ("figures", name), ("figures", SHARES[name])
    if kind is Kind.MEAN and section == "figures":
        return (("figures", c.ENDED),)
    if kind is Kind.MEAN:
        return (("step_movement", name, STEP_PARTICIPANTS),)
    return (path,)


def is_hidden(section: Rows, path: Path, column: str) -> bool:
    """Whether a suppressed report's value is hidden, rather than None for want of anyone
    to count (a mean or share of nobody)."""
    return any(_row(section, base).of(column) is None for base in _bases(path))


def _count_rows(section: Section) -> Iterator[Path]:
    for name, figure in FIGURES.items():
        if figure.kind is Kind.COUNT:
            yield "figures", name
    for name in BREAKDOWNS:
        for code in section.breakdown(name):
            yield "breakdowns", name, code
    for measure in section.step_movement:
        yield "step_movement", measure, STEP_PARTICIPANTS
        yield "step_movement", measure, STEP_IMPROVED
    for months in section.followup:
        for name, metric in FOLLOWUP_METRICS.items():
            if metric.kind is Kind.COUNT:
                yield FOLLOWUP, months, name


def _derived_rows(section: Section) -> Iterator[Path]:
    for name in SHARES:
        yield "shares", name
    for name in MEANS:
        yield "figures", name
    for measure in section.step_movement:
        yield "step_movement", measure, STEP_MEAN_CHANGE
    for months in section.followup:
        for name, metric in FOLLOWUP_METRICS.items():
            if metric.kind is Kind.SHARE:
                yield FOLLOWUP, months, name


def _sums(at: tuple, section: Section, base: str) -> Iterator[tuple]:
    """The sums of one section's cells, each a total first, its parts after; a cell's key is
    `at` (the report's index, and its section) and the path and column in that section
    (`base`: the figure the breakdowns sum to)."""
    for row in _count_rows(section):
        yield tuple((*at, *row, column) for column in COLUMNS)
    for column in COLUMNS:

        def figure(name: str, column: str = column) -> tuple:
            return (*at, "figures", name, column)

        for name, total in SUMS.items():
            yield figure(total), *map(figure, sum_parts(name))
        for name in BREAKDOWNS:
            if name not in MULTI_VALUED:
                codes = section.breakdown(name)
                yield figure(base), *((*at, "breakdowns", name, code, column) for code in codes)


def suppression_note(threshold: int) -> str:
    return (
        f"Antal från 1 till {threshold - 1} visas som {HIDDEN}, liksom de värden som de annars "
        "skulle kunna räknas fram ur, så att ingen enskild deltagare kan pekas ut. "
        "De tal som visas är exakta."
    )


def suppress_together(reports: Sequence[Report], threshold: int) -> list[Report]:
    """The reports as published together: each suppressed, and the whole förbund's report
    (the one with `insats` None) also against the sum of the insatser's, which must be all
    of the förbund's. New reports; `reports` are left as they are.

    Besides the figures' cells, a target's outcome is hidden with its share, a goal's
    outcome with the cells it is read from, a cost per person with its count, and a
    restatement's list of changes (`closing.changes`) is left out."""
    cells: dict[tuple, float | None] = {}
    sums: list[tuple] = []
    for index, report in enumerate(reports):
        for at, section in enumerate(report.sections()):
            for path in _count_rows(section):
                row = _row(section, path)
                for column in COLUMNS:
                    cells[(index, at, *path, column)] = row.of(column)
            sums.extend(_sums((index, at), section, report.base))
    parts = [index for index, report in enumerate(reports) if report.insats is not None]
    for whole, report in enumerate(reports):
        if report.insats is None:
            for key in [key for key in cells if key[0] == whole]:
                sums.append(
                    (key, *(part_key for part in parts if (part_key := (part, *key[1:])) in cells))
                )
    hidden = hidden_cells(cells, sums, threshold)

    published = [report.model_copy(deep=True) for report in reports]
    for index, at, *path, column in hidden:
        _row(published[index].sections()[at], tuple(path)).hide(column)
    for index, report in enumerate(published):
        for section in report.sections():
            for path in _derived_rows(section):
                for column in COLUMNS:
                    if is_hidden(section, path, column):
                        _row(section, path).hide(column)
            hide_costs_per_hidden_count(section)
        # What a restatement changed is listed with exact values, and a change is itself a
        # count (2 more ended women): published, a report says only that it was restated.
        report.closing = ClosingModel(**report.closing.model_dump(exclude={"changes"}))
        # Moves by pair of insatser, and the people beside the registrations, are counts
        # of people too, not hidden cell by cell: published, they are left out.
        for section in report.sections():
            section.flows = section.people = None
        report.suppression = Suppression(
            threshold=threshold,
            suppressed_cells=sum(key[0] == index for key in hidden),
            note=suppression_note(threshold),
        )
    _hide_outcomes_of_hidden_shares(published)
    hide_hidden_outcomes(published)
    return published


def suppress(report: Report, threshold: int) -> Report:
    """The report as published alone (see `suppress_together` for the whole förbund's
    report beside its insatser's)."""
    return suppress_together([report], threshold)[0]


def _hide_outcomes_of_hidden_shares(published: Sequence[Report]) -> None:
    """A target's outcome is its share's total (of the insats the target is set on), so it
    is hidden with it, and where that insats's report is not published with it."""
    by_insats = {report.insats: report for report in published}
    for report in published:
        for target in report.targets:
            of = by_insats.get(target.insats or report.insats)
            if of is None or is_hidden(of, ("shares", target.share), "total"):
                target.outcome = target.met = None
