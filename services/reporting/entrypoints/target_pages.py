"""*Mål* as a page (the förbund's admins): an insats's targets in whole percent, one input
per share a target can be set on, saved as the targets API's `PUT` saves them (the same
model checks them). Saving replaces the targets, so a form sent twice saves the same."""

from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from pydantic import ValidationError

from services.reporting.domain.errors import UnknownInsats
from services.reporting.domain.targets import TARGET_SHARES
from services.reporting.entrypoints import labels
from services.reporting.entrypoints.targets import Targets
from services.reporting.service_layer.targets import set_targets
from services.reporting.service_layer.unit_of_work import UnitOfWork
from services.reporting.service_layer.views import ReportSource
from shared.contract.typed_numbers import typed_integer
from shared.web.forms import FormData, first, read_form
from shared.web.guard import LoggedIn, Visit, web_sessions
from shared.web.pages import PAGE_HEADERS, template_environment

TARGETS = "/rapport/mal"
_PERCENT = "Ange en hel procent, 0–100, eller lämna tomt för inget mål."
_STALE_FORM = "Formuläret kom inte från Stegvis eller är för gammalt. Ladda om sidan."
_ADMINS_ONLY = "Målen sätts bara av förbundets administratörer."

_templates = template_environment(Path(__file__).with_name("templates"))


def install_target_pages(
    app: FastAPI, new_uow: Callable[[], UnitOfWork], reports: ReportSource
) -> None:
    def show(
        caller: Visit,
        insatser: list[dict],
        insats: str | None,
        form: FormData,
        status: int = 200,
        errors: dict[str, str] | None = None,
        saved: bool = False,
    ) -> HTMLResponse:
        shares = [(share, labels.share_label(share)) for share in TARGET_SHARES]
        html = _templates.get_template("targets.html").render(
            caller=caller,
            insatser=insatser,
            insats=insats,
            shares=shares,
            form=form,
            errors=errors or {},
            saved=saved,
        )
        return HTMLResponse(html, status, headers=PAGE_HEADERS)

    def refused(caller: Visit) -> Response | None:
        if caller.principal.is_admin:
            return None
        html = _templates.get_template("forbidden.html").render(caller=caller, reason=_ADMINS_ONLY)
        return HTMLResponse(html, 403, headers=PAGE_HEADERS)

    async def known(insats: str | None) -> tuple[list[dict], str | None]:
        insatser = await reports.insatser()
        ids = {entry["insats_id"] for entry in insatser}
        return insatser, insats if insats in ids else None

    @app.get(TARGETS, include_in_schema=False)
    async def show_targets(caller: LoggedIn, insats: str | None = None) -> Response:
        if refusal := refused(caller):
            return refusal
        insatser, chosen = await known(insats)
        form: FormData = {}
        if chosen is not None:
            current = await reports.targets(chosen)
            form = {share: [str(value)] for share, value in current.items()}
        return show(caller, insatser, chosen, form, 200 if chosen or not insats else 404)

    @app.post(TARGETS, include_in_schema=False)
    async def save_targets(request: Request, caller: LoggedIn, insats: str = "") -> Response:
        if refusal := refused(caller):
            return refusal
        form = await read_form(request)
        if not web_sessions(request).form_is_ours(request, form):
            return PlainTextResponse(_STALE_FORM, 403)
        insatser, chosen = await known(insats)
        if chosen is None:
            return show(caller, insatser, None, {}, 404)
        typed = {share: first(form, share) for share in TARGET_SHARES}
        try:
            targets = Targets.model_validate(
                {share: typed_integer(text) for share, text in typed.items() if text}
            )
        except ValidationError as invalid:
            errors = {str(error["loc"][0]): _PERCENT for error in invalid.errors()}
            return show(caller, insatser, chosen, form, 422, errors)
        try:
            await set_targets(new_uow(), chosen, targets.model_dump(exclude_none=True))
        except UnknownInsats:
            return show(caller, insatser, None, {}, 404)
        return show(caller, insatser, chosen, form, saved=True)
