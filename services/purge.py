"""`stegvis purge --ended-before YYYY-MM-DD [--dry-run]` (gallring): erase every participant
whose stop is dated before the day, as `DELETE …/participants/{code}` does one.

It opens intake's database itself, as `stegvis rebuild` does, so it works whether the
services run or not: intake erases each participant in a transaction of its own and stages
its erasure; the running services carry it through outcomes and reporting, which deletes
the streams' entries. With `--wait` it shows that progress, then rewrites each database
without a trace of what was deleted (VACUUM).
"""

import asyncio
import sys
import time
from datetime import date

from redis.asyncio import Redis

from services.intake import bootstrap as intake
from services.intake.adapters import tables as intake_tables
from services.intake.service_layer.erasure import Registrations
from services.outcomes.adapters import tables as outcomes_tables
from services.progress import bar
from services.reporting.adapters import tables as reporting_tables
from shared.contract.events import ParticipantErased
from shared.platform.erasure import message_ids, streams_naming_participants
from shared.platform.service import compact, staged
from shared.platform.settings import Settings
from shared.platform.streams import Topology

ERASURE = ParticipantErased.model_fields["type"].default
"""The type of an erasure's messages: intake's, and outcomes' for reporting."""
POLL_SECONDS = 0.5


def _per_insats(registrations: Registrations, verb: str) -> None:
    for insats_id, count in sorted(registrations.per_insats.items()):
        print(f"  {insats_id}: {count}")
    # People and registrations apart: one who moved on is one person, erased in each
    # insats they were in.
    people, total = registrations.people, registrations.total
    print(
        f"{verb}: {people} participant{'' if people == 1 else 's'} "
        f"({total} registration{'' if total == 1 else 's'}: one per insats each was in).",
        flush=True,
    )


async def purge(settings: Settings, ended_before: date, dry_run: bool, wait_seconds: float) -> int:
    if dry_run:
        counts = await intake.participants_ended_before(settings, ended_before)
        print(f"Stopped before {ended_before.isoformat()}, registrations per insats:")
        _per_insats(counts, "Would be erased (dry run: nothing changed)")
        return 0
    print(f"Erasing every participant stopped before {ended_before.isoformat()} …", flush=True)
    erased = await intake.purge(
        settings, ended_before, lambda done, total: bar(done, total, "\n" if done == total else "")
    )
    _per_insats(erased, "Erased in intake")
    total = erased.total  # one erasure message per registration
    if wait_seconds <= 0 or total == 0:
        return 0
    print("Outcomes and reporting erase them too:", flush=True)
    if not await _waited(settings, total, wait_seconds):
        print(
            "\nNot complete yet: are outcomes and reporting running? "
            "They finish the erasure whenever they run.",
            file=sys.stderr,
        )
        return 1
    for tables in (intake_tables, outcomes_tables, reporting_tables):
        await compact(settings, tables.SERVICE, tables.REVISIONS_DIR)
    print("\nErasure complete: no stream, outbox or database holds them.", flush=True)
    return 0


async def _waited(settings: Settings, total: int, wait_seconds: float) -> bool:
    """Whether every erasure left the outboxes and the streams (reporting deletes the
    streams' entries once it keeps the contributions) within `wait_seconds`."""
    redis = Redis.from_url(settings.reachable_redis_url())
    streams = streams_naming_participants(Topology(settings.stream_prefix))
    deadline = time.monotonic() + wait_seconds
    try:
        while time.monotonic() < deadline:
            # An erasure is in flight as intake's message, then as outcomes' (one id). It only
            # moves downstream (outbox, stream, the next outbox), and its stream entries stay
            # until reporting deletes them all: read upstream first, or one relayed between
            # two reads would be in neither.
            pending: set[str] = set()
            for tables in (intake_tables, outcomes_tables):
                pending |= await staged(
                    settings, tables.SERVICE, tables.REVISIONS_DIR, tables.outbox, ERASURE
                )
            pending |= await message_ids(redis, streams, ERASURE)
            bar(max(0, total - len(pending)), total)
            if not pending:
                return True
            await asyncio.sleep(POLL_SECONDS)
        return False
    finally:
        await redis.aclose()
