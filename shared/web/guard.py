"""Who a page's request stands for, and the login-required guard as FastAPI dependencies:
a route that takes `LoggedIn` is answered only for a valid session (else the app's
`LoginRequired` answer: the way to the login), one that takes `MaybeLoggedIn` for anyone."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from shared.contract.access import Principal
from shared.web.csrf import Csrf
from shared.web.forms import FormData
from shared.web.navigation import Link, Sites
from shared.web.sessions import SessionCookie

LOGIN = "/logga-in"

SessionLookup = Callable[[str], Awaitable[Principal | None]]
"""The principal a session cookie's secret stands for now (None: none, or no longer)."""
BearerLookup = Callable[[Request], Awaitable[Principal | None]]


@dataclass(frozen=True)
class Visit:
    """A request from someone known: who, and the CSRF token their POST forms carry."""

    principal: Principal
    csrf_token: str
    logged_in: bool = True
    """By a session cookie (not a bearer header): the page offers to log out."""
    login: SessionCookie | None = None
    """The cookie that admitted the request (None: a bearer header)."""
    nav: tuple[Link, ...] = ()
    """The navigation the page shows the caller."""
    logout_at: str | None = None
    """Where a login made at intake (the people's) is ended: a link there, since only intake
    revokes it (and a form may not post to another origin). None: this service's form."""


class LoginRequired(Exception):
    """Raised by `LoggedIn` for a request without a valid session."""


@dataclass(frozen=True)
class WebSessions:
    """A service's page sessions: the cookie, whom its secret stands for, and the CSRF
    tokens bound to it. `people`: also admit the people's login (intake's session cookie,
    looked up by `people_of`) where this service is not intake; `bearer`: also admit an
    Authorization header (no forms then); `sites`: the navigation's addresses."""

    cookie: SessionCookie
    principal_of: SessionLookup
    csrf: Csrf
    sites: Sites
    people: SessionCookie | None = None
    people_of: SessionLookup | None = None
    bearer: BearerLookup | None = None

    def _logins(self) -> list[tuple[SessionCookie, SessionLookup]]:
        logins = [(self.cookie, self.principal_of)]
        if self.people is not None and self.people_of is not None:
            logins.append((self.people, self.people_of))
        return logins

    async def visit(self, request: Request) -> Visit | None:
        # Looked up on every request: a session revoked or expired admits no one from then.
        for cookie, principal_of in self._logins():
            secret = cookie.secret(request)
            if secret and (principal := await principal_of(secret)) is not None:
                nav = self.sites.links(request, principal)
                logout_at = None if cookie == self.cookie else self.sites.logout(request)
                return Visit(
                    principal,
                    self.csrf.token(secret),
                    login=cookie,
                    nav=nav,
                    logout_at=logout_at,
                )
        if self.bearer and (principal := await self.bearer(request)) is not None:
            return Visit(principal, "", logged_in=False)
        return None

    def form_is_ours(self, request: Request, form: FormData) -> bool:
        """Whether the form carries the token bound to one of the browser's logins."""
        return any(
            self.csrf.sent_with(form, cookie.secret(request)) for cookie, _ in self._logins()
        )


def install_guard(
    app: FastAPI, sessions: WebSessions, refusal: Callable[[Request], Response]
) -> None:
    """Make `LoggedIn` and `MaybeLoggedIn` use `sessions`; `refusal`: the answer without a
    session (`login_first`, or a 401 where scripts read the pages too)."""
    app.state.stegvis_web_sessions = sessions

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, _error: LoginRequired) -> Response:
        return refusal(request)


def web_sessions(request: Request) -> WebSessions:
    sessions: WebSessions = request.app.state.stegvis_web_sessions
    return sessions


async def _maybe_visit(request: Request) -> Visit | None:
    return await web_sessions(request).visit(request)


async def _visit(visit: Annotated[Visit | None, Depends(_maybe_visit)]) -> Visit:
    if visit is None:
        raise LoginRequired
    return visit


MaybeLoggedIn = Annotated[Visit | None, Depends(_maybe_visit)]
LoggedIn = Annotated[Visit, Depends(_visit)]


def login_first(request: Request) -> RedirectResponse:
    """To the login, and back here after it."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"{LOGIN}?{urlencode({'next': here})}", 303)
