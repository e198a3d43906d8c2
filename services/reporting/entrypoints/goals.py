"""The goals API: the förbund's admins set an insats's goals as boards write them; whoever
may read the insats's report reads them."""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Body, Depends, FastAPI

from services.reporting.domain.goals import Goal, as_given
from services.reporting.entrypoints.economy import NOT_FOUND, NOT_GRANTED, InsatsId, found
from services.reporting.service_layer.economy import OpenReader
from services.reporting.service_layer.goals import set_goals, stored_goals
from services.reporting.service_layer.unit_of_work import UnitOfWork
from shared.contract.access import Principal
from shared.platform.http import forbid_unless

MAX_GOALS = 100


def install_goals_api(
    app: FastAPI,
    authenticate: Callable[..., Awaitable[Principal]],
    new_uow: Callable[[], UnitOfWork],
    open_reader: OpenReader,
) -> None:
    router = APIRouter(prefix="/api/v1/insatser/{insats_id}/goals", responses=NOT_FOUND)
    Caller = Annotated[Principal, Depends(authenticate)]

    @router.put("")
    async def put_goals(
        insats_id: InsatsId,
        goals: Annotated[list[Goal], Body(max_length=MAX_GOALS)],
        principal: Caller,
    ) -> list[dict]:
        """Replace the insats's goals (the förbund's admins only). A goal is a count figure
        `at_least` a number, or a share (of the report's `shares`, or `reason:CODE`: that
        avslutsanledning's share of those ended) `at_least_percent` or
        `higher_than_previous_year`; each maybe of one `gender`."""
        forbid_unless(principal.is_admin, "only the förbund's admins set goals")
        await found(set_goals(new_uow(), insats_id, goals))
        return [as_given(goal) for goal in goals]

    @router.get("")
    async def get_goals(insats_id: InsatsId, principal: Caller) -> list[dict]:
        forbid_unless(principal.may_read_report(insats_id), NOT_GRANTED)
        return [as_given(goal) for goal in await found(stored_goals(open_reader, insats_id))]

    app.include_router(router)
