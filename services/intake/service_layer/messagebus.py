"""The one way a command runs: its handler (`HANDLERS`), in one unit of work with its audit
row and, given an Idempotency-Key, its stored answer, then commit."""

import logging
from collections.abc import Awaitable, Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from prometheus_client import Counter, Gauge

from services.intake.domain.errors import Conflict
from services.intake.service_layer import commands, handlers
from services.intake.service_layer.answers import Answer, IdempotencyKey, StoredAnswer
from services.intake.service_layer.unit_of_work import (
    AuditEntry,
    ConcurrentWrite,
    StaleConnection,
    UnitOfWork,
)
from shared.contract.access import Principal
from shared.platform.logs import trace

log = logging.getLogger(__name__)

EVENTS_ACCEPTED = Counter(
    "stegvis_intake_events_accepted_total",
    "Events appended to intake's event log.",
    ["type"],
)
NEWEST_EVENT = Gauge(
    "stegvis_intake_newest_event_timestamp_seconds",
    "Unix time of the newest event accepted (compare with what reports reflect).",
)

Handler = Callable[[Any, UnitOfWork], Awaitable[Answer]]

HANDLERS: dict[type[commands.Command], Handler] = {
    commands.DefineInsats: handlers.define_insats,
    commands.StartParticipant: handlers.start_participant,
    commands.RecordProgress: handlers.record_progress,
    commands.StopParticipant: handlers.stop_participant,
    commands.FollowUpParticipant: handlers.follow_up_participant,
    commands.MoveParticipant: handlers.move_participant,
    commands.RegisterVolume: handlers.register_volume,
    commands.RegisterActivity: handlers.register_activity,
    commands.CorrectEvent: handlers.correct_event,
    commands.VoidEvent: handlers.void_event,
    commands.ImportRows: handlers.import_rows,
    commands.EraseParticipant: handlers.erase_participant,
    commands.PutUser: handlers.put_user,
    commands.IssueToken: handlers.issue_token,
    commands.OpenSession: handlers.issue_token,
    commands.RevokeToken: handlers.revoke_token,
}

ONE_STATEMENT: frozenset[type[commands.Command]] = frozenset(
    {commands.StartParticipant, commands.RecordProgress, commands.StopParticipant}
)
"""Commands whose handler writes in one statement that checks again what it read
(`UnitOfWork.in_one_statement`): run so when no Idempotency-Key's answer is stored too."""

MAX_ATTEMPTS = 3
"""Runs of a command that lost a race on a unique key (its retry usually replays), or met a
connection closed by a database restart."""


@dataclass(frozen=True)
class Audited:
    """Who runs a command and on what, as the audit log records it beside the command's
    action."""

    caller: Principal
    target: str

    def entry(self, command: commands.Command) -> AuditEntry:
        return AuditEntry(
            datetime.now(UTC),
            self.caller.name,
            self.caller.credential_id,
            command.ACTION,
            self.target,
        )


async def dispatch(
    new_uow: Callable[[], UnitOfWork],
    command: commands.Command,
    audited: Audited,
    key: IdempotencyKey | None = None,
    *,
    handlers: Mapping[type[commands.Command], Handler] = HANDLERS,
) -> Answer:
    """Run the command once per key: a retry with the key gets the first answer. What it
    changes is recorded in the audit log in the same transaction (a replay changes nothing,
    so records nothing). `handlers`: another handler with other dependencies, for a test."""
    handler = handlers[type(command)]
    for _ in range(MAX_ATTEMPTS - 1):
        with suppress(ConcurrentWrite, StaleConnection):
            return await _dispatch_once(new_uow, command, handler, audited, key)
    return await _dispatch_once(new_uow, command, handler, audited, key)


async def _dispatch_once(
    new_uow: Callable[[], UnitOfWork],
    command: commands.Command,
    handler: Handler,
    audited: Audited,
    key: IdempotencyKey | None,
) -> Answer:
    uow = new_uow()
    if key is None and type(command) in ONE_STATEMENT:
        uow = uow.in_one_statement()
    async with uow:
        if key is not None and (stored := await uow.answers.get(key.key)) is not None:
            return _replay(stored, key)
        # Recorded first, so it can go with the command's first write (one round trip).
        await uow.audit.record(audited.entry(command))
        answer = await handler(command, uow)
        if key is not None:
            await uow.answers.add(key, answer)
        await uow.commit()
        appended = list(uow.events.appended)
    for event in appended:
        EVENTS_ACCEPTED.labels(event.type).inc()
        NEWEST_EVENT.set(event.occurred_at.timestamp())
        log.info("event accepted", extra=trace(event.event_id, event.type))
    return answer


def _replay(stored: StoredAnswer, key: IdempotencyKey) -> Answer:
    if stored.fingerprint != key.fingerprint:
        raise Conflict(f"Idempotency-Key {key.key!r} was used for a different request")
    return stored.answer
