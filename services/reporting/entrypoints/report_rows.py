"""The report page's rows of values, this period's beside last year's, as HTML (`RowWriter`).

Written here, not in a template macro: a page has a hundred and more such rows of four cells,
and a macro's call and the escape of each cell cost more than the rest of its tables. Only
the row's label is escaped (each label once a process): a cell's text is a number, a dash,
a percent sign or `..` (`labels.cell`, `labels.restated_title`), nothing HTML reads as
markup.
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup, escape

from services.reporting.domain.document import ClosingModel, Row
from services.reporting.domain.figures import COLUMNS
from services.reporting.entrypoints.labels import cell, restated_title

_NOT_HIDDEN = (False, False)


@lru_cache(maxsize=4096)
def _escaped(text: str) -> str:
    """A row's label as HTML text: the same few hundred labels on every page (bounded: a
    code's label may be the code as stored)."""
    return str(escape(text))


@dataclass(frozen=True)
class RowWriter:
    """One report's rows: `hidden`, the values a published report hides, by (section, name,
    code, column, last year); `restated`, those changed since the period closed, by (section,
    name, code, column): what each was (`labels.restated_title`)."""

    hidden: Collection[tuple]
    restated: Mapping[tuple, int | float | None]
    closing: ClosingModel

    def row(
        self,
        label: str,
        columns: Row,
        previous: Row | None,
        key: tuple[str, ...],
        share: bool = False,
    ) -> Markup:
        """The row at `key` (section, name, code): a cell by column, its value beside last
        year's row's (`labels.cell`; `share`: whole percentages; None: last year has no such
        row), marked where it changed since the period closed."""
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
                title = restated_title(self.closing, restated[at])
                parts.append(f'  <td class="restated" title="{title}">{text}&nbsp;*</td>\n')
            else:
                parts.append(f"  <td>{text}</td>\n")
        parts.append("</tr>\n")
        return Markup("".join(parts))
