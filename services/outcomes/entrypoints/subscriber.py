"""Intake's stream into the use case: decode entries, hand batches to `apply_events`."""

from collections.abc import Callable, Sequence

from pydantic import ValidationError
from redis.asyncio import Redis

from services.outcomes.service_layer.erasure import apply_batch
from services.outcomes.service_layer.handlers import PositionedEvent
from services.outcomes.service_layer.unit_of_work import UnitOfWork
from shared.contract.codes import OutcomePolicy
from shared.contract.events import parse_intake_event
from shared.platform import metrics
from shared.platform.consumer import PoisonMessage, StreamConsumer
from shared.platform.settings import Settings
from shared.platform.streams import StreamEntry, Topology

GROUP = "outcomes"


def decode(entry: StreamEntry) -> PositionedEvent:
    try:
        body = entry.fields[b"body"]
        return PositionedEvent(
            int(entry.fields[b"position"]), parse_intake_event(body), body.decode()
        )
    except (KeyError, ValueError, ValidationError) as error:
        raise PoisonMessage(str(error)) from error


def intake_consumer(
    settings: Settings,
    redis: Redis,
    new_uow: Callable[[], UnitOfWork],
    policy: OutcomePolicy,
) -> StreamConsumer[PositionedEvent]:
    stream = Topology(settings.stream_prefix).intake_events

    async def handle(batch: Sequence[PositionedEvent]) -> None:
        duplicates = await apply_batch(new_uow, batch, policy)
        metrics.DUPLICATES.labels(stream, GROUP).inc(duplicates)

    return StreamConsumer.configured(settings, redis, stream, GROUP, decode, handle)
