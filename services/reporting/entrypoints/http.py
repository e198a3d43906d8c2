"""Reporting's JSON API: the report (JSON, CSV or XLSX) and the insatser it knows."""

from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query
from fastapi.responses import JSONResponse, Response

from shared.http import FieldError, Principal
from services.reporting.domain.errors import InvalidReportQuery, UnknownInsats
from services.reporting.domain.export import export_filename, report_csv, report_xlsx
from services.reporting.service_layer.views import ReportSource

ExportFormat = Literal["json", "csv", "xlsx"]
EXPORTS: dict[str, Callable[[dict], tuple[str | bytes, str]]] = {
    "csv": lambda report: (report_csv(report), "text/csv; charset=utf-8"),
    "xlsx": lambda report: (
        report_xlsx(report),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
}


def install_report_api(
    app: FastAPI, authenticate: Callable[..., Awaitable[Principal]], reports: ReportSource
) -> None:
    router = APIRouter(prefix="/api/v1")
    Caller = Annotated[Principal, Depends(authenticate)]

    @router.get("/reports")
    async def get_report(
        principal: Caller,
        year: Annotated[int, Query()],
        period: Annotated[str, Query(max_length=16)],
        insats: Annotated[str | None, Query(max_length=64)] = None,
        format: Annotated[ExportFormat, Query()] = "json",
    ) -> Response:
        if insats is None and principal.insatser is not None:
            raise HTTPException(HTTPStatus.FORBIDDEN, "only the whole förbund's token may")
        principal.require(insats)
        try:
            report = await reports.report(year, period, insats)
        except UnknownInsats as error:
            return JSONResponse({"detail": str(error)}, HTTPStatus.NOT_FOUND)
        except InvalidReportQuery as error:
            raise FieldError(error.field, error.reason) from error
        if format == "json":
            return JSONResponse(report)
        content, media_type = EXPORTS[format](report)
        filename = export_filename(year, period, insats, format)
        return Response(
            content,
            media_type=media_type,
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    @router.get("/insatser")
    async def list_insatser(principal: Caller) -> list[dict]:
        return [
            insats
            for insats in await reports.insatser()
            if principal.may_access(insats["insats_id"])
        ]

    app.include_router(router)
