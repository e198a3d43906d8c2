"""What a process of `stegvis rebuild`'s pool computes (`services/rebuild.py`): one insats's
events through outcomes' use case, then its changes through reporting's, in memory. It
imports only those (a process of the pool imported the services' web apps in 1.5 s of CPU
before it started).
"""

import asyncio
import gc
from dataclasses import dataclass

from services.outcomes.adapters.bulk import Derived
from services.outcomes.entrypoints.bulk import derive
from services.reporting.adapters.bulk import Projected
from services.reporting.entrypoints.bulk import project
from shared.contract.codes import OutcomePolicy


@dataclass(frozen=True)
class InsatsWork:
    """What a process of the pool is given: one insats's events up to the cut."""

    events: list[tuple[int, str]]
    generation: int
    policy: OutcomePolicy
    close_days: int


def started() -> None:
    """A process of the pool, as it starts (having imported this module): without the cyclic
    collector. It computes millions of small objects, none of them garbage in a cycle that
    matters for the seconds it lives."""
    gc.disable()


def computed(work: InsatsWork) -> tuple[Derived, Projected]:
    """Outcomes' state and reporting's projection of one insats's events."""
    return asyncio.run(_computed_here(work))


async def _computed_here(work: InsatsWork) -> tuple[Derived, Projected]:
    derived, changes = await derive(work.events, work.generation, work.policy)
    return derived, await project(changes, work.generation, work.close_days)
