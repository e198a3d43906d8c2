"""6. Memory: each service's peak RSS (VmHWM) after processing a small and the large history;
flat means the large one needs at most `GROWTH_BOUND` times the small one's."""

from bench.history import SERVICES, processed_history
from bench.output import Target, print_result, print_table
from bench.sizes import Sizes
from bench.workload import generate

NAME = "memory"
GROWTH_BOUND = 1.05
"""Allowed growth of peak RSS from the small to the large history (20× the events)."""
TARGET = Target(NAME, 1.0, f"memory stays flat (≤ {GROWTH_BOUND}×)", at_least=False)
"""The ratio is the largest growth ÷ `GROWTH_BOUND`."""


async def run(sizes: Sizes, large_peaks: dict[str, float]) -> None:
    small_events = sizes.memory_small_events
    workload = generate(small_events, small_events // 10)
    async with processed_history(NAME, workload) as small:
        small_peaks = small.peak_rss_mib
    growth = {name: large_peaks[name] / small_peaks[name] for name in SERVICES}
    print_table(
        f"6. Memory ({sizes.name}: peak RSS after {small_events:,} and"
        f" {sizes.history_events:,} events)",
        ["service", f"MiB @ {small_events:,}", f"MiB @ {sizes.history_events:,}", "growth"],
        [[name, small_peaks[name], large_peaks[name], growth[name]] for name in SERVICES],
    )
    worst = max(growth.values())
    print(f"largest growth {worst:.3f}× (bound {GROWTH_BOUND}×)")
    print_result(TARGET, worst / GROWTH_BOUND)
