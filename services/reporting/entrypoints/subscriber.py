"""The streams into the use cases: outcomes' changes to `apply_changes`, intake's access
changes to `apply_access_changes`; and the gauge of what the reports reflect."""

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, TypeVar

import msgspec
from prometheus_client import Gauge
from pydantic import ValidationError
from redis.asyncio import Redis

from services.reporting.domain.contributions import (
    OPEN_START_FIELDS,
    open_with_the_same_start,
)
from services.reporting.service_layer.access import apply_access_changes
from services.reporting.service_layer.handlers import apply_changes
from services.reporting.service_layer.unit_of_work import (
    AccessUnitOfWork,
    ReportReader,
    UnitOfWork,
)
from shared.contract.access import AccessChange, parse_access_change
from shared.contract.records import OutcomeChange, PositionPassed, parse_outcome_change
from shared.platform import metrics
from shared.platform.consumer import PoisonMessage, StreamConsumer
from shared.platform.erasure import (
    delete_entries,
    rewrite_append_only_file,
    streams_naming_participants,
)
from shared.platform.settings import Settings
from shared.platform.streams import StreamEntry, Topology
from shared.platform.tasks import stop_task

log = logging.getLogger(__name__)

GROUP = "reporting"

NEWEST_EVENT_REFLECTED = Gauge(
    "stegvis_reporting_newest_event_timestamp_seconds",
    "Unix time of the newest intake event the reports reflect (0: none). The reports' "
    "freshness is intake's stegvis_intake_newest_event_timestamp_seconds minus this.",
)


T = TypeVar("T")


def _parsed_body(entry: StreamEntry, parse: Callable[[bytes], T]) -> T:
    try:
        return parse(entry.fields[b"body"])
    except (KeyError, ValidationError) as error:
        raise PoisonMessage(str(error)) from error


def decode(entry: StreamEntry) -> OutcomeChange:
    return _parsed_body(entry, _outcome_change)


_PASSED_FIELDS = tuple(name for name in PositionPassed.model_fields if name != "type")


_StartAsWritten = msgspec.defstruct(
    "StartAsWritten", [(name, Any, None) for name in OPEN_START_FIELDS]
)
_Glance = msgspec.defstruct(
    "Glance",
    [
        *((name, Any, None) for name in _PASSED_FIELDS),
        ("type", Any, None),
        ("before", _StartAsWritten | None, None),
        ("after", _StartAsWritten | None, None),
    ],
)
_GLANCE = msgspec.json.Decoder(_Glance)
"""A change's envelope and what `open_with_the_same_start` reads of its records, as
written (plain JSON values; None where absent): the rest of the body (the records' step
movements, answers, follow-ups…) is skipped by the parser, never made into Python objects."""


def _as_written(record: msgspec.Struct | None) -> tuple[Any, ...] | None:
    return None if record is None else msgspec.structs.astuple(record)


def _outcome_change(body: bytes) -> OutcomeChange:
    """The change; one that counts nothing, a check-in of an open record (most changes),
    as the position it passes: its two records are not validated, only compared as
    written (outcomes is trusted; what counts is validated, a poison entry still fails)."""
    try:
        *envelope, kind, before, after = msgspec.structs.astuple(_GLANCE.decode(body))
    except msgspec.DecodeError:
        kind = None  # not even a change's shape: the whole parse says why
    if kind == "ParticipantRecordChanged" and open_with_the_same_start(
        _as_written(before), _as_written(after)
    ):
        return PositionPassed.model_validate(dict(zip(_PASSED_FIELDS, envelope)))
    return parse_outcome_change(body)


def decode_access(entry: StreamEntry) -> AccessChange:
    return _parsed_body(entry, parse_access_change)


def outcomes_consumer(
    settings: Settings, redis: Redis, new_uow: Callable[[], UnitOfWork]
) -> StreamConsumer[OutcomeChange]:
    topology = Topology(settings.stream_prefix)
    stream = topology.outcome_changes

    async def handle(batch: Sequence[OutcomeChange]) -> None:
        applied = await apply_changes(new_uow(), batch, settings.month_close_days)
        metrics.DUPLICATES.labels(stream, GROUP).inc(applied.duplicates)
        if applied.erased:
            # Last in the chain: no consumer needs these entries any more. Deleted before
            # the acknowledgement, so a crash in between deletes them on the redelivery.
            streams = streams_naming_participants(topology)
            await delete_entries(redis, streams, applied.erased)
            await rewrite_append_only_file(redis)

    return StreamConsumer.configured(settings, redis, stream, GROUP, decode, handle)


def access_consumer(
    settings: Settings, redis: Redis, new_uow: Callable[[], AccessUnitOfWork]
) -> StreamConsumer[AccessChange]:
    """Versions, not processed ids, make redeliveries harmless here (`apply_access_changes`)."""

    async def handle(batch: Sequence[AccessChange]) -> None:
        await apply_access_changes(new_uow(), batch)

    stream = Topology(settings.stream_prefix).intake_access
    return StreamConsumer.configured(settings, redis, stream, GROUP, decode_access, handle)


@asynccontextmanager
async def tracking_newest_event_reflected(
    open_reader: Callable[[], AbstractAsyncContextManager[ReportReader]],
    interval_seconds: float = 2.0,
) -> AsyncIterator[None]:
    """Keep `NEWEST_EVENT_REFLECTED` on what the database says until the block ends.

    Read from the stored state rather than from the batches this replica applied: so every
    replica shows the same, right from its start, and a rebuild (`stegvis rebuild`, another
    process) shows at once.
    """

    async def track() -> None:
        while True:
            try:
                async with open_reader() as reader:
                    occurred_at = (await reader.processed_through()).occurred_at
                NEWEST_EVENT_REFLECTED.set(occurred_at.timestamp() if occurred_at else 0)
            except Exception as error:  # noqa: BLE001  # a gauge is not worth stopping for
                log.warning("could not read what the reports reflect: %s", error)
            await asyncio.sleep(interval_seconds)

    task = asyncio.create_task(track(), name="newest event reflected gauge")
    try:
        yield
    finally:
        await stop_task(task)
