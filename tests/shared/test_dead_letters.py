"""Dead letters on a real Redis: what a set-aside entry records, and replaying it once."""

import pytest
from redis.asyncio import Redis

from shared.platform.dead_letters import read_dead_letters, replay, set_aside
from shared.platform.streams import StreamEntry, dead_letter_stream, ensure_group


@pytest.fixture
async def poisoned(redis: Redis, stream_prefix: str) -> tuple[str, str, StreamEntry]:
    """An entry delivered to the group once, then set aside with its error."""
    stream, group = f"{stream_prefix}.events", "readers"
    await ensure_group(redis, stream, group)
    await redis.xadd(stream, {"id": "m1", "body": b"\xff not json"})
    [[_, [(entry_id, fields)]]] = await redis.xreadgroup(group, "c1", {stream: ">"})
    entry = StreamEntry(entry_id, fields)
    await set_aside(redis, stream, group, entry, "PoisonMessage: not JSON", 5)
    return stream, group, entry


async def test_a_dead_letter_says_where_it_came_from_and_why(redis, poisoned) -> None:
    stream, group, entry = poisoned
    assert (await redis.xpending(stream, group))["pending"] == 0  # acknowledged with it

    total, [letter] = await read_dead_letters(redis, stream, group, 10)
    assert total == 1
    assert (letter.stream, letter.group) == (stream, group)
    assert letter.entry_id == entry.entry_id.decode()
    assert (letter.deliveries, letter.error) == (5, "PoisonMessage: not JSON")
    assert letter.fields == {b"id": b"m1", b"body": b"\xff not json"}
    [(dead_id, raw)] = await redis.xrange(dead_letter_stream(stream, group))
    assert letter.dead_id == dead_id.decode()
    assert raw[b"dead.stream"] == stream.encode() and raw[b"dead.group"] == group.encode()


async def test_replay_moves_the_entry_back_once(redis, poisoned) -> None:
    stream, group, _ = poisoned
    _, [letter] = await read_dead_letters(redis, stream, group, 10)

    new_id = await replay(redis, stream, group, letter.dead_id)

    [*_, (last_id, fields)] = await redis.xrange(stream)
    assert last_id.decode() == new_id
    assert fields == {b"id": b"m1", b"body": b"\xff not json"}  # its own fields, nothing more
    assert await redis.xlen(dead_letter_stream(stream, group)) == 0
    # The group reads it as a new entry.
    [[_, [(delivered_id, _)]]] = await redis.xreadgroup(group, "c1", {stream: ">"})
    assert delivered_id.decode() == new_id
    # Replayed again (a retried request): the first answer, and nothing added.
    assert await replay(redis, stream, group, letter.dead_id) == new_id
    assert await redis.xlen(stream) == 2
    assert await replay(redis, stream, group, "1-0") is None
