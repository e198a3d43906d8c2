"""Outcomes' stream into the use case: decode entries, hand batches to `apply_changes`."""

from collections.abc import Callable, Sequence

from pydantic import ValidationError
from redis.asyncio import Redis

from shared import metrics
from shared.consumer import PoisonMessage, StreamConsumer
from shared.records import OutcomeChange, parse_outcome_change
from shared.settings import Settings
from shared.streams import StreamEntry, Topology
from services.reporting.service_layer.handlers import apply_changes
from services.reporting.service_layer.unit_of_work import UnitOfWork

GROUP = "reporting"


def decode(entry: StreamEntry) -> OutcomeChange:
    try:
        return parse_outcome_change(entry.fields[b"body"])
    except (KeyError, ValidationError) as error:
        raise PoisonMessage(str(error)) from error


def outcomes_consumer(
    settings: Settings, redis: Redis, new_uow: Callable[[], UnitOfWork]
) -> StreamConsumer[OutcomeChange]:
    stream = Topology(settings.stream_prefix).outcome_changes

    async def handle(batch: Sequence[OutcomeChange]) -> None:
        applied = await apply_changes(new_uow(), batch)
        metrics.DUPLICATES.labels(stream, GROUP).inc(applied.duplicates)

    return StreamConsumer(
        redis=redis,
        stream=stream,
        group=GROUP,
        consumer=settings.consumer_name,
        decode=decode,
        handle=handle,
        batch_size=settings.batch_size,
        claim_idle_ms=settings.claim_idle_ms,
        max_deliveries=settings.max_deliveries,
    )
