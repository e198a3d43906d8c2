"""The report page's rows of values, this period's beside last year's, as HTML (`RowWriter`).

Written here, not in a template macro: a page has a hundred and more such rows of four cells,
and a macro's call and the escape of each cell cost more than the rest of its tables. Only
the row's label is escaped (each label once a process): a cell's text is a number, a dash,
a percent sign or `..` (`labels.cell`, `labels.restated_title`), nothing HTML reads as
markup.
"""

from collections.abc import Collection, Container, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup, escape

from services.reporting.domain.document import AnyRow, Report, Row
from services.reporting.domain.figures import COLUMNS, FIGURES, SHARES
from services.reporting.entrypoints.labels import (
    cell,
    code_label,
    figure_label,
    percent,
    restated_title,
    share_label,
)

_NOT_HIDDEN = (False, False)


@lru_cache(maxsize=4096)
def _escaped(text: str) -> str:
    """A row's label as HTML text: the same few hundred labels on every page (bounded: a
    code's label may be the code as stored)."""
    return str(escape(text))


Line = tuple[str, Row, Row | None, tuple[str, ...], bool]
"""A row's label, this period's values, last year's (None: no such row), its key (section,
name, code) and whether its values are whole percentages."""


@dataclass(frozen=True)
class RowWriter:
    """One report's rows: `hidden`, the values a published report hides, by (section, name,
    code, column, last year); `restated`, those changed since the period closed, by (section,
    name, code, column): what each was (`labels.restated_title`)."""

    report: Report
    hidden: Collection[tuple]
    restated: Mapping[tuple, int | float | None]

    def figures(self) -> Markup:
        """The body of the table of flows and outcomes: a row by figure, each share's
        (`SHARES`) under its figure's."""
        report, previous = self.report, self.report.previous_year
        lines = []
        for name in FIGURES:
            key = ("figures", name, "")
            row = self._row(
                figure_label(name), report.figure(name), previous.figure(name), key, False
            )
            lines.append(f"    {row}\n")
            if name in SHARES:
                lines.append(f"    {self._share(name)}\n")
        return Markup("".join(lines))

    def breakdown(self, name: str) -> Markup:
        """The body of a breakdown's table: a row by code, in report order."""
        report, previous = self.report, self.report.previous_year.breakdown(name)
        return self._body(
            (code_label(name, code), columns, previous.get(code), ("breakdowns", name, code), False)
            for code, columns in report.breakdown(name).items()
        )

    def metrics(
        self, section: str, name: str, metrics: Mapping[str, str], shares: Container[str] = ()
    ) -> Markup:
        """The body of the table of one step measure's or follow-up's (`section`, `name`)
        metrics, labelled as `metrics` has them (`shares`: those that are whole percentages)."""
        report = self.report
        return self._body(
            (
                label,
                _present(report.row(path)),
                report.previous_year.row(path),
                path,
                metric in shares,
            )
            for metric, label in metrics.items()
            for path in [(section, name, metric)]
        )

    def _body(self, lines: Iterable[Line]) -> Markup:
        """Rows as the template's body lists them: each indented, a blank line after."""
        return Markup("".join(f"    {self._row(*line)}\n" for line in lines))

    def _row(
        self, label: str, columns: Row, previous: Row | None, key: tuple[str, ...], share: bool
    ) -> str:
        hidden, restated = self.hidden, self.restated
        parts = [
            '<tr class="share">' if share else "<tr>",
            f'<th scope="row">{_escaped(label)}</th>\n',
        ]
        for column in COLUMNS:
            at = (*key, column)
            text = cell(
                columns.of(column),
                previous.of(column) if previous else None,
                ((*at, False) in hidden, (*at, True) in hidden) if hidden else _NOT_HIDDEN,
                share,
            )
            if restated and at in restated:
                title = restated_title(self.report.closing, restated[at])
                parts.append(f'  <td class="restated" title="{title}">{text}&nbsp;*</td>\n')
            else:
                parts.append(f"  <td>{text}</td>\n")
        parts.append("</tr>\n")
        return "".join(parts)

    def _share(self, name: str) -> str:
        """A figure's share row: this period's share beside last year's (a dash: a share of
        nobody), each hidden or marked as `_row` does."""
        hidden, restated = self.hidden, self.restated
        now, before = self.report.share(name), self.report.previous_year.share(name)
        parts = [f'<tr class="share"><th scope="row">{_escaped(share_label(name))}</th>\n']
        for column in COLUMNS:
            at = ("shares", name, "", column)
            seen = ((*at, False) in hidden, (*at, True) in hidden)
            text = cell(now.of(column), before.of(column), seen, share=True)
            if restated and at in restated:
                was = restated[at]
                assert not isinstance(was, float)  # a share is a whole percentage
                title = restated_title(self.report.closing, percent(was))
                parts.append(f'      <td class="restated" title="{title}">{text}&nbsp;*</td>\n')
            else:
                parts.append(f"      <td>{text}</td>\n")
        parts.append("    </tr>")
        return "".join(parts)


def _present(row: AnyRow | None) -> AnyRow:
    """A metric's row of the report's own step measure or follow-up: always there."""
    assert row is not None
    return row
