"""CSRF tokens of the pages' POST forms: an HMAC of what the form is bound to, under a key
derived from the admin token for this one purpose, so only a page of ours shows a valid one.

A logged-in form is bound to the session's secret (SameSite=Strict alone still lets a sibling
subdomain, the same site, post with the cookie). A login form, before any session, is bound
to a random value in a short-lived cookie of its own: a page elsewhere can neither read that
cookie nor set it, so it cannot log a browser in to an account of its choosing."""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from fastapi import Request, Response

from shared.web.forms import FormData, first
from shared.web.sessions import cookie_flags

FIELD = "csrf_token"
"""The hidden input every POST form carries."""
LOGIN_COOKIE = "stegvis_login"
"""The pre-session value a login form is bound to (shared by the services of one host)."""
_LOGIN_COOKIE_SECONDS = 2 * 60 * 60
_NONCE = re.compile(r"[A-Za-z0-9_-]{32,64}")


class Csrf:
    def __init__(self, admin_token: str, purpose: bytes) -> None:
        # Derived, not the admin token itself: a key for this one purpose.
        self._key = hmac.new(admin_token.encode(), purpose, hashlib.sha256).digest()

    def token(self, bound_to: str) -> str:
        return hmac.new(self._key, bound_to.encode(), hashlib.sha256).hexdigest()

    def sent_with(self, form: FormData, bound_to: str) -> bool:
        """Whether the form carries the token of `bound_to` (never of an empty binding)."""
        expected = self.token(bound_to)
        return bool(bound_to) and hmac.compare_digest(
            expected.encode(), first(form, FIELD).encode()
        )

    def login_form(self, request: Request) -> "LoginForm":
        """What a login form shown to this browser carries (its current value kept, so a
        login form open in another tab stays valid)."""
        known = _login_nonce(request)
        nonce = known or secrets.token_urlsafe(32)
        return LoginForm(nonce, self.token(nonce), new=not known)

    def login_sent(self, request: Request, form: FormData) -> bool:
        """Whether a login form came from a page of ours shown to this browser."""
        return self.sent_with(form, _login_nonce(request))


def _login_nonce(request: Request) -> str:
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    return nonce if _NONCE.fullmatch(nonce) else ""


@dataclass(frozen=True)
class LoginForm:
    nonce: str
    token: str
    new: bool
    """Not yet in the browser's cookie."""

    def set_cookie(self, response: Response, request: Request) -> None:
        """Give the browser the cookie, unless it has it (a refused login sets none)."""
        if not self.new:
            return
        response.set_cookie(
            LOGIN_COOKIE, self.nonce, max_age=_LOGIN_COOKIE_SECONDS, **cookie_flags(request)
        )
