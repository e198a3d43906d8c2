"""What every admin page shares: who may see them (förbundsadmin; anyone else gets a
Swedish 403 page), what they need of intake (`AdminPages`, on `app.state`), the section's
tabs, and the POST form a page sends (CSRF and its one-off key, as the staff forms)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from services.intake.entrypoints.form_errors import FieldErrors
from services.intake.entrypoints.form_pages import message, page
from services.intake.service_layer.accounts import Accounts
from services.intake.service_layer.answers import IdempotencyKey
from services.intake.service_layer.unit_of_work import UnitOfWork
from shared.web.forms import FormData
from shared.web.guard import LoggedIn, Visit, WebSessions
from shared.web.navigation import Sites

ADMIN = "/admin"
TABS = (
    ("Insatser", f"{ADMIN}/insatser"),
    ("Användare", f"{ADMIN}/anvandare"),
    ("Tokens", f"{ADMIN}/tokens"),
    ("Mål", f"{ADMIN}/mal"),
    ("Logg", f"{ADMIN}/logg"),
)
_NOT_ADMIN = "Administrationen är bara för förbundets administratörer (förbundsadmin)."


@dataclass(frozen=True)
class AdminPages:
    """What the admin pages need of intake."""

    admin_token: str
    sessions: WebSessions
    accounts: Accounts
    new_uow: Callable[[], UnitOfWork]
    sites: Sites


class _NotAdmin(Exception):
    def __init__(self, visit: Visit) -> None:
        self.visit = visit


async def _admin_visit(visit: LoggedIn) -> Visit:
    if not visit.principal.is_admin:
        raise _NotAdmin(visit)
    return visit


async def _pages(request: Request) -> AdminPages:
    pages: AdminPages = request.app.state.intake_admin
    return pages


AdminVisit = Annotated[Visit, Depends(_admin_visit)]
"""A förbundsadmin's request (anyone else: the 403 page)."""
Admin = Annotated[AdminPages, Depends(_pages)]


def install_section(app: FastAPI, pages: AdminPages) -> None:
    app.state.intake_admin = pages

    @app.exception_handler(_NotAdmin)
    async def _refused(_request: Request, refused: _NotAdmin) -> Response:
        return message(refused.visit, 403, "Ingen behörighet", _NOT_ADMIN, back="/")


def admin_page(template: str, visit: Visit, status: int = 200, **context) -> HTMLResponse:
    return page(template, status, visit=visit, tabs=TABS, **context)


def missing(visit: Visit, what: str, back: str) -> HTMLResponse:
    """The page for an address naming no such `what` (an insats, a user, a token)."""
    return message(visit, 404, "Sidan finns inte", f"Det finns ingen sådan {what}.", back)


@dataclass(frozen=True)
class Filled:
    """A form as a page shows it: what it holds, its one-off key (the same when shown again
    to correct), and what is wrong with it, by input and as a whole."""

    values: FormData
    key: str
    errors: FieldErrors = field(default_factory=dict)
    form_error: str | None = None


def form_page(
    template: str, visit: Visit, filled: Filled, status: int = 200, **context
) -> HTMLResponse:
    return admin_page(
        template,
        visit,
        status,
        form=filled.values,
        form_key=filled.key,
        errors=filled.errors,
        form_error=filled.form_error,
        **context,
    )


async def already_answered(pages: AdminPages, key: IdempotencyKey) -> bool:
    """Whether this form was sent before (its command runs again only to answer the same)."""
    async with pages.new_uow() as uow:
        return await uow.answers.get(key.key) is not None
