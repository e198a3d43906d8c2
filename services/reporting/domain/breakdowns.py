"""The breakdowns of a report: their names, their codes, and the bands that group ages,
years on support and months in the insats (the cells hold the values; `bands.py` groups
them when a report is read)."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from services.reporting.domain.bands import UNKNOWN, Bands, bands_of
from services.reporting.domain.errors import InvalidReportQuery
from shared.contract.codes import Education, Reason, Referrer, SupportType

AGE_BANDS = Bands((15, 19, 25, 30, 35, 40, 45, 50, 55, 60), top=67)
"""The v1 bands (ages at start are 15–67); like the two below, the förbund's default unless
`STEGVIS_BANDS` sets its own."""
YEARS_IN_SUPPORT_BANDS = Bands((0, 2, 4, 6), open_mark="+")
MONTHS_IN_INSATS_BANDS = Bands((0, 4, 7, 13), open_mark="+")


def _codes(codes: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in codes)


def age_at_start(start_date: date, birth_year: int | None) -> int | None:
    return None if birth_year is None else start_date.year - birth_year


def completed_months(start: date, end: date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - 1 if end.day < start.day else months


REASON = "reason"
AGE_BAND = "age_band"
EDUCATION = "education"
SUPPORT_AT_START = "support_at_start"
SUPPORT_AT_END = "support_at_end"
YEARS_IN_SUPPORT = "years_in_support"
WEEKS_IN_INSATS_BAND = "weeks_in_insats_band"
REFERRER = "referrer"
MUNICIPALITY = "municipality"


@dataclass(frozen=True)
class Breakdown:
    name: str
    label: str
    codes: tuple[str, ...] | None
    """Every code it lists, even when 0, `okand` last; None: only the codes seen (then
    `okand`)."""
    at_start: bool = False
    """Its values are known from the start: every base counts them (`bases.py`); the
    others are the exit's, known only of those who ended."""
    band_unit: str | None = None
    """For codes that are bands such as `25-29`, `65-` or `13+`: what they count."""
    bands: Bands | None = None
    """Banded: the cells hold whole numbers grouped by these bands, the förbund's default
    (`STEGVIS_BANDS`, keyed by the breakdown's name) or a request's (`parameter`)."""
    parameter: str | None = None
    """The report's query parameter giving the bands' lower edges."""
    multi_valued: bool = False
    """A participant counts once per value, so it may sum to more than its base."""
    charted: bool = False
    """Drawn as a chart on the page."""


BREAKDOWNS: dict[str, Breakdown] = {
    breakdown.name: breakdown
    for breakdown in (
        Breakdown(REASON, "Avslutsanledning", (*_codes(Reason), UNKNOWN), charted=True),
        Breakdown(
            AGE_BAND,
            "Ålder vid start",
            None,
            at_start=True,
            band_unit="år",
            bands=AGE_BANDS,
            parameter="age_bands",
            charted=True,
        ),
        Breakdown(
            EDUCATION, "Utbildning", (*_codes(Education), UNKNOWN), at_start=True, charted=True
        ),
        Breakdown(
            SUPPORT_AT_START,
            "Försörjning vid start",
            (*_codes(SupportType), UNKNOWN),
            at_start=True,
            multi_valued=True,
            charted=True,
        ),
        Breakdown(
            SUPPORT_AT_END,
            "Försörjning vid avslut",
            (*_codes(SupportType), UNKNOWN),
            multi_valued=True,
            charted=True,
        ),
        Breakdown(
            YEARS_IN_SUPPORT,
            "Tid i offentlig försörjning före start",
            None,
            at_start=True,
            band_unit="år",
            bands=YEARS_IN_SUPPORT_BANDS,
            parameter="support_year_bands",
        ),
        # The bands count whole months, as in the förbund's templates.
        Breakdown(
            WEEKS_IN_INSATS_BAND,
            "Tid i insatsen",
            None,
            band_unit="månader",
            bands=MONTHS_IN_INSATS_BANDS,
            parameter="month_bands",
        ),
        Breakdown(REFERRER, "Remittent", (*_codes(Referrer), UNKNOWN), at_start=True),
        Breakdown(MUNICIPALITY, "Kommun", None, at_start=True),
    )
}
"""Every breakdown, in report order."""

MULTI_VALUED = frozenset(name for name, breakdown in BREAKDOWNS.items() if breakdown.multi_valued)
BANDED = {name: breakdown for name, breakdown in BREAKDOWNS.items() if breakdown.bands}
DEFAULT_BANDS = {name: breakdown.bands for name, breakdown in BANDED.items() if breakdown.bands}
"""The v1 bands by breakdown name."""


def configured_bands(configured: Mapping[str, object]) -> dict[str, Bands]:
    """The förbund's default bands: the v1 bands, replaced by those `configured` (breakdown
    name: lower edges, `STEGVIS_BANDS`); raises ValueError naming what is wrong."""
    bands = dict(DEFAULT_BANDS)
    for name, edges in configured.items():
        if name not in BANDED:
            raise ValueError(f"{name!r} is not a banded breakdown ({', '.join(BANDED)})")
        try:
            bands[name] = bands_of(edges)
        except ValueError as error:
            raise ValueError(f"{name}: {error}") from None
    return bands


def asked_bands(asked: Mapping[str, str | None]) -> dict[str, Bands]:
    """The bands a report query asks for (`Breakdown.parameter`: lower edges as `15,30,45`;
    None: not asked), by breakdown name; raises `InvalidReportQuery` naming the parameter."""
    bands = {}
    for name, breakdown in BANDED.items():
        edges = asked.get(breakdown.parameter or name)
        if edges is not None:
            try:
                bands[name] = bands_of(edges)
            except ValueError as error:
                raise InvalidReportQuery(breakdown.parameter or name, str(error)) from None
    return bands
