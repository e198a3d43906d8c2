"""The report's query parameters for its breakdowns, as the API and the pages read them:
whom they count (`base`) and the bands' lower edges (`age_bands`, … from the registry)."""

from collections.abc import Mapping
from typing import Any

from pydantic import Field, create_model

from services.reporting.domain.bands import MAX_EDGES
from services.reporting.domain.bases import Base, Counting
from services.reporting.domain.breakdowns import BANDED, asked_bands

_PARAMETERS: dict[str, Any] = {
    breakdown.parameter or name: (
        str | None,
        Field(
            None,
            max_length=MAX_EDGES * 4,
            description=f"The lower edges of the `{name}` bands, e.g. `15,30,45` "
            "(default: the förbund's)",
        ),
    )
    for name, breakdown in BANDED.items()
}
BandsQuery = create_model("BandsQuery", **_PARAMETERS)
"""One optional query parameter per banded breakdown (its `parameter`)."""


def counting_of(base: Base, bands: Mapping[str, str | None]) -> Counting:
    """`bands`: the edges by query parameter (`BandsQuery`'s); raises `InvalidReportQuery`
    naming a parameter whose edges are wrong."""
    return Counting(base, asked_bands(bands))
