"""Intake's HTTP API: translates requests into commands and answers into responses."""

from collections.abc import Callable
from http import HTTPStatus
from typing import Annotated

from fastapi import APIRouter, FastAPI, Header, Query, Request
from fastapi.responses import JSONResponse
from prometheus_client import Counter
from pydantic import BaseModel

from services.intake.domain.errors import (
    CommandRefused,
    Forbidden,
    InvalidField,
    NotAuthenticated,
    NotFound,
    Throttled,
)
from services.intake.domain.model import Participant
from services.intake.entrypoints.dependencies import (
    Caller,
    EventId,
    InsatsId,
    NewUow,
    ParticipantId,
    fingerprinted_path,
)
from services.intake.service_layer import commands, views
from services.intake.service_layer.answers import Answer, IdempotencyKey, insats_body
from services.intake.service_layer.messagebus import Audited, dispatch
from services.intake.service_layer.unit_of_work import UnitOfWork
from shared.contract.access import Principal
from shared.contract.events import (
    CorrectionDetails,
    InsatsDetails,
    ProgressDetails,
    RegisteredEvent,
    StartDetails,
    StopDetails,
    VoidDetails,
    VolumeDetails,
    correction_kind,
)
from shared.platform.http import Answered, field_errors_body, forbid_unless, observe_responses

COMMANDS_REFUSED = Counter(
    "stegvis_intake_commands_refused_total",
    "Commands (PUT/POST) answered with an error, by command, reason and HTTP status.",
    ["command", "reason", "status"],
)

PREFIX = "/api/v1/insatser"
_PARTICIPANT = f"{PREFIX}/{{insats_id}}/participants/{{participant_id}}"
_EVENT = f"{_PARTICIPANT}/events/{{event_id}}"
COMMANDS: dict[tuple[str, str], type[commands.Command]] = {
    ("PUT", f"{PREFIX}/{{insats_id}}"): commands.DefineInsats,
    ("POST", f"{PREFIX}/{{insats_id}}/participants"): commands.StartParticipant,
    ("POST", f"{_PARTICIPANT}/progress"): commands.RecordProgress,
    ("POST", f"{_PARTICIPANT}/stop"): commands.StopParticipant,
    ("POST", f"{PREFIX}/{{insats_id}}/volume"): commands.RegisterVolume,
    ("POST", f"{_EVENT}/correction"): commands.CorrectEvent,
    ("POST", f"{_EVENT}/void"): commands.VoidEvent,
}
"""The command of each (method, route template), for the refusals' metric (by the command's
action; refusals of anything else are `unknown`)."""
_COMMAND_METHODS = frozenset({"PUT", "POST"})

_STATUS = {
    NotFound: HTTPStatus.NOT_FOUND,
    Forbidden: HTTPStatus.FORBIDDEN,
    NotAuthenticated: HTTPStatus.UNAUTHORIZED,
}
"""The status of each refusal other than a conflict (409)."""
_NOT_GRANTED = "not granted this insats"

IdempotencyHeader = Annotated[
    str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200)
]
router = APIRouter(prefix=PREFIX)


def install_refusals(app: FastAPI) -> None:
    """Commands' refusals as HTTP answers, and counted."""

    @app.exception_handler(CommandRefused)
    async def _refused(_request: Request, error: CommandRefused) -> JSONResponse:
        if isinstance(error, InvalidField):
            body = field_errors_body([(error.field, error.message, "value_error")])
            return JSONResponse(body, HTTPStatus.UNPROCESSABLE_ENTITY)
        if isinstance(error, Throttled):
            return JSONResponse(
                {"detail": str(error)},
                HTTPStatus.TOO_MANY_REQUESTS,
                headers={"Retry-After": str(error.retry_after_seconds)},
            )
        return JSONResponse({"detail": str(error)}, _STATUS.get(type(error), HTTPStatus.CONFLICT))

    observe_responses(app, _count_refusals)


