"""A period's report from the monthly figures: stock and flow, exits, answers, means,
breakdowns and step movement, per gender and in total, beside the same period a year earlier.

Counts are exact integers; means are rounded half-up to one decimal on exact fractions, and
a total's mean comes from the summed sums and counts, never from averaging means.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple, Protocol

from services.reporting.domain import contributions as c
from services.reporting.domain.bands import Bands
from services.reporting.domain.bases import Base, Counting
from services.reporting.domain.breakdowns import BREAKDOWNS, UNKNOWN
from services.reporting.domain.document import ProcessedThroughModel, ReportFigures
from services.reporting.domain.figures import (
    FIGURES,
    FOLLOWUP_METRICS,
    GENDER_CODES,
    ONGOING_AT_END,
    OPENING,
    OPENING_STOCK,
    PARTICIPANTS,
    SHARES,
    STEP_IMPROVED,
    STEP_MEAN_CHANGE,
    STEP_PARTICIPANTS,
    TOTAL,
)
from services.reporting.domain.periods import Period
from services.reporting.domain.readings import Codes, PeriodSums, Sums
from shared.contract.codes import ActivityKind, Referrer


@dataclass(frozen=True)
class ProcessedThrough:
    position: int
    occurred_at: datetime | None

    def model(self) -> ProcessedThroughModel:
        occurred_at = self.occurred_at.isoformat() if self.occurred_at else None
        return ProcessedThroughModel(position=self.position, occurred_at=occurred_at)


ByGender = Mapping[str, float]
Columns = dict[str, int | float | None]


class Ratio(Protocol):
    """A ratio of whole numbers, as a `Fraction` is (here its denominator may be negative)."""

    @property
    def numerator(self) -> int: ...

    @property
    def denominator(self) -> int: ...


class _Ratio(NamedTuple):
    numerator: int
    denominator: int


def round_half_up(value: Ratio) -> float:
    """To one decimal, halves away from zero (0.05 → 0.1, 34.25 → 34.3), computed exactly:
    in whole numbers (a report has hundreds of means; `Fraction`s cost several times as
    much)."""
    numerator, denominator = value.numerator, value.denominator
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    # floor(|value| × 10 + 1/2), as one floor division.
    tenths = (20 * abs(numerator) + denominator) // (2 * denominator)
    return (tenths if numerator >= 0 else -tenths) / 10


def count_columns(by_gender: ByGender) -> Columns:
    """A count's columns: each gender's, and their total."""
    counts = {code: round(by_gender.get(code, 0)) for code in GENDER_CODES}
    return {TOTAL: sum(counts.values()), **counts}


def percent(part: float, whole: float) -> int | None:
    """`part` as a whole percentage of `whole`, halves rounded up; None when `whole` is 0."""
    if not whole:
        return None
    # floor(100 × part / whole + 1/2), as one floor division.
    return (200 * round(part) + round(whole)) // (2 * round(whole))


def _share_columns(part: Columns, whole: Columns) -> Columns:
    """`part` as a whole percentage of `whole`, column by column."""
    return {column: percent(part[column] or 0, whole[column] or 0) for column in part}


def _shares(figures: Mapping[str, Columns]) -> dict[str, Columns]:
    return {name: _share_columns(figures[name], figures[whole]) for name, whole in SHARES.items()}


def _mean(total: float, count: float, divisor: int) -> float | None:
    if count == 0:
        return None
    # Exact: total / (count × divisor), each float as the ratio of whole numbers it is.
    total_numerator, total_denominator = total.as_integer_ratio()
    count_numerator, count_denominator = count.as_integer_ratio()
    return round_half_up(
        _Ratio(total_numerator * count_denominator, total_denominator * count_numerator * divisor)
    )


def _mean_columns(sums: ByGender, counts: ByGender, divisor: int) -> Columns:
    return {
        TOTAL: _mean(sum(sums.values()), sum(counts.values()), divisor),
        **{
            gender: _mean(sums.get(gender, 0), counts.get(gender, 0), divisor)
            for gender in GENDER_CODES
        },
    }


STOCKED = (PARTICIPANTS, OPENING, ONGOING_AT_END)
"""The figures `stock` works out."""


def stock(before: Mapping[str, ByGender], new: ByGender, ended: ByGender) -> dict[str, ByGender]:
    """The stock figures by gender: the opening (those new before the period less those
    ended before it: `before` holds `OPENING_STOCK`), the participants (the opening and the
    new) and those ongoing at its end (the participants less the ended)."""
    opening = {
        gender: before[c.NEW].get(gender, 0) - before[c.ENDED].get(gender, 0)
        for gender in GENDER_CODES
    }
    participants = {gender: opening[gender] + new.get(gender, 0) for gender in GENDER_CODES}
    ongoing = {gender: participants[gender] - ended.get(gender, 0) for gender in GENDER_CODES}
    return dict(zip(STOCKED, (participants, opening, ongoing), strict=True))


def _people(sums: PeriodSums, participants: Columns, whole_forbund: bool) -> Columns:
    """The participants less those who came by a move in the period, if the report has the
    insats they came from (only the whole förbund's has both ends of a move): the
    registration a move ended ended on its day, so it counts in the period too."""
    moved = {gender: 0.0 for gender in GENDER_CODES}
    if whole_forbund:
        for flow in _flow_codes(sums):
            for gender, count in sums.of(c.MOVED_IN, flow).items():
                moved[gender] += count
    return count_columns(
        {gender: (participants[gender] or 0) - moved[gender] for gender in GENDER_CODES}
    )


def _flow_codes(sums: PeriodSums) -> list[str]:
    return sorted(code for _, code in sums.seen(c.MOVED_IN))


def _flows(sums: PeriodSums) -> list[dict]:
    """Each move between two insatser in the period, by the day it started the new stay."""
    flows = []
    for code in _flow_codes(sums):
        from_insats, _, to_insats = code.partition(c.FLOW_SEPARATOR)
        columns = count_columns(sums.of(c.MOVED_IN, code))
        flows.append({"from": from_insats, "to": to_insats, **columns})
    return flows


def _stocks(sums: PeriodSums) -> dict[str, ByGender]:
    return stock(sums.before, sums.of(c.NEW), sums.of(c.ENDED))


FIGURE_SOURCES = tuple(
    dict.fromkeys(
        stored
        for name, figure in FIGURES.items()
        for stored in (
            (figure.mean.sum_of, figure.mean.count_of)
            if figure.mean is not None
            else OPENING_STOCK
            if name in STOCKED
            else (name,)
        )
    )
)
"""The stored figures (code "") a period's `figures` are made of: each count's own, the
stock's `OPENING_STOCK`, each mean's sum and count."""


def figures_and_shares(sums: PeriodSums) -> tuple[dict[str, Columns], dict[str, Columns]]:
    """A period's figures and shares alone, as its report has them (the trend's years)."""
    figures = _figures(sums)
    return figures, _shares(figures)


def _figures(sums: PeriodSums) -> dict[str, Columns]:
    stocks = _stocks(sums)
    figures = {}
    for name, figure in FIGURES.items():
        if figure.mean is not None:
            mean = figure.mean
            figures[name] = _mean_columns(
                sums.of(mean.sum_of), sums.of(mean.count_of), mean.divisor
            )
        else:
            figures[name] = count_columns(stocks[name] if name in stocks else sums.of(name))
    return figures


def _summed(*terms: tuple[int, Codes]) -> Codes:
    total: Codes = {}
    for sign, codes in terms:
        for code, by_gender in codes.items():
            cell = total.setdefault(code, {})
            for gender, value in by_gender.items():
                cell[gender] = cell.get(gender, 0) + sign * value
    return total


def _of_base(sums: PeriodSums, name: str, base: Base) -> Codes:
    """The breakdown's counts of `base` by the codes stored (`bases.py`)."""
    ended = sums.codes(c.BREAKDOWN_PREFIX + name)
    if base is Base.ENDED:
        return ended
    if BREAKDOWNS[name].at_start:
        started = c.STARTED_PREFIX + name
        ended_before = sums.codes(c.BREAKDOWN_PREFIX + name, before=True)
        new = sums.codes(started)
        if base is Base.NEW:
            return new
        stock_before = _summed((1, sums.codes(started, before=True)), (-1, ended_before))
        if base is Base.PARTICIPANTS:
            return _summed((1, stock_before), (1, new))
        return _summed((1, stock_before), (1, new), (-1, ended))
    if base is Base.NEW:
        return {UNKNOWN: dict(sums.of(c.NEW))}
    ongoing = {UNKNOWN: dict(_stocks(sums)[ONGOING_AT_END])}
    if base is Base.PARTICIPANTS:
        return _summed((1, ended), (1, ongoing))
    return ongoing


