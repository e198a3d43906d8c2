"""*Första kontot*: how a förbund's first förbundsadmin gets a login. Whoever holds the
admin token (`STEGVIS_ADMIN_TOKEN`, set when the system was installed) gives it here with a
username and password for a new förbundsadmin account, then logs in with those; the token
itself never sits in a browser. It runs `Accounts.save_user` as the admin token's holder,
like `PUT /api/v1/users/{username}` with that token, and adds no account that exists.
Wrong tokens are limited per client address as failed logins are."""

import hmac

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from services.intake.entrypoints import admin_fields as asked
from services.intake.entrypoints.admin_section import ADMIN, Admin
from services.intake.entrypoints.form_errors import FieldErrors
from services.intake.entrypoints.form_pages import page
from services.intake.entrypoints.form_security import STALE_FORM
from services.intake.service_layer.accounts import UserDetails
from shared.contract.access import ADMIN as ADMIN_TOKEN_HOLDER
from shared.contract.access import Role
from shared.web.forms import FormData, first, read_form

SETUP = f"{ADMIN}/forsta-kontot"
_TOO_MANY = "För många felaktiga försök härifrån. Vänta en stund och försök igen."
router = APIRouter(include_in_schema=False)


def _form(
    request: Request,
    pages: Admin,
    form: FormData,
    status: int = 200,
    errors: FieldErrors | None = None,
    form_error: str | None = None,
) -> HTMLResponse:
    csrf = pages.sessions.csrf.login_form(request)
    response = page(
        "admin_setup.html",
        status,
        visit=None,
        form=form,
        errors=errors or {},
        form_error=form_error,
        asked=asked.SETUP,
        csrf_token=csrf.token,
        done=None,
    )
    csrf.set_cookie(response, request)
    return response


@router.get(SETUP)
async def show_setup(request: Request, pages: Admin) -> Response:
    return _form(request, pages, {})


@router.post(SETUP)
async def set_up(request: Request, pages: Admin) -> Response:
    form = await read_form(request)
    if not pages.sessions.csrf.login_sent(request, form):
        return _form(request, pages, form, 403, form_error=STALE_FORM)
    # Wrong tokens count as failed logins of the address (the same limit, shared with them).
    client, now = request.client.host if request.client else "unknown", pages.accounts.clock()
    throttle = pages.accounts.throttle_by_client
    if throttle.retry_after(client, now) is not None:
        return _form(request, pages, form, 429, {"admin_token": _TOO_MANY})
    token = form.get("admin_token", [""])[0]
    if not hmac.compare_digest(token.encode(), pages.admin_token.encode()):
        throttle.failed(client, now)
        return _form(request, pages, form, 401, {"admin_token": asked.WRONG_ADMIN_TOKEN})
    username = first(form, "username").lower()
    errors: FieldErrors = {}
    if not asked.USERNAME.fullmatch(username):
        errors["username"] = asked.USER["username"].refused
    try:
        details = UserDetails(role=Role.FORBUNDSADMIN, password=form.get("password", [""])[0])
    except ValidationError as invalid:
        errors |= asked.refusals(invalid, asked.USER)
    if errors:
        return _form(request, pages, form, 422, errors)
    users = await pages.accounts.users(ADMIN_TOKEN_HOLDER)
    if any(user["username"] == username for user in users):
        return _form(request, pages, form, 422, {"username": asked.USER_TAKEN})
    answer = await pages.accounts.save_user(ADMIN_TOKEN_HOLDER, username, details)
    return page("admin_setup.html", answer.status, visit=None, done=username)
