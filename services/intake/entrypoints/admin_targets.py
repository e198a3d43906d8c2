"""*Mål* (förbundsadmin): the targets per insats are the reporting service's own
configuration (`PUT /api/v1/insatser/{id}/targets` there), so this page links each insats to
the report pages' target form (`/rapport/mal`), on the same login."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.intake.entrypoints.admin_section import ADMIN, Admin, AdminVisit, admin_page
from services.intake.service_layer import views

TARGETS = f"{ADMIN}/mal"
router = APIRouter(include_in_schema=False)


@router.get(TARGETS)
async def targets(request: Request, visit: AdminVisit, pages: Admin) -> Response:
    async with pages.new_uow() as uow:
        insatser = await views.list_insatser(uow)
    target_form = f"{pages.sites.reporting(request)}/rapport/mal"
    return admin_page("admin_targets.html", visit, insatser=insatser, target_form=target_form)
