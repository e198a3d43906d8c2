"""The report as a page for people: plain, printable, Swedish HTML rendered on the server,
behind a login with a personal secret (an API token or a login session's, as intake issues
them) or the admin token; and the dead letters (`/rapport/felmeddelanden`, for the
förbund's admins), each with its error and a button that replays it.

A page offers and answers only what the caller may read: an insatsansvarig sees the insatser
granted and not the whole förbund. Every figure on the page is read from the same document
the report API answers.
"""

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from services.reporting.domain.breakdowns import MULTI_VALUED
from services.reporting.domain.charts import report_charts
from services.reporting.domain.closing import report_cells
from services.reporting.domain.errors import InvalidReportQuery, UnknownInsats
from services.reporting.domain.periods import MAX_YEAR, MIN_YEAR
from services.reporting.domain.suppression import is_hidden
from services.reporting.entrypoints import labels
from services.reporting.service_layer.dead_letters import DeadLetterDesk, UnknownDeadLetter
from services.reporting.service_layer.views import ReportSource
from services.reporting.service_layer.workbook import published_reports
from shared.contract.access import ADMIN, Principal
from shared.contract.swedish_time import LOCAL_TIME
from shared.platform.http import PrincipalLookup
from shared.web.pages import PAGE_HEADERS, safe_next, template_environment

SESSION_COOKIE = "stegvis_session"
_SESSION_MESSAGE = b"stegvis report pages session v1"
_FORM_MESSAGE = b"stegvis report pages form v1"
_MAX_FORM_BYTES = 4096
_HOME = "/rapport"
_DEAD_LETTERS = "/rapport/felmeddelanden"
_DEAD_LETTERS_SHOWN = 100

_YEAR = re.compile(r"[0-9]{1,6}")
_FORM_MONTH = re.compile(r"[0-9]{2}")
_YEAR_MONTH = re.compile(r"[0-9]{4}-([0-9]{2})")

_FIELD_ERRORS = {
    "year": f"Ange ett år mellan {MIN_YEAR} och {MAX_YEAR}.",
    "period": "Välj helår, delår eller en månad i det valda året.",
    "as_closed": (
        "Det finns inga siffror från periodens stängning: den har inte stängts än, eller "
        "stängdes innan Stegvis började räkna."
    ),
}

_templates = template_environment(Path(__file__).with_name("templates"))
_templates.globals["labels"] = labels
_templates.globals["MULTI_VALUED"] = MULTI_VALUED
_templates.globals["PERIODS"] = [
    ("helar", "Helår"),
    ("delar", "Delår"),
    *((f"{month:02d}", name.capitalize()) for month, name in enumerate(labels.MONTHS, 1)),
]


def _page(template: str, status: int = 200, **context) -> HTMLResponse:
    html = _templates.get_template(template).render(**context)
    return HTMLResponse(html, status, headers=PAGE_HEADERS)


def _mac(admin_token: str, message: bytes) -> str:
    # Keyed by the token: valid exactly while that token is, and the token itself never
    # sits in a browser.
    return hmac.new(admin_token.encode(), message, hashlib.sha256).hexdigest()


def _prefers_html(accept: str) -> bool:
    """Whether the Accept header ranks HTML first, as a browser's does (`*/*` does not)."""
    best = html = 0.0
    for item in accept.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        best = max(best, quality)
        if media.lower() in ("text/html", "application/xhtml+xml"):
            html = max(html, quality)
    return html > 0 and html >= best


async def _form(request: Request) -> dict[str, str] | None:
    """The url-encoded login form (too small to need a multipart parser); None if too big."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > _MAX_FORM_BYTES:
            return None
    fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {name: values[0] for name, values in fields.items()}


@dataclass(frozen=True)
class _Asked:
    """A page's query, as the form shows it again and as the report API takes it."""

    year: str
    period: str
    """The form's choice: `helar`, `delar` or a month `01`…`12`."""
    api_period: str
    insats: str | None
    as_closed: bool = False
    """The figures as the period closed, not as they are now."""
    published: bool = False
    """Suppressed for readers outside the förbund."""

    def link(self, **changes: object) -> str:
        """This page's address with `changes` (the form's fields keep their values)."""
        asked = {
            "year": self.year,
            "period": self.period,
            "insats": self.insats or "",
            "som_stangd": "1" if self.as_closed else None,
            "publicerad": "1" if self.published else None,
        } | changes
        return f"{_HOME}?{urlencode({k: v for k, v in asked.items() if v is not None})}"


