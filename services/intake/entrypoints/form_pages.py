"""Rendering the staff forms' pages: the templates, the headers every page carries, and the
page that says why there is nothing to fill in."""

from datetime import date, datetime
from pathlib import Path

from fastapi.responses import HTMLResponse

from shared import code_labels
from shared.pages import LOCAL_TIME, PAGE_HEADERS, template_environment
from services.intake.entrypoints import form_labels
from services.intake.entrypoints.form_input import INDICATOR_PREFIX
from services.intake.entrypoints.form_security import HOME, Visit

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


def today() -> date:
    return datetime.now(LOCAL_TIME).date()
