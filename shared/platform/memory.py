"""A unit of work on state kept in memory (`stegvis rebuild`'s computation, and the use
cases' tests): a transaction writes to an overlay of its own, which its commit makes the new
state, so one that fails leaves nothing behind, as in a database."""

from collections.abc import Callable
from typing import Generic, Protocol, Self, TypeVar

StateT = TypeVar("StateT")
StateT_co = TypeVar("StateT_co", covariant=True)


class Overlay(Protocol[StateT_co]):
    def committed(self) -> StateT_co:
        """The state after the transaction: a new one (its tables copied, not their rows),
        so one read before stays as it was, as a database's snapshot would."""


OverlayT = TypeVar("OverlayT", bound=Overlay)


class MemoryDatabase(Generic[StateT]):
    def __init__(self, state: StateT) -> None:
        self.state = state


class MemoryUnitOfWork(Generic[StateT, OverlayT]):
    def __init__(
        self, database: MemoryDatabase[StateT], overlay: Callable[[StateT], OverlayT]
    ) -> None:
        self._database = database
        self._overlay = overlay
        self.work = overlay(database.state)

    async def __aenter__(self) -> Self:
        self.work = self._overlay(self._database.state)
        return self

    async def __aexit__(self, *_exception: object) -> None:
        self.work = self._overlay(self._database.state)  # what was not committed is gone

    async def commit(self) -> None:
        self._database.state = self.work.committed()
        self.work = self._overlay(self._database.state)
