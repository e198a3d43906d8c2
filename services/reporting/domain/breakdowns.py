"""The breakdowns of those ended: their names, their codes, and the bands that group ages,
years on support and months in the insats."""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from shared.contract.codes import Education, Reason, Referrer, SupportType

UNKNOWN = "okand"
"""The code an unanswered field counts under, so that each breakdown sums to `ended`."""

Band = tuple[int, int | None]
"""Inclusive bounds; `None`: no upper bound."""

AGE_BANDS: tuple[Band, ...] = (
    (15, 18),
    (19, 24),
    (25, 29),
    (30, 34),
    (35, 39),
    (40, 44),
    (45, 49),
    (50, 54),
    (55, 59),
    (60, 67),
)
YEARS_IN_SUPPORT_BANDS: tuple[Band, ...] = ((0, 1), (2, 3), (4, 5), (6, None))
MONTHS_IN_INSATS_BANDS: tuple[Band, ...] = ((0, 3), (4, 6), (7, 12), (13, None))


def _label(band: Band) -> str:
    low, high = band
    return f"{low}+" if high is None else f"{low}-{high}"


def _labels(bands: tuple[Band, ...]) -> tuple[str, ...]:
    return tuple(_label(band) for band in bands)


def _codes(codes: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in codes)


def band_of(value: int | None, bands: tuple[Band, ...]) -> str:
    if value is not None:
        for band in bands:
            low, high = band
            if low <= value and (high is None or value <= high):
                return _label(band)
    return UNKNOWN


def age_band(start_date: date, birth_year: int | None) -> str:
    age = None if birth_year is None else start_date.year - birth_year
    return band_of(age, AGE_BANDS)


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
    band_unit: str | None = None
    """For codes that are bands such as `25-29` or `13+`: what they count."""
    multi_valued: bool = False
    """A participant counts once per value, so it may sum to more than `ended`."""
    charted: bool = False
    """Drawn as a chart on the page."""


BREAKDOWNS: dict[str, Breakdown] = {
    breakdown.name: breakdown
    for breakdown in (
        Breakdown(REASON, "Avslutsanledning", (*_codes(Reason), UNKNOWN), charted=True),
        Breakdown(AGE_BAND, "Ålder vid start", (*_labels(AGE_BANDS), UNKNOWN), "år", charted=True),
        Breakdown(EDUCATION, "Utbildning", (*_codes(Education), UNKNOWN), charted=True),
        Breakdown(
            SUPPORT_AT_START,
            "Försörjning vid start",
            (*_codes(SupportType), UNKNOWN),
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
            (*_labels(YEARS_IN_SUPPORT_BANDS), UNKNOWN),
            "år",
        ),
        # The bands count whole months, as in the förbund's templates.
        Breakdown(
            WEEKS_IN_INSATS_BAND,
            "Tid i insatsen",
            (*_labels(MONTHS_IN_INSATS_BANDS), UNKNOWN),
            "månader",
        ),
        Breakdown(REFERRER, "Remittent", (*_codes(Referrer), UNKNOWN)),
        Breakdown(MUNICIPALITY, "Kommun", None),
    )
}
"""Every breakdown of those ended, in report order."""

MULTI_VALUED = frozenset(name for name, breakdown in BREAKDOWNS.items() if breakdown.multi_valued)
