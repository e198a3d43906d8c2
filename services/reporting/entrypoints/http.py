"""Reporting's JSON API: the report (JSON, CSV or XLSX) and the insatser it knows, as far as
the caller may read them, and the system's dead letters (the förbund's admins only)."""

from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Path, Query
from fastapi.responses import JSONResponse, Response

from services.reporting.domain.bases import Base
from services.reporting.domain.document import Overview, Report, report_json
from services.reporting.domain.errors import InvalidReportQuery, UnknownInsats
from services.reporting.domain.export import export_filename, report_csv
from services.reporting.domain.overview import overview_json, readable
from services.reporting.entrypoints.counting import BandsQuery, counting_of
from services.reporting.entrypoints.workbook import report_workbook
from services.reporting.service_layer.dead_letters import DeadLetterDesk, UnknownDeadLetter
from services.reporting.service_layer.views import ReportQuery, ReportSource
from services.reporting.service_layer.workbook import ReportSet, overview_of, report_set
from shared.contract.access import Principal
from shared.platform.http import FieldError, forbid_unless

ExportFormat = Literal["json", "csv", "xlsx"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORTS: dict[str, Callable[[ReportSet], tuple[str | bytes, str]]] = {
    "csv": lambda read: (report_csv(read.reports[0]), "text/csv; charset=utf-8"),
    "xlsx": lambda read: (report_workbook(read), XLSX),
}
"""Each export of the asked report (first of the set's reports, then the workbook's others)."""
EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": Report, "content": {"text/csv": {}, XLSX: {}}}
}
"""Documents the report's JSON and the exports beside it (`format=csv|xlsx`)."""


def install_report_api(
    app: FastAPI,
    authenticate: Callable[..., Awaitable[Principal]],
    reports: ReportSource,
    suppression_threshold: int,
) -> None:
    """`suppression_threshold`: published reports (`suppress=true`) hide the counts from 1 to
    one below it."""
    router = APIRouter(prefix="/api/v1")
    Caller = Annotated[Principal, Depends(authenticate)]

    @router.get("/reports", responses=EXPORT_RESPONSES)
    async def get_report(
        principal: Caller,
        year: Annotated[int, Query()],
        period: Annotated[str, Query(max_length=16)],
        bands: Annotated[BandsQuery, Query()],
        insats: Annotated[str | None, Query(max_length=64)] = None,
        format: Annotated[ExportFormat, Query()] = "json",
        as_closed: Annotated[bool, Query()] = False,
        suppress: Annotated[bool, Query()] = False,
        base: Annotated[Base, Query()] = Base.ENDED,
    ) -> Response:
        """The report; `as_closed`: its figures as they were when its last month closed
        (422 before then); `closing` tells whether the figures changed since.

        `base`: whom the `breakdowns` count (those `ended` in the period, every one of the
        `participants`, the `new`, or those `ongoing_at_end`), each summing to that figure;
        `age_bands`, `support_year_bands`, `month_bands`: the bands' lower edges.

        `format=csv` exports it for machines, `format=xlsx` as a workbook laid out like the
        förbund's report template (for the whole förbund: its sheet, then one per insats).

        Counts are exact. `suppress=true` makes the report for publishing: counts from 1 to
        one below the förbund's threshold, and the cells they could be worked out from,
        are hidden (null in JSON, `..` in the exports) with their shares and means, and
        `suppression` says so. The whole förbund's report and each insats's are suppressed
        together, so that published reports of a period give nothing away side by side.
        """
        # Before looking the insats up: a refusal says nothing about which insatser exist.
        forbid_unless(
            principal.may_read_report(insats),
            "not granted this insats" if insats else "not granted the whole förbund's report",
        )
        try:
            query = ReportQuery(
                year, period, insats, as_closed, counting_of(base, bands.model_dump())
            )
            if suppress or format == "xlsx":
                read = await report_set(reports, query, suppression_threshold if suppress else None)
            else:
                read = ReportSet([await reports.report(**vars(query))], [])
        except UnknownInsats as error:
            return JSONResponse({"detail": str(error)}, HTTPStatus.NOT_FOUND)
        except InvalidReportQuery as error:
            raise FieldError(error.field, error.reason) from error
        if format == "json":
            return JSONResponse(report_json(read.reports[0]))
        content, media_type = EXPORTS[format](read)
        filename = export_filename(year, period, insats, format, published=suppress)
        return Response(
            content,
            media_type=media_type,
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    @router.get("/reports/overview", response_model=Overview)
    async def get_overview(
        principal: Caller,
        year: Annotated[int, Query()],
        period: Annotated[str, Query(max_length=16)],
        as_closed: Annotated[bool, Query()] = False,
        suppress: Annotated[bool, Query()] = False,
    ) -> JSONResponse:
        """Every insats's figures, shares, economy and targets and goals met side by side
        with the whole förbund's (the same as each one's report): of the insatser the caller
        may read, the förbund's row null unless the caller may read its report.
        `as_closed` and `suppress` as for the report (published, from the reports suppressed
        together)."""
        try:
            made = await overview_of(
                reports, suppression_threshold, year, period, as_closed, suppress
            )
        except InvalidReportQuery as error:
            raise FieldError(error.field, error.reason) from error
        return JSONResponse(overview_json(readable(made, principal.may_read_report)))

    @router.get("/insatser")
    async def list_insatser(principal: Caller) -> list[dict]:
        return [
            insats
            for insats in await reports.insatser()
            if principal.may_read_report(insats["insats_id"])
        ]

    app.include_router(router)


def install_dead_letter_api(
    app: FastAPI, authenticate: Callable[..., Awaitable[Principal]], desk: DeadLetterDesk
) -> None:
    async def admin(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        # Dead letters span every insats and hold raw events and changes.
        forbid_unless(principal.is_admin, "only the förbund's admins may")
        return principal

    router = APIRouter(prefix="/api/v1/dead-letters", dependencies=[Depends(admin)])

    @router.get("")
    async def list_dead_letters(
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> dict:
        """Every consumer group's dead letters, oldest first (at most `limit`), each with its
        error, and `total`: how many wait in all."""
        return await desk.listing(limit)

    @router.post(
        "/{dead_letter_id}/replay",
        status_code=HTTPStatus.ACCEPTED,
        responses={HTTPStatus.NOT_FOUND: {"description": "No such dead letter"}},
    )
    async def replay_dead_letter(
        dead_letter_id: Annotated[str, Path(max_length=200)],
    ) -> dict:
        """Put the dead letter back on its stream (`entry_id`: its new id there); its
        consumer group applies it once. Replaying it again answers the same."""
        try:
            return await desk.replay(dead_letter_id)
        except UnknownDeadLetter as error:
            raise HTTPException(HTTPStatus.NOT_FOUND, str(error)) from error

    app.include_router(router)
