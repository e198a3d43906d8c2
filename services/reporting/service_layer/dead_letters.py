"""Every consumer group's dead letters, as the förbund's admin reads them, and replaying one
once its cause is fixed (typically: a consumer's corrected version deployed).

Reporting serves them because its API and pages are what the admin reads; they are Redis
streams under the system's own prefix, not another service's tables.
"""

import logging
import re
from collections.abc import Callable

from redis.asyncio import Redis

from shared.platform.dead_letters import DeadLetter, read_dead_letters, replay
from shared.platform.streams import Topology

log = logging.getLogger(__name__)

SHOWN_CHARS = 300
"""A field's value is shown up to this many characters (a body can be large)."""

_REDIS_ID = re.compile(r"[0-9]{1,20}-[0-9]{1,20}")


class UnknownDeadLetter(LookupError):
    def __init__(self, dead_letter_id: str) -> None:
        super().__init__(f"no dead letter {dead_letter_id!r}")
        self.dead_letter_id = dead_letter_id


class DeadLetterDesk:
    """What the dead-letter API and page read and replay through.

    A dead letter's public id is `<stream without prefix>.<group>:<its Redis id>`, e.g.
    `intake.events.outcomes:1764012345678-0`: unique across the groups, and readable.
    """

    def __init__(self, redis: Callable[[], Redis], topology: Topology) -> None:
        self._redis = redis
        self._sources = {
            f"{stream.removeprefix(topology.prefix + '.')}.{group}": (stream, group)
            for stream, group in topology.subscriptions()
        }

    async def listing(self, limit: int) -> dict:
        """The oldest `limit` dead letters of all groups and how many there are in all, as
        the API answers them."""
        total, found = 0, []
        for source, (stream, group) in self._sources.items():
            count, letters = await read_dead_letters(self._redis(), stream, group, limit)
            total += count
            found += [(source, letter) for letter in letters]
        found.sort(key=lambda item: (_order(item[1]), item[0]))
        return {
            "total": total,
            "dead_letters": [_as_json(source, letter) for source, letter in found[:limit]],
        }

    async def replay(self, dead_letter_id: str) -> dict:
        """Put the dead letter back on its stream; raises `UnknownDeadLetter`.

        Replaying one again answers as the first time and adds nothing; the consumers
        de-duplicate by message id anyway, so a replayed entry counts at most once.
        """
        source, _, dead_id = dead_letter_id.rpartition(":")
        if source not in self._sources or not _REDIS_ID.fullmatch(dead_id):
            raise UnknownDeadLetter(dead_letter_id)
        stream, group = self._sources[source]
        new_id = await replay(self._redis(), stream, group, dead_id)
        if new_id is None:
            raise UnknownDeadLetter(dead_letter_id)
        log.info("dead letter %s replayed onto %s as %s", dead_letter_id, stream, new_id)
        return {"dead_letter_id": dead_letter_id, "stream": stream, "entry_id": new_id}


def _order(letter: DeadLetter) -> tuple[int, int]:
    milliseconds, sequence = letter.dead_id.split("-")
    return int(milliseconds), int(sequence)


def _shown(value: bytes) -> str:
    text = value.decode("utf-8", "backslashreplace")  # what is not text stays visible
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"


def _as_json(source: str, letter: DeadLetter) -> dict:
    return {
        "dead_letter_id": f"{source}:{letter.dead_id}",
        "stream": letter.stream,
        "group": letter.group,
        "entry_id": letter.entry_id,
        "dead_lettered_at": letter.dead_lettered_at.isoformat(),
        "deliveries": letter.deliveries,
        "error": letter.error,
        "fields": {_shown(name): _shown(value) for name, value in letter.fields.items()},
    }
