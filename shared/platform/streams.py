"""Stream names, consumer groups, and the wire format of stream entries.

Every entry has the fields `id` (the message's own unique id, used for de-duplication),
`type`, `position` and `body` (the JSON of the event or change).
"""

from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import ResponseError


@dataclass(frozen=True)
class Topology:
    prefix: str = "stegvis"

    @property
    def intake_events(self) -> str:
        return f"{self.prefix}.intake.events"

    @property
    def intake_access(self) -> str:
        """Users and credentials (`shared.contract.access`), for every service that logs in."""
        return f"{self.prefix}.intake.access"

    @property
    def outcome_changes(self) -> str:
        return f"{self.prefix}.outcomes.changes"

    def consumer_groups(self, stream: str) -> tuple[str, ...]:
        return {
            self.intake_events: ("outcomes",),
            self.intake_access: ("reporting",),
            self.outcome_changes: ("reporting",),
        }[stream]

    def subscriptions(self) -> list[tuple[str, str]]:
        """Every (stream, consumer group) of the system."""
        return [
            (stream, group)
            for stream in (self.intake_events, self.intake_access, self.outcome_changes)
            for group in self.consumer_groups(stream)
        ]


def dead_letter_stream(stream: str, group: str) -> str:
    return f"{stream}.{group}.dead"


@dataclass(frozen=True)
class StreamEntry:
    entry_id: bytes
    """Redis's id of the entry (`<ms>-<seq>`)."""
    fields: dict[bytes, bytes]

    @property
    def message_id(self) -> str:
        return self.fields.get(b"id", b"").decode(errors="replace")


FIELDS = ("id", "type", "position", "body")
"""An entry's fields, in the order they are written."""


def entry_values(message_id: str, type_: str, position: int, body: str) -> tuple[str, ...]:
    """The values of `FIELDS`, in order."""
    return message_id, type_, str(position), body


def entry_fields(message_id: str, type_: str, position: int, body: str) -> dict[str, str]:
    return dict(zip(FIELDS, entry_values(message_id, type_, position, body), strict=True))


async def ensure_group(redis: Redis, stream: str, group: str) -> None:
    """Create the group reading from the stream's start, and the stream, if missing.

    Done by publishers before their first XADD and by consumers at start, so no entry is
    ever published to a stream its consumers' group has not seen.
    """
    try:
        await redis.xgroup_create(stream, group, id="0", mkstream=True)
    except ResponseError as error:
        if "BUSYGROUP" not in str(error):
            raise
