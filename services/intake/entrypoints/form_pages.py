"""Rendering the staff forms' pages: the templates, the headers every page carries, the
page that says why there is nothing to fill in, and the one that refuses a POST form not
sent from a page of ours."""

from dataclasses import dataclass
from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse

from services.intake.entrypoints import form_labels
from services.intake.entrypoints.form_input import INDICATOR_PREFIX
from services.intake.entrypoints.form_security import HOME, STALE_FORM, valid_form_key
from shared.contract.swedish_time import today as today
from shared.web import code_labels
from shared.web.forms import FormData, first, read_form
from shared.web.guard import Visit, WebSessions
from shared.web.pages import PAGE_HEADERS, template_environment

_NOT_ACCEPTED = "Formuläret godtogs inte"
_NO_FORM_KEY = "Formuläret saknar sin engångsnyckel. Ladda om sidan och fyll i det igen."

_templates = template_environment(Path(__file__).with_name("templates"))
_templates.globals["labels"] = form_labels
_templates.globals["codes"] = code_labels
_templates.globals["INDICATOR_PREFIX"] = INDICATOR_PREFIX


def page(template: str, status: int = 200, **context) -> HTMLResponse:
    html = _templates.get_template(template).render(**context)
    return HTMLResponse(html, status, headers=PAGE_HEADERS)


def message(
    visit: Visit | None, status: int, title: str, text: str, back: str = HOME
) -> HTMLResponse:
    """A refusal or a dead end, said in a sentence, with the way back."""
    return page("message.html", status, visit=visit, title=title, text=text, back=back)


@dataclass(frozen=True)
class PostedForm:
    values: FormData
    key: str
    """The rendered form's one-off key: its command's Idempotency-Key."""


async def posted_form(
    request: Request, sessions: WebSessions, visit: Visit
) -> PostedForm | HTMLResponse:
    """What a POST form of ours sent; else the page refusing it (its CSRF token is not the
    session's, or its one-off key is missing)."""
    values = await read_form(request)
    if not sessions.form_is_ours(request, values):
        return message(visit, 403, _NOT_ACCEPTED, STALE_FORM)
    key = first(values, "form_key")
    if not valid_form_key(key):
        return message(visit, 400, _NOT_ACCEPTED, _NO_FORM_KEY)
    return PostedForm(values, key)
