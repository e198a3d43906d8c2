"""Bands that group a whole-number value (an age, years on support, months in the insats)
by their lower edges, as the förbund prints them: edges `a0 < a1 < … < an` give the codes
`a0-(a1−1)`, …, `an-` (the open last band); a band of one value has that value's code (`2`);
a value below `a0` has no band (`okand`)."""

from bisect import bisect_right
from dataclasses import dataclass
from itertools import pairwise

UNKNOWN = "okand"
"""The code an unanswered field counts under, so that each breakdown sums to its base."""

MAX_EDGES = 30
MAX_EDGE = 200


@dataclass(frozen=True)
class Bands:
    edges: tuple[int, ...]
    top: int | None = None
    """The last value the last band holds; None: it is open (a value above `top` has no band)."""
    open_mark: str = "-"
    """What the open last band's code ends with (the v1 codes write `13+`)."""

    def _code(self, index: int) -> str:
        low = self.edges[index]
        if index + 1 < len(self.edges):
            high: int | None = self.edges[index + 1] - 1
        else:
            high = self.top
        if high is None:
            return f"{low}{self.open_mark}"
        return str(low) if high == low else f"{low}-{high}"

    def codes(self) -> tuple[str, ...]:
        """Every band's code, lowest first."""
        return tuple(self._code(index) for index in range(len(self.edges)))

    def code_of(self, value: int) -> str:
        index = bisect_right(self.edges, value) - 1
        if index < 0 or (self.top is not None and value > self.top):
            return UNKNOWN
        return self._code(index)


def bands_of(edges: object) -> Bands:
    """Bands from edges given as a list of whole numbers or as `15,30,45` text; raises
    ValueError saying what is wrong."""
    if isinstance(edges, str):
        try:
            edges = [int(edge) for edge in edges.split(",")]
        except ValueError:
            raise ValueError("give whole numbers separated by commas, e.g. 15,30,45") from None
    if not isinstance(edges, list) or not all(
        isinstance(edge, int) and not isinstance(edge, bool) for edge in edges
    ):
        raise ValueError("give a list of whole numbers, e.g. [15, 30, 45]")
    if not 1 <= len(edges) <= MAX_EDGES:
        raise ValueError(f"give from 1 to {MAX_EDGES} lower edges")
    if not all(0 <= edge <= MAX_EDGE for edge in edges):
        raise ValueError(f"each edge must be from 0 to {MAX_EDGE}")
    if any(low >= high for low, high in pairwise(edges)):
        raise ValueError("the edges must increase")
    return Bands(tuple(edges))
