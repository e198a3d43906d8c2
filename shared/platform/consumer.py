"""Consuming a stream through a FastStream consumer group, at least once, never twice in effect.

Two subscribers per group and replica, both with explicit manual acknowledgement:
- the reader takes new entries in batches (XREADGROUP); entries it cannot even decode are
  left pending, the rest are handled in one call and acknowledged together;
- the claimer takes entries left pending longer than `claim_idle_ms` (XAUTOCLAIM; a crashed
  replica's, or ones whose batch failed) one at a time. One that keeps failing for a reason
  other than an unreachable database is moved to the dead-letter stream after
  `max_deliveries` deliveries, so the stream behind it keeps flowing.

Handlers must be idempotent (record processed ids in their own transaction): every entry
can be delivered more than once.
"""

import asyncio
import logging
import os
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from faststream import AckPolicy
from faststream.message import StreamMessage
from faststream.redis import RedisBroker, StreamSub
from redis.asyncio import Redis
from sqlalchemy.exc import DBAPIError

from shared.platform import metrics
from shared.platform.dead_letters import error_text, set_aside
from shared.platform.settings import Settings
from shared.platform.streams import StreamEntry, dead_letter_stream, ensure_group
from shared.platform.tasks import stop_task

log = logging.getLogger(__name__)

T = TypeVar("T")

_LAG_COUNT_BOUND = 100_000

_READ_BLOCK_MS = 2_000
"""How long the reader's XREADGROUP waits for new entries. It returns as soon as one
arrives, so this bounds only how often an idle reader asks again: each empty round trip
costs the process CPU (at 100 ms, two readers took a third of an idle service's)."""


class PoisonMessage(ValueError):
    """The entry is not a message this consumer understands (bad JSON, invalid event)."""


_SERVER_UNAVAILABLE = ("08", "57P01", "57P02", "57P03")
"""SQLSTATEs of a PostgreSQL that cannot serve right now: connection exceptions, and the
server shutting down or starting up (refused connections carry no invalidated connection)."""


def _is_transient(error: BaseException) -> bool:
    # An unreachable database or Redis says nothing about the message: retry it forever
    # rather than dead-letter good data during an outage.
    if isinstance(error, DBAPIError) and (
        error.connection_invalidated
        or (getattr(error.orig, "sqlstate", None) or "").startswith(_SERVER_UNAVAILABLE)
    ):
        return True
    return isinstance(error, ConnectionError | OSError | TimeoutError)


async def _raw_message(raw: Mapping[str, Any]) -> StreamMessage[Any]:
    # Decoding is ours: FastStream's parser would fail on non-JSON bytes before the handler
    # could dead-letter them.
    return StreamMessage(raw_message=raw, body=b"")


async def _entries(message: StreamMessage[Any]) -> list[StreamEntry]:
    raw = message.raw_message
    data = raw["data"]
    rows = data if isinstance(data, list) else [data]
    return [StreamEntry(entry_id, fields) for entry_id, fields in zip(raw["message_ids"], rows)]


def _default(setting: str) -> Any:
    """A setting's default, declared in `Settings`."""
    return Settings.model_fields[setting].default


