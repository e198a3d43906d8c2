"""`stegvis rebuild [--wait SECONDS]`: outcomes' and reporting's state made anew from
intake's event log, in bulk, then kept up by the running services.

1. The cut: intake's newest position P. Every event up to P is the bulk's; those after it
   (accepted meanwhile) go the normal way.
2. The computation, by the consumers' own use cases on their in-memory ports (outcomes'
   `erasure.apply_batch`, then reporting's `handlers.apply_changes` over the changes it
   published, in log order: `services/bulk_derivation.py`), an insats at a time in a pool
   of processes, one per core (registrations and cells are keyed by insats, so
   insatser are independent; the yearly and förbund sums are summed when stored).
3. The store, one transaction per service, reporting's committed first: its reset (which
   waits for a batch in progress) with the erased participants' contributions and the
   computed cells, insatser, processed ids and position P at generation G+1; outcomes'
   reset with the computed events, records, summaries and every event id up to P claimed,
   written meanwhile and committed after. Outcomes publishes nothing for them: reporting
   has their effect already.
4. Then intake re-queues the events after P (and any up to P the computation did not read:
   one committed late, under a lower position), and every user and credential.

Why nothing is lost or counted twice, whatever runs meanwhile: from step 3's first commit
reporting ignores every change of generation G, which is all outcomes publishes until its
own reset, so nothing outcomes still does at G counts. Outcomes at G+1 has claimed every id
up to P that the computation read, so any of those redelivered or in flight is a duplicate,
and its state holds nothing of the events after P, which reach it from step 4 (or from
intake's relay, as accepted) and count once at G+1. An event up to P the computation did not
read was not claimed, and step 4 re-queues it. Interrupted before outcomes' reset, reporting
waits at G+1 for changes that never come: run the rebuild again, as before. A participant
erased between the read and outcomes' reset is the one case the command cannot settle
alone: outcomes would keep the events the computation read, so it says so and fails; the
next rebuild reads the log without them, and outcomes keeps none of them.
"""

import asyncio
import multiprocessing
import os
import sys
import time
from concurrent.futures import Future, ProcessPoolExecutor

from sqlalchemy.engine import make_url

from services.bulk_derivation import InsatsWork, computed, started
from services.intake import bootstrap as intake
from services.outcomes import bootstrap as outcomes
from services.outcomes.adapters.bulk import Derived
from services.progress import bar
from services.reporting import bootstrap as reporting
from services.reporting.adapters.bulk import Projected
from shared.platform.settings import Settings

POLL_SECONDS = 0.2
"""How often `--wait` reads reporting's position: a read on a kept connection is a
millisecond of CPU; the wait ends at most this long after the rebuild."""


def _pool() -> ProcessPoolExecutor:
    """A process per core, started now: each imports what it computes with (about a second)
    while this one cuts and reads the log. Spawned, never forked: this process has an event
    loop and its threads running."""
    workers = os.cpu_count() or 1
    pool = ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("spawn"), initializer=started
    )
    for _ in range(workers):
        pool.submit(started)  # each submit while none is idle starts a process
    return pool


async def _compute(
    pool: ProcessPoolExecutor,
    settings: Settings,
    cut_position: int,
    counts: dict[str, int],
    generation: int,
) -> tuple[list[Derived], list[Projected], set[int]]:
    """Every insats's state, the largest first, each computed while the next is read; and
    the positions read."""
    insats_ids = sorted(counts, key=lambda insats_id: -counts[insats_id])
    total = sum(counts.values())
    policy, close_days = settings.outcome_policy(), settings.month_close_days
    pending: list[tuple[int, Future]] = []
    read: set[int] = set()
    async for _insats_id, events in intake.insatser_events(settings, insats_ids, cut_position):
        read.update(position for position, _ in events)
        work = InsatsWork(events, generation, policy, close_days)
        pending.append((len(events), pool.submit(computed, work)))
    done = 0
    bar(done, total, "" if total else "\n")
    results = []
    for count, future in pending:
        results.append(await asyncio.wrap_future(future))
        done += count
        bar(done, total, "\n" if done == total else "")
    return [d for d, _ in results], [p for _, p in results], read


async def _stored(
    settings: Settings, generation: int, derived: list[Derived], projected: list[Projected]
) -> None:
    """Reporting's reset committed first: from then on it ignores whatever the old generation
    still sends. On PostgreSQL outcomes writes meanwhile (another backend, another core) and
    commits after; SQLite has one writer a database (the services may share one)."""
    async with (
        reporting.resetting(settings) as reset_reporting,
        outcomes.resetting(settings) as reset_outcomes,
    ):
        if make_url(settings.service_database_url("outcomes")).get_backend_name() != "postgresql":
            await reset_reporting(generation, projected)
            await reset_outcomes(generation, derived, None)
            return
        reporting_stored = asyncio.ensure_future(reset_reporting(generation, projected))
        try:
            await reset_outcomes(generation, derived, reporting_stored)
        finally:
            await asyncio.gather(reporting_stored, return_exceptions=True)


async def rebuild(settings: Settings, wait_seconds: float) -> int:
    with _pool() as pool:
        generation = await outcomes.current_generation(settings) + 1
        cut = await intake.event_log_cut(settings)
        total = sum(cut.counts.values())
        print(
            f"Generation {generation}: deriving outcomes and reporting from intake's event log "
            f"(positions 1–{cut.position}, {total} events) …",
            flush=True,
        )
        began = time.monotonic()
        derived, projected, read = await _compute(
            pool, settings, cut.position, cut.counts, generation
        )
    print(f"Derived in {time.monotonic() - began:.1f} s; storing …", flush=True)
    await _stored(settings, generation, derived, projected)
    in_log = await intake.positions_through(settings, cut.position)
    missed = in_log - read
    last_position = await intake.requeue_event_log(settings, cut.position, missed)
    print(
        f"Stored through position {cut.position}; intake re-queued the events after it "
        f"({last_position - cut.position} now) and {len(missed)} committed late.",
        flush=True,
    )
    if erased := len(read - in_log):
        # Erased after the read: outcomes may hold them again, or the erasure came first.
        print(
            f"{erased} of the events read were erased meanwhile: run `stegvis rebuild` again "
            "so that outcomes keeps none of them.",
            file=sys.stderr,
        )
        return 1
    if wait_seconds <= 0 or last_position == 0:
        return 0
    return 0 if await _waited(settings, last_position, wait_seconds) else 1


async def _waited(settings: Settings, last_position: int, wait_seconds: float) -> bool:
    deadline = time.monotonic() + wait_seconds
    async with reporting.processed_positions(settings) as processed_position:
        while time.monotonic() < deadline:
            position = await processed_position()
            bar(min(position, last_position), last_position)
            if position >= last_position:
                print("\nRebuild complete.", flush=True)
                return True
            await asyncio.sleep(POLL_SECONDS)
    print(
        "\nNot complete yet: are outcomes and reporting running? "
        "They finish the rebuild whenever they run.",
        file=sys.stderr,
    )
    return False