def _banded(codes: Codes, bands: Bands | None) -> Codes:
    """Values grouped by `bands` (a code that is no whole number is `okand`)."""
    if bands is None:
        return codes
    return _summed(
        *(
            (1, {bands.code_of(int(code)) if code.isdigit() else UNKNOWN: by_gender})
            for code, by_gender in codes.items()
        )
    )


def _counted(sums: PeriodSums, counting: Counting) -> dict[str, Codes]:
    return {
        name: _banded(_of_base(sums, name, counting.base), counting.bands.get(name))
        for name in BREAKDOWNS
    }


def _listed_codes(
    counted: Iterable[Mapping[str, Codes]], counting: Counting
) -> dict[str, tuple[str, ...]]:
    """Every listed code (a banded breakdown's: its bands'), then any other code counted
    (municipalities), then `okand`."""
    codes = {}
    for name, breakdown in BREAKDOWNS.items():
        bands = counting.bands.get(name)
        listed = bands.codes() if bands is not None else breakdown.codes or ()
        known = tuple(code for code in listed if code != UNKNOWN)
        seen = {
            code
            for of_section in counted
            for code, values in of_section[name].items()
            if any(values.values())
        }
        codes[name] = (*known, *sorted(seen - set(known) - {UNKNOWN}), UNKNOWN)
    return codes


