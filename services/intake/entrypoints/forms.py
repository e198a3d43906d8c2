"""Intake's staff forms: Swedish pages rendered on the server, where insats staff log in,
see the insatser they register in and each one's caseload, and register starts, check-ins,
stops and volumes, and correct or void them (`form_corrections`). Plain HTML forms; no
JavaScript.

A registration runs the same `*Details` model and command as the JSON API. Each rendered
form carries a one-off key, sent as the command's Idempotency-Key, so a double click or a
resent form registers once and shows the first answer again.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from services.intake.domain.errors import Conflict, InvalidField, NotFound
from services.intake.domain.fields import FIELDS
from services.intake.domain.followups import ON_THE_DAY, FollowupWindow, due_followups
from services.intake.domain.model import Insats
from services.intake.domain.participant_codes import participant_code
from services.intake.entrypoints import form_labels
from services.intake.entrypoints.admin_pages import install_admin_pages
from services.intake.entrypoints.admin_section import AdminPages
from services.intake.entrypoints.dependencies import fingerprinted_path
from services.intake.entrypoints.form_corrections import install_corrections
from services.intake.entrypoints.form_errors import (
    RESENT_CHANGED,
    FieldErrors,
    refused_field,
    validation_errors,
)
from services.intake.entrypoints.form_login import install_login
from services.intake.entrypoints.form_pages import message, page, posted_form, today
from services.intake.entrypoints.form_registrations import (
    REGISTRATION_FORMS,
    RegistrationForm,
    Subject,
    insats_page,
)
from services.intake.entrypoints.form_security import HOME, new_form_key, staff_sessions
from services.intake.service_layer import views
from services.intake.service_layer.accounts import Accounts
from services.intake.service_layer.answers import IdempotencyKey
from services.intake.service_layer.caseload import Caseload, participant_in
from services.intake.service_layer.commands import InsatsCommand
from services.intake.service_layer.messagebus import Audited, dispatch
from services.intake.service_layer.unit_of_work import UnitOfWork
from shared.contract.codes import OutcomePolicy, Registration
from shared.contract.events import INSATS_ID_PATTERN
from shared.contract.kommuner import members_first
from shared.platform.http import PrincipalLookup
from shared.web.forms import FormData
from shared.web.guard import LoggedIn, Visit, install_guard, login_first
from shared.web.navigation import Sites

_INSATS_ID = re.compile(INSATS_ID_PATTERN)

_FORBIDDEN = "Du har inte behörighet till den här insatsen."
_NOT_FOUND = "Sidan finns inte"
_KIND_OF_INSATS = {
    Registration.INDIVID: "en insats med individregistrering",
    Registration.VOLYM: "en volyminsats",
    Registration.STRUKTUR: "en strukturinsats",
}


@dataclass(frozen=True)
class StaffForms:
    """What the forms need of intake."""

    admin_token: str
    principal_of: PrincipalLookup
    accounts: Accounts
    new_uow: Callable[[], UnitOfWork]
    caseload: Caseload
    outcome_policy: OutcomePolicy
    """Groups the avslutsanledningar by the förbund's outcome classes."""
    sites: Sites
    """Where the navigation's links lead."""
    member_kommuner: tuple[str, ...] = ()
    """Offered first in the start form's kommun list (`kommuner.members_first`)."""
    followups: tuple[int, ...] = ()
    """The follow-ups after the stop the förbund makes (months), listed as due."""
    followup_window: FollowupWindow = ON_THE_DAY
    """When a follow-up is listed as due (*Att följa upp*), around its due date."""


