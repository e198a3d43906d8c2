"""Intake's command handlers: plain functions of a command and a unit of work (and, where
a test needs to choose it, a dependency), run by `messagebus.dispatch` in one transaction.
Each checks the state, appends the event (which stages it for publication) and updates the
state; a refused command raises `CommandRefused` and changes nothing.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime
from http import HTTPStatus

from services.intake.domain import corrections, rules
from services.intake.domain.accounts import (
    issued_credential,
    may_manage_credentials_of,
    saved_user,
    sessions_to_end,
)
from services.intake.domain.errors import Conflict, NotFound
from services.intake.domain.import_rows import ActivityRow, ParticipantRow
from services.intake.domain.model import Insats, Participant
from services.intake.domain.participant_codes import new_participant_code
from services.intake.service_layer.answers import (
    Answer,
    Imported,
    ImportedParticipant,
    credential_body,
    insats_body,
    user_body,
)
from services.intake.service_layer.commands import (
    CorrectEvent,
    DefineInsats,
    EraseParticipant,
    FollowUpParticipant,
    ImportRows,
    IssueToken,
    MoveParticipant,
    PutUser,
    RecordProgress,
    RegisterActivity,
    RegisterVolume,
    RevokeToken,
    StartParticipant,
    StopParticipant,
    VoidEvent,
)
from services.intake.service_layer.unit_of_work import Lock, UnitOfWork
from shared.contract.events import IntakeEvent
from shared.contract.swedish_time import today as swedish_today

MAX_CODE_DRAWS = 10


async def define_insats(command: DefineInsats, uow: UnitOfWork) -> Answer:
    insats_id, details = command.insats_id, command.details
    current = await uow.insatser.get(insats_id, lock=Lock.UPDATE)
    has_registrations = current is not None and await uow.events.has_registrations(insats_id)
    event = rules.define_insats(insats_id, details, current, has_registrations)
    if event is None:
        assert current is not None  # nothing to define only when it is defined as asked
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
    command: StartParticipant,
    uow: UnitOfWork,
    new_code: Callable[[], str] = new_participant_code,
) -> Answer:
    insats_id, details = command.insats_id, command.details
    insats = await _insats(uow, insats_id)
    # The participants' primary key keeps codes unique: a drawn code already taken, even by
    # a transaction not yet committed, stores nothing, and another is drawn.
    for _ in range(MAX_CODE_DRAWS):
        event = rules.start_participant(insats, new_code(), details)
        participant = Participant(event.participant_id, insats_id, event.start_date)
        position = await uow.events.append_with_participant(event, participant, insats)
        if position is not None:
            break
    else:
        raise RuntimeError(f"no unused participant code in {MAX_CODE_DRAWS} draws")
    return Answer(
        HTTPStatus.CREATED,
        {"participant_id": event.participant_id, "event_id": event.event_id, "position": position},
    )


async def record_progress(command: RecordProgress, uow: UnitOfWork) -> Answer:
    participant = await _participant(uow, command.insats_id, command.participant_id, Lock.SHARE)
    event = rules.record_progress(participant, command.details)
    position = await uow.events.append_for(event, participant)
    return Answer(HTTPStatus.CREATED, {"event_id": event.event_id, "position": position})


async def stop_participant(command: StopParticipant, uow: UnitOfWork) -> Answer:
    participant = await _participant(uow, command.insats_id, command.participant_id, Lock.UPDATE)
    event = rules.stop_participant(participant, command.details)
    position = await uow.events.append_for(
        event, participant, participant.stopped_on(event.end_date)
    )
    return Answer(
        HTTPStatus.CREATED,
        {
            "participant_id": participant.participant_id,
            "event_id": event.event_id,
            "position": position,
        },
    )


async def follow_up_participant(
    command: FollowUpParticipant,
    uow: UnitOfWork,
    today: Callable[[], date] = swedish_today,
) -> Answer:
    # UPDATE: two follow-ups after as many months, sent at once, run one after the other,
    # and the second sees the first.
    participant = await _participant(uow, command.insats_id, command.participant_id, Lock.UPDATE)
    history = await uow.events.of_participant(command.insats_id, command.participant_id)
    event = rules.follow_up(participant, history, command.details, today())
    position = await uow.events.append(event)
    return Answer(HTTPStatus.CREATED, {"event_id": event.event_id, "position": position})


async def move_participant(command: MoveParticipant, uow: UnitOfWork) -> Answer:
    """The stop here and the start there, in this one transaction: both or neither."""
    participant = await _participant(uow, command.insats_id, command.participant_id, Lock.UPDATE)
    to = await uow.insatser.get(command.details.to_insats, lock=Lock.SHARE)
    history = await uow.events.of_participant(command.insats_id, command.participant_id)
    stop, started = rules.move_participant(participant, history, to, command.details)
    assert to is not None  # the rule refuses a move to no insats
    taken = Conflict(
        f"participant {participant.participant_id} has been in insats {started.insats_id}"
    )
    if await uow.participants.get(started.insats_id, participant.participant_id) is not None:
        raise taken
    stopped_at = await uow.events.append(stop)
    await uow.participants.update(participant.stopped_on(stop.end_date))
    moved = Participant(
        participant.participant_id,
        started.insats_id,
        started.start_date,
        moved_from=participant.insats_id,
    )
    position = await uow.events.append_with_participant(started, moved, to)
    if position is None:  # moved there meanwhile, by a transaction that just committed
        raise taken
    return Answer(
        HTTPStatus.CREATED,
        {
            "participant_id": participant.participant_id,
            "insats_id": started.insats_id,
            "stop_event_id": stop.event_id,
            "stop_position": stopped_at,
            "event_id": started.event_id,
            "position": position,
        },
    )


async def correct_event(
    command: CorrectEvent, uow: UnitOfWork, today: Callable[[], date] = swedish_today
) -> Answer:
    participant = await _participant(uow, command.insats_id, command.participant_id, Lock.UPDATE)
    history = await uow.events.of_participant(command.insats_id, command.participant_id)
    event, corrected = corrections.correct_event(
        participant, history, command.event_id, command.details, today()
    )
    return await _append_correction(uow, event, corrected)


async def void_event(command: VoidEvent, uow: UnitOfWork) -> Answer:
    participant = await _participant(uow, command.insats_id, command.participant_id, Lock.UPDATE)
    history = await uow.events.of_participant(command.insats_id, command.participant_id)
    event, corrected = corrections.void_event(participant, history, command.event_id)
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


async def register_volume(command: RegisterVolume, uow: UnitOfWork) -> Answer:
    event = rules.register_volume(await _insats(uow, command.insats_id), command.details)
    position = await uow.events.append(event)
    return Answer(HTTPStatus.CREATED, {"event_id": event.event_id, "position": position})


async def register_activity(command: RegisterActivity, uow: UnitOfWork) -> Answer:
    event = rules.register_activity(await _insats(uow, command.insats_id), command.details)
    position = await uow.events.append(event)
    return Answer(HTTPStatus.CREATED, {"event_id": event.event_id, "position": position})


async def import_rows(command: ImportRows, uow: UnitOfWork) -> Answer:
    """Every row, by the commands above: they check the rows again, against the state of
    this transaction."""
    total = len(command.rows)
    command.written(0, total)
    participants = []
    for done, row in enumerate(command.rows, 1):
        match row:
            case ParticipantRow():
                participants.append(await _import_participant(row, uow))
            case ActivityRow():
                await register_activity(RegisterActivity(row.insats_id, row.activity), uow)
        command.written(done, total)
    imported = Imported(
        command.import_id, command.file, datetime.now(UTC), participants, command.kind, total
    )
    return Answer(HTTPStatus.CREATED, imported.body())


async def _import_participant(row: ParticipantRow, uow: UnitOfWork) -> ImportedParticipant:
    started = await start_participant(StartParticipant(row.insats_id, row.start), uow)
    participant_id = started.body["participant_id"]
    if row.stop is not None:
        await stop_participant(StopParticipant(row.insats_id, participant_id, row.stop), uow)
    if row.followup is not None:
        followup = FollowUpParticipant(row.insats_id, participant_id, row.followup)
        await follow_up_participant(followup, uow)
    return ImportedParticipant(row.number, row.insats_id, participant_id)


async def erase_participant(command: EraseParticipant, uow: UnitOfWork) -> Answer:
    participant = await _participant(uow, command.insats_id, command.participant_id, Lock.UPDATE)
    await uow.erasure.erase(participant)
    return Answer(HTTPStatus.OK, {"erased": participant.participant_id})


async def put_user(command: PutUser, uow: UnitOfWork) -> Answer:
    current = await uow.users.get(command.username, lock=Lock.UPDATE)
    known = {insats.insats_id for insats in await uow.insatser.list()}
    user = saved_user(
        current,
        command.username,
        command.role,
        command.insatser,
        command.active,
        command.password_hash,
        command.insatser - known,
    )
    await uow.users.save(user)
    # A new password or a deactivation ends the sessions (at reporting too: each
    # revocation is published on the access stream).
    for credential in sessions_to_end(current, user, await uow.credentials.list(command.username)):
        await uow.credentials.save(credential.revoked(command.saved_at))
    return Answer(HTTPStatus.CREATED if current is None else HTTPStatus.OK, user_body(user))


async def issue_token(command: IssueToken, uow: UnitOfWork) -> Answer:
    """A token, or a login's session (`OpenSession`)."""
    user = await uow.users.get(command.username, lock=Lock.SHARE)
    credential, secret = issued_credential(
        command.credential_id, user, command.KIND, command.issued_at, command.lifetime
    )
    await uow.credentials.save(credential)
    return Answer(HTTPStatus.CREATED, credential_body(credential) | {"token": secret})


async def revoke_token(command: RevokeToken, uow: UnitOfWork) -> Answer:
    credential = await uow.credentials.get(command.credential_id, lock=Lock.UPDATE)
    if credential is None or not may_manage_credentials_of(command.by, credential.username):
        # The same answer either way: ids of others' credentials are not told.
        raise NotFound(f"no credential {command.credential_id} of yours")
    if credential.revoked_at is None:
        credential = credential.revoked(command.at)
        await uow.credentials.save(credential)
    return Answer(HTTPStatus.OK, credential_body(credential))


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
    participant = await uow.participants.get(insats_id, participant_id, lock=lock)
    if participant is None:
        if await uow.insatser.get(insats_id) is None:
            raise NotFound(f"no insats {insats_id}")
        raise NotFound(f"no participant {participant_id} in insats {insats_id}")
    return participant
