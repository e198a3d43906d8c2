"""A period's report from the monthly figures: stock and flow, exits, answers, means,
breakdowns and step movement, per gender and in total, beside the same period a year earlier.

Counts are exact integers; means are rounded half-up to one decimal on exact fractions, and
a total's mean comes from the summed sums and counts, never from averaging means.
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from services.reporting.domain import contributions as c
from services.reporting.domain.breakdowns import BREAKDOWN_CODES, UNKNOWN
from services.reporting.domain.periods import Period
from shared.contract.codes import GENDERS, OutcomeClass, WorkCapacity


@dataclass(frozen=True)
class PeriodRow:
    """A figure summed over the insatser reported on and over the period's months, or, with
    `before`, over every month before the period (only `new` and `ended`: the opening stock)."""

    before: bool
    gender: str
    figure: str
    code: str
    value: float


@dataclass(frozen=True)
class ProcessedThrough:
    position: int
    occurred_at: datetime | None

    def as_json(self) -> dict:
        occurred_at = self.occurred_at.isoformat() if self.occurred_at else None
        return {"position": self.position, "occurred_at": occurred_at}


STOCK_FLOW = ("participants", "opening", c.NEW, c.ENDED, "ongoing_at_end")
SUMMED_IN_PERIOD = (
    *(c.exits(outcome) for outcome in OutcomeClass),
    c.DIRECT,
    c.HEALTH_BETTER,
    c.HEALTH_ANSWERED,
    c.ACTIVITY_INCREASED,
    c.ACTIVITY_ANSWERED,
    *(c.work_capacity(code) for code in WorkCapacity),
)
MEANS: dict[str, tuple[str, str, int]] = {
    "mean_weeks_in_insats": (c.DAYS_IN_INSATS, c.ENDED, 7),
    "vas_mean_at_start": (c.VAS_START_SUM, c.VAS_START_N, 1),
    "vas_mean_at_end": (c.VAS_END_SUM, c.VAS_END_N, 1),
    "respect_mean": (c.RESPECT_SUM, c.RESPECT_N, 1),
}
"""Mean name: (sum figure, count figure, divisor of the sum)."""

FIGURES = (*STOCK_FLOW, *SUMMED_IN_PERIOD, *MEANS, c.VOLUME_PARTICIPANTS)
"""Every figure of a report, in report order."""

SHARES: dict[str, str] = {
    c.exits(OutcomeClass.POSITIVE): c.ENDED,
    c.exits(OutcomeClass.UNCLEAR): c.ENDED,
    c.exits(OutcomeClass.OTHER): c.ENDED,
    c.DIRECT: c.ENDED,
    c.HEALTH_BETTER: c.HEALTH_ANSWERED,
    c.ACTIVITY_INCREASED: c.ACTIVITY_ANSWERED,
}
"""Figures also reported as a whole percentage of another (the förbund's outcome measures
and what targets are set on): figure → the figure it is a share of."""

ByGender = Mapping[str, float]
Columns = dict[str, int | float | None]


def round_half_up(value: Fraction) -> float:
    """To one decimal, halves away from zero (0.05 → 0.1, 34.25 → 34.3), computed exactly."""
    tenths = math.floor(abs(value) * 10 + Fraction(1, 2))
    return float(Fraction(tenths if value >= 0 else -tenths, 10))


GENDER_CODES = tuple(gender.value for gender in GENDERS)
"""As plain strings: a report looks them up thousands of times, and an enum member's
hash and `.value` cost several times a string's."""


def _count_columns(by_gender: ByGender) -> Columns:
    counts = {code: round(by_gender.get(code, 0)) for code in GENDER_CODES}
    return {"total": sum(counts.values()), **counts}


def percent(part: float, whole: float) -> int | None:
    """`part` as a whole percentage of `whole`, halves rounded up; None when `whole` is 0."""
    if not whole:
        return None
    return math.floor(Fraction(100 * round(part), round(whole)) + Fraction(1, 2))


def _shares(figures: Mapping[str, Columns]) -> dict[str, Columns]:
    return {
        name: {
            column: percent(figures[name][column] or 0, figures[whole][column] or 0)
            for column in figures[name]
        }
        for name, whole in SHARES.items()
    }


def _mean(total: float, count: float, divisor: int) -> float | None:
    if count == 0:
        return None
    return round_half_up(Fraction(total) / (Fraction(count) * divisor))


def _mean_columns(sums: ByGender, counts: ByGender, divisor: int) -> Columns:
    return {
        "total": _mean(sum(sums.values()), sum(counts.values()), divisor),
        **{
            gender.value: _mean(sums.get(gender, 0), counts.get(gender, 0), divisor)
            for gender in GENDERS
        },
    }


