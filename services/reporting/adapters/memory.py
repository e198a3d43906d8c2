"""Reporting's projection ports in memory (`shared/platform/memory.py`): what `stegvis
rebuild` computes its figures in (`services/rebuild.py`), and what the use case's tests run
on."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from services.reporting.domain.contributions import Cell, Contributions, accumulate
from services.reporting.domain.model import Insats
from services.reporting.domain.reports import ProcessedThrough
from services.reporting.service_layer import unit_of_work as ports
from shared.platform import memory


@dataclass
class MemoryState:
    """What reporting's projection tables hold."""

    generation: int = 1
    processed_through: ProcessedThrough = field(default_factory=lambda: ProcessedThrough(0, None))
    processed: set[str] = field(default_factory=set)
    monthly: Contributions = field(default_factory=dict)
    """Every cell ever added to (a cell whose deltas cancel out stays, at 0, as its row)."""
    retained: Contributions = field(default_factory=dict)
    insatser: dict[str, Insats] = field(default_factory=dict)


class _Overlay:
    def __init__(self, state: MemoryState) -> None:
        self.state = state
        self.processed_through = state.processed_through
        self.claimed: set[str] = set()
        self.monthly: Contributions = {}
        self.retained: Contributions = {}
        self.insatser: dict[str, Insats] = {}

    def committed(self) -> MemoryState:
        state = self.state
        monthly, retained = dict(state.monthly), dict(state.retained)
        accumulate(monthly, self.monthly)
        accumulate(retained, self.retained)
        return MemoryState(
            state.generation,
            self.processed_through,
            state.processed | self.claimed,
            monthly,
            retained,
            {**state.insatser, **self.insatser},
        )


class MemoryUnitOfWork(memory.MemoryUnitOfWork[MemoryState, _Overlay]):
    # The ports' types: a protocol's attributes are invariant.
    meta: ports.Meta
    processed: ports.Processed
    monthly: ports.Cells
    retained: ports.Cells
    insatser: ports.Insatser

    def __init__(self, database: "MemoryDatabase") -> None:
        super().__init__(database, _Overlay)
        self.meta = self.processed = self.insatser = self
        self.monthly = _Cells(self, "monthly")
        self.retained = _Cells(self, "retained")

    # The ports but the cells', on the transaction's overlay.

    async def lock(self, newest: Mapping[int, ProcessedThrough]) -> int:
        work = self.work
        passed = newest.get(work.state.generation)
        if passed is not None and passed.position > work.processed_through.position:
            work.processed_through = passed
        return work.state.generation

    async def claim(self, change_ids: Sequence[str]) -> set[str]:
        work = self.work
        new_ids = set(change_ids) - work.state.processed - work.claimed
        work.claimed |= new_ids
        return new_ids

    async def register(self, insatser: Sequence[Insats]) -> None:
        work = self.work
        for insats in insatser:
            known = work.insatser.get(insats.insats_id) or work.state.insatser.get(insats.insats_id)
            if known is None or known.position < insats.position:
                work.insatser[insats.insats_id] = insats

    async def known(self, insats_id: str) -> bool:
        work = self.work
        return insats_id in work.insatser or insats_id in work.state.insatser


class _Cells:
    def __init__(self, unit: MemoryUnitOfWork, table: str) -> None:
        self._unit = unit
        self._table = table

    async def add(self, deltas: Mapping[Cell, float]) -> None:
        accumulate(getattr(self._unit.work, self._table), deltas)


class MemoryDatabase(memory.MemoryDatabase[MemoryState]):
    def __init__(self, generation: int = 1) -> None:
        super().__init__(MemoryState(generation))

    def unit_of_work(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self)
