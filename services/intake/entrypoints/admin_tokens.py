"""*Tokens* (förbundsadmin): every API token and login session (without secrets), a new
token for a user with its lifetime in days, shown once on the page that answers the form,
and revoking one. They run `Accounts.issue_token` and `Accounts.revoke`, as the JSON API.

The admin gives their own password again to issue, as the API asks of a login session. An
issue takes no Idempotency-Key (its stored answer would hold the secret), so a form sent
twice makes two tokens, both listed here and revocable; a revoke sent twice revokes once."""

from collections.abc import Awaitable
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from services.intake.domain.errors import InvalidField, NotAuthenticated, NotFound, Throttled
from services.intake.entrypoints import admin_fields as asked
from services.intake.entrypoints.accounts import TOKEN_ID_PATTERN
from services.intake.entrypoints.admin_section import (
    ADMIN,
    Admin,
    AdminVisit,
    Filled,
    admin_page,
    form_page,
    missing,
)
from services.intake.entrypoints.form_errors import FieldErrors
from services.intake.entrypoints.form_pages import posted_form
from services.intake.entrypoints.form_security import new_form_key
from services.intake.service_layer.accounts import TokenDetails
from shared.contract.typed_numbers import typed_integer
from shared.web.forms import first
from shared.web.guard import Visit

TOKENS = f"{ADMIN}/tokens"
_DEFAULT_DAYS = "90"
router = APIRouter(include_in_schema=False)


async def _list(
    pages: Admin, visit: Visit, filled: Filled, status: int = 200, revoked: str | None = None
) -> HTMLResponse:
    users = await pages.accounts.users(visit.principal)
    return form_page(
        "admin_tokens.html",
        visit,
        filled,
        status,
        credentials=await pages.accounts.credentials(visit.principal, None),
        usernames=[user["username"] for user in users if user["active"]],
        asked=asked.TOKEN,
        revoked=revoked,
        max_days=pages.accounts.token_max_days,
    )


@router.get(TOKENS)
async def list_tokens(visit: AdminVisit, pages: Admin, aterkallad: str | None = None) -> Response:
    filled = Filled({"expires_in_days": [_DEFAULT_DAYS]}, new_form_key())
    return await _list(pages, visit, filled, revoked=aterkallad)


@router.post(TOKENS)
async def issue_token(request: Request, visit: AdminVisit, pages: Admin) -> Response:
    posted = await posted_form(request, pages.sessions, visit)
    if isinstance(posted, Response):
        return posted
    form = posted.values
    days = first(form, "expires_in_days")

    def refused(status: int, errors: FieldErrors) -> Awaitable[HTMLResponse]:
        # A new key: an issue takes none, and the form may be sent again as it is.
        return _list(pages, visit, Filled(form, new_form_key(), errors), status)

    try:
        details = TokenDetails(
            username=first(form, "username"),
            expires_in_days=typed_integer(days),
            password=form.get("password", [""])[0],
        )
    except ValidationError as invalid:
        return await refused(422, asked.refusals(invalid, asked.TOKEN))
    try:
        answer = await pages.accounts.issue_token(visit.principal, details)
    except InvalidField as invalid:
        return await refused(422, {invalid.field: _refusal(invalid.field, pages)})
    except NotFound:
        return await refused(422, {"username": asked.TOKEN["username"].refused})
    except (NotAuthenticated, Throttled):
        return await refused(401, {"password": asked.WRONG_PASSWORD})
    return admin_page("admin_token_issued.html", visit, answer.status, token=answer.body)


def _refusal(field: str, pages: Admin) -> str:
    if field == "expires_in_days":
        return asked.too_long(pages.accounts.token_max_days)
    if field == "username":
        return asked.DEACTIVATED
    return asked.TOKEN[field].refused


@router.post(TOKENS + "/{token_id}/aterkalla")
async def revoke_token(
    request: Request,
    visit: AdminVisit,
    pages: Admin,
    token_id: Annotated[str, Path(pattern=TOKEN_ID_PATTERN)],
) -> Response:
    posted = await posted_form(request, pages.sessions, visit)
    if isinstance(posted, Response):
        return posted
    try:
        await pages.accounts.revoke(visit.principal, token_id)
    except NotFound:
        return missing(visit, "token", TOKENS)
    return RedirectResponse(f"{TOKENS}?aterkallad={token_id}", 303)
