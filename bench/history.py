"""A förbund's history, processed: the log written, re-queued, and reflected in the reports.

Report latency and rebuild run on the large one; memory compares the services' peak RSS
after a small and after the large one.
"""

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx

from bench.environment import Environment
from bench.reports import wait_until_reflected
from bench.seed import requeue, write_event_log
from bench.sizes import Sizes
from bench.workload import FIRST_YEAR, LAST_YEAR, CoreCounts, Workload, generate

SERVICES = ("intake", "outcomes", "reporting")


@dataclass(frozen=True)
class History:
    env: Environment
    workload: Workload
    last_position: int
    expected: dict[int, CoreCounts]
    processing_seconds: float
    peak_rss_mib: dict[str, float]
    """Each service's VmHWM right after the history was processed."""

    def reporting_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self.env.url("reporting"), headers=self.env.auth, timeout=60
        )


@asynccontextmanager
async def processed_history(label: str, workload: Workload) -> AsyncIterator[History]:
    expected = {year: workload.core_counts(year) for year in (FIRST_YEAR, LAST_YEAR)}
    async with Environment(label) as env:
        last_position = await write_event_log(env.settings, workload)
        await env.start(*SERVICES)
        history = History(env, workload, last_position, expected, 0.0, {})
        async with history.reporting_client() as client:
            started = time.monotonic()
            await requeue(env.settings)
            finished = await wait_until_reflected(
                client,
                last_position,
                expected,
                max(120.0, last_position / 100),
                f"{label}: reflected",
                env.database_url,
            )
        yield History(
            env,
            workload,
            last_position,
            expected,
            finished - started,
            {name: env.processes[name].peak_rss_mib() for name in SERVICES},
        )


def processed(sizes: Sizes):
    """The large history: `history_events` events of `history_participants` participants."""
    workload = generate(sizes.history_events, sizes.history_participants)
    return processed_history("history", workload)
