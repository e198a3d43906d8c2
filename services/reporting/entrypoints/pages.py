"""The report as a page for people: plain, printable, Swedish HTML rendered on the server,
behind a login with a personal secret (an API token or a login session's, as intake issues
them) or the admin token; and the dead letters (`/rapport/felmeddelanden`, for the
förbund's admins), each with its error and a button that replays it.

A page offers and answers only what the caller may read: an insatsansvarig sees the insatser
granted and not the whole förbund. Every figure on the page is read from the same document
the report API answers.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from services.reporting.domain.bases import Base
from services.reporting.domain.breakdowns import MULTI_VALUED
from services.reporting.domain.charts import Chart, month_charts, report_charts, trend_charts
from services.reporting.domain.closing import report_cells
from services.reporting.domain.document import Report
from services.reporting.domain.economy import is_hidden_cost
from services.reporting.domain.errors import InvalidReportQuery, UnknownInsats
from services.reporting.domain.figures import FOLLOWUP_METRICS, SHARES, Kind
from services.reporting.domain.overview import ECONOMY_SHOWN, SHOWN, readable
from services.reporting.domain.periods import MAX_YEAR, MIN_YEAR, QUARTERS
from services.reporting.domain.suppression import is_hidden
from services.reporting.entrypoints import labels, svg
from services.reporting.entrypoints.counting import BandsQuery, counting_of
from services.reporting.entrypoints.report_rows import RowWriter
from services.reporting.service_layer.access import PageSessions
from services.reporting.service_layer.dead_letters import DeadLetterDesk, UnknownDeadLetter
from services.reporting.service_layer.series import Charted, SeriesSource
from services.reporting.service_layer.views import ReportQuery, ReportSource
from services.reporting.service_layer.workbook import overview_of, report_set
from shared.contract.access import Principal
from shared.contract.swedish_time import LOCAL_TIME
from shared.platform.http import PrincipalLookup
from shared.web.csrf import Csrf
from shared.web.forms import first, read_form
from shared.web.guard import LOGIN, LoggedIn, Visit, WebSessions, install_guard, login_first
from shared.web.navigation import Sites
from shared.web.pages import PAGE_HEADERS, safe_next, template_environment
from shared.web.sessions import INTAKE_SESSION, REPORT_SESSION

_CSRF_PURPOSE = b"stegvis report pages csrf v1"
_STALE_FORM = "Formuläret kom inte från Stegvis eller är för gammalt. Ladda om sidan."
_HOME = "/rapport"
_OVERVIEW = "/rapport/oversikt"
_DEAD_LETTERS = "/rapport/felmeddelanden"
_DEAD_LETTERS_SHOWN = 100

_YEAR = re.compile(r"[0-9]{1,6}")
_FORM_MONTH = re.compile(r"[0-9]{2}")
_YEAR_MONTH = re.compile(r"[0-9]{4}-([0-9]{2})")

_FIELD_ERRORS = {
    "year": f"Ange ett år mellan {MIN_YEAR} och {MAX_YEAR}.",
    "period": "Välj helår, delår eller en månad i det valda året.",
    "base": "Välj vilka fördelningarna ska räkna.",
    "as_closed": (
        "Det finns inga siffror från periodens stängning: den har inte stängts än, eller "
        "stängdes innan Stegvis började räkna."
    ),
}

_templates = template_environment(Path(__file__).with_name("templates"))
_templates.globals["labels"] = labels
_templates.globals["svg"] = svg
_templates.globals["MULTI_VALUED"] = MULTI_VALUED
_templates.globals["SHARES"] = SHARES
_templates.globals["FOLLOWUP_SHARES"] = {
    name for name, metric in FOLLOWUP_METRICS.items() if metric.kind is Kind.SHARE
}
_templates.globals["zip"] = zip
_templates.globals["is_hidden_cost"] = is_hidden_cost
_templates.globals["REPORT_PAGE"] = _HOME
_templates.globals["OVERVIEW_PAGE"] = _OVERVIEW
_templates.globals["SHOWN"] = SHOWN
_templates.globals["ECONOMY_SHOWN"] = ECONOMY_SHOWN
_templates.globals["is_hidden"] = is_hidden
_templates.globals["PERIODS"] = [
    ("helar", "Helår"),
    ("delar", "Delår"),
    *((code, labels.quarter_label(quarter)) for code, quarter in QUARTERS.items()),
    *((f"{month:02d}", name.capitalize()) for month, name in enumerate(labels.MONTHS, 1)),
]


def _page(template: str, status: int = 200, /, **context) -> HTMLResponse:
    html = _templates.get_template(template).render(**context)
    return HTMLResponse(html, status, headers=PAGE_HEADERS)


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


def _login_required(request: Request) -> Response:
    """The way to the login (a browser), or a 401 (a script)."""
    if request.method == "GET" and _prefers_html(request.headers.get("accept", "")):
        return login_first(request)
    return PlainTextResponse(
        "Inloggning krävs: logga in på /logga-in eller skicka Authorization: Bearer.",
        401,
        headers={"WWW-Authenticate": "Bearer"},
    )


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
    base: str = Base.ENDED
    bands: dict[str, str] = field(default_factory=dict)
    """The bands' lower edges as given, by query parameter (a field left empty: not asked)."""

    def link(self, page: str = _HOME, **changes: object) -> str:
        """The report page's (or `page`'s) address with `changes` (the form's fields keep
        their values)."""
        asked = {
            "year": self.year,
            "period": self.period,
            "insats": self.insats or "",
            "som_stangd": "1" if self.as_closed else None,
            "publicerad": "1" if self.published else None,
            "base": None if self.base == Base.ENDED else self.base,
            **self.bands,
        } | changes
        return f"{page}?{urlencode({k: v for k, v in asked.items() if v is not None})}"


