"""Logging in to the staff forms with username and password (a session in a cookie), and
out again. Both forms carry a CSRF token: the login's is bound to a pre-session cookie
(`shared.web.csrf`), so no page elsewhere logs a browser in to an account of its choosing."""

from datetime import datetime

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from services.intake.domain.errors import Conflict, NotAuthenticated, Throttled
from services.intake.entrypoints.form_pages import message, page
from services.intake.entrypoints.form_security import HOME, STALE_FORM
from services.intake.entrypoints.home import home_of
from services.intake.service_layer.accounts import Accounts, LoginDetails
from shared.web.forms import first, read_form
from shared.web.guard import LOGIN, MaybeLoggedIn, WebSessions
from shared.web.pages import safe_next

_WRONG = "Fel användarnamn eller lösenord. Försök igen."
_EMPTY = "Ange både användarnamn och lösenord."


def _throttled(seconds: int) -> str:
    minutes = -(-seconds // 60)
    unit = "minut" if minutes == 1 else "minuter"
    return f"För många misslyckade inloggningar. Vänta {minutes} {unit} och försök igen."


def install_login(app: FastAPI, sessions: WebSessions, accounts: Accounts) -> None:
    def login_form(
        request: Request,
        target: str,
        status: int = 200,
        username: str = "",
        error: str | None = None,
    ) -> HTMLResponse:
        csrf = sessions.csrf.login_form(request)
        response = page(
            "login.html",
            status,
            visit=None,
            next=target,
            username=username,
            error=error,
            csrf_token=csrf.token,
        )
        csrf.set_cookie(response, request)
        return response

    @app.get(LOGIN, include_in_schema=False)
    async def show_login(request: Request) -> Response:
        return login_form(request, safe_next(request.query_params.get("next"), ""))

    @app.post(LOGIN, include_in_schema=False)
    async def log_in(request: Request) -> Response:
        form = await read_form(request)
        target = safe_next(first(form, "next"), "")  # "": the role's home, once known
        # Phones capitalise the first letter; usernames are lower case.
        username = first(form, "username").lower()
        if not sessions.csrf.login_sent(request, form):
            return login_form(request, target, 403, username, STALE_FORM)
        password = form.get("password", [""])[0]
        if not username or not password:
            return login_form(request, target, 422, username, _EMPTY)
        client = request.client.host if request.client else "unknown"
        try:
            answer = await accounts.log_in(
                LoginDetails(username=username, password=password), client
            )
        except (ValidationError, NotAuthenticated):  # too long is as wrong as wrong
            return login_form(request, target, 401, username, _WRONG)
        except Throttled as throttled:
            seconds = throttled.retry_after_seconds
            refused = login_form(request, target, 429, username, _throttled(seconds))
            refused.headers["Retry-After"] = str(seconds)
            return refused
        secret = answer.body["token"]
        if not target:
            principal = await sessions.principal_of(secret)
            target = home_of(principal) if principal else HOME
        response = RedirectResponse(target, 303)
        expires_at = datetime.fromisoformat(answer.body["expires_at"])
        sessions.cookie.set(response, request, secret, expires_at)
        return response

    @app.get("/logga-ut", include_in_schema=False)
    async def confirm_log_out(visit: MaybeLoggedIn) -> Response:
        """Where the report pages send a person logged in here: the logout is intake's."""
        if visit is None:
            return RedirectResponse(LOGIN, 303)
        return page("logout.html", visit=visit)

    @app.post("/logga-ut", include_in_schema=False)
    async def log_out(request: Request, visit: MaybeLoggedIn) -> Response:
        if visit is not None:
            if not sessions.form_is_ours(request, await read_form(request)):
                return message(visit, 403, "Formuläret godtogs inte", STALE_FORM)
            try:
                await accounts.log_out(visit.principal)  # revoked at reporting too
            except Conflict:  # the admin token as a cookie: it lives in the environment
                pass
        response = RedirectResponse(LOGIN, 303)
        sessions.cookie.delete(response, request)
        return response
