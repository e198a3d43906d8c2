"""Rendering the staff forms' pages: the templates, the headers every page carries, and the
page that says why there is nothing to fill in."""

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from services.intake.entrypoints import form_labels
from services.intake.entrypoints.form_input import INDICATOR_PREFIX
from services.intake.entrypoints.form_security import HOME, Visit

try:
    LOCAL_TIME = ZoneInfo("Europe/Stockholm")
except ZoneInfoNotFoundError:  # an image without tzdata: "today" is UTC's rather than fail
    LOCAL_TIME = UTC

# Participants' data: never cached on a shared computer; no framing; no scripts at all.
HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
}

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_templates.globals["labels"] = form_labels
_templates.globals["INDICATOR_PREFIX"] = INDICATOR_PREFIX


def page(template: str, status: int = 200, **context) -> HTMLResponse:
    html = _templates.get_template(template).render(**context)
    return HTMLResponse(html, status, headers=HEADERS)


def message(
    visit: Visit | None, status: int, title: str, text: str, back: str = HOME
) -> HTMLResponse:
    """A refusal or a dead end, said in a sentence, with the way back."""
    return page("message.html", status, visit=visit, title=title, text=text, back=back)


def today() -> date:
    return datetime.now(LOCAL_TIME).date()
