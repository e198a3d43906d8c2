"""The admin pages in Swedish (förbundsadmin): *Insatser*, *Användare*, *Tokens*, *Mål*
and *Logg*, the first account's set-up page, and the start page by role. Plain HTML forms
over the same commands as the JSON API, as the staff forms are."""

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from services.intake.entrypoints import (
    admin_insatser,
    admin_log,
    admin_setup,
    admin_targets,
    admin_tokens,
    admin_users,
    home,
)
from services.intake.entrypoints.admin_section import ADMIN, AdminPages, AdminVisit, install_section


def install_admin_pages(app: FastAPI, pages: AdminPages) -> None:
    install_section(app, pages)

    @app.get(ADMIN, include_in_schema=False)
    async def admin(_visit: AdminVisit) -> RedirectResponse:
        return RedirectResponse(admin_insatser.INSATSER, 303)

    for module in (
        home,
        admin_setup,
        admin_insatser,
        admin_users,
        admin_tokens,
        admin_targets,
        admin_log,
    ):
        app.include_router(module.router)
