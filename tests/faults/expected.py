"""The figures the reports must show, worked out from the commands sent alone (api.md's
definitions, the default outcome classes), never from anything the system answered."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from shared.contract.codes import (
    DEFAULT_DIRECT_REASONS,
    DEFAULT_OUTCOME_CLASSES,
    GENDERS,
    OutcomeClass,
)
from tests.faults.workload import FOLLOWUP_MONTHS, STRUCTURAL, Activity, Stay

COLUMNS = ("total", *(gender.value for gender in GENDERS))
FIGURES = (
    "opening", "new", "participants", "ended", "ongoing_at_end", "positive_exits",
    "unclear_exits", "other_exits", "direct_to_work_or_studies", "health_better",
    "health_answered",
)  # fmt: skip

Figures = dict[str, dict[str, int]]


def _counted_in(stay: Stay, first: date, last: date) -> set[str]:
    """The figures one stay counts in, for the period first–last."""
    counted = set()
    if stay.start < first and (stay.end is None or stay.end >= first):
        counted.add("opening")
    if first <= stay.start <= last:
        counted.add("new")
    if counted:
        counted.add("participants")
    if stay.end is not None and first <= stay.end <= last:
        counted.add("ended")
        outcome = DEFAULT_OUTCOME_CLASSES.get(stay.reason, OutcomeClass.OTHER)
        counted.add(f"{outcome.value}_exits")
        if stay.reason in DEFAULT_DIRECT_REASONS:
            counted.add("direct_to_work_or_studies")
        if stay.health_better is not None:
            counted.add("health_answered")
        if stay.health_better:
            counted.add("health_better")
    elif "participants" in counted:
        counted.add("ongoing_at_end")
    return counted


def figures(stays: Iterable[Stay], first: date, last: date, insats: str | None) -> Figures:
    """Each figure by column, over the stays in `insats` (None: all of them)."""
    result = {name: dict.fromkeys(COLUMNS, 0) for name in FIGURES}
    for stay in stays:
        if insats is not None and stay.insats != insats:
            continue
        for name in _counted_in(stay, first, last):
            result[name]["total"] += 1
            result[name][stay.gender] += 1
    return result


WORK_OR_STUDIES = frozenset({"arbete", "arbete_subventionerat", "studier"})
FOLLOWUP_COUNTS = ("due", "reached", "work_or_studies", "positive")


def _months_later(day: date, months: int) -> date:
    """The same day `months` months on (the month's last day where it has no such day)."""
    years, month = divmod(day.month - 1 + months, 12)
    year = day.year + years
    for last in (31, 30, 29, 28):
        try:
            return date(year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError(day)


def followup(stays: Iterable[Stay], first: date, last: date, insats: str | None) -> Figures:
    """The follow-up's counts by column: the exits (not moves) whose follow-up falls due in
    the period, those of them reached, in work or studies, with a positive status."""
    result = {name: dict.fromkeys(COLUMNS, 0) for name in FOLLOWUP_COUNTS}
    for stay in stays:
        if insats not in (None, stay.insats) or stay.end is None or stay.moved_to is not None:
            continue
        if not first <= _months_later(stay.end, FOLLOWUP_MONTHS) <= last:
            continue
        counted = {"due"}
        if stay.followup is not None and stay.followup["reached"]:
            status = stay.followup.get("status")
            counted.add("reached")
            if status in WORK_OR_STUDIES:
                counted.add("work_or_studies")
            if DEFAULT_OUTCOME_CLASSES.get(status) is OutcomeClass.POSITIVE:
                counted.add("positive")
        for name in counted:
            result[name]["total"] += 1
            result[name][stay.gender] += 1
    return result


def reached_followups(stays: Iterable[Stay], years: Iterable[int]) -> int:
    """The follow-ups reached that fall due in `years` (the reports count each once)."""
    return sum(
        1
        for stay in stays
        if stay.end is not None
        and stay.followup is not None
        and stay.followup["reached"]
        and _months_later(stay.end, FOLLOWUP_MONTHS).year in years
    )


def activities(
    sent: Iterable[Activity], first: date, last: date, insats: str | None
) -> dict[str, Any]:
    """The activities' count, participants by column and places offered, over those sent in
    the period (of the structural insats, or the förbund: `insats` None)."""
    held = [a for a in sent if first <= a.day <= last and insats in (None, STRUCTURAL)]
    participants = {column: 0 for column in COLUMNS}
    for activity in held:
        for gender, count in activity.participants.items():
            participants["total"] += count
            participants[gender] += count
    places = sum(a.places or 0 for a in held)
    return {"count": len(held), "participants": participants, "places": places}
