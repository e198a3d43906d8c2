"""Logging in to the staff forms with username and password (a session in a cookie), and
out again."""

from datetime import datetime

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from services.intake.domain.errors import Conflict, NotAuthenticated, Throttled
from services.intake.entrypoints.form_input import first, read_form
from services.intake.entrypoints.form_pages import message, page
from services.intake.entrypoints.form_security import (
    HOME,
    STALE_FORM,
    Sessions,
    delete_session_cookie,
    set_session_cookie,
)
from services.intake.service_layer.accounts import Accounts, LoginDetails
from shared.web.pages import safe_next

_WRONG = "Fel användarnamn eller lösenord. Försök igen."
_EMPTY = "Ange både användarnamn och lösenord."


def _login_form(
    target: str, status: int = 200, username: str = "", error: str | None = None
) -> HTMLResponse:
    return page("login.html", status, visit=None, next=target, username=username, error=error)


def _throttled(seconds: int) -> str:
    minutes = -(-seconds // 60)
    unit = "minut" if minutes == 1 else "minuter"
    return f"För många misslyckade inloggningar. Vänta {minutes} {unit} och försök igen."


def install_login(app: FastAPI, sessions: Sessions, accounts: Accounts) -> None:
    @app.get("/logga-in", include_in_schema=False)
    async def show_login(request: Request) -> Response:
        return _login_form(safe_next(request.query_params.get("next"), HOME))

    @app.post("/logga-in", include_in_schema=False)
    async def log_in(request: Request) -> Response:
        form = await read_form(request)
        target = safe_next(first(form, "next"), HOME)
        # Phones capitalise the first letter; usernames are lower case.
        username = first(form, "username").lower()
        password = form.get("password", [""])[0]
        if not username or not password:
            return _login_form(target, 422, username, _EMPTY)
        client = request.client.host if request.client else "unknown"
        try:
            answer = await accounts.log_in(
                LoginDetails(username=username, password=password), client
            )
        except (ValidationError, NotAuthenticated):  # too long is as wrong as wrong
            return _login_form(target, 401, username, _WRONG)
        except Throttled as throttled:
            refused = _login_form(target, 429, username, _throttled(throttled.retry_after_seconds))
            refused.headers["Retry-After"] = str(throttled.retry_after_seconds)
            return refused
        response = RedirectResponse(target, 303)
        expires_at = datetime.fromisoformat(answer.body["expires_at"])
        set_session_cookie(response, request, answer.body["token"], expires_at)
        return response

    @app.post("/logga-ut", include_in_schema=False)
    async def log_out(request: Request) -> Response:
        visit = await sessions.visit(request)
        if visit is not None:
            if not sessions.form_is_ours(request, await read_form(request)):
                return message(visit, 403, "Formuläret godtogs inte", STALE_FORM)
            try:
                await accounts.log_out(visit.principal)  # revoked at reporting too
            except Conflict:  # the admin token as a cookie: it lives in the environment
                pass
        response = RedirectResponse("/logga-in", 303)
        delete_session_cookie(response, request)
        return response
