"""Dead letters: entries a consumer group set aside after too many failed deliveries, kept in
`<stream>.<group>.dead`; how they are written, read and replayed.

A dead letter holds the entry's own fields and, under `dead.`, where it came from and why
it failed; its own id's time is when it was set aside. Replaying re-adds the entry's own
fields to its stream (a new entry id, so the group reads it as new) and removes the dead
letter in one Lua script: Redis runs it atomically and logs its effects together, so a
crash leaves the entry in exactly one of the two streams.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

from redis.asyncio import Redis
from redis.typing import EncodableT, FieldT

from shared.contract.identity import contains_identity_number
from shared.platform.streams import StreamEntry, dead_letter_stream

_PREFIX = b"dead."
_STREAM = b"dead.stream"
_GROUP = b"dead.group"
_ENTRY_ID = b"dead.entry_id"
_ERROR = b"dead.error"
_DELIVERIES = b"dead.deliveries"
_MAX_ERROR_CHARS = 2000

# KEYS: dead-letter stream, source stream, replayed hash. ARGV: dead letter id, field prefix.
# Answers the new entry id; for a dead letter replayed before, the id it was replayed as
# (a retried request gets the first answer); nil for an unknown one.
_REPLAY = """
local found = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])
if #found == 0 then return redis.call('HGET', KEYS[3], ARGV[1]) end
local fields, own = found[1][2], {}
for i = 1, #fields, 2 do
  if string.sub(fields[i], 1, #ARGV[2]) ~= ARGV[2] then
    own[#own + 1] = fields[i]
    own[#own + 1] = fields[i + 1]
  end
end
local new_id = redis.call('XADD', KEYS[2], '*', unpack(own))
redis.call('XDEL', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], new_id)
return new_id
"""


def error_text(error: BaseException) -> str:
    """What is said of a failed entry (in its dead letter and in log lines): its error,
    withheld when it holds what looks like an identity number (an invalid message's field
    names a refused mapping key; a bad number is quoted). The entry itself says the rest."""
    text = f"{type(error).__name__}: {error}"
    if contains_identity_number(text):
        return f"{type(error).__name__}: (withheld: it quotes what looks like an identity number)"
    return text


@dataclass(frozen=True)
class DeadLetter:
    stream: str
    group: str
    dead_id: str
    """Its id in the dead-letter stream."""
    entry_id: str
    """The entry's id in `stream`."""
    deliveries: int
    error: str
    fields: dict[bytes, bytes]
    """The entry's own fields, as they were on `stream`."""

    @property
    def dead_lettered_at(self) -> datetime:
        return datetime.fromtimestamp(int(self.dead_id.split("-")[0]) / 1000, UTC)


async def set_aside(
    redis: Redis, stream: str, group: str, entry: StreamEntry, error: str, deliveries: int
) -> None:
    """Move `entry` to the dead letters and acknowledge it, both or neither."""
    fields: dict[FieldT, EncodableT] = {name: value for name, value in entry.fields.items()}
    fields |= {
        _STREAM: stream,
        _GROUP: group,
        _ENTRY_ID: entry.entry_id,
        _ERROR: error[:_MAX_ERROR_CHARS],
        _DELIVERIES: str(deliveries),
    }
    async with redis.pipeline(transaction=True) as pipe:
        pipe.xadd(dead_letter_stream(stream, group), fields)
        pipe.xack(stream, group, entry.entry_id)
        await pipe.execute()


async def read_dead_letters(
    redis: Redis, stream: str, group: str, count: int
) -> tuple[int, list[DeadLetter]]:
    """How many dead letters the group has, and the oldest `count` of them."""
    key = dead_letter_stream(stream, group)
    total = await redis.xlen(key)
    rows = cast(
        list[tuple[bytes, dict[bytes, bytes]]],
        await redis.xrange(key, count=count) if total else [],
    )
    return total, [_dead_letter(stream, group, dead_id, fields) for dead_id, fields in rows]


async def replay(redis: Redis, stream: str, group: str, dead_id: str) -> str | None:
    """Put the dead letter back on its stream; the new entry's id, None if there is none."""
    key = dead_letter_stream(stream, group)
    new_id = await redis.eval(_REPLAY, 3, key, stream, f"{key}.replayed", dead_id, _PREFIX)
    return new_id.decode() if new_id is not None else None


def _dead_letter(stream: str, group: str, dead_id: bytes, fields: dict[bytes, bytes]) -> DeadLetter:
    return DeadLetter(
        stream=stream,
        group=group,
        dead_id=dead_id.decode(),
        entry_id=fields.get(_ENTRY_ID, b"").decode(),
        deliveries=int(fields.get(_DELIVERIES, b"0")),
        error=fields.get(_ERROR, b"").decode(errors="replace"),
        fields={name: value for name, value in fields.items() if not name.startswith(_PREFIX)},
    )