def install_staff_forms(app: FastAPI, forms: StaffForms) -> None:
    sessions = staff_sessions(forms.admin_token, forms.principal_of, forms.sites)
    install_guard(app, sessions, login_first)
    reason_groups = form_labels.reason_groups(forms.outcome_policy)
    kommun_groups = members_first(forms.member_kommuner)
    install_login(app, sessions, forms.accounts)
    admin = AdminPages(forms.admin_token, sessions, forms.accounts, forms.new_uow, forms.sites)
    install_admin_pages(app, admin)

    @app.get(HOME, include_in_schema=False)
    async def my_insatser(visit: LoggedIn) -> Response:
        async with forms.new_uow() as uow:
            insatser = await views.list_insatser(uow)
        mine = [insats for insats in insatser if visit.principal.may_register(insats.insats_id)]
        return page("insatser.html", visit=visit, insatser=mine, insats_page=insats_page)

    @app.get(HOME + "/{insats_id}", include_in_schema=False)
    async def caseload(visit: LoggedIn, insats_id: str) -> Response:
        insats = await insats_of(visit, insats_id)
        if isinstance(insats, Response):
            return insats
        if insats.registration is not Registration.INDIVID:
            return RedirectResponse(insats_page(insats), 303)
        entries = await forms.caseload.active(insats_id)
        now = today()
        due = due_followups(
            await forms.caseload.ended(insats_id), forms.followups, forms.followup_window, now
        )
        return page(
            "caseload.html", visit=visit, insats=insats, entries=entries, due=due, today=now
        )

    async def insats_of(visit: Visit, insats_id: str) -> Insats | Response:
        """The insats, if the caller registers in it; else the page saying why not."""
        # Refused before the insats is looked up: a refusal tells nothing of which exist.
        if not _INSATS_ID.fullmatch(insats_id):
            return message(visit, 404, _NOT_FOUND, "Det finns ingen sådan insats.")
        if not visit.principal.may_register(insats_id):
            return message(visit, 403, "Ingen behörighet", _FORBIDDEN)
        try:
            async with forms.new_uow() as uow:
                return await views.get_insats(uow, insats_id)
        except NotFound:
            return message(visit, 404, _NOT_FOUND, f"Det finns ingen insats ”{insats_id}”.")

    async def subject_of(
        visit: Visit,
        form: RegistrationForm,
        insats_id: str,
        participant_id: str | None = None,
        *,
        stopped_too: bool = False,
    ) -> Subject | Response:
        """What the form is about; else the page saying why there is no such form.
        `stopped_too`: a stopped participant's too (a resent form gets its first answer)."""
        insats = await insats_of(visit, insats_id)
        if isinstance(insats, Response):
            return insats
        back = insats_page(insats)
        if insats.registration is not form.registration:
            kind = _KIND_OF_INSATS[insats.registration]
            text = f"{insats.name} är {kind}, så det här formuläret gäller inte den."
            return message(visit, 409, "Fel sorts insats", text, back)
        if participant_id is None:
            return Subject(insats, None)
        not_here = f"Deltagaren {participant_id} finns inte i den här insatsen."
        if (code := participant_code(participant_id)) is None:
            return message(visit, 404, "Deltagaren finns inte", not_here, back)
        try:
            async with forms.new_uow() as uow:
                participant = await participant_in(uow, insats_id, code)
        except NotFound:
            return message(visit, 404, "Deltagaren finns inte", not_here, back)
        if form.after_stop and not participant.stopped:
            text = "Deltagaren är inte avslutad: uppföljningen efter avslut kommer efter avslutet."
            return message(visit, 409, "Deltagaren är inte avslutad", text, back)
        if participant.stopped and not stopped_too and not form.after_stop:
            stopped = "Deltagaren är redan avslutad."
            return message(visit, 409, "Deltagaren är redan avslutad", stopped, back)
        if not form.chooses_insats:
            return Subject(insats, participant)
        async with forms.new_uow() as uow:
            insatser = await views.list_insatser(uow)
        others = tuple(
            other
            for other in insatser
            if other.registration is Registration.INDIVID
            and other.insats_id != insats.insats_id
            and visit.principal.may_register(other.insats_id)
        )
        return Subject(insats, participant, others)

    def form_page(
        visit: Visit,
        form: RegistrationForm,
        subject: Subject,
        values: FormData,
        form_key: str,
        status: int = 200,
        errors: FieldErrors | None = None,
        form_error: str | None = None,
        *,
        template: str | None = None,
        back: str | None = None,
        **more,
    ) -> HTMLResponse:
        """`template`, `back` and `more`: a correction's, in the form of what it corrects."""
        return page(
            template or form.template,
            status,
            visit=visit,
            insats=subject.insats,
            participant=subject.participant,
            back=back or insats_page(subject.insats),
            form=values,
            form_key=form_key,
            errors=errors or {},
            form_error=form_error,
            reason_groups=reason_groups,
            others={other.insats_id: other.name for other in subject.others},
            kommun_groups=kommun_groups,
            asked=FIELDS[form.spec.details],
            **more,
        )

    def show(form: RegistrationForm):
        async def show_form(request: Request, visit: LoggedIn) -> Response:
            subject = await subject_of(visit, form, **request.path_params)
            if isinstance(subject, Response):
                return subject
            values = {form.date_field: [today().isoformat()]}
            values |= {
                field: [request.query_params[parameter]]
                for parameter, field in form.prefilled.items()
                if parameter in request.query_params
            }
            return form_page(visit, form, subject, values, new_form_key())

        return show_form

    def submit(form: RegistrationForm):
        async def submit_form(request: Request, visit: LoggedIn) -> Response:
            posted = await posted_form(request, sessions, visit)
            if isinstance(posted, Response):
                return posted
            values, form_key = posted.values, posted.key
            # A stopped participant's too: the command refuses it unless this form was sent
            # before, and then its first answer is shown again.
            subject = await subject_of(visit, form, **request.path_params, stopped_too=True)
            if isinstance(subject, Response):
                return subject

            def again(status: int, **problems) -> HTMLResponse:
                # With the same key: it is the same form, to correct.
                return form_page(visit, form, subject, values, form_key, status, **problems)

            try:
                details = form.spec.details.model_validate(form.spec.payload(values))
            except ValidationError as invalid:
                return again(422, errors=validation_errors(invalid))
            participant = subject.participant
            command = form.command_about(subject, details)
            if isinstance(command, InsatsCommand) and not all(
                visit.principal.may_register(insats_id) for insats_id in command.insatser
            ):  # a move to an insats the caller does not register in
                return message(visit, 403, "Ingen behörighet", _FORBIDDEN)
            try:
                answer = await dispatch(
                    forms.new_uow,
                    command,
                    Audited(visit.principal, request.url.path),
                    IdempotencyKey.for_request(
                        form_key, "POST", fingerprinted_path(request), details
                    ),
                )
            except InvalidField as refused:
                start, end = (
                    (participant.start_date, participant.end_date) if participant else (None, None)
                )
                return again(422, errors=refused_field(refused, start, end))
            except Conflict:
                # Either the state refuses it (a stop, a change of kind: shown as it is
                # now), or the key already registered other details.
                now = await subject_of(visit, form, **request.path_params)
                if isinstance(now, Response):
                    return now
                return again(409, form_error=RESENT_CHANGED)
            return page(
                "registered.html",
                answer.status,
                visit=visit,
                title=form.done,
                insats=subject.insats,
                participant_id=answer.body.get("participant_id"),
                assigns_code=form.assigns_code,
                back=insats_page(subject.insats),
                # Another of the same: a start or a volume, not a participant's second stop.
                again=None if participant else request.url.path,
            )

        return submit_form

    for path, form in REGISTRATION_FORMS.items():
        app.add_api_route(path, show(form), methods=["GET"], include_in_schema=False)
        app.add_api_route(path, submit(form), methods=["POST"], include_in_schema=False)
    install_corrections(app, sessions, forms.new_uow, insats_of, form_page)
