"""The targets API: the förbund's admins set an insats's targets; whoever may read the
insats's report reads them."""

from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Path
from pydantic import ConfigDict, Field, create_model

from services.reporting.domain.errors import UnknownInsats
from services.reporting.domain.targets import TARGET_SHARES
from services.reporting.service_layer.targets import set_targets
from services.reporting.service_layer.unit_of_work import UnitOfWork
from services.reporting.service_layer.views import ReportSource
from shared.contract import events
from shared.contract.access import Principal
from shared.platform.http import forbid_unless

Percent = Annotated[int | None, Field(ge=0, le=100)]

_shares: dict[str, Any] = {share: (Percent, None) for share in TARGET_SHARES}
Targets: Any = create_model(
    "Targets",
    __config__=ConfigDict(extra="forbid"),
    __doc__="Targets in whole percent of those ended (health and activity: of those who "
    "answered); a share left out has no target.",
    **_shares,
)


def install_targets_api(
    app: FastAPI,
    authenticate: Callable[..., Awaitable[Principal]],
    new_uow: Callable[[], UnitOfWork],
    reports: ReportSource,
) -> None:
    router = APIRouter(prefix="/api/v1/insatser/{insats_id}/targets")
    Caller = Annotated[Principal, Depends(authenticate)]
    InsatsId = Annotated[events.InsatsId, Path(max_length=64)]
    not_found: dict[int | str, dict[str, Any]] = {
        HTTPStatus.NOT_FOUND: {"description": "No such insats"}
    }

    @router.put("", responses=not_found)
    async def put_targets(insats_id: InsatsId, targets: Targets, principal: Caller) -> dict:
        """Replace the insats's targets (the förbund's admins only)."""
        forbid_unless(principal.is_admin, "only the förbund's admins set targets")
        chosen = targets.model_dump(exclude_none=True)
        try:
            await set_targets(new_uow(), insats_id, chosen)
        except UnknownInsats as error:
            raise HTTPException(HTTPStatus.NOT_FOUND, str(error)) from error
        return {"insats": insats_id, "targets": chosen}

    @router.get("", responses=not_found)
    async def get_targets(insats_id: InsatsId, principal: Caller) -> dict:
        forbid_unless(principal.may_read_report(insats_id), "not granted this insats")
        try:
            return {"insats": insats_id, "targets": await reports.targets(insats_id)}
        except UnknownInsats as error:
            raise HTTPException(HTTPStatus.NOT_FOUND, str(error)) from error

    app.include_router(router)
