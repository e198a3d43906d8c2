"""The economy and goals ports on SQLAlchemy Core, within one session's transaction."""

import json
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.adapters import tables
from services.reporting.domain.economy import Budget
from services.reporting.domain.goals import GOALS, Goal, as_given
from shared.platform.db import upsert


class SqlMoney:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def set_budget(self, insats_id: str, year: int, budget: Budget) -> None:
        key = {"insats_id": insats_id, "year": year}
        statement = upsert(self._session, tables.budgets).values(**key, budget=budget.budget)
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=list(key), set_={"budget": statement.excluded.budget}
            )
        )
        parts = tables.budget_financiers
        await self._session.execute(
            delete(parts).where(parts.c.insats_id == insats_id, parts.c.year == year)
        )
        if budget.financiers:
            await self._session.execute(
                parts.insert(),
                [
                    {**key, "financier": financier, "amount": amount}
                    for financier, amount in budget.financiers.items()
                ],
            )

    async def set_cost(self, insats_id: str, month: str, amount: int, known_by: str) -> None:
        statement = upsert(self._session, tables.costs).values(
            insats_id=insats_id, month=month, known_by=known_by, amount=amount
        )
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=["insats_id", "month", "known_by"],
                set_={"amount": statement.excluded.amount},
            )
        )

    async def budget(self, insats_id: str, year: int) -> Budget | None:
        table, parts = tables.budgets, tables.budget_financiers
        amount = await self._session.scalar(
            select(table.c.budget).where(table.c.insats_id == insats_id, table.c.year == year)
        )
        if amount is None:
            return None
        financiers = await self._session.execute(
            select(parts.c.financier, parts.c.amount)
            .where(parts.c.insats_id == insats_id, parts.c.year == year)
            .order_by(parts.c.financier)
        )
        return Budget(budget=amount, financiers={name: part for name, part in financiers})

    async def cost(self, insats_id: str, month: str) -> int | None:
        table = tables.costs
        return await self._session.scalar(
            select(table.c.amount)
            .where(table.c.insats_id == insats_id, table.c.month == month)
            .order_by(table.c.known_by.desc())
            .limit(1)
        )


class SqlGoals:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def replace(self, insats_id: str, goals: Sequence[Goal]) -> None:
        table = tables.goals
        await self._session.execute(delete(table).where(table.c.insats_id == insats_id))
        if goals:
            await self._session.execute(
                table.insert(),
                [
                    {
                        "insats_id": insats_id,
                        "position": position,
                        "goal": json.dumps(as_given(goal)),
                    }
                    for position, goal in enumerate(goals)
                ],
            )

    async def of(self, insats_ids: Sequence[str]) -> dict[str, list[Goal]]:
        table = tables.goals
        rows = await self._session.execute(
            select(table.c.insats_id, table.c.goal)
            .where(table.c.insats_id.in_(set(insats_ids)))
            .order_by(table.c.insats_id, table.c.position)
        )
        stored: dict[str, list] = {}
        for insats_id, goal in rows:
            stored.setdefault(insats_id, []).append(json.loads(goal))
        return {insats_id: GOALS.validate_python(goals) for insats_id, goals in stored.items()}
