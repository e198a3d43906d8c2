"""*Användare* (förbundsadmin): the list, a new user (username, role, granted insatser,
password), and a user's page to change role and grants, set a new password or deactivate
the account. Each runs `Accounts.save_user` (the JSON API's `PUT /users/{username}`) with
the form's one-off key as its Idempotency-Key, so a form sent twice saves once."""

from dataclasses import replace

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from services.intake.domain.errors import Conflict, InvalidField
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
from services.intake.service_layer.accounts import UserDetails
from services.intake.service_layer.answers import IdempotencyKey
from shared.contract.access import Role
from shared.web.forms import FormData, first
from shared.web.guard import Visit

USERS = f"{ADMIN}/anvandare"
_LIST, _ONE = "admin_users.html", "admin_user.html"
_ACTIVE = "ja"
router = APIRouter(include_in_schema=False)


def _details(form: FormData) -> UserDetails:
    """The user as the form sets it (an empty password keeps the stored one)."""
    chosen: dict = {
        "role": first(form, "role"),
        "insatser": [insats for insats in form.get("insatser", []) if insats],
        "active": first(form, "active") == _ACTIVE,
    }
    if password := form.get("password", [""])[0]:
        chosen["password"] = password
    return UserDetails.model_validate(chosen)


def _key(form_key: str, username: str, details: UserDetails) -> IdempotencyKey:
    # Not the password itself: the stored fingerprint must not be a fast hash of it.
    shown = details.model_copy(update={"password": "set" if details.password else None})
    return IdempotencyKey.for_request(form_key, "POST", f"{USERS}/{username}", shown)


async def _page(
    pages: Admin, visit: Visit, template: str, filled: Filled, status: int = 200, **more
) -> HTMLResponse:
    """The list with the new user's form, or one user's form (`more`: the user)."""
    async with pages.new_uow() as uow:
        insatser = {insats.insats_id: insats.name for insats in await views.list_insatser(uow)}
    return form_page(
        template,
        visit,
        filled,
        status,
        users=await pages.accounts.users(visit.principal),
        insatser=insatser,
        roles=asked.ROLES,
        asked=asked.USER,
        ACTIVE=_ACTIVE,
        **more,
    )


def _refused(refused: InvalidField, details: UserDetails) -> FieldErrors:
    """The domain's refusal of the grants: to a role that has none, or of an insats not
    (or no longer) defined."""
    if details.role is not Role.INSATSANSVARIG:
        return {refused.field: asked.GRANTS_ONLY_INSATSANSVARIG}
    return {refused.field: asked.USER[refused.field].refused}


async def _saved_or_refused(
    pages: Admin,
    visit: Visit,
    template: str,
    filled: Filled,
    username: str,
    details: UserDetails,
    key: IdempotencyKey,
    **more,
) -> HTMLResponse:
    """Save the user; else the form again, saying why not (`more`: the user's page's)."""
    try:
        answer = await pages.accounts.save_user(visit.principal, username, details, key)
    except InvalidField as refused:
        errors = _refused(refused, details)
        return await _page(pages, visit, template, replace(filled, errors=errors), 422, **more)
    except Conflict:
        resent = replace(filled, form_error=RESENT_CHANGED)
        return await _page(pages, visit, template, resent, 409, **more)
    state = "aktivt" if answer.body["active"] else "inaktiverat"
    text = f"Kontot {username} är sparat ({state})."
    title = "Användaren är sparad"
    return admin_page("admin_done.html", visit, answer.status, title=title, text=text, back=USERS)


@router.get(USERS)
async def list_users(visit: AdminVisit, pages: Admin) -> Response:
    form = {"role": ["insatsansvarig"], "active": [_ACTIVE]}
    return await _page(pages, visit, _LIST, Filled(form, new_form_key()))


@router.post(USERS)
async def create_user(request: Request, visit: AdminVisit, pages: Admin) -> Response:
    posted = await posted_form(request, pages.sessions, visit)
    if isinstance(posted, Response):
        return posted
    form, form_key = posted.values, posted.key
    form["active"] = [_ACTIVE]
    username = first(form, "username").lower()
    errors: FieldErrors = {}
    if not asked.USERNAME.fullmatch(username):
        errors["username"] = asked.USER["username"].refused
    try:
        details = _details(form)
        if details.password is None:
            errors["password"] = asked.USER["password"].refused
    except ValidationError as invalid:
        errors |= asked.refusals(invalid, asked.USER)
    if errors:
        return await _page(pages, visit, _LIST, Filled(form, form_key, errors), 422)
    key = _key(form_key, username, details)
    taken = any(
        user["username"] == username for user in await pages.accounts.users(visit.principal)
    )
    if taken and not await already_answered(pages, key):
        errors = {"username": asked.USER_TAKEN}
        return await _page(pages, visit, _LIST, Filled(form, form_key, errors), 422)
    return await _saved_or_refused(
        pages, visit, _LIST, Filled(form, form_key), username, details, key
    )


async def _user(pages: Admin, visit: Visit, username: str) -> dict | Response:
    for user in await pages.accounts.users(visit.principal):
        if user["username"] == username:
            return user
    return missing(visit, "användare", USERS)


@router.get(USERS + "/{username}")
async def show_user(visit: AdminVisit, pages: Admin, username: str) -> Response:
    user = await _user(pages, visit, username)
    if isinstance(user, Response):
        return user
    form = {
        "role": [user["role"]],
        "insatser": user["insatser"],
        "active": [_ACTIVE] if user["active"] else [],
    }
    return await _page(pages, visit, _ONE, Filled(form, new_form_key()), user=user)


@router.post(USERS + "/{username}")
async def change_user(request: Request, visit: AdminVisit, pages: Admin, username: str) -> Response:
    posted = await posted_form(request, pages.sessions, visit)
    if isinstance(posted, Response):
        return posted
    user = await _user(pages, visit, username)
    if isinstance(user, Response):
        return user
    filled = Filled(posted.values, posted.key)
    try:
        details = _details(filled.values)
    except ValidationError as invalid:
        refused = Filled(filled.values, filled.key, asked.refusals(invalid, asked.USER))
        return await _page(pages, visit, _ONE, refused, 422, user=user)
    key = _key(filled.key, username, details)
    return await _saved_or_refused(pages, visit, _ONE, filled, username, details, key, user=user)
