"""Erasure's part in Redis: deleting the stream entries that name an erased participant (by
their message ids, which the participant's events gave them), then rewriting the AOF, which
would otherwise keep every XADD ever made.

A deleted entry leaves an AOF rewritten as commands (`aof-use-rdb-preamble no`); an RDB
file, or an AOF with an RDB preamble, keeps a stream's deleted entries in the node that held
them, so Redis must not write one (the embedded Redis of `stegvis up` does not; see
operations.md for one of your own).
"""

import asyncio
import logging
from collections.abc import Collection, Iterable
from typing import cast

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from shared.platform.streams import Topology, dead_letter_stream

log = logging.getLogger(__name__)

SCAN_COUNT = 1000
REWRITE_POLL_SECONDS = 0.1
REWRITE_WAIT_SECONDS = 120


def streams_naming_participants(topology: Topology) -> list[str]:
    """The streams whose entries may name a participant, and their dead letters."""
    streams = [topology.intake_events, topology.outcome_changes]
    return streams + [
        dead_letter_stream(stream, group)
        for stream in streams
        for group in topology.consumer_groups(stream)
    ]


async def _entries_where(
    redis: Redis, stream: str, field: bytes, values: Collection[bytes]
) -> dict[bytes, dict[bytes, bytes]]:
    """The stream's entries (by entry id) whose `field` is one of `values` (one pass)."""
    found: dict[bytes, dict[bytes, bytes]] = {}
    start = "-"
    # Entries as redis-py gives them undecoded: (entry id, fields).
    while entries := cast(
        list[tuple[bytes, dict[bytes, bytes]]],
        await redis.xrange(stream, start, "+", count=SCAN_COUNT),
    ):
        found |= {entry_id: fields for entry_id, fields in entries if fields.get(field) in values}
        start = "(" + entries[-1][0].decode()
    return found


async def delete_entries(redis: Redis, streams: Iterable[str], message_ids: Collection[str]) -> int:
    """XDEL every entry of `streams` whose message id is one of `message_ids`; returns how
    many. One pass over each stream, however many ids."""
    wanted = {message_id.encode() for message_id in message_ids}
    deleted = 0
    for stream in streams:
        if found := await _entries_where(redis, stream, b"id", wanted):
            deleted += await redis.xdel(stream, *found.keys())
    return deleted


async def message_ids(redis: Redis, streams: Iterable[str], type_: str) -> set[str]:
    """The message ids of the streams' entries of `type_`."""
    found: set[str] = set()
    for stream in streams:
        entries = await _entries_where(redis, stream, b"type", {type_.encode()})
        found |= {fields[b"id"].decode() for fields in entries.values()}
    return found


async def rewrite_append_only_file(redis: Redis) -> None:
    """Start an AOF rewrite that begins after now (one already running began before the
    deletions, so it may hold the deleted entries: wait for it and start another)."""
    if not int((await redis.info("persistence")).get("aof_enabled", 0)):
        return
    for _ in range(int(REWRITE_WAIT_SECONDS / REWRITE_POLL_SECONDS)):
        try:
            await redis.bgrewriteaof()
            return
        except ResponseError as error:
            if "already in progress" not in str(error):
                raise
        await asyncio.sleep(REWRITE_POLL_SECONDS)
    log.warning("no AOF rewrite could start within %d s after an erasure", REWRITE_WAIT_SECONDS)
