"""What intake's staff forms add to the shared page sessions (`shared.web`): the cookie and
CSRF key they use, the one-off key that makes a resent form register once, and the page a
refused form says."""

import re
import secrets

from shared.contract.identity import contains_identity_number
from shared.web.csrf import Csrf
from shared.web.guard import SessionLookup, WebSessions
from shared.web.navigation import Sites
from shared.web.sessions import INTAKE_SESSION

HOME = "/insatser"
STALE_FORM = (
    "Formuläret kom inte från Stegvis eller är för gammalt. Ladda om sidan och försök igen."
)

_CSRF_PURPOSE = b"stegvis intake forms csrf v1"
_FORM_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


def staff_sessions(admin_token: str, principal_of: SessionLookup, sites: Sites) -> WebSessions:
    return WebSessions(INTAKE_SESSION, principal_of, Csrf(admin_token, _CSRF_PURPOSE), sites)


def new_form_key() -> str:
    """The one-off key of a rendered form, sent back as its command's Idempotency-Key."""
    return secrets.token_urlsafe(24)


def valid_form_key(key: str) -> bool:
    return bool(_FORM_KEY.fullmatch(key)) and not contains_identity_number(key)
