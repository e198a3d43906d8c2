"""Whom a report's breakdowns count (the base) and the bands they group values in.

Each base is a figure of the report, which each single-valued breakdown sums to. A
breakdown known from the start (`Breakdown.at_start`) counts everyone of the base by it; an
exit's breakdown (reason, support at the end, months in the insats) counts those of the base
who ended in the period by it and the others under `okand`: with `new` that is everyone
(counted as they started), with `ongoing_at_end` too (they have not ended).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from services.reporting.domain import contributions as c
from services.reporting.domain.bands import Bands
from services.reporting.domain.figures import ONGOING_AT_END, PARTICIPANTS


class Base(StrEnum):
    """Those counted, by the figure they sum to."""

    ENDED = c.ENDED
    PARTICIPANTS = PARTICIPANTS
    NEW = c.NEW
    ONGOING_AT_END = ONGOING_AT_END

    @property
    def reads_started(self) -> bool:
        """Reads the breakdowns' cells of those started (`ended` reads only the ended's)."""
        return self is not Base.ENDED

    @property
    def from_stock(self) -> bool:
        """Counted from everyone who started, less those ended, up to the period's end:
        needs the breakdowns' cells of every month before the period."""
        return self in (Base.PARTICIPANTS, Base.ONGOING_AT_END)

    @property
    def counts_exits(self) -> bool:
        """Its exit's breakdowns count everyone ended in the period by their exit (the
        reasons' shares of `ended` can be read from them)."""
        return self in (Base.ENDED, Base.PARTICIPANTS)


@dataclass(frozen=True)
class Counting:
    """A report's base and the bands it asks for (breakdown name: bands; the others: the
    förbund's defaults), and the follow-ups (months after the stop) it counts."""

    base: Base = Base.ENDED
    bands: Mapping[str, Bands] = field(default_factory=dict)
    followups: tuple[int, ...] = ()

    def over(self, defaults: Mapping[str, Bands], followups: tuple[int, ...]) -> "Counting":
        """With `defaults` for the bands not asked for, counting the förbund's `followups`."""
        return Counting(self.base, {**defaults, **self.bands}, followups)
