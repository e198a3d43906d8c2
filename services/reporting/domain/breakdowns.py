"""The breakdowns of those ended: their names, their codes, and the bands that group ages,
years on support and months in the insats."""

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

BREAKDOWN_CODES: dict[str, tuple[str, ...] | None] = {
    REASON: (*_codes(Reason), UNKNOWN),
    AGE_BAND: (*_labels(AGE_BANDS), UNKNOWN),
    EDUCATION: (*_codes(Education), UNKNOWN),
    SUPPORT_AT_START: (*_codes(SupportType), UNKNOWN),
    SUPPORT_AT_END: (*_codes(SupportType), UNKNOWN),
    YEARS_IN_SUPPORT: (*_labels(YEARS_IN_SUPPORT_BANDS), UNKNOWN),
    WEEKS_IN_INSATS_BAND: (*_labels(MONTHS_IN_INSATS_BANDS), UNKNOWN),
    REFERRER: (*_codes(Referrer), UNKNOWN),
    MUNICIPALITY: None,
}
"""Every breakdown in report order with every code it lists even when 0; municipality
lists only the names seen (then `okand`)."""

MULTI_VALUED = frozenset({SUPPORT_AT_START, SUPPORT_AT_END})
"""A participant counts once per support type, so these may sum to more than `ended`."""
