"""Fill intake's event log directly, with intake's own table and migrations, and stage it
for publication with intake's own re-queue (what `stegvis rebuild` does with the events after
its cut, here the whole log)."""

from sqlalchemy import insert

from bench.output import Progress
from bench.workload import Workload
from services.intake import bootstrap as intake
from services.intake.adapters import tables
from shared.platform.service import migrated_sessions
from shared.platform.settings import Settings

CHUNK = 5_000


async def write_event_log(settings: Settings, workload: Workload) -> int:
    """Append the workload's events to a fresh log; returns the last position."""
    progress = Progress("seeding intake's event log", len(workload.events))
    async with (
        migrated_sessions(settings, intake.SERVICE, intake.REVISIONS_DIR) as sessions,
        sessions() as session,
        session.begin(),
    ):
        for start in range(0, len(workload.events), CHUNK):
            chunk = workload.events[start : start + CHUNK]
            await session.execute(insert(tables.events), [_row(e) for e in chunk])
            progress.update(start + len(chunk))
    return len(workload.events)


def _row(event) -> dict:
    return {
        "event_id": event.event_id,
        "type": event.type,
        "insats_id": event.insats_id,
        "participant_id": getattr(event, "participant_id", None),
        "occurred_at": event.occurred_at,
        "body": event.model_dump_json(),
    }


async def requeue(settings: Settings) -> int:
    return await intake.requeue_event_log(settings)
