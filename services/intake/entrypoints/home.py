"""The start page by role, where a login lands: an insatsansvarig's caseloads, a läsare's
reports (on the report pages), a förbundsadmin's everything."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from services.intake.entrypoints.form_pages import page
from services.intake.entrypoints.form_security import HOME
from shared.contract.access import Principal, Role
from shared.web.guard import LoggedIn, web_sessions

START = "/"
router = APIRouter(include_in_schema=False)


def home_of(principal: Principal) -> str:
    """Where the login leads when it was not sent somewhere."""
    return HOME if principal.role is Role.INSATSANSVARIG else START


@router.get(START)
async def start(request: Request, visit: LoggedIn) -> Response:
    role = visit.principal.role
    if role is Role.INSATSANSVARIG:
        return RedirectResponse(HOME, 303)
    if role is Role.LASARE:
        sites = web_sessions(request).sites
        return RedirectResponse(f"{sites.reporting(request)}/rapport", 303)
    return page("home.html", visit=visit)
