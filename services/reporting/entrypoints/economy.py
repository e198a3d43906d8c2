"""The economy API: the förbund's admins set an insats's budget per year and its costs
(utfall) per month; whoever may read the insats's report reads what is stored."""

from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Path

from services.reporting.domain.economy import MONTH_PATTERN, Budget, Cost
from services.reporting.domain.errors import UnknownInsats
from services.reporting.domain.periods import MAX_YEAR, MIN_YEAR
from services.reporting.service_layer.economy import (
    OpenReader,
    set_budget,
    set_cost,
    stored_budget,
    stored_cost,
)
from services.reporting.service_layer.unit_of_work import UnitOfWork
from shared.contract import events
from shared.contract.access import Principal
from shared.platform.http import forbid_unless

InsatsId = Annotated[events.InsatsId, Path(max_length=64)]
Year = Annotated[int, Path(ge=MIN_YEAR, le=MAX_YEAR)]
Month = Annotated[str, Path(pattern=MONTH_PATTERN, description="YYYY-MM")]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    HTTPStatus.NOT_FOUND: {"description": "No such insats"}
}
ONLY_ADMINS = "only the förbund's admins set the economy"
NOT_GRANTED = "not granted this insats"


T = TypeVar("T")


async def found(answer: Awaitable[T]) -> T:
    """`answer`, or 404 for an insats not registered."""
    try:
        return await answer
    except UnknownInsats as error:
        raise HTTPException(HTTPStatus.NOT_FOUND, str(error)) from error


def install_economy_api(
    app: FastAPI,
    authenticate: Callable[..., Awaitable[Principal]],
    new_uow: Callable[[], UnitOfWork],
    open_reader: OpenReader,
    known_by_now: Callable[[], str],
) -> None:
    """`known_by_now`: the first month whose closing a cost set now counts for."""
    router = APIRouter(prefix="/api/v1/insatser/{insats_id}", responses=NOT_FOUND)
    Caller = Annotated[Principal, Depends(authenticate)]

    @router.put("/budget/{year}")
    async def put_budget(
        insats_id: InsatsId, year: Year, budget: Budget, principal: Caller
    ) -> dict:
        """Replace the insats's budget of `year` (whole kronor), and who pays how much of it
        (`financiers`, summing to the budget; the förbund's admins only)."""
        forbid_unless(principal.is_admin, ONLY_ADMINS)
        await found(set_budget(new_uow(), insats_id, year, budget))
        return {"insats": insats_id, "year": year, **budget.model_dump()}

    @router.get("/budget/{year}")
    async def get_budget(insats_id: InsatsId, year: Year, principal: Caller) -> dict:
        """The insats's budget of `year` as stored (`budget` null: none set)."""
        forbid_unless(principal.may_read_report(insats_id), NOT_GRANTED)
        stored = await found(stored_budget(open_reader, insats_id, year))
        shown = stored.model_dump() if stored else {"budget": None, "financiers": {}}
        return {"insats": insats_id, "year": year, **shown}

    @router.put("/costs/{month}")
    async def put_cost(insats_id: InsatsId, month: Month, cost: Cost, principal: Caller) -> dict:
        """Set the insats's costs (utfall) of `month` in whole kronor; the latest set wins
        (the förbund's admins only). Set after the month closed, it restates the reports
        of the month, which keep the one known then as closed."""
        forbid_unless(principal.is_admin, ONLY_ADMINS)
        await found(set_cost(new_uow(), insats_id, month, cost.amount, known_by_now()))
        return {"insats": insats_id, "month": month, "amount": cost.amount}

    @router.get("/costs/{month}")
    async def get_cost(insats_id: InsatsId, month: Month, principal: Caller) -> dict:
        """The insats's costs of `month` as stored (`amount` null: none set)."""
        forbid_unless(principal.may_read_report(insats_id), NOT_GRANTED)
        amount = await found(stored_cost(open_reader, insats_id, month))
        return {"insats": insats_id, "month": month, "amount": amount}

    app.include_router(router)