@dataclass
class StreamConsumer(Generic[T]):
    redis: Redis
    stream: str
    group: str
    consumer: str
    decode: Callable[[StreamEntry], T]
    """Turns an entry into a message; raises `PoisonMessage` when it cannot."""
    handle: Callable[[Sequence[T]], Awaitable[None]]
    """Applies messages in one transaction, skipping ids it processed before."""
    batch_size: int = _default("batch_size")
    read_linger_ms: int = _default("read_linger_ms")
    claim_idle_ms: int = _default("claim_idle_ms")
    max_deliveries: int = _default("max_deliveries")

    @classmethod
    def configured(
        cls,
        settings: Settings,
        redis: Redis,
        stream: str,
        group: str,
        decode: Callable[[StreamEntry], T],
        handle: Callable[[Sequence[T]], Awaitable[None]],
    ) -> "StreamConsumer[T]":
        """This replica's consumer of `stream` in `group`, tuned by `settings`."""
        return cls(
            redis=redis,
            stream=stream,
            group=group,
            consumer=settings.consumer_name,
            decode=decode,
            handle=handle,
            batch_size=settings.batch_size,
            read_linger_ms=settings.read_linger_ms,
            claim_idle_ms=settings.claim_idle_ms,
            max_deliveries=settings.max_deliveries,
        )

    def __post_init__(self) -> None:
        # The reader and the claimer share one replica's handler: one transaction at a time.
        self._lock = asyncio.Lock()
        self._labels = {"stream": self.stream, "group": self.group}
        self._subscribers: tuple = ()

    async def ensure_group(self) -> None:
        await ensure_group(self.redis, self.stream, self.group)

    @asynccontextmanager
    async def consuming(self, redis_url: str) -> AsyncIterator[None]:
        """Consume on a broker of its own until the block ends (a service's lifespan)."""
        await self.ensure_group()
        broker = RedisBroker(
            redis_url,
            # FastStream's lines through the service's own handler: its format and level
            # (its default logger prints coloured text at INFO whatever STEGVIS_LOG_* say).
            logger=logging.getLogger(f"{__name__}.broker"),
            log_level=logging.DEBUG,  # no line per message
        )
        self.subscribe(broker)
        await broker.start()
        watchdog = asyncio.create_task(self.watch(), name=f"{self.group} watchdog")
        try:
            yield
        finally:
            await stop_task(watchdog)
            await broker.stop()

    def subscribe(self, broker: RedisBroker) -> None:
        reader = broker.subscriber(
            stream=StreamSub(
                self.stream,
                group=self.group,
                consumer=self.consumer,
                batch=True,
                max_records=self.batch_size,
                polling_interval=_READ_BLOCK_MS,
            ),
            ack_policy=AckPolicy.MANUAL,
            parser=_raw_message,
            decoder=_entries,
            title=f"{self.group} reads {self.stream}",
        )
        claimer = broker.subscriber(
            stream=StreamSub(
                self.stream,
                group=self.group,
                consumer=self.consumer,
                min_idle_time=self.claim_idle_ms,
                polling_interval=max(100, self.claim_idle_ms // 10),
            ),
            ack_policy=AckPolicy.MANUAL,
            parser=_raw_message,
            decoder=_entries,
            title=f"{self.group} retries pending entries of {self.stream}",
        )
        reader(self.read_batch)
        claimer(self.retry_pending)
        self._subscribers = (reader, claimer)

    @property
    def running(self) -> bool:
        return bool(self._subscribers) and all(s.running for s in self._subscribers)

    async def watch(self, interval_seconds: float = 2.0) -> None:
        """Keep the group's gauges current; stop this process (SIGTERM) if a subscriber
        stopped for good.

        FastStream stops a subscriber whose group vanished (Redis flushed or replaced) and
        does not restart it; a restarted process recreates the groups at start, so the
        supervisor (`stegvis up`, compose) brings consumption back.
        """
        while self.running:
            try:
                await self.update_gauges()
            except Exception as error:  # noqa: BLE001  # a gauge is not worth stopping for
                log.warning("could not read the state of %s/%s: %s", self.stream, self.group, error)
            await asyncio.sleep(interval_seconds)
        log.critical(
            "a subscriber of %s/%s stopped; restarting the process", self.stream, self.group
        )
        os.kill(os.getpid(), signal.SIGTERM)

    async def update_gauges(self) -> None:
        group = next(
            g
            for g in await self.redis.xinfo_groups(self.stream)
            if g["name"].decode() == self.group
        )
        lag = group.get("lag")
        if lag is None:
            # Redis < 7 does not say (the embedded one is 6.2): count, up to a bound.
            after = b"(" + group["last-delivered-id"]
            lag = len(await self.redis.xrange(self.stream, min=after, count=_LAG_COUNT_BOUND) or [])
        metrics.PENDING.labels(**self._labels).set(group["pending"])
        metrics.LAG.labels(**self._labels).set(lag)
        metrics.DEAD_LETTERS.labels(**self._labels).set(
            await self.redis.xlen(dead_letter_stream(self.stream, self.group))
        )

    async def read_batch(self, entries: list[StreamEntry]) -> None:
        messages, acked = [], []
        for entry in entries:
            try:
                messages.append(self.decode(entry))
                acked.append(entry.entry_id)
            except PoisonMessage as error:
                log.warning(
                    "undecodable entry %s on %s: %s", entry.entry_id, self.stream, error_text(error)
                )
                metrics.RETRIED.labels(**self._labels, reason="poison").inc()
        try:
            await self._handle(messages)
        except Exception as error:
            # Left pending as a whole; the claimer retries each entry on its own.
            log.exception("batch of %d on %s failed", len(entries), self.stream)
            metrics.RETRIED.labels(**self._labels, reason=_reason(error)).inc(len(messages))
            return
        await self._ack(acked)
        if len(entries) < self.batch_size and self.read_linger_ms:
            # Returning starts the next read: a batch that did not fill lingers first.
            await asyncio.sleep(self.read_linger_ms / 1000)

    async def retry_pending(self, entries: list[StreamEntry]) -> None:
        for entry in entries:
            try:
                await self._handle([self.decode(entry)])
            except Exception as error:  # noqa: BLE001  # any failure counts towards dead-lettering
                await self._failed_again(entry, error)
            else:
                await self._ack([entry.entry_id])

    async def _handle(self, messages: list[T]) -> None:
        if not messages:
            return
        started = time.perf_counter()
        async with self._lock:
            await self.handle(messages)
        metrics.HANDLER_SECONDS.labels(**self._labels).observe(time.perf_counter() - started)
        metrics.CONSUMED.labels(**self._labels).inc(len(messages))

    async def _ack(self, entry_ids: list[bytes]) -> None:
        if entry_ids:
            await self.redis.xack(self.stream, self.group, *entry_ids)

    async def _failed_again(self, entry: StreamEntry, error: Exception) -> None:
        metrics.RETRIED.labels(**self._labels, reason=_reason(error)).inc()
        if _is_transient(error):
            log.warning(
                "entry %s on %s: %s; will retry", entry.entry_id, self.stream, error_text(error)
            )
            return
        deliveries = await self._deliveries(entry.entry_id)
        if deliveries < self.max_deliveries:
            log.warning(
                "entry %s on %s failed (delivery %d of %d): %s",
                entry.entry_id,
                self.stream,
                deliveries,
                self.max_deliveries,
                error_text(error),
            )
            return
        text = error_text(error)
        log.error("entry %s on %s dead-lettered: %s", entry.entry_id, self.stream, text)
        await set_aside(self.redis, self.stream, self.group, entry, text, deliveries)
        metrics.DEAD_LETTERED.labels(**self._labels).inc()

    async def _deliveries(self, entry_id: bytes) -> int:
        pending = await self.redis.xpending_range(
            self.stream, self.group, min=entry_id, max=entry_id, count=1
        )
        return int(pending[0]["times_delivered"]) if pending else 0


def _reason(error: BaseException) -> str:
    if isinstance(error, PoisonMessage):
        return "poison"
    return "transient" if _is_transient(error) else "error"
