"""A stacked bar chart (`domain/charts.py`) as inline SVG for the report page, with its numbers
in a table after it. Women solid, men striped, other dotted: told apart in grayscale print
too, and each row's label carries its counts in words. A chart of percentages draws each
bar's total on a scale to 100, plain grey, the genders' in its label and table.

Written here, not in a template: a page has a dozen charts of hundreds of numbers and fills,
and a template's call and escape of each cost more than the page's reads. For the same reason
only words are escaped (each label once a process): a chart's numbers are digits, a dash and
a percent sign (`labels.chart_value`), nothing HTML would read as markup.
"""

from functools import lru_cache

from markupsafe import Markup, escape

from services.reporting.domain.charts import Bar, Chart
from services.reporting.domain.figures import TOTAL
from services.reporting.entrypoints.labels import COLUMNS, chart_values

GENDERS = {gender: COLUMNS[gender] for gender in ("kvinna", "man", "annan")}
_IN_WORDS = {gender: escape(name.lower()) for gender, name in GENDERS.items()}
_LEGEND_STEP = 110
_COUNTS_DESC = (
    f"Liggande staplar per kön ({', '.join(GENDERS.values())}), skalade efter den största "
    "summan. Antalen står vid varje stapel och i tabellen under diagrammet."
)
_PERCENT_DESC = (
    "Liggande staplar med andelen för alla kön, skalade till 100 procent. Andelarna, också "
    "per kön, står vid varje stapel och i tabellen under diagrammet."
)
_HEAD = "".join(f'<th scope="col">{escape(name)}</th>' for name in COLUMNS.values())


@lru_cache(maxsize=4096)
def _escaped(text: str) -> str:
    """A label as HTML text: the same few hundred labels (codes, years, months) on every
    page (bounded: a code's label may be the code as stored)."""
    return str(escape(text))


def chart(chart: Chart) -> Markup:
    """The chart's figure (SVG) and its table."""
    id_ = f"diagram-{escape(chart.key)}"
    fills = {
        "kvinna": "#1b4f72",
        TOTAL: "#5d6d7e",
        "man": f"url(#{id_}-man)",
        "annan": f"url(#{id_}-annan)",
    }
    title = escape(chart.title)
    shown = [chart_values(bar, chart.percent) for bar in chart.bars]
    parts = [
        '<figure class="chart">\n',
        f"<figcaption>{title}</figcaption>\n",
        f'<svg role="img" aria-labelledby="{id_}-title {id_}-desc"'
        ' xmlns="http://www.w3.org/2000/svg"\n'
        f'     viewBox="0 0 {chart.width} {chart.height}" font-size="13" fill="#111">\n',
        f'  <title id="{id_}-title">{title}</title>\n',
        f'  <desc id="{id_}-desc">{_PERCENT_DESC if chart.percent else escape(_COUNTS_DESC)}'
        "</desc>\n",
        "  <defs>\n",
        f'    <pattern id="{id_}-man" width="6" height="6" patternUnits="userSpaceOnUse"'
        ' patternTransform="rotate(45)">\n'
        '      <rect width="6" height="6" fill="#a9cce3"/>'
        '<rect width="2" height="6" fill="#1b4f72"/>\n'
        "    </pattern>\n",
        f'    <pattern id="{id_}-annan" width="6" height="6" patternUnits="userSpaceOnUse">\n'
        '      <rect width="6" height="6" fill="#fbe3c0"/>'
        '<circle cx="3" cy="3" r="1.4" fill="#6e4a0e"/>\n'
        "    </pattern>\n",
        "  </defs>\n",
        '  <g aria-hidden="true">\n',
    ]
    if not chart.percent:
        for index, (gender, name) in enumerate(GENDERS.items()):
            x = index * _LEGEND_STEP
            parts.append(
                f'    <rect x="{x}" y="6" width="16" height="16" fill="{fills[gender]}"'
                ' stroke="#111" stroke-width=".5"/>\n'
                f'    <text x="{x + 22}" y="19">{escape(name)}</text>\n'
            )
    parts.append("  </g>\n")
    for bar, values in zip(chart.bars, shown, strict=True):
        parts.append(_bar(bar, values, chart.bar_height, fills))
    parts += [
        "</svg>\n",
        "</figure>\n",
        "<details>\n",
        f"  <summary>Tabell: {title}</summary>\n",
        f'  <div class="scroll"><table id="{id_}-tabell">\n',
        f"    <caption>{title}</caption>\n",
        f'    <thead><tr><th scope="col">Kategori</th>\n{_HEAD}    </tr></thead>\n',
        "    <tbody>\n",
    ]
    for bar, values in zip(chart.bars, shown, strict=True):
        cells = "".join(f"<td>{values[gender]}</td>" for gender in GENDERS)
        parts.append(
            f'      <tr><th scope="row">{_escaped(bar.label)}</th>'
            f"<td>{values[TOTAL]}</td>\n{cells}      </tr>\n"
        )
    parts += ["    </tbody>\n", "  </table></div>\n", "</details>\n"]
    return Markup("".join(parts))


def _bar(bar: Bar, values: dict[str, str], height: int, fills: dict[str, str]) -> str:
    """A bar's label with its counts in words, its segments and its total after it."""
    total = values[TOTAL]
    in_words = ", ".join(f"{name} {values[gender]}" for gender, name in _IN_WORDS.items())
    segments = "".join(
        f'  <rect x="{segment.x}" y="{bar.y}" width="{segment.width}" height="{height}"'
        f' fill="{fills[segment.gender]}" stroke="#fff" stroke-width="1"/>\n'
        for segment in bar.segments
    )
    return (
        f'  <text x="0" y="{bar.text_y}">{_escaped(bar.label)}: {total}\n'
        f'    <tspan fill="#444">({in_words})</tspan></text>\n'
        f"{segments}"
        f'  <text x="{bar.end + 6}" y="{bar.y + height - 5}" font-weight="600">{total}</text>\n'
    )