def _count_refusals(answered: Answered) -> None:
    if (
        answered.status >= 400
        and answered.method in _COMMAND_METHODS
        and answered.path.startswith(PREFIX)
    ):
        command = COMMANDS.get((answered.method, answered.route))
        action = command.ACTION if command else "unknown"
        reason = HTTPStatus(answered.status).name.lower()  # e.g. unprocessable_entity
        COMMANDS_REFUSED.labels(action, reason, str(answered.status)).inc()


async def _run(
    request: Request,
    new_uow: Callable[[], UnitOfWork],
    caller: Principal,
    command: commands.Command,
    details: BaseModel,
    key: str | None,
) -> JSONResponse:
    """The command, audited on the request's path, once per Idempotency-Key (its request:
    the method, path and validated body; the participant's code in any case)."""
    path = fingerprinted_path(request)
    idempotency = IdempotencyKey.for_request(key, request.method, path, details) if key else None
    audited = Audited(caller, request.url.path)
    return answer_response(await dispatch(new_uow, command, audited, idempotency))


@router.put("/{insats_id}", status_code=HTTPStatus.CREATED)
async def define_insats(
    request: Request,
    caller: Caller,
    new_uow: NewUow,
    insats_id: InsatsId,
    details: InsatsDetails,
    idempotency_key: IdempotencyHeader = None,
) -> JSONResponse:
    forbid_unless(caller.is_admin, "only a förbundsadmin defines insatser")
    command = commands.DefineInsats(insats_id, details)
    return await _run(request, new_uow, caller, command, details, idempotency_key)


@router.post("/{insats_id}/participants", status_code=HTTPStatus.CREATED)
async def start_participant(
    request: Request,
    caller: Caller,
    new_uow: NewUow,
    insats_id: InsatsId,
    details: StartDetails,
    idempotency_key: IdempotencyHeader = None,
) -> JSONResponse:
    forbid_unless(caller.may_register(insats_id), _NOT_GRANTED)
    command = commands.StartParticipant(insats_id, details)
    return await _run(request, new_uow, caller, command, details, idempotency_key)


@router.post("/{insats_id}/participants/{participant_id}/progress", status_code=HTTPStatus.CREATED)
async def record_progress(
    request: Request,
    caller: Caller,
    new_uow: NewUow,
    insats_id: InsatsId,
    participant_id: ParticipantId,
    details: ProgressDetails,
    idempotency_key: IdempotencyHeader = None,
) -> JSONResponse:
    forbid_unless(caller.may_register(insats_id), _NOT_GRANTED)
    command = commands.RecordProgress(insats_id, participant_id, details)
    return await _run(request, new_uow, caller, command, details, idempotency_key)


@router.post("/{insats_id}/participants/{participant_id}/stop", status_code=HTTPStatus.CREATED)
async def stop_participant(
    request: Request,
    caller: Caller,
    new_uow: NewUow,
    insats_id: InsatsId,
    participant_id: ParticipantId,
    details: StopDetails,
    idempotency_key: IdempotencyHeader = None,
) -> JSONResponse:
    forbid_unless(caller.may_register(insats_id), _NOT_GRANTED)
    command = commands.StopParticipant(insats_id, participant_id, details)
    return await _run(request, new_uow, caller, command, details, idempotency_key)


@router.post("/{insats_id}/volume", status_code=HTTPStatus.CREATED)
async def register_volume(
    request: Request,
    caller: Caller,
    new_uow: NewUow,
    insats_id: InsatsId,
    details: VolumeDetails,
    idempotency_key: IdempotencyHeader = None,
) -> JSONResponse:
    forbid_unless(caller.may_register(insats_id), _NOT_GRANTED)
    command = commands.RegisterVolume(insats_id, details)
    return await _run(request, new_uow, caller, command, details, idempotency_key)


