"""What the benchmarks print: aligned tables and the RESULT line on stdout, progress on stderr."""

import sys
import time
from collections.abc import Sequence


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


def print_result(name: str, ratio: float, target: float, met: bool) -> None:
    print(
        f"RESULT {name} ratio={ratio:.3f} target={target:g} met={'yes' if met else 'no'}",
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