@dataclass(frozen=True)
class _Caller:
    principal: Principal
    logged_in: bool
    """By the session cookie (not a bearer header): the page offers to log out."""


def _asked(
    year: str | None, period: str | None, insats: str | None, as_closed: bool, published: bool
) -> _Asked:
    year = year or str(datetime.now(LOCAL_TIME).year)
    period = period or "helar"
    # The form's months carry no year ("06"), so a month stays right when only the year is
    # changed (no JavaScript to update the list); links may give the API's "YYYY-MM".
    if _FORM_MONTH.fullmatch(period):
        return _Asked(year, period, f"{year}-{period}", insats or None, as_closed, published)
    month = _YEAR_MONTH.fullmatch(period)
    return _Asked(year, month[1] if month else period, period, insats or None, as_closed, published)


def _hidden(report: dict) -> set[tuple[str, str, str, str, bool]]:
    """The values a published report hides, by (section, name, code, column, last year)."""
    if "suppression" not in report:
        return set()
    return {
        (kind, name, code, column, last_year)
        for last_year, section in ((False, report), (True, report["previous_year"]))
        for kind, name, code, column in report_cells(section)
        if is_hidden(section, (kind, name, code) if code else (kind, name), column)
    }


def _restated(report: dict) -> dict[tuple[str, str, str, str], object]:
    """The values changed since the period closed, by (section, name, code, column): what
    each was as closed."""
    return {
        (change["section"], change["name"], change["code"], change["column"]): change["as_closed"]
        if not report["closing"]["as_closed"]
        else change["now"]
        # A published report lists no changes: their differences would be counts.
        for change in report["closing"].get("changes", [])
    }


