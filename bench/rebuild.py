"""5. Rebuild: `stegvis rebuild --wait` of the large history, against reading the raw event
log alone (SELECT of every row, JSON parse of each body)."""

import asyncio
import json
import resource
import sys
import time

from bench.environment import PROJECT_DIR
from bench.history import History
from bench.output import Target, note, print_cpu, print_result, print_table
from bench.reports import snapshot, wait_until_reflected
from bench.sizes import Sizes

NAME = "rebuild"
COMMAND = "stegvis rebuild"
"""The command's CPU line: its process and its workers (the services only wait meanwhile;
the command's own PostgreSQL connections have ended by the second read, so `postgres`
counts only the services')."""
TARGET = Target(NAME, 0.1, "≥ 0.1× the raw read")


async def run(history: History, sizes: Sizes) -> None:
    env, events = history.env, history.last_position
    raw_seconds = await _raw_read_seconds(history)
    async with history.reporting_client() as client:
        before = {year: (await snapshot(client, year)).figures for year in history.expected}
        note(f"{NAME}: stegvis rebuild --wait of {events:,} events")
        cpu_before = await env.cpu_seconds() | {COMMAND: _reaped_children_cpu_seconds()}
        started = time.monotonic()
        command = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "services.cli",
            "rebuild",
            "--wait",
            str(max(600, events / 50)),
            cwd=PROJECT_DIR,
            env=env.service_environment(),
            stdout=sys.stderr,
        )
        if await command.wait() != 0:
            raise RuntimeError(f"stegvis rebuild exited with {command.returncode}")
        seconds = time.monotonic() - started
        cpu_after = await env.cpu_seconds() | {COMMAND: _reaped_children_cpu_seconds()}
        await wait_until_reflected(
            client, events, history.expected, 60, f"{NAME}: figures", env.database_url
        )
        after = {year: (await snapshot(client, year)).figures for year in history.expected}
    raw_rate, rate = events / raw_seconds, events / seconds
    print_table(
        f"5. Rebuild ({sizes.name}: {events:,} events)",
        ["path", "events", "seconds", "events/s"],
        [
            ["raw read of the event log (SELECT all + json.loads)", events, raw_seconds, raw_rate],
            ["stegvis rebuild --wait (all projections)", events, seconds, rate],
        ],
    )
    print(f"figures equal before and after the rebuild: {'yes' if before == after else 'NO'}")
    print_cpu(events, cpu_before, cpu_after)
    print_result(TARGET, rate / raw_rate)


def _reaped_children_cpu_seconds() -> float:
    """CPU time of this process's children that have ended and been waited for, and of
    theirs: the rebuild command, once it exited, with its worker processes."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def _raw_read_seconds(history: History) -> float:
    connection = await history.env.connect()
    try:
        started = time.perf_counter()
        rows = await connection.fetch("SELECT position, body FROM intake_events ORDER BY position")
        parsed = [json.loads(row["body"]) for row in rows]
        seconds = time.perf_counter() - started
    finally:
        await connection.close()
    if len(parsed) != history.last_position:
        raise RuntimeError(f"raw read found {len(parsed)} of {history.last_position} events")
    return seconds
