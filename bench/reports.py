"""Reporting's HTTP API as a benchmark sees it: the helår report and its processed position."""

import asyncio
import time
from dataclasses import dataclass

import asyncpg
import httpx

from bench.output import Progress
from bench.workload import CoreCounts

CORE_FIGURES = ("new", "ended", "opening")
_STORED_POSITION = "SELECT processed_position FROM reporting_meta"
GENDERS = ("kvinna", "man", "annan")


def report_path(year: int, period: str = "helar") -> str:
    return f"/api/v1/reports?year={year}&period={period}"


@dataclass(frozen=True)
class Snapshot:
    position: int
    figures: dict


async def snapshot(client: httpx.AsyncClient, year: int) -> Snapshot:
    response = await client.get(report_path(year))
    response.raise_for_status()
    body = response.json()
    processed = body.get("processed_through") or {}
    return Snapshot(int(processed.get("position") or 0), body["figures"])


def core_counts(figures: dict) -> CoreCounts:
    def by_gender(name: str) -> dict[str, int]:
        return {gender: int(figures[name][gender]) for gender in GENDERS}

    return CoreCounts(*(by_gender(name) for name in CORE_FIGURES))


async def wait_until_reflected(
    client: httpx.AsyncClient,
    last_position: int,
    expected: dict[int, CoreCounts],
    timeout: float,
    label: str,
    database_url: str,
) -> float:
    """Poll until the reports include `last_position` and show the expected core counts for
    every year given; returns the monotonic time that was first seen.

    Until reporting's stored position (its meta row, read as `stegvis rebuild --wait` reads
    it) reaches `last_position`, only that is polled: a report every 0.1 s all along took a
    share of reporting's CPU from the work being measured on a two-core machine."""
    progress = Progress(label, last_position)
    deadline = time.monotonic() + timeout
    connection = await asyncpg.connect(database_url)
    try:
        while (stored := await connection.fetchval(_STORED_POSITION) or 0) < last_position:
            progress.update(stored)
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{label}: reporting at position {stored} of {last_position}"
                    f" after {timeout:.0f} s"
                )
            await asyncio.sleep(0.05)
    finally:
        await connection.close()
    year = min(expected)
    while True:
        current = await snapshot(client, year)
        progress.update(min(current.position, last_position))
        if current.position >= last_position and await _shows(client, expected):
            return time.monotonic()
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"{label}: reports at position {current.position} of {last_position}"
                f" after {timeout:.0f} s"
            )
        await asyncio.sleep(0.1)


async def _shows(client: httpx.AsyncClient, expected: dict[int, CoreCounts]) -> bool:
    for year, counts in expected.items():
        if core_counts((await snapshot(client, year)).figures) != counts:
            return False
    return True
