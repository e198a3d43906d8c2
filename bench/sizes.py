"""How big each benchmark runs: the issue's sizes, and a tenth of them for `--quick`."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Sizes:
    name: str
    pipeline_events: int
    http_requests: int
    """Per server, measured (after a warm-up of `http_warmup`)."""
    http_warmup: int
    freshness_seconds: float
    history_events: int
    """The förbund's history behind report latency, rebuild and memory at the large size."""
    history_participants: int
    report_queries: int
    memory_small_events: int


FULL = Sizes(
    name="full",
    pipeline_events=100_000,
    http_requests=10_000,
    http_warmup=640,
    freshness_seconds=60,
    history_events=200_000,
    history_participants=20_000,
    report_queries=300,
    memory_small_events=10_000,
)
QUICK = Sizes(
    name="quick",
    pipeline_events=10_000,
    http_requests=1_000,
    http_warmup=160,
    freshness_seconds=6,
    history_events=20_000,
    history_participants=2_000,
    report_queries=30,
    memory_small_events=1_000,
)
