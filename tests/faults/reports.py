"""Reading the reports and holding them against the expected figures: which cells differ,
and how many starts and stops the reports lost or counted twice."""

import calendar
import time
from dataclasses import dataclass
from datetime import date

import httpx

from tests.faults import expected
from tests.faults.waiting import DEADLINE_SECONDS
from tests.faults.workload import (
    FOLLOWUP_MONTHS,
    INSATSER,
    STRUCTURAL,
    YEAR,
    Stay,
    activities,
)


@dataclass(frozen=True)
class Query:
    period: str
    """`helar` or `YYYY-MM`."""
    insats: str | None

    def params(self) -> dict[str, str | int]:
        params: dict[str, str | int] = {"year": YEAR, "period": self.period}
        return params | ({"insats": self.insats} if self.insats else {})

    def dates(self, year: int) -> tuple[date, date]:
        """The period's first and last day in `year`."""
        if self.period == "helar":
            return date(year, 1, 1), date(year, 12, 31)
        month = int(self.period[5:])
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


QUERIES = [
    Query(period, insats)
    for period in ("helar", *(f"{YEAR}-{month:02}" for month in range(1, 13)))
    for insats in (None, *INSATSER, STRUCTURAL)
]
"""Helår and every month, per insats and for the whole förbund; each report also carries
the same period of the year before."""


@dataclass(frozen=True)
class Comparison:
    differing: list[str]
    """`period insats year figure column: got N, expected M` for each cell that differs."""
    counted: int
    """Starts, stops, follow-ups reached and activities the reports count (each once: new,
    ended and reached per insats and month, activities per month)."""
    lost: int
    duplicated: int

    @property
    def exact(self) -> bool:
        return not self.differing


def compare(reporting: httpx.Client, stays: list[Stay]) -> Comparison | None:
    """The reports against the stays; None while a report cannot be read (an insats not
    yet known to reporting, or reporting down)."""
    differing, counted, lost, duplicated = [], 0, 0, 0
    sent = activities(stays)
    for query in QUERIES:
        try:
            response = reporting.get("/api/v1/reports", params=query.params())
        except httpx.TransportError:
            return None
        if response.status_code != 200:
            return None
        report = response.json()
        this_year, last_year = report, report["previous_year"]
        for year, section in ((YEAR, this_year), (YEAR - 1, last_year)):
            got = section["figures"]
            want = expected.figures(stays, *query.dates(year), query.insats)
            held = expected.activities(sent, *query.dates(year), query.insats)
            got_held = {name: section["activities"][name] for name in held}
            if got_held != held:
                differing.append(
                    f"{query.period} {query.insats or 'förbund'} {year} activities: "
                    f"got {got_held}, expected {held}"
                )
            got_followup = section["followup"][str(FOLLOWUP_MONTHS)]
            want_followup = expected.followup(stays, *query.dates(year), query.insats)
            for name, columns in [*want.items(), *want_followup.items()]:
                found = got[name] if name in want else got_followup[name]
                for column, value in columns.items():
                    if found[column] != value:
                        differing.append(
                            f"{query.period} {query.insats or 'förbund'} {year} {name} "
                            f"{column}: got {found[column]}, expected {value}"
                        )
            if query.insats is None or query.period == "helar":
                continue
            if query.insats == STRUCTURAL:  # each activity falls in exactly one month
                difference = got_held["count"] - held["count"]
                counted += got_held["count"]
                lost += max(0, -difference)
                duplicated += max(0, difference)
            # Each start, stop and follow-up reached falls in exactly one insats, month and
            # gender cell.
            tallied = [(got[name], want[name]) for name in ("new", "ended")]
            tallied.append((got_followup["reached"], want_followup["reached"]))
            for found, wanted in tallied:
                for gender in expected.COLUMNS[1:]:
                    difference = found[gender] - wanted[gender]
                    counted += found[gender]
                    lost += max(0, -difference)
                    duplicated += max(0, difference)
    return Comparison(differing, counted, lost, duplicated)


def wait_until_exact(reporting: httpx.Client, stays: list[Stay]) -> Comparison:
    """The first comparison that finds every figure exact, or the last one before the
    deadline (for the caller to report and fail on)."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    last = None
    while time.monotonic() < deadline:
        last = compare(reporting, stays) or last
        if last is not None and last.exact:
            return last
        time.sleep(0.5)
    assert last is not None, "the reports could never be read"
    return last