def install_report_pages(
    app: FastAPI,
    admin_token: str,
    principal_of: PrincipalLookup,
    reports: ReportSource,
    desk: DeadLetterDesk,
    suppression_threshold: int,
) -> None:
    """`principal_of`: whom a secret stands for (the admin token, else a personal one);
    `suppression_threshold`: see `install_report_api`."""
    admin_session = _mac(admin_token, _SESSION_MESSAGE)

    async def identify(request: Request) -> _Caller | None:
        cookie = request.cookies.get(SESSION_COOKIE, "")
        if hmac.compare_digest(cookie.encode(), admin_session.encode()):
            return _Caller(ADMIN, logged_in=True)
        # A personal secret is looked up on every request: revoked or expired, it admits
        # no one from then on.
        if cookie and (principal := await principal_of(cookie)) is not None:
            return _Caller(principal, logged_in=True)
        scheme, _, secret = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer":
            principal = await principal_of(secret.strip())
            return None if principal is None else _Caller(principal, logged_in=False)
        return None

    def form_token(request: Request) -> str:
        # CSRF: SameSite=Strict still sends the cookie from sibling subdomains (same site),
        # so forms that change state carry this value, which only a page of ours shows, and
        # only to the holder of the session.
        session = request.cookies.get(SESSION_COOKIE, "")
        return _mac(admin_token, _FORM_MESSAGE + b"\n" + session.encode())

    def login_form(target: str, error: str | None = None, status: int = 200) -> HTMLResponse:
        return _page("login.html", status, next=target, error=error)

    def login_required(request: Request) -> Response:
        """The way to the login (a browser), or a 401."""
        if request.method == "GET" and _prefers_html(request.headers.get("accept", "")):
            here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/logga-in?{urlencode({'next': here})}", 303)
        return PlainTextResponse(
            "Inloggning krävs: logga in på /logga-in eller skicka Authorization: Bearer.",
            401,
            headers={"WWW-Authenticate": "Bearer"},
        )

    async def admin_or_refusal(request: Request) -> _Caller | Response:
        """The caller, if one of the förbund's admins; else what to answer instead."""
        caller = await identify(request)
        if caller is None:
            return login_required(request)
        if not caller.principal.is_admin:
            reason = "Felmeddelandena visas bara för förbundets administratörer."
            return _page("forbidden.html", 403, caller=caller, reason=reason)
        return caller

    @app.get("/", include_in_schema=False)
    async def home() -> RedirectResponse:
        return RedirectResponse(_HOME, 303)

    @app.get("/logga-in", include_in_schema=False)
    async def show_login(target: Annotated[str | None, Query(alias="next")] = None) -> Response:
        return login_form(safe_next(target, _HOME))

    @app.post("/logga-in", include_in_schema=False)
    async def log_in(request: Request) -> Response:
        form = await _form(request)
        if form is None:
            return PlainTextResponse("För stor begäran.", 413)
        target = safe_next(form.get("next"), _HOME)
        secret = form.get("token", "")
        principal = await principal_of(secret)
        if principal is None:
            error = "Fel åtkomsttoken, eller en som har gått ut eller återkallats. Försök igen."
            return login_form(target, error, 401)
        response = RedirectResponse(target, 303)
        response.set_cookie(
            SESSION_COOKIE,
            # The admin token stays out of the browser; a personal secret is there already.
            admin_session if principal.credential_id is None else secret,
            path="/",
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        return response

    @app.post("/logga-ut", include_in_schema=False)
    async def log_out() -> RedirectResponse:
        response = RedirectResponse("/logga-in", 303)
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
        return response

    @app.get("/rapport", include_in_schema=False)
    async def report_page(
        request: Request,
        year: str | None = None,
        period: str | None = None,
        insats: str | None = None,
        som_stangd: str | None = None,
        publicerad: str | None = None,
    ) -> Response:
        caller = await identify(request)
        if caller is None:
            return login_required(request)
        principal = caller.principal
        if insats is None and not principal.may_read_report(None):
            insats = min(principal.insatser, default=None)  # their own, not the förbund
        asked = _asked(year, period, insats, bool(som_stangd), bool(publicerad))
        readable = [
            known
            for known in await reports.insatser()
            if principal.may_read_report(known["insats_id"])
        ]
        context: dict[str, Any] = {"asked": asked, "insatser": readable, "caller": caller}
        if not principal.may_read_report(asked.insats):
            # Before looking the insats up: a refusal says nothing about which ones exist.
            error = (
                "Du har inte behörighet till den här insatsen."
                if asked.insats
                else "Du har inte behörighet till hela förbundets rapport."
            )
            return _page("report.html", 403, report=None, errors={"insats": error}, **context)
        if not _YEAR.fullmatch(asked.year):
            errors = {"year": _FIELD_ERRORS["year"]}
            return _page("report.html", 422, report=None, errors=errors, **context)
        try:
            query = (int(asked.year), asked.api_period, asked.insats, asked.as_closed)
            if asked.published:
                report = (await published_reports(reports, suppression_threshold, *query))[0]
            else:
                report = await reports.report(*query)
        except UnknownInsats:
            error = f"Det finns ingen insats ”{asked.insats}”."
            return _page("report.html", 404, report=None, errors={"insats": error}, **context)
        except InvalidReportQuery as invalid:
            error = _FIELD_ERRORS.get(invalid.field, invalid.reason)
            return _page("report.html", 422, report=None, errors={invalid.field: error}, **context)
        return _page(
            "report.html",
            report=report,
            # Charts would show what a published report hides: only the exact one has them.
            charts=[] if asked.published else report_charts(report, labels.CHARTS),
            restated=_restated(report),
            hidden=_hidden(report),
            errors={},
            generated_at=datetime.now(LOCAL_TIME),
            **context,
        )

    async def dead_letters_page(
        request: Request,
        caller: _Caller,
        status: int = 200,
        replayed: bool = False,
        error: str | None = None,
    ) -> HTMLResponse:
        return _page(
            "dead_letters.html",
            status,
            listing=await desk.listing(_DEAD_LETTERS_SHOWN),
            form_token=form_token(request),
            caller=caller,
            replayed=replayed,
            error=error,
        )

    @app.get(_DEAD_LETTERS, include_in_schema=False)
    async def show_dead_letters(request: Request, uppspelat: str | None = None) -> Response:
        if isinstance(admitted := await admin_or_refusal(request), Response):
            return admitted
        return await dead_letters_page(request, admitted, replayed=uppspelat is not None)

    @app.post(_DEAD_LETTERS + "/{dead_letter_id}/spela-upp", include_in_schema=False)
    async def replay_dead_letter(request: Request, dead_letter_id: str) -> Response:
        if isinstance(admitted := await admin_or_refusal(request), Response):
            return admitted
        form = await _form(request)
        if form is None:
            return PlainTextResponse("För stor begäran.", 413)
        expected = form_token(request)
        if not hmac.compare_digest(form.get("form_token", "").encode(), expected.encode()):
            return PlainTextResponse(
                "Formuläret kom inte från Stegvis eller är för gammalt. Ladda om sidan.", 403
            )
        try:
            await desk.replay(dead_letter_id)
        except UnknownDeadLetter:
            error = "Det felmeddelandet finns inte (längre). Det kan redan ha spelats upp."
            return await dead_letters_page(request, admitted, 404, error=error)
        return RedirectResponse(f"{_DEAD_LETTERS}?uppspelat=1", 303)
