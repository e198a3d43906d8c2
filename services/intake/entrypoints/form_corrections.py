"""Rätta: a participant's page, listing their registrations as they count now, from which
staff correct one (in its own form, filled in with its values) or void it
(felregistrering).

Both run the JSON API's commands, the same way as the registration forms: a correction or a
void is a new event over the one it concerns, nothing is deleted, and outcomes and reporting
follow it like any other event, so the figures of the periods it touches change.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError

from services.intake.domain.errors import Conflict, InvalidField, NotFound
from services.intake.domain.model import Insats, Participant
from services.intake.domain.participant_codes import participant_code
from services.intake.entrypoints.dependencies import fingerprinted_path
from services.intake.entrypoints.form_errors import (
    RESENT_CHANGED,
    refused_correction,
    validation_errors,
)
from services.intake.entrypoints.form_history import listed
from services.intake.entrypoints.form_labels import REGISTRATIONS
from services.intake.entrypoints.form_pages import PostedForm, message, page, posted_form
from services.intake.entrypoints.form_registrations import (
    CORRECTION_FORMS,
    PARTICIPANT_PAGE,
    Subject,
    insats_page,
)
from services.intake.entrypoints.form_security import HOME, new_form_key
from services.intake.service_layer.answers import Answer, IdempotencyKey
from services.intake.service_layer.caseload import participant_in
from services.intake.service_layer.commands import Command, CorrectEvent, VoidEvent
from services.intake.service_layer.messagebus import Audited, dispatch
from services.intake.service_layer.unit_of_work import UnitOfWork
from shared.contract.events import (
    CorrectionDetails,
    ParticipantEvent,
    RegisteredEvent,
    VoidDetails,
    correction_kind,
    effective_events,
)
from shared.web.forms import FormData
from shared.web.guard import Visit, WebSessions, login_first

_EVENT = PARTICIPANT_PAGE + "/handelser/{event_id}"

_GONE = "Registreringen finns inte"
_GONE_TEXT = "Den finns inte hos deltagaren, eller är makulerad och kan inte längre ändras."
_ALREADY_VOIDED = (
    "Registreringen är redan makulerad, eller hela deltagarens registrering är det. Inget ändrades."
)
_REPORTS_FOLLOW = (
    "Inget raderas: det som registrerades först finns kvar i loggen men räknas inte längre. "
    "Rapporterna visar strax de nya siffrorna för de perioder som berörs."
)

InsatsOf = Callable[[Visit, str], Awaitable[Insats | Response]]
"""The insats, if the visitor registers in it; else the page saying why not."""
FormPage = Callable[..., HTMLResponse]
"""A registration form's page (`forms.install_staff_forms`): (visit, form, subject, values,
form key, status, errors=, form_error=, template=, back=, **more)."""


@dataclass(frozen=True)
class _Registration:
    """A participant of an insats and everything registered about them, as a visitor
    (who registers in the insats) sees them."""

    visit: Visit
    insats: Insats
    participant: Participant
    history: list[ParticipantEvent]

    @property
    def page(self) -> str:
        return _participant_page(self.insats.insats_id, self.participant.participant_id)

    def counting(self) -> list[RegisteredEvent]:
        """The registrations as they count now (corrected; voided ones left out)."""
        return effective_events(self.history)

    def counted(self, event_id: str) -> RegisteredEvent | None:
        return next((e for e in self.counting() if e.event_id == event_id), None)

    def kind_of(self, event_id: str) -> str | None:
        """The kind of the registration, whatever became of it since (a resent form's
        command gets its first answer)."""
        registered = (e for e in self.history if isinstance(e, RegisteredEvent))
        return next((correction_kind(e) for e in registered if e.event_id == event_id), None)

    def gone(self, status: int = 404) -> HTMLResponse:
        return message(self.visit, status, _GONE, _GONE_TEXT, self.page)


@dataclass(frozen=True)
class _Sent:
    """A correction's or void's form, sent about a registration of this kind."""

    registration: _Registration
    form: PostedForm
    kind: str

    def about(self, request: Request) -> tuple[str, str, str]:
        """The insats, the participant (as stored) and the event the form was sent about."""
        participant = self.registration.participant
        return participant.insats_id, participant.participant_id, request.path_params["event_id"]


def _participant_page(insats_id: str, participant_id: str) -> str:
    return PARTICIPANT_PAGE.format(insats_id=insats_id, participant_id=participant_id)


def install_corrections(
    app: FastAPI,
    sessions: WebSessions,
    new_uow: Callable[[], UnitOfWork],
    insats_of: InsatsOf,
    form_page: FormPage,
) -> None:
    async def registration_of(
        request: Request, insats_id: str, participant_id: str, *, voided_too: bool = False
    ) -> _Registration | Response:
        """The participant's registration; else the page saying why it is not shown.
        `voided_too`: a voided one's too (a resent form gets its first answer)."""
        visit = await sessions.visit(request)
        if visit is None:
            return login_first(request)
        insats = await insats_of(visit, insats_id)
        if isinstance(insats, Response):
            return insats
        registration = None
        if (code := participant_code(participant_id)) is not None:
            try:
                async with new_uow() as uow:
                    participant = await participant_in(uow, insats_id, code)
                    history = await uow.events.of_participant(insats_id, code)
                registration = _Registration(visit, insats, participant, history)
            except NotFound:
                pass
        if registration is None or (registration.participant.voided and not voided_too):
            text = f"Deltagaren {participant_id} finns inte i den här insatsen."
            return message(visit, 404, "Deltagaren finns inte", text, insats_page(insats))
        return registration

    async def shown(
        request: Request, insats_id: str, participant_id: str, event_id: str
    ) -> tuple[_Registration, RegisteredEvent] | Response:
        """The registration an event's page shows, and the event as it counts now; else the
        page saying why not."""
        registration = await registration_of(request, insats_id, participant_id)
        if isinstance(registration, Response):
            return registration
        event = registration.counted(event_id)
        return registration.gone() if event is None else (registration, event)

    async def form_sent(
        request: Request, insats_id: str, participant_id: str, event_id: str
    ) -> _Sent | Response:
        """A correction's or void's form, sent by a page of ours; else the page saying why
        it is not accepted."""
        registration = await registration_of(request, insats_id, participant_id, voided_too=True)
        if isinstance(registration, Response):
            return registration
        form = await posted_form(request, sessions, registration.visit)
        if isinstance(form, Response):
            return form
        kind = registration.kind_of(event_id)
        return registration.gone() if kind is None else _Sent(registration, form, kind)

    def correction_page(
        registration: _Registration,
        kind: str,
        values: FormData,
        form_key: str,
        status: int = 200,
        **problems: str | dict,
    ) -> HTMLResponse:
        """The registration's own form, with a correction's heading, button and way back."""
        form = CORRECTION_FORMS[kind]
        return form_page(
            registration.visit,
            form,
            Subject(registration.insats, registration.participant),
            values,
            form_key,
            status,
            **problems,
            template="correction.html",
            back=registration.page,
            original=form.template,
            words=REGISTRATIONS[kind],
        )

    async def run(request: Request, sent: _Sent, command: Command, details: BaseModel) -> Answer:
        """The command, once per form (its key), audited on the form's path."""
        return await dispatch(
            new_uow,
            command,
            Audited(sent.registration.visit.principal, request.url.path),
            IdempotencyKey.for_request(sent.form.key, "POST", fingerprinted_path(request), details),
        )

    @app.get("/insatser/{insats_id}/deltagare", include_in_schema=False)
    async def find_participant(insats_id: str, kod: str = "") -> RedirectResponse:
        """The caseload's "Rätta en tidigare registrering": to the page of the participant
        with the code (a stopped one too), which checks who may see it."""
        insats = quote(insats_id, safe="")
        code = quote(participant_code(kod) or kod.strip(), safe="")
        target = _participant_page(insats, code) if code else f"{HOME}/{insats}"
        return RedirectResponse(target, 303)

    @app.get(PARTICIPANT_PAGE, include_in_schema=False)
    async def show_participant(request: Request) -> Response:
        registration = await registration_of(request, **request.path_params)
        if isinstance(registration, Response):
            return registration
        return page(
            "participant.html",
            visit=registration.visit,
            insats=registration.insats,
            participant=registration.participant,
            registrations=[listed(event) for event in registration.counting()],
            here=registration.page,
            back=insats_page(registration.insats),
        )

    @app.get(_EVENT + "/ratta", include_in_schema=False)
    async def show_correction(request: Request) -> Response:
        found = await shown(request, **request.path_params)
        if isinstance(found, Response):
            return found
        registration, event = found
        kind = correction_kind(event)
        values = CORRECTION_FORMS[kind].spec.form_data(event)
        return correction_page(registration, kind, values, new_form_key())

    @app.post(_EVENT + "/ratta", include_in_schema=False)
    async def correct(request: Request) -> Response:
        sent = await form_sent(request, **request.path_params)
        if isinstance(sent, Response):
            return sent
        registration, kind = sent.registration, sent.kind

        def again(status: int, **problems: str | dict) -> HTMLResponse:
            # With the same key: it is the same form, to correct.
            return correction_page(
                registration, kind, sent.form.values, sent.form.key, status, **problems
            )

        spec = CORRECTION_FORMS[kind].spec
        try:
            details = spec.details.model_validate(spec.payload(sent.form.values))
        except ValidationError as invalid:
            return again(422, errors=validation_errors(invalid))
        correction = CorrectionDetails(**{kind: details})
        try:
            command = CorrectEvent(*sent.about(request), correction)
            answer = await run(request, sent, command, correction)
        except InvalidField as refused:
            return again(422, errors=refused_correction(refused, details, registration.counting()))
        except Conflict:
            # Voided before this form was sent, or its key already registered other details.
            if registration.counted(request.path_params["event_id"]) is None:
                return registration.gone(409)
            return again(409, form_error=RESENT_CHANGED)
        return _done(registration, answer, REGISTRATIONS[kind].corrected)

    @app.get(_EVENT + "/makulera", include_in_schema=False)
    async def show_void(request: Request) -> Response:
        found = await shown(request, **request.path_params)
        if isinstance(found, Response):
            return found
        registration, event = found
        return page(
            "void.html",
            visit=registration.visit,
            insats=registration.insats,
            participant=registration.participant,
            registration=listed(event),
            kind=correction_kind(event),
            back=registration.page,
            form_key=new_form_key(),
        )

    @app.post(_EVENT + "/makulera", include_in_schema=False)
    async def void(request: Request) -> Response:
        sent = await form_sent(request, **request.path_params)
        if isinstance(sent, Response):
            return sent
        registration = sent.registration
        try:
            answer = await run(request, sent, VoidEvent(*sent.about(request)), VoidDetails())
        except Conflict:
            return message(
                registration.visit, 409, "Redan makulerad", _ALREADY_VOIDED, registration.page
            )
        return _done(registration, answer, REGISTRATIONS[sent.kind].voided)


def _done(registration: _Registration, answer: Answer, title: str) -> HTMLResponse:
    """The confirmation of a correction or a void."""
    return page(
        "registered.html",
        answer.status,
        visit=registration.visit,
        title=title,
        insats=registration.insats,
        participant_id=registration.participant.participant_id,
        assigns_code=False,
        note=_REPORTS_FOLLOW,
        back=insats_page(registration.insats),
        again=None,
    )
