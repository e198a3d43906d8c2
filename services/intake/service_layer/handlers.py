"""Intake's commands. Each runs in one unit of work: check the state, append the event
(which stages it for publication), update the state, store the answer for its
Idempotency-Key, commit. A refused command raises `CommandRefused` and changes nothing.
"""

import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus

from prometheus_client import Counter, Gauge

from services.intake.domain import corrections, rules
from services.intake.domain.errors import Conflict, NotFound
from services.intake.domain.model import Insats, Participant
from services.intake.domain.participant_codes import new_participant_code
from services.intake.service_layer.answers import (
    Answer,
    IdempotencyKey,
    StoredAnswer,
    insats_body,
)
from services.intake.service_layer.unit_of_work import (
    AuditEntry,
    ConcurrentWrite,
    Lock,
    UnitOfWork,
)
from shared.contract.access import Principal
from shared.contract.events import (
    CorrectionDetails,
    InsatsDetails,
    IntakeEvent,
    ProgressDetails,
    StartDetails,
    StopDetails,
    VolumeDetails,
)
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

Command = Callable[[UnitOfWork], Awaitable[Answer]]

MAX_ATTEMPTS = 3
"""Runs of a command that lost a race on a unique key (its retry usually replays)."""
MAX_CODE_DRAWS = 10


@dataclass(frozen=True)
class Audited:
    """Who runs a command and what it is, as the audit log records it."""

    caller: Principal
    action: str
    target: str

    def entry(self) -> AuditEntry:
        return AuditEntry(
            datetime.now(UTC),
            self.caller.name,
            self.caller.credential_id,
            self.action,
            self.target,
        )


async def execute(
    new_uow: Callable[[], UnitOfWork],
    command: Command,
    key: IdempotencyKey | None = None,
    *,
    audited: Audited,
) -> Answer:
    """Run the command once per key: a retry with the key gets the first answer. What it
    changes is recorded in the audit log in the same transaction (a replay changes nothing,
    so records nothing)."""
    for _ in range(MAX_ATTEMPTS - 1):
        with suppress(ConcurrentWrite):
            return await _execute_once(new_uow, command, key, audited)
    return await _execute_once(new_uow, command, key, audited)


async def _execute_once(
    new_uow: Callable[[], UnitOfWork],
    command: Command,
    key: IdempotencyKey | None,
    audited: Audited,
) -> Answer:
    async with new_uow() as uow:
        if key is not None and (stored := await uow.answers.get(key.key)) is not None:
            return _replay(stored, key)
        answer = await command(uow)
        if key is not None:
            await uow.answers.add(key, answer)
        await uow.audit.record(audited.entry())
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


async def define_insats(uow: UnitOfWork, insats_id: str, details: InsatsDetails) -> Answer:
    current = await uow.insatser.get(insats_id, lock=Lock.UPDATE)
    has_registrations = current is not None and await uow.events.has_registrations(insats_id)
    event = rules.define_insats(insats_id, details, current, has_registrations)
    if event is None:
        insats = current
    else:
        await uow.events.append(event)
        insats = Insats(insats_id, event.name, event.registration)
        if current is None:
            await uow.insatser.add(insats)
        else:
            await uow.insatser.update(insats)
    return Answer(
        HTTPStatus.CREATED if current is None else HTTPStatus.OK,
        insats_body(insats),
    )


async def start_participant(
    uow: UnitOfWork,
    insats_id: str,
    details: StartDetails,
    new_code: Callable[[], str] = new_participant_code,
) -> Answer:
    insats = await _insats(uow, insats_id)
    # The participants' primary key keeps codes unique: a drawn code already taken, even by
    # a transaction not yet committed, stores nothing, and another is drawn.
    for _ in range(MAX_CODE_DRAWS):
        event = rules.start_participant(insats, new_code(), details)
        participant = Participant(event.participant_id, insats_id, event.start_date)
        position = await uow.events.append_with_participant(event, participant)
        if position is not None:
            break
    else:
        raise RuntimeError(f"no unused participant code in {MAX_CODE_DRAWS} draws")
    return Answer(
        HTTPStatus.CREATED,
        {"participant_id": event.participant_id, "event_id": event.event_id, "position": position},
    )


async def record_progress(
    uow: UnitOfWork, insats_id: str, participant_id: str, details: ProgressDetails
) -> Answer:
    participant = await _participant(uow, insats_id, participant_id, Lock.SHARE)
    event = rules.record_progress(participant, details)
    position = await uow.events.append(event)
    return Answer(HTTPStatus.CREATED, {"event_id": event.event_id, "position": position})


async def stop_participant(
    uow: UnitOfWork, insats_id: str, participant_id: str, details: StopDetails
) -> Answer:
    participant = await _participant(uow, insats_id, participant_id, Lock.UPDATE)
    event = rules.stop_participant(participant, details)
    position = await uow.events.append(event)
    await uow.participants.update(participant.stopped_on(event.end_date))
    return Answer(
        HTTPStatus.CREATED,
        {"participant_id": participant_id, "event_id": event.event_id, "position": position},
    )


async def correct_event(
    uow: UnitOfWork,
    insats_id: str,
    participant_id: str,
    event_id: str,
    details: CorrectionDetails,
) -> Answer:
    participant = await _participant(uow, insats_id, participant_id, Lock.UPDATE)
    history = await uow.events.of_participant(participant_id)
    event, corrected = corrections.correct_event(participant, history, event_id, details)
    return await _append_correction(uow, event, corrected)


async def void_event(uow: UnitOfWork, insats_id: str, participant_id: str, event_id: str) -> Answer:
    participant = await _participant(uow, insats_id, participant_id, Lock.UPDATE)
    history = await uow.events.of_participant(participant_id)
    event, corrected = corrections.void_event(participant, history, event_id)
    return await _append_correction(uow, event, corrected)


async def _append_correction(uow: UnitOfWork, event: IntakeEvent, corrected: Participant) -> Answer:
    position = await uow.events.append(event)
    await uow.participants.update(corrected)
    return Answer(
        HTTPStatus.CREATED,
        {
            "participant_id": corrected.participant_id,
            "event_id": event.event_id,
            "position": position,
        },
    )


async def register_volume(uow: UnitOfWork, insats_id: str, details: VolumeDetails) -> Answer:
    event = rules.register_volume(await _insats(uow, insats_id), details)
    position = await uow.events.append(event)
    return Answer(HTTPStatus.CREATED, {"event_id": event.event_id, "position": position})


async def _insats(uow: UnitOfWork, insats_id: str) -> Insats:
    # Shared until commit, so a change of registration (`define_insats`, which takes the
    # row exclusively) never interleaves with a registration that checked the old one; the
    # registrations themselves run side by side.
    insats = await uow.insatser.get(insats_id, lock=Lock.SHARE)
    if insats is None:
        raise NotFound(f"no insats {insats_id}")
    return insats


async def _participant(
    uow: UnitOfWork, insats_id: str, participant_id: str, lock: Lock
) -> Participant:
    # Locked until commit: a stop (UPDATE) waits for any other command on the participant,
    # and the command that waited reads the participant as that one left it, so a
    # participant is stopped once and takes nothing after its stop. The insats needs no
    # lock: it has a registration (this participant), so its registration cannot change.
    participant = await uow.participants.get(participant_id, lock=lock)
    if participant is None or participant.insats_id != insats_id:
        if await uow.insatser.get(insats_id) is None:
            raise NotFound(f"no insats {insats_id}")
        raise NotFound(f"no participant {participant_id} in insats {insats_id}")
    return participant
