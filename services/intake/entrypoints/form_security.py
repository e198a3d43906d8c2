"""What keeps the staff forms safe to use from a browser: the session cookie, the CSRF token
each POST form carries, the one-off key that makes a resent form register once, and the
way to the login."""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from services.intake.entrypoints.form_input import FormData, first
from shared.contract.access import Principal
from shared.contract.identity import contains_identity_number
from shared.platform.http import PrincipalLookup

SESSION_COOKIE = "stegvis_session"
"""Holds the login's session secret (reporting's pages accept the same cookie)."""
HOME = "/insatser"
STALE_FORM = (
    "Formuläret kom inte från Stegvis eller är för gammalt. Ladda om sidan och försök igen."
)

_CSRF_KEY_PURPOSE = b"stegvis intake forms csrf v1"
_FORM_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


@dataclass(frozen=True)
class Visit:
    """A logged-in request: who, and the CSRF token their POST forms carry."""

    principal: Principal
    csrf_token: str


class Sessions:
    """Who a request's session cookie stands for, and whether a POST form is one of ours.

    A form's CSRF token is an HMAC of the session secret, so only a page of ours shows it,
    and only to the session's holder: SameSite=Strict alone still lets a sibling subdomain
    (the same site) post with the cookie.
    """

    def __init__(self, admin_token: str, principal_of: PrincipalLookup) -> None:
        # Derived, not the admin token itself: a key for this one purpose.
        self._key = hmac.new(admin_token.encode(), _CSRF_KEY_PURPOSE, hashlib.sha256).digest()
        self._principal_of = principal_of

    async def visit(self, request: Request) -> Visit | None:
        # Looked up on every request: a session revoked or expired admits no one from then.
        secret = _session_secret(request)
        principal = await self._principal_of(secret) if secret else None
        return None if principal is None else Visit(principal, self._csrf_token(secret))

    def form_is_ours(self, request: Request, form: FormData) -> bool:
        expected = self._csrf_token(_session_secret(request))
        return hmac.compare_digest(expected.encode(), first(form, "csrf_token").encode())

    def _csrf_token(self, session_secret: str) -> str:
        return hmac.new(self._key, session_secret.encode(), hashlib.sha256).hexdigest()


def _session_secret(request: Request) -> str:
    return request.cookies.get(SESSION_COOKIE, "")


def login_first(request: Request) -> RedirectResponse:
    """To the login, and back here after it."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/logga-in?{urlencode({'next': here})}", 303)


def set_session_cookie(
    response: Response, request: Request, secret: str, expires_at: datetime
) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        expires=expires_at,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def delete_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def new_form_key() -> str:
    """The one-off key of a rendered form, sent back as its command's Idempotency-Key."""
    return secrets.token_urlsafe(24)


def valid_form_key(key: str) -> bool:
    return bool(_FORM_KEY.fullmatch(key)) and not contains_identity_number(key)