def _asked(
    year: str | None,
    period: str | None,
    insats: str | None,
    as_closed: bool,
    published: bool,
    base: str | None = None,
    bands: dict[str, str | None] | None = None,
) -> _Asked:
    year = year or str(datetime.now(LOCAL_TIME).year)
    period = period or "helar"
    shown = (base or Base.ENDED, {name: edges for name, edges in (bands or {}).items() if edges})
    # The form's months carry no year ("06"), so a month stays right when only the year is
    # changed (no JavaScript to update the list); links may give the API's "YYYY-MM".
    if _FORM_MONTH.fullmatch(period):
        return _Asked(
            year, period, f"{year}-{period}", insats or None, as_closed, published, *shown
        )
    month = _YEAR_MONTH.fullmatch(period)
    return _Asked(
        year, month[1] if month else period, period, insats or None, as_closed, published, *shown
    )


def _hidden(report: Report) -> set[tuple[str, str, str, str, bool]]:
    """The values a published report hides, by (section, name, code, column, last year)."""
    if report.suppression is None:
        return set()
    return {
        (kind, name, code, column, last_year)
        for last_year, section in zip((False, True), report.sections(), strict=True)
        for kind, name, code, column in report_cells(section)
        if is_hidden(section, (kind, name, code) if code else (kind, name), column)
    }


def _restated(report: Report) -> dict[tuple[str, str, str, str], int | float | None]:
    """The values changed since the period closed, by (section, name, code, column): what
    each was as closed."""
    closing = report.closing
    return {
        (change.section, change.name, change.code, change.column): change.now
        if closing.as_closed
        else change.as_closed
        # A published report lists no changes: their differences would be counts.
        for change in closing.changes or []
    }


def _charts(charted: Charted | None) -> dict[str, tuple[Chart, ...]]:
    """The page's charts of its report, its years and its months; none of a published
    report (None): they would show what it hides."""
    if charted is None:
        return {"charts": (), "trend": (), "month_by_month": ()}
    report = charted.report
    return {
        "charts": report_charts(report, labels.charts(report.base)),
        "trend": trend_charts(charted.trend, labels.SERIES_CHARTS),
        "month_by_month": month_charts(charted.months, labels.SERIES_CHARTS),
    }


