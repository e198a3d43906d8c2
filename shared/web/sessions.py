"""The session cookie of a service's pages: it holds a login's secret, which the service
looks up on every request (so a session revoked or expired admits no one from then)."""

from dataclasses import dataclass
from datetime import datetime

from fastapi import Request, Response


def cookie_flags(request: Request) -> dict:
    """Every cookie of the pages: for the whole site, out of scripts' reach, never sent from
    another site, and only over HTTPS when the page came over it."""
    return {
        "path": "/",
        "httponly": True,
        "samesite": "strict",
        "secure": request.url.scheme == "https",
    }


@dataclass(frozen=True)
class SessionCookie:
    name: str

    def secret(self, request: Request) -> str:
        return request.cookies.get(self.name, "")

    def set(self, response: Response, request: Request, secret: str, expires_at: datetime) -> None:
        response.set_cookie(self.name, secret, expires=expires_at, **cookie_flags(request))

    def delete(self, response: Response, request: Request) -> None:
        response.delete_cookie(self.name, **cookie_flags(request))


INTAKE_SESSION = SessionCookie("stegvis_session")
"""A login at intake's staff forms: the secret of an intake session credential."""
REPORT_SESSION = SessionCookie("stegvis_report_session")
"""A login at reporting's pages: the secret of one of reporting's own page sessions. Its own
name: cookies do not tell ports apart, and the two services' secrets differ."""
