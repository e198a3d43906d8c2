"""The fault scenarios' results as one table: each scenario adds its row to `ROWS`, and
`tests/faults/conftest.py` prints them at the end of the run.

`python3 -m uv run python -m tests.faults.table [pytest options]` runs the scenarios and
prints the table.
"""

import sys
from dataclasses import dataclass, fields
from pathlib import Path

import pytest


@dataclass(frozen=True)
class Row:
    scenario: str
    fault: str
    commands: int
    """HTTP commands accepted: starts, check-ins, stops, follow-ups and activities."""
    events: int
    """Of those, what the reports count one by one: the starts, the stops, the follow-ups
    reached (due in the reports' years) and the activities."""
    counted: int
    """Of those, what the reports count once the system settled."""
    lost: int
    """What is missing from the reports (by insats, month and gender)."""
    duplicated: int
    """What the reports count more than once (by insats, month and gender)."""
    recovery_seconds: float
    """From the fault until the reports again reach the newest event accepted before it
    (the slowest recovery where a scenario injects several faults)."""


ROWS: list[Row] = []

HEADINGS = ("scenario", "fault", "commands", "events sent", "counted", "lost", "duplicated",
            "recovered in (s)")  # fmt: skip


def render(rows: list[Row]) -> str:
    """A plain-text table, one line per scenario, in the order of their names."""
    cells = [HEADINGS] + [
        tuple(
            f"{value:.1f}" if isinstance(value, float) else str(value)
            for value in (getattr(row, f.name) for f in fields(row))
        )
        for row in sorted(rows, key=lambda row: row.scenario)
    ]
    widths = [max(len(line[n]) for line in cells) for n in range(len(HEADINGS))]
    lines = [
        " | ".join(
            cell.ljust(width) if n < 2 else cell.rjust(width)
            for n, (cell, width) in enumerate(zip(line, widths))
        )
        for line in cells
    ]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return "\n".join(lines)


def main() -> int:
    return pytest.main([str(Path(__file__).parent), *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
