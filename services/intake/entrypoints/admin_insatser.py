"""*Insatser* (förbundsadmin): the list, a new insats (id, name, how it is registered) and
a change of name (or of registration, while it has none). Each runs the JSON API's
`DefineInsats`, with the form's one-off key as its Idempotency-Key.

Closing an insats is not offered: the domain has no such state (see docs/operations.md)."""

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from services.intake.domain.errors import Conflict, NotFound
from services.intake.domain.model import Insats
from services.intake.entrypoints import admin_fields as asked
from services.intake.entrypoints.admin_section import (
    ADMIN,
    Admin,
    AdminVisit,
    Filled,
    admin_page,
    already_answered,
    form_page,
    missing,
)
from services.intake.entrypoints.form_errors import RESENT_CHANGED, FieldErrors
from services.intake.entrypoints.form_pages import posted_form
from services.intake.entrypoints.form_security import new_form_key
from services.intake.service_layer import views
from services.intake.service_layer.answers import IdempotencyKey
from services.intake.service_layer.commands import DefineInsats
from services.intake.service_layer.messagebus import Audited, dispatch
from shared.contract.events import InsatsDetails
from shared.web.forms import first
from shared.web.guard import Visit

INSATSER = f"{ADMIN}/insatser"
_LIST, _ONE = "admin_insatser.html", "admin_insats.html"
router = APIRouter(include_in_schema=False)


async def _insatser(pages: Admin) -> list[Insats]:
    async with pages.new_uow() as uow:
        return await views.list_insatser(uow)


async def _page(
    pages: Admin, visit: Visit, template: str, filled: Filled, status: int = 200, **more
) -> HTMLResponse:
    """The list with the new insats's form, or one insats's form (`more`: the insats)."""
    return form_page(
        template,
        visit,
        filled,
        status,
        insatser=await _insatser(pages),
        asked=asked.INSATS,
        registrations=asked.REGISTRATIONS,
        **more,
    )


def _saved(visit: Visit, status: int, body: Mapping[str, Any]) -> HTMLResponse:
    text = f"Insatsen {body['name']} ({body['insats_id']}) är sparad."
    title = "Insatsen är sparad"
    return admin_page("admin_done.html", visit, status, title=title, text=text, back=INSATSER)


@router.get(INSATSER)
async def list_insatser(visit: AdminVisit, pages: Admin) -> Response:
    filled = Filled({"registration": ["individ"]}, new_form_key())
    return await _page(pages, visit, _LIST, filled)


@router.post(INSATSER)
async def create_insats(request: Request, visit: AdminVisit, pages: Admin) -> Response:
    posted = await posted_form(request, pages.sessions, visit)
    if isinstance(posted, Response):
        return posted
    form, form_key = posted.values, posted.key
    insats_id = first(form, "insats_id")
    errors: FieldErrors = {}
    details = None
    if not asked.INSATS_ID.fullmatch(insats_id):
        errors["insats_id"] = asked.INSATS["insats_id"].refused
    try:
        details = InsatsDetails(name=first(form, "name"), registration=first(form, "registration"))
    except ValidationError as invalid:
        errors |= asked.refusals(invalid, asked.INSATS)
    if errors or details is None:
        return await _page(pages, visit, _LIST, Filled(form, form_key, errors), 422)
    key = IdempotencyKey.for_request(form_key, "POST", f"{INSATSER}/{insats_id}", details)
    existing = {insats.insats_id for insats in await _insatser(pages)}
    if insats_id in existing and not await already_answered(pages, key):
        taken = Filled(form, form_key, {"insats_id": asked.INSATS_TAKEN})
        return await _page(pages, visit, _LIST, taken, 422)
    return await _define(pages, visit, insats_id, details, key)


async def _define(
    pages: Admin,
    visit: Visit,
    insats_id: str,
    details: InsatsDetails,
    key: IdempotencyKey,
) -> HTMLResponse:
    answer = await dispatch(
        pages.new_uow,
        DefineInsats(insats_id, details),
        Audited(visit.principal, f"/api/v1/insatser/{insats_id}"),
        key,
    )
    return _saved(visit, answer.status, answer.body)


async def _insats(pages: Admin, visit: Visit, insats_id: str) -> Insats | Response:
    try:
        async with pages.new_uow() as uow:
            return await views.get_insats(uow, insats_id)
    except NotFound:
        return missing(visit, "insats", INSATSER)


@router.get(INSATSER + "/{insats_id}")
async def show_insats(visit: AdminVisit, pages: Admin, insats_id: str) -> Response:
    insats = await _insats(pages, visit, insats_id)
    if isinstance(insats, Response):
        return insats
    form = {"name": [insats.name], "registration": [insats.registration.value]}
    return await _page(pages, visit, _ONE, Filled(form, new_form_key()), insats=insats)


@router.post(INSATSER + "/{insats_id}")
async def change_insats(
    request: Request, visit: AdminVisit, pages: Admin, insats_id: str
) -> Response:
    posted = await posted_form(request, pages.sessions, visit)
    if isinstance(posted, Response):
        return posted
    insats = await _insats(pages, visit, insats_id)
    if isinstance(insats, Response):
        return insats
    form, form_key = posted.values, posted.key
    try:
        details = InsatsDetails(name=first(form, "name"), registration=first(form, "registration"))
    except ValidationError as invalid:
        refused = Filled(form, form_key, asked.refusals(invalid, asked.INSATS))
        return await _page(pages, visit, _ONE, refused, 422, insats=insats)
    key = IdempotencyKey.for_request(form_key, "POST", f"{INSATSER}/{insats_id}", details)
    try:
        return await _define(pages, visit, insats_id, details, key)
    except Conflict:
        if details.registration is insats.registration:  # the key sent other details before
            refused = Filled(form, form_key, form_error=RESENT_CHANGED)
        else:
            refused = Filled(form, form_key, {"registration": asked.REGISTRATION_FIXED})
        return await _page(pages, visit, _ONE, refused, 409, insats=insats)
