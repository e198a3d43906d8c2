"""*Logg* (förbundsadmin): the audit log, newest first, filtered by who, action and day.
It filters the newest `SHOWN_AT_MOST` entries (as the JSON API's `GET /audit` reads them);
older ones are in the database and its backups."""

from datetime import date, datetime

from fastapi import APIRouter
from fastapi.responses import Response

from services.intake.entrypoints import admin_fields as asked
from services.intake.entrypoints.admin_section import ADMIN, Admin, AdminVisit, admin_page
from shared.contract.swedish_time import LOCAL_TIME

LOG = f"{ADMIN}/logg"
SHOWN_AT_MOST = 1000
_DAY = "Ange ett datum (ÅÅÅÅ-MM-DD)."
router = APIRouter(include_in_schema=False)


@router.get(LOG)
async def audit_log(
    visit: AdminVisit, pages: Admin, vem: str = "", handling: str = "", datum: str = ""
) -> Response:
    entries = await pages.accounts.audit_log(visit.principal, SHOWN_AT_MOST)
    actors = sorted({entry["actor"] for entry in entries})
    day: date | None = None
    errors = {}
    if datum:
        try:
            day = date.fromisoformat(datum)
        except ValueError:
            errors["datum"] = _DAY
    shown = [
        entry | {"local": _local(entry["at"])}
        for entry in entries
        if (not vem or entry["actor"] == vem)
        and (not handling or entry["action"] == handling)
        and (day is None or _local(entry["at"]).startswith(day.isoformat()))
    ]
    return admin_page(
        "admin_log.html",
        visit,
        422 if errors else 200,
        entries=[] if errors else shown,
        actors=actors,
        actions=asked.ACTIONS,
        asked={"vem": vem, "handling": handling, "datum": datum},
        errors=errors,
        at_most=SHOWN_AT_MOST,
    )


def _local(at: str) -> str:
    """When, in Swedish time, as the page shows it (`YYYY-MM-DD HH:MM`)."""
    return datetime.fromisoformat(at).astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M")
