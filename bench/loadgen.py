"""The closed-loop load generator both HTTP servers get: `clients` concurrent clients, each
sending its next request as soon as the previous one was answered.

aiohttp, not httpx: httpx costs the generator several times more CPU per request, on the
same two cores as the servers, and capped the faster server first."""

import asyncio
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp

from bench.output import Progress, percentile

CLIENTS = 16


@dataclass(frozen=True)
class LoadResult:
    requests: int
    accepted: int
    """Answered 201."""
    seconds: float
    latencies: list[float]

    @property
    def rate(self) -> float:
        return self.accepted / self.seconds

    def latency_ms(self, fraction: float) -> float:
        return percentile(self.latencies, fraction) * 1000

    def __add__(self, other: "LoadResult") -> "LoadResult":
        return LoadResult(
            self.requests + other.requests,
            self.accepted + other.accepted,
            self.seconds + other.seconds,
            self.latencies + other.latencies,
        )


async def closed_loop(
    base_url: str,
    headers: dict[str, str],
    request: Callable[[int], tuple[str, dict]],
    total: int,
    label: str,
    clients: int = CLIENTS,
) -> LoadResult:
    """POST `total` requests; `request(i)` gives the i-th request's path and JSON body."""
    counter = itertools.count()
    latencies: list[float] = []
    accepted = 0
    progress = Progress(label, total)
    async with aiohttp.ClientSession(
        base_url=base_url,
        headers=headers,
        connector=aiohttp.TCPConnector(limit=clients),
        timeout=aiohttp.ClientTimeout(total=60),
    ) as client:

        async def one_client() -> None:
            nonlocal accepted
            while (i := next(counter)) < total:
                path, body = request(i)
                sent = time.perf_counter()
                async with client.post(path, json=body) as response:
                    await response.read()
                latencies.append(time.perf_counter() - sent)
                accepted += response.status == 201
                progress.update(len(latencies))

        started = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(clients)))
        seconds = time.perf_counter() - started
    return LoadResult(total, accepted, seconds, latencies)