class _PeriodSums:
    """The period's figures, and new and ended before it, by gender."""

    def __init__(self, rows: Iterable[PeriodRow]) -> None:
        self.in_period: dict[tuple[str, str], dict[str, float]] = {}
        self.before: dict[str, dict[str, float]] = {c.NEW: {}, c.ENDED: {}}
        for row in rows:
            if not row.before:
                cell = self.in_period.setdefault((row.figure, row.code), {})
            elif row.figure in self.before:
                cell = self.before[row.figure]
            else:
                continue
            cell[row.gender] = cell.get(row.gender, 0) + row.value

    def of(self, figure: str, code: str = "") -> ByGender:
        return self.in_period.get((figure, code), {})

    def seen(self, prefix: str) -> set[tuple[str, str]]:
        """(figure without `prefix`, code) of the nonzero figures named `prefix…`."""
        return {
            (figure.removeprefix(prefix), code)
            for (figure, code), values in self.in_period.items()
            if figure.startswith(prefix) and any(values.values())
        }


def _figures(sums: _PeriodSums) -> dict[str, Columns]:
    new, ended = sums.of(c.NEW), sums.of(c.ENDED)
    opening = {
        gender: sums.before[c.NEW].get(gender, 0) - sums.before[c.ENDED].get(gender, 0)
        for gender in GENDERS
    }
    participants = {gender: opening[gender] + new.get(gender, 0) for gender in GENDERS}
    ongoing = {gender: participants[gender] - ended.get(gender, 0) for gender in GENDERS}
    figures = {
        "participants": _count_columns(participants),
        "opening": _count_columns(opening),
        c.NEW: _count_columns(new),
        c.ENDED: _count_columns(ended),
        "ongoing_at_end": _count_columns(ongoing),
    }
    for name in SUMMED_IN_PERIOD:
        figures[name] = _count_columns(sums.of(name))
    for name, (sum_figure, count_figure, divisor) in MEANS.items():
        figures[name] = _mean_columns(sums.of(sum_figure), sums.of(count_figure), divisor)
    figures[c.VOLUME_PARTICIPANTS] = _count_columns(sums.of(c.VOLUME_PARTICIPANTS))
    return figures


def _seen_codes(sums: _PeriodSums) -> dict[str, set[str]]:
    seen: dict[str, set[str]] = {}
    for name, code in sums.seen(c.BREAKDOWN_PREFIX):
        seen.setdefault(name, set()).add(code)
    return seen


def _breakdown_codes(seen: Mapping[str, set[str]]) -> dict[str, tuple[str, ...]]:
    """Every listed code, then any other code seen (municipalities), then `okand`."""
    codes = {}
    for name, listed in BREAKDOWN_CODES.items():
        known = tuple(code for code in listed or () if code != UNKNOWN)
        others = sorted(seen.get(name, set()) - set(known) - {UNKNOWN})
        codes[name] = (*known, *others, UNKNOWN)
    return codes


def _breakdowns(
    sums: _PeriodSums, codes: Mapping[str, tuple[str, ...]]
) -> dict[str, dict[str, Columns]]:
    return {
        name: {code: _count_columns(sums.of(c.BREAKDOWN_PREFIX + name, code)) for code in listed}
        for name, listed in codes.items()
    }


def _step_movement(sums: _PeriodSums) -> dict[str, dict[str, Columns]]:
    return {
        measure: {
            "participants": _count_columns(sums.of(c.STEP_N + measure)),
            "improved": _count_columns(sums.of(c.STEP_IMPROVED + measure)),
            "mean_change": _mean_columns(
                sums.of(c.STEP_CHANGE_SUM + measure), sums.of(c.STEP_N + measure), c.STEP_SCALE
            ),
        }
        for measure in sorted(measure for measure, _ in sums.seen(c.STEP_N))
    }


def _section(sums: _PeriodSums, period: Period, codes: Mapping[str, tuple[str, ...]]) -> dict:
    figures = _figures(sums)
    return {
        "period": period.as_json(),
        "figures": figures,
        "shares": _shares(figures),
        "breakdowns": _breakdowns(sums, codes),
        "step_movement": _step_movement(sums),
    }


def report_document(
    rows: Iterable[PeriodRow],
    previous_rows: Iterable[PeriodRow],
    period: Period,
    insats: str | None,
    insats_name: str | None,
    processed: ProcessedThrough,
) -> dict:
    """The report of `period` (from `rows`) and the same period a year earlier (from
    `previous_rows`), as the API answers it."""
    previous = period.previous_year()
    current_sums, previous_sums = _PeriodSums(rows), _PeriodSums(previous_rows)
    # Both periods list the same codes, so each row can be read beside last year's.
    seen = _seen_codes(current_sums)
    for name, codes in _seen_codes(previous_sums).items():
        seen.setdefault(name, set()).update(codes)
    codes = _breakdown_codes(seen)
    current = _section(current_sums, period, codes)
    return {
        "insats": insats,
        "insats_name": insats_name,
        **current,
        "previous_year": _section(previous_sums, previous, codes),
        "processed_through": processed.as_json(),
    }
