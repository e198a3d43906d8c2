"""The ports the use cases need: one transaction's projection state, the users and
credentials, and the report reads."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from services.reporting.domain.bases import Base
from services.reporting.domain.contributions import Cell
from services.reporting.domain.economy import Budget
from services.reporting.domain.goals import Goal
from services.reporting.domain.model import Insats
from services.reporting.domain.readings import ReadRow, Window
from services.reporting.domain.report_context import ReportContext
from services.reporting.domain.reports import ProcessedThrough
from services.reporting.domain.series import MonthRow, YearRow
from shared.contract.access import CredentialChanged, UserChanged
from shared.platform import unit_of_work


@dataclass(frozen=True)
class MetaState:
    generation: int
    processed: ProcessedThrough


class Meta(Protocol):
    async def lock(self, newest: Mapping[int, ProcessedThrough]) -> int:
        """Hold the projection's state exclusively until commit (replicas and `reset` wait
        for each other) and return its generation; its newest position processed becomes
        `newest`'s of that generation (the batch's newest change of each) where further."""


class Processed(Protocol):
    async def claim(self, change_ids: Sequence[str]) -> set[str]:
        """Record the ids as processed; returns those that were new."""


class Cells(Protocol):
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

    async def set_cost(self, insats_id: str, month: str, amount: int, known_by: str) -> None:
        """The insats's cost of `month` (`YYYY-MM`) becomes `amount`, first known by the
        closing of the month `known_by` (an earlier closing keeps what it knew)."""

    async def budget(self, insats_id: str, year: int) -> Budget | None: ...

    async def cost(self, insats_id: str, month: str) -> int | None: ...


class Goals(Protocol):
    async def replace(self, insats_id: str, goals: Sequence[Goal]) -> None:
        """The insats's goals become `goals`, in that order."""

    async def of(self, insats_ids: Sequence[str]) -> dict[str, list[Goal]]:
        """The goals of those of the insatser that have any."""


class ProjectionUnitOfWork(unit_of_work.UnitOfWork, Protocol):
    """What applying outcomes' changes needs (`handlers.apply_changes`): the projection."""

    meta: Meta
    processed: Processed
    monthly: Cells
    retained: Cells
    """Erased participants' contributions (kept by a rebuild, which starts `monthly` from
    them)."""
    insatser: Insatser


class UnitOfWork(ProjectionUnitOfWork, Protocol):
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

    async def report_context(self, window: Window) -> ReportContext:
        """How far the figures are processed, the insatser, and every insats's targets,
        goals, and budgets and costs of the window, from one statement."""

    async def insats(self, insats_id: str) -> Insats | None: ...

    async def insatser(self) -> list[Insats]: ...

    async def report_rows(
        self,
        window: Window,
        insats_id: str | None,
        by_insats: bool,
        closing: str | None,
        base: Base = Base.ENDED,
    ) -> list[ReadRow]:
        """The figures of the months up to `window.last` summed by `Segment` (of the months
        in neither period only `OPENING_STOCK`, and the breakdowns' cells for a stock
        `base`: `Base.from_stock`), gender, figure and code: of one insats, or (`insats_id`
        None) of all, by insats when `by_insats`, else summed over them; with `closing` (a
        month), each row also says whether that month's closing counted it; the cells of
        those started only when `base` reads them (`Base.reads_started`)."""

    async def counted_by(self, month: str) -> bool:
        """Whether the closing of `month` counted any figure (of any insats)."""

    async def month_rows(
        self, insats_id: str | None, first_month: str, last_month: str
    ) -> list[MonthRow]:
        """The `new` and `ended` of each month `first_month`..`last_month`, and of the months
        before summed, of one insats (None: summed over all), by gender."""

    async def year_rows(self, insats_id: str | None, last_year: int) -> list[YearRow]:
        """The figures of `reports.FIGURE_SOURCES` of each year through `last_year`, of one
        insats (None: summed over all), by gender."""

    async def first_month(self, insats_id: str | None) -> str | None:
        """The earliest month the insats (None: any) has a figure of (None: none yet)."""

    async def targets(self, insats_ids: Sequence[str]) -> dict[str, dict[str, int]]:
        """The targets of those of the insatser that have any."""
