"""The series API: each year's helår side by side, for trends (access as the reports')."""

from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Query
from fastapi.responses import JSONResponse

from services.reporting.domain.errors import InvalidReportQuery, UnknownInsats
from services.reporting.domain.series import Series
from services.reporting.service_layer.series import SeriesSource
from shared.contract.access import Principal
from shared.platform.http import FieldError, forbid_unless


def install_series_api(
    app: FastAPI, authenticate: Callable[..., Awaitable[Principal]], source: SeriesSource
) -> None:
    router = APIRouter(prefix="/api/v1/reports")
    Caller = Annotated[Principal, Depends(authenticate)]

    @router.get("/series", responses={200: {"model": Series}})
    async def get_series(
        principal: Caller,
        from_year: Annotated[int | None, Query()] = None,
        to_year: Annotated[int | None, Query()] = None,
        insats: Annotated[str | None, Query(max_length=64)] = None,
    ) -> JSONResponse:
        """The helår of each year `from_year`..`to_year` (default: from the year of the
        insats's, or the whole förbund's, first registration through this year), oldest
        first, with the figures and shares of its report: the trend over years."""
        # Before looking the insats up: a refusal says nothing about which insatser exist.
        forbid_unless(
            principal.may_read_report(insats),
            "not granted this insats" if insats else "not granted the whole förbund's report",
        )
        try:
            series = await source.series(from_year, to_year, insats)
        except UnknownInsats as error:
            return JSONResponse({"detail": str(error)}, HTTPStatus.NOT_FOUND)
        except InvalidReportQuery as error:
            raise FieldError(error.field, error.reason) from error
        return JSONResponse(series.model_dump(mode="json"))

    app.include_router(router)
