"""What the benchmarks print: aligned tables and the RESULT line on stdout, progress on stderr."""

import math
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (`fraction` in 0..1) of a non-empty sample."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
    return ordered[rank - 1]


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [list(map(str, header))] + [[_cell(value) for value in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]

    def line(row: list[str]) -> str:
        first, *rest = row
        return "  ".join([first.ljust(widths[0])] + [c.rjust(w) for c, w in zip(rest, widths[1:])])

    print(f"\n{title}")
    print(line(cells[0]))
    print("  ".join("-" * width for width in widths))
    for row in cells[1:]:
        print(line(row))


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


@dataclass(frozen=True)
class Target:
    """What a RESULT line's ratio is held to, and the issue's words for it."""

    name: str
    bound: float | None
    """The bound on the ratio (None: measured only, the issue sets no target)."""
    goal: str
    at_least: bool = True
    """Whether the ratio must be at least `bound` (else at most)."""

    def reached(self, ratio: float) -> bool:
        if self.bound is None or math.isnan(ratio):
            return False
        return ratio >= self.bound if self.at_least else ratio <= self.bound


def print_result(target: Target, ratio: float, met: bool | None = None) -> None:
    """`RESULT <name> ratio=<r> target=<bound>|none met=yes|no|none goal="<the issue's words>"`;
    `met` defaults to the ratio against the bound (pass it when the target asks more)."""
    if target.bound is None:
        bound, verdict = "none", "none"
    else:
        bound = f"{target.bound:g}"
        verdict = "yes" if (target.reached(ratio) if met is None else met) else "no"
    print(
        f'RESULT {target.name} ratio={ratio:.3f} target={bound} met={verdict} goal="{target.goal}"',
        flush=True,
    )


def note(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


class Progress:
    """A progress line on stderr, at most every `every` seconds."""

    def __init__(self, label: str, total: int, every: float = 2.0) -> None:
        self._label = label
        self._total = total
        self._every = every
        self._started = time.monotonic()
        self._last = self._started

    def update(self, done: int) -> None:
        now = time.monotonic()
        if now - self._last >= self._every or done >= self._total:
            self._last = now
            rate = done / max(now - self._started, 1e-9)
            note(f"{self._label}: {done:,}/{self._total:,} ({rate:,.0f}/s)")


POSTGRES_BACKEND = "postgres:"
"""A CPU read's key prefix of a PostgreSQL backend, then its pid (`Environment.cpu_seconds`)."""


def print_cpu(
    events: int, before: dict[str, float], after: dict[str, float], unit: str = "events"
) -> None:
    """Each service's CPU milliseconds per 1,000 events (or other `unit`) between two
    `cpu_seconds` reads; the PostgreSQL backends summed as `postgres` (one that ended
    between the reads is missing from it, one that started counts whole)."""
    used: dict[str, float] = {}
    for key, seconds in after.items():
        name = "postgres" if key.startswith(POSTGRES_BACKEND) else key
        used[name] = used.get(name, 0.0) + seconds - before.get(key, 0.0)
    text = ", ".join(f"{name} {1e6 * value / events:,.0f} ms" for name, value in used.items())
    print(f"CPU per 1,000 {unit}: {text}")