def _breakdowns(
    counted: Mapping[str, Codes], codes: Mapping[str, tuple[str, ...]]
) -> dict[str, dict[str, Columns]]:
    return {
        name: {code: count_columns(counted[name].get(code, {})) for code in listed}
        for name, listed in codes.items()
    }


def _step_movement(sums: PeriodSums) -> dict[str, dict[str, Columns]]:
    return {
        measure: {
            STEP_PARTICIPANTS: count_columns(sums.of(c.STEP_N + measure)),
            STEP_IMPROVED: count_columns(sums.of(c.STEP_IMPROVED + measure)),
            STEP_MEAN_CHANGE: _mean_columns(
                sums.of(c.STEP_CHANGE_SUM + measure), sums.of(c.STEP_N + measure), c.STEP_SCALE
            ),
        }
        for measure in sorted(measure for measure, _ in sums.seen(c.STEP_N))
    }


def _activities(sums: PeriodSums) -> dict:
    def not_by_gender(figure: str, code: str = "") -> int:
        return round(sums.of(figure, code).get(c.NOT_BY_GENDER, 0))

    kinds = {kind.value: not_by_gender(c.ACTIVITIES, kind) for kind in ActivityKind}
    places = not_by_gender(c.ACTIVITY_PLACES)
    return {
        "count": sum(kinds.values()),
        "kinds": kinds,
        "participants": count_columns(sums.of(c.ACTIVITY_PARTICIPANTS)),
        "organisations": {
            code.value: not_by_gender(c.ACTIVITY_ORGANISATIONS, code) for code in Referrer
        },
        "places": places,
        "places_used_percent": percent(not_by_gender(c.ACTIVITY_PLACES_TAKEN), places),
    }


def _followup(sums: PeriodSums, followups: Iterable[int]) -> dict[str, dict[str, Columns]]:
    """Each follow-up's counts (of those it falls due for in the period) and shares."""
    section = {}
    for months in followups:
        code = str(months)
        rows: dict[str, Columns] = {}
        for name, metric in FOLLOWUP_METRICS.items():
            if metric.share is None:
                assert metric.counted_as is not None
                rows[name] = count_columns(sums.of(metric.counted_as, code))
            else:
                part, whole = metric.share
                rows[name] = _share_columns(rows[part], rows[whole])
        section[code] = rows
    return section


def _section(
    sums: PeriodSums,
    period: Period,
    counted: Mapping[str, Codes],
    codes: Mapping[str, tuple[str, ...]],
    whole_forbund: bool,
    followups: Iterable[int],
) -> dict:
    """A `Section`'s figures; its economy is not of them, so it is left unset."""
    figures = _figures(sums)
    return {
        "period": period.as_json(),
        "figures": figures,
        "shares": _shares(figures),
        "breakdowns": _breakdowns(counted, codes),
        "step_movement": _step_movement(sums),
        "activities": _activities(sums),
        "flows": _flows(sums),
        "people": _people(sums, figures[PARTICIPANTS], whole_forbund),
        "followup": _followup(sums, followups),
    }


def report_document(
    sums: Sums,
    period: Period,
    insats: str | None,
    insats_name: str | None,
    processed: ProcessedThrough,
    counting: Counting,
) -> ReportFigures:
    """The report of `period` and the same period a year earlier, from their `sums`, its
    breakdowns counted as `counting` says (its bands complete)."""
    previous = period.previous_year()
    current_sums, previous_sums = sums.current, sums.previous
    current, last_year = _counted(current_sums, counting), _counted(previous_sums, counting)
    # Both periods list the same codes, so each row can be read beside last year's.
    listed = _listed_codes((current, last_year), counting)
    return ReportFigures.model_validate(
        {
            **_section(current_sums, period, current, listed, insats is None, counting.followups),
            "insats": insats,
            "insats_name": insats_name,
            "base": counting.base,
            "previous_year": _section(
                previous_sums, previous, last_year, listed, insats is None, counting.followups
            ),
            "processed_through": processed.model(),
        }
    )
