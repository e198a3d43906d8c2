"""The ports the use cases need: one transaction's projection state, the users and
credentials, and the report reads."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from services.reporting.domain.bases import Base
from services.reporting.domain.contributions import Cell
from services.reporting.domain.economy import Budget
from services.reporting.domain.goals import Goal
from services.reporting.domain.model import Insats
from services.reporting.domain.reports import PeriodRow, ProcessedThrough
from shared.contract.access import CredentialChanged, UserChanged
from shared.platform import unit_of_work


@dataclass(frozen=True)
class MetaState:
    generation: int
    processed: ProcessedThrough


class Meta(Protocol):
    async def lock(self) -> MetaState:
        """The projection's state, held exclusively until commit (replicas and `reset`
        wait for each other)."""

    async def advance(self, position: int, occurred_at: datetime) -> None:
        """Record the newest position processed."""


class Processed(Protocol):
    async def claim(self, change_ids: Sequence[str]) -> set[str]:
        """Record the ids as processed; returns those that were new."""


class Monthly(Protocol):
    async def add(self, deltas: Mapping[Cell, float]) -> None:
        """Add each delta to its cell (a missing cell counts as 0)."""


class Insatser(Protocol):
    async def register(self, insatser: Sequence[Insats]) -> None:
        """Store each insats unless a registration of a higher position is stored."""

    async def known(self, insats_id: str) -> bool: ...


class Targets(Protocol):
    async def replace(self, insats_id: str, targets: Mapping[str, int]) -> None:
        """The insats's targets become `targets` (share: whole percent)."""


class Money(Protocol):
    """The insatser's budgets and costs (whole kronor)."""

    async def set_budget(self, insats_id: str, year: int, budget: Budget) -> None:
        """The insats's budget of `year` becomes `budget`, its financiers with it."""

    async def set_cost(self, insats_id: str, month: str, amount: int) -> None:
        """The insats's cost of `month` (`YYYY-MM`) becomes `amount`."""

    async def budget(self, insats_id: str, year: int) -> Budget | None: ...

    async def cost(self, insats_id: str, month: str) -> int | None: ...

    async def budgets(self, year: int) -> dict[str, int]:
        """Every insats's budget of `year`, of those that have one."""

    async def costs(self, first_month: str, last_month: str) -> dict[str, int]:
        """Every insats's costs of the months `first_month`..`last_month` summed, of those
        that have any."""


class Goals(Protocol):
    async def replace(self, insats_id: str, goals: Sequence[Goal]) -> None:
        """The insats's goals become `goals`, in that order."""

    async def of(self, insats_ids: Sequence[str]) -> dict[str, list[Goal]]:
        """The goals of those of the insatser that have any."""


class UnitOfWork(unit_of_work.UnitOfWork, Protocol):
    meta: Meta
    processed: Processed
    monthly: Monthly
    insatser: Insatser
    targets: Targets
    money: Money
    goals: Goals


class Access(Protocol):
    async def store_users(self, users: Sequence[UserChanged]) -> None:
        """Store each user unless the same or a higher version of it is stored."""

    async def store_credentials(self, credentials: Sequence[CredentialChanged]) -> None:
        """Store each credential unless the same or a higher version of it is stored."""


class AccessUnitOfWork(unit_of_work.UnitOfWork, Protocol):
    access: Access


class ReportReader(Protocol):
    """Reads for reports, within one transaction."""

    money: Money
    goals: Goals

    async def processed_through(self) -> ProcessedThrough: ...

    async def insats(self, insats_id: str) -> Insats | None: ...

    async def insatser(self) -> list[Insats]: ...

    async def period_rows(
        self,
        insats_id: str | None,
        first_month: str,
        last_month: str,
        known_by: str | None = None,
        base: Base = Base.ENDED,
    ) -> list[PeriodRow]:
        """The figures of the months `first_month`..`last_month` summed, and the `new` and
        `ended` of the months before summed, of one insats (None: summed over all), one
        row per gender, figure and code; with `known_by`, only what the closing of that
        month counted; the breakdowns' cells that `base` reads (`Base.reads_started`,
        `Base.from_stock`)."""

    async def first_known_month(self) -> str | None:
        """The earliest month whose closing counted a figure (None: no figures yet)."""

    async def targets(self, insats_ids: Sequence[str]) -> dict[str, dict[str, int]]:
        """The targets of those of the insatser that have any."""
