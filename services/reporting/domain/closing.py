"""When a month closes, and which months' closings a change arrived in time for.

A month closes `close_days` days after its last day, at Swedish midnight. A month's figures as
closed are those of the changes whose intake events were accepted before then; a change
accepted later (a late stop, a correction) restates the month. Dating each change by its
intake event, not by when reporting happened to apply it, makes the figures as closed a pure
function of the event log: a lagging consumer or a rebuild reproduces them exactly.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from services.reporting.domain.document import Change, Section
from services.reporting.domain.figures import COLUMNS, TOTAL
from services.reporting.domain.months import Month, month_of
from shared.contract.swedish_time import LOCAL_TIME


def known_by(accepted_at: datetime, close_days: int) -> str:
    """The first month whose closing includes a change accepted at `accepted_at`: its
    figures, and those of every later month, count the change as they were closed."""
    # A month M closes at the start of M+1 plus `close_days`: the change is in time for M's
    # closing exactly when, `close_days` earlier, it was still M (or before).
    local = accepted_at.astimezone(LOCAL_TIME).replace(tzinfo=None)
    return month_of((local - timedelta(days=close_days)).date())


def closes_at(month: Month, close_days: int) -> datetime:
    """The moment `month` closes."""
    opens = month.next().first_day + timedelta(days=close_days)
    return datetime.combine(opens, time(), LOCAL_TIME)


@dataclass(frozen=True)
class Closing:
    """Whether a period's last month has closed, and whether it closed while Stegvis already
    counted (months closed before its first figure have no figures as closed to keep)."""

    closes_at: datetime
    closed: bool
    recorded: bool

    def as_json(self) -> dict:
        return {
            "closes_at": self.closes_at.isoformat(),
            "closed": self.closed,
            "recorded": self.recorded,
        }


def closing(last_month: Month, counted: bool, now: datetime, close_days: int) -> Closing:
    """`counted`: whether the closing of `last_month` counted any change (a change was
    known by it)."""
    moment = closes_at(last_month, close_days)
    closed = now >= moment
    recorded = closed and counted
    return Closing(moment, closed, recorded)


Cell = tuple[str, str, str, str]
"""A value of a report by (section, name, code, column); code '' for figures and shares, the
metric for step movement."""


def report_cells(section: Section) -> dict[Cell, int | float | None]:
    """A section's values (the report's own, or its `previous_year`'s)."""
    cells = {}
    for path in section.rows():
        row = section.row(path)
        assert row is not None, path
        kind, name, *code = path
        for column in COLUMNS:
            cells[(kind, name, code[0] if code else "", column)] = row.of(column)
    return cells


ECONOMY = "economy"


def economy_cells(section: Section) -> dict[Cell, int | None]:
    """A section's economy, by (`ECONOMY`, field, '', total): of no gender."""
    economy = section.economy.model_dump(exclude_unset=True) if section.economy else {}
    return {(ECONOMY, name, "", TOTAL): value for name, value in economy.items()}


def restatements(now: Section, as_closed: Section) -> list[Change]:
    """Every value of a period's report (not last year's) that differs from the same report
    as its last month closed: its figures', and its economy's (a cost set later)."""
    current = report_cells(now) | economy_cells(now)
    closed = report_cells(as_closed) | economy_cells(as_closed)
    return [
        Change(
            section=section,
            name=name,
            code=code,
            column=column,
            as_closed=closed.get(key),
            now=current.get(key),
        )
        for key in sorted(current.keys() | closed.keys())
        if current.get(key) != closed.get(key)
        for section, name, code, column in (key,)
    ]