@router.post(
    "/{insats_id}/participants/{participant_id}/events/{event_id}/correction",
    status_code=HTTPStatus.CREATED,
)
async def correct_event(
    request: Request,
    caller: Caller,
    new_uow: NewUow,
    insats_id: InsatsId,
    participant_id: ParticipantId,
    event_id: EventId,
    details: CorrectionDetails,
    idempotency_key: IdempotencyHeader = None,
) -> JSONResponse:
    """Correct an earlier start, check-in or stop: all of its fields anew, under the
    kind's name (`{"stop": {...}}`). The event stays in the log; figures follow."""
    forbid_unless(caller.may_register(insats_id), _NOT_GRANTED)
    command = commands.CorrectEvent(insats_id, participant_id, event_id, details)
    return await _run(request, new_uow, caller, command, details, idempotency_key)


@router.post(
    "/{insats_id}/participants/{participant_id}/events/{event_id}/void",
    status_code=HTTPStatus.CREATED,
)
async def void_event(
    request: Request,
    caller: Caller,
    new_uow: NewUow,
    insats_id: InsatsId,
    participant_id: ParticipantId,
    event_id: EventId,
    idempotency_key: IdempotencyHeader = None,
) -> JSONResponse:
    """Void a mistaken registration (felregistrering): the event counts no more; a
    voided start voids the participant's whole registration."""
    forbid_unless(caller.may_register(insats_id), _NOT_GRANTED)
    command = commands.VoidEvent(insats_id, participant_id, event_id)
    return await _run(request, new_uow, caller, command, VoidDetails(), idempotency_key)


@router.get("/{insats_id}/participants/{participant_id}/events")
async def list_participant_events(
    caller: Caller, new_uow: NewUow, insats_id: InsatsId, participant_id: ParticipantId
) -> dict:
    """The participant's events as they count now: corrections applied, voided ones
    left out."""
    forbid_unless(caller.may_register(insats_id), _NOT_GRANTED)
    async with new_uow() as uow:
        events = await views.participant_events(uow, insats_id, participant_id)
    return {"events": [_event_json(event) for event in events]}


@router.get("")
async def list_insatser(caller: Caller, new_uow: NewUow) -> dict:
    async with new_uow() as uow:
        insatser = await views.list_insatser(uow)
    granted = [insats for insats in insatser if caller.may_register(insats.insats_id)]
    return {"insatser": [insats_body(insats) for insats in granted]}


@router.get("/{insats_id}")
async def get_insats(caller: Caller, new_uow: NewUow, insats_id: InsatsId) -> dict:
    forbid_unless(caller.may_register(insats_id), _NOT_GRANTED)
    async with new_uow() as uow:
        return insats_body(await views.get_insats(uow, insats_id))


@router.get("/{insats_id}/participants")
async def list_participants(
    caller: Caller,
    new_uow: NewUow,
    insats_id: InsatsId,
    active: Annotated[bool, Query(description="only those not stopped")] = False,
) -> dict:
    forbid_unless(caller.may_register(insats_id), _NOT_GRANTED)
    async with new_uow() as uow:
        participants = await views.list_participants(uow, insats_id, active_only=active)
    return {"participants": [_participant_json(p) for p in participants]}


def answer_response(answer: Answer) -> JSONResponse:
    """A command's answer as HTTP: its status and body."""
    return JSONResponse(dict(answer.body), status_code=answer.status)


def _event_json(event: RegisteredEvent) -> dict:
    kind = correction_kind(event)
    details = event.model_dump(mode="json", include=set(_DETAILS[kind].model_fields))
    return {"event_id": event.event_id, "type": event.type, kind: details}


_DETAILS: dict[str, type[BaseModel]] = {
    "start": StartDetails,
    "progress": ProgressDetails,
    "stop": StopDetails,
}


def _participant_json(participant: Participant) -> dict:
    return {
        "participant_id": participant.participant_id,
        "start_date": participant.start_date.isoformat(),
        "end_date": participant.end_date.isoformat() if participant.end_date else None,
    }
