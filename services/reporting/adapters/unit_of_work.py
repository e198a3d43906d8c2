"""Reporting's unit of work on one SQLAlchemy session and transaction."""

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.reporting.adapters import tables
from services.reporting.adapters.access import SqlAccess
from services.reporting.adapters.economy import SqlGoals, SqlMoney
from services.reporting.adapters.repositories import (
    SqlCells,
    SqlInsatser,
    SqlMeta,
    SqlProcessed,
    SqlTargets,
)
from services.reporting.service_layer import unit_of_work as ports
from shared.platform import unit_of_work


def _no_relay() -> None:
    """Reporting publishes nothing, so no commit has a relay to wake."""


class SqlUnitOfWork(unit_of_work.SqlUnitOfWork):
    # The ports' types: a protocol's attributes are invariant.
    meta: ports.Meta
    processed: ports.Processed
    monthly: ports.Cells
    retained: ports.Cells
    insatser: ports.Insatser
    targets: ports.Targets
    money: ports.Money
    goals: ports.Goals
    access: ports.Access

    def __init__(self, sessions: async_sessionmaker) -> None:
        super().__init__(sessions, _no_relay)

    def _bind(self, session: AsyncSession) -> None:
        self.meta = SqlMeta(session)
        self.processed = SqlProcessed(session)
        self.monthly = SqlCells(session, tables.monthly)
        self.retained = SqlCells(session, tables.retained)
        self.insatser = SqlInsatser(session)
        self.targets = SqlTargets(session)
        self.money = SqlMoney(session)
        self.goals = SqlGoals(session)
        self.access = SqlAccess(session)

    def _staged_messages(self) -> bool:
        return False