def install_report_pages(
    app: FastAPI,
    admin_token: str,
    principal_of: PrincipalLookup,
    page_sessions: PageSessions,
    reports: ReportSource,
    desk: DeadLetterDesk,
    suppression_threshold: int,
    sites: Sites,
    series: SeriesSource,
) -> None:
    """`principal_of`: whom a secret stands for (the admin token, else a personal one), to
    log in with, in a bearer header and in intake's session cookie (the people's login, a
    session credential learned from the access stream); `page_sessions`: the token logins'
    sessions; `suppression_threshold`: see `install_report_api`; `sites`: the links;
    `series`: the years and months the trend and monthly charts draw."""

    async def by_bearer(request: Request) -> Principal | None:
        scheme, _, secret = request.headers.get("authorization", "").partition(" ")
        return await principal_of(secret.strip()) if scheme.lower() == "bearer" else None

    csrf = Csrf(admin_token, _CSRF_PURPOSE)
    sessions = WebSessions(
        REPORT_SESSION,
        page_sessions.principal_of,
        csrf,
        sites,
        people=INTAKE_SESSION,
        people_of=principal_of,
        bearer=by_bearer,
    )
    install_guard(app, sessions, _login_required)

    def login_form(
        request: Request, target: str, error: str | None = None, status: int = 200
    ) -> HTMLResponse:
        login = csrf.login_form(request)
        people_login = f"{sites.intake(request)}{LOGIN}"
        response = _page(
            "login.html",
            status,
            next=target,
            error=error,
            csrf_token=login.token,
            people_login=people_login,
        )
        login.set_cookie(response, request)
        return response

    def refusal_unless_admin(caller: Visit) -> Response | None:
        """What to answer instead, unless the caller is one of the förbund's admins."""
        if not caller.principal.is_admin:
            reason = "Felmeddelandena visas bara för förbundets administratörer."
            return _page("forbidden.html", 403, caller=caller, reason=reason)
        return None

    @app.get("/", include_in_schema=False)
    async def home() -> RedirectResponse:
        return RedirectResponse(_HOME, 303)

    @app.get(LOGIN, include_in_schema=False)
    async def show_login(
        request: Request, target: Annotated[str | None, Query(alias="next")] = None
    ) -> Response:
        return login_form(request, safe_next(target, _HOME))

    @app.post(LOGIN, include_in_schema=False)
    async def log_in(request: Request) -> Response:
        form = await read_form(request)
        target = safe_next(first(form, "next"), _HOME)
        if not csrf.login_sent(request, form):
            return login_form(request, target, _STALE_FORM, 403)
        principal = await principal_of(first(form, "token"))
        if principal is None:
            error = "Fel åtkomsttoken, eller en som har gått ut eller återkallats. Försök igen."
            return login_form(request, target, error, 401)
        # A session of its own, not the token: the token never sits in a browser, and a
        # logout ends the session without revoking the token.
        secret, expires_at = await page_sessions.start(principal)
        response = RedirectResponse(target, 303)
        sessions.cookie.set(response, request, secret, expires_at)
        return response

    @app.post("/logga-ut", include_in_schema=False)
    async def log_out(request: Request) -> Response:
        secret = sessions.cookie.secret(request)
        if secret:
            if not sessions.form_is_ours(request, await read_form(request)):
                return PlainTextResponse(_STALE_FORM, 403)
            await page_sessions.end(secret)
        response = RedirectResponse(LOGIN, 303)
        sessions.cookie.delete(response, request)
        return response

    @app.get("/rapport", include_in_schema=False)
    async def report_page(
        caller: LoggedIn,
        bands: Annotated[BandsQuery, Query()],
        year: str | None = None,
        period: str | None = None,
        insats: str | None = None,
        som_stangd: str | None = None,
        publicerad: str | None = None,
        base: str | None = None,
    ) -> Response:
        principal = caller.principal
        if insats is None and not principal.may_read_report(None):
            insats = min(principal.insatser, default=None)  # their own, not the förbund
        asked = _asked(
            year, period, insats, bool(som_stangd), bool(publicerad), base, bands.model_dump()
        )
        context: dict[str, Any] = {"asked": asked, "caller": caller}

        def offered(registered: list[dict]) -> list[dict]:
            return [known for known in registered if principal.may_read_report(known["insats_id"])]

        async def refused(status: int, errors: dict[str, str]) -> HTMLResponse:
            insatser = offered(await reports.insatser())
            return _page(
                "report.html", status, report=None, errors=errors, insatser=insatser, **context
            )

        if not principal.may_read_report(asked.insats):
            # Before looking the insats up: a refusal says nothing about which ones exist.
            error = (
                "Du har inte behörighet till den här insatsen."
                if asked.insats
                else "Du har inte behörighet till hela förbundets rapport."
            )
            return await refused(403, {"insats": error})
        if not _YEAR.fullmatch(asked.year):
            return await refused(422, {"year": _FIELD_ERRORS["year"]})
        if asked.base not in labels.BASES:
            return await refused(422, {"base": _FIELD_ERRORS["base"]})
        try:
            counting = counting_of(Base(asked.base), asked.bands)
            query = ReportQuery(
                int(asked.year), asked.api_period, asked.insats, asked.as_closed, counting
            )
            charted = None
            if asked.published:
                report = (await report_set(reports, query, suppression_threshold)).reports[0]
                registered = await reports.insatser()
            else:
                # The list of insatser from the report's read: no read of its own.
                charted = await series.charted(reports, query)
                report = charted.report
                registered = [known.as_json() for known in charted.insatser]
        except UnknownInsats:
            return await refused(404, {"insats": f"Det finns ingen insats ”{asked.insats}”."})
        except InvalidReportQuery as invalid:
            error = _FIELD_ERRORS.get(invalid.field, invalid.reason)
            if invalid.field in labels.BAND_FIELDS:
                error = labels.BANDS_ERROR
            return await refused(422, {invalid.field: error})
        insatser = offered(registered)
        hidden, restated = _hidden(report), _restated(report)
        return _page(
            "report.html",
            report=report,
            **_charts(charted),
            restated=restated,
            insatser=insatser,
            insats_names={known["insats_id"]: known["name"] for known in insatser},
            hidden=hidden,
            rows=RowWriter(report, hidden, restated),
            errors={},
            generated_at=datetime.now(LOCAL_TIME),
            **context,
        )

    @app.get(_OVERVIEW, include_in_schema=False)
    async def overview_page(
        caller: LoggedIn,
        year: str | None = None,
        period: str | None = None,
        som_stangd: str | None = None,
        publicerad: str | None = None,
    ) -> Response:
        """Every insats the caller may read side by side, and the whole förbund's row when
        the caller may read its report."""
        asked = _asked(year, period, None, bool(som_stangd), bool(publicerad))
        context: dict[str, Any] = {"asked": asked, "caller": caller}
        if not _YEAR.fullmatch(asked.year):
            errors = {"year": _FIELD_ERRORS["year"]}
            return _page("overview.html", 422, overview=None, errors=errors, **context)
        try:
            made = await overview_of(
                reports,
                suppression_threshold,
                int(asked.year),
                asked.api_period,
                asked.as_closed,
                asked.published,
            )
        except InvalidReportQuery as invalid:
            error = _FIELD_ERRORS.get(invalid.field, invalid.reason)
            errors = {invalid.field: error}
            return _page("overview.html", 422, overview=None, errors=errors, **context)
        return _page(
            "overview.html",
            overview=readable(made, caller.principal.may_read_report),
            errors={},
            generated_at=datetime.now(LOCAL_TIME),
            **context,
        )

    async def dead_letters_page(
        caller: Visit,
        status: int = 200,
        replayed: bool = False,
        error: str | None = None,
    ) -> HTMLResponse:
        return _page(
            "dead_letters.html",
            status,
            listing=await desk.listing(_DEAD_LETTERS_SHOWN),
            caller=caller,
            replayed=replayed,
            error=error,
        )

    @app.get(_DEAD_LETTERS, include_in_schema=False)
    async def show_dead_letters(caller: LoggedIn, uppspelat: str | None = None) -> Response:
        if refused := refusal_unless_admin(caller):
            return refused
        return await dead_letters_page(caller, replayed=uppspelat is not None)

    @app.post(_DEAD_LETTERS + "/{dead_letter_id}/spela-upp", include_in_schema=False)
    async def replay_dead_letter(
        request: Request, caller: LoggedIn, dead_letter_id: str
    ) -> Response:
        if refused := refusal_unless_admin(caller):
            return refused
        if not sessions.form_is_ours(request, await read_form(request)):
            return PlainTextResponse(_STALE_FORM, 403)
        try:
            await desk.replay(dead_letter_id)
        except UnknownDeadLetter:
            error = "Det felmeddelandet finns inte (längre). Det kan redan ha spelats upp."
            return await dead_letters_page(caller, 404, error=error)
        return RedirectResponse(f"{_DEAD_LETTERS}?uppspelat=1", 303)
