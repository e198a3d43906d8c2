"""Bands read at report time: the cells of the banded breakdowns hold values, not bands.

The cells counted before hold the v1 bands (`35-39`, `6+`); each becomes its band's lower
edge, which the v1 bands put back in the same band, so the reports without `age_bands`,
`support_year_bands`, `month_bands` or `base` are what they were. The exact values, and the
cells of those started that the other bases read, come from `stegvis rebuild` (see
operations.md, "Upgrading").

The same for the cells kept of the erased (`reporting_retained`, which a rebuild starts
from): theirs are converted here, as a rebuild cannot count them again.

Revision ID: reporting_0009_bands
Revises: reporting_0008_economy_restated
"""

import re
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "reporting_0009_bands"
down_revision = "reporting_0008_economy_restated"
branch_labels = None
depends_on = None

_V1_BANDS = {
    "breakdown:age_band": (15, 19, 25, 30, 35, 40, 45, 50, 55, 60),
    "breakdown:years_in_support": (0, 2, 4, 6),
    "breakdown:weeks_in_insats_band": (0, 4, 7, 13),
}
"""The lower edges of the v1 bands, as they were then (not read from the code, which moves on)."""
_V1_TOPS = {"breakdown:age_band": 67}
_STARTED = "breakdown_started:"
_KEY = ("insats_id", "month", "gender", "figure", "code", "known_by")


def _cells(name: str) -> sa.TableClause:
    return sa.table(
        name, *(sa.column(column, sa.String) for column in _KEY), sa.column("value", sa.Double)
    )


_TABLES = (_cells("reporting_monthly"), _cells("reporting_retained"))
"""The monthly figures, and those kept of the erased: the same cells."""


def upgrade() -> None:
    for table in _TABLES:
        _to_values(table)


def _to_values(_monthly: sa.TableClause) -> None:
    bind = op.get_bind()
    cells = bind.execute(
        sa.select(_monthly.c.figure, _monthly.c.code)
        .where(_monthly.c.figure.in_(_V1_BANDS))
        .distinct()
    ).all()
    for figure, code in cells:
        low = re.match(r"[0-9]+", code)
        if low is not None and low[0] != code:
            bind.execute(
                _monthly.update()
                .where(_monthly.c.figure == figure, _monthly.c.code == code)
                .values(code=low[0])
            )


def _v1_code(figure: str, value: int) -> str:
    edges = _V1_BANDS[figure]
    below = [edge for edge in edges if edge <= value]
    top = _V1_TOPS.get(figure)
    if not below or (top is not None and value > top):
        return "okand"
    index = len(below) - 1
    if index + 1 < len(edges):
        return f"{edges[index]}-{edges[index + 1] - 1}"
    return f"{edges[index]}+" if top is None else f"{edges[index]}-{top}"


def downgrade() -> None:
    for table in _TABLES:
        _to_bands(table)


def _to_bands(_monthly: sa.TableClause) -> None:
    bind = op.get_bind()
    bind.execute(_monthly.delete().where(_monthly.c.figure.startswith(_STARTED, autoescape=True)))
    rows = bind.execute(
        sa.select(_monthly).where(_monthly.c.figure.in_(_V1_BANDS), _monthly.c.code != "okand")
    ).all()
    banded: dict[tuple, float] = defaultdict(float)
    for row in rows:
        fields = row._asdict()
        fields["code"] = _v1_code(row.figure, int(row.code)) if row.code.isdigit() else row.code
        banded[tuple(fields[name] for name in _KEY)] += row.value
    bind.execute(
        _monthly.delete().where(_monthly.c.figure.in_(_V1_BANDS), _monthly.c.code != "okand")
    )
    okand = {
        tuple(row._asdict()[name] for name in _KEY): row.value
        for row in bind.execute(
            sa.select(_monthly).where(_monthly.c.figure.in_(_V1_BANDS), _monthly.c.code == "okand")
        )
    }
    for key, value in banded.items():
        if key in okand:
            bind.execute(
                _monthly.update()
                .where(
                    *(
                        getattr(_monthly.c, name) == part
                        for name, part in zip(_KEY, key, strict=True)
                    )
                )
                .values(value=okand[key] + value)
            )
        elif value:
            bind.execute(
                _monthly.insert().values({**dict(zip(_KEY, key, strict=True)), "value": value})
            )
