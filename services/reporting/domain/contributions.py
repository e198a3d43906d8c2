"""What one participant record adds to the monthly figures.

Every figure is a sum of per-record contributions, so a changed record moves the figures by
contributions(after) − contributions(before): applying changes in any order, each once,
gives the figures of the final records.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import NamedTuple

from services.reporting.domain import breakdowns
from services.reporting.domain.breakdowns import UNKNOWN
from services.reporting.domain.months import month_of
from shared.contract.codes import FOLLOWUP_MONTHS, Gender, OutcomeClass, followup_due
from shared.contract.records import ActivityCounted, ParticipantRecord, RecordStart, start_fields

NEW = "new"
ENDED = "ended"
DIRECT = "direct_to_work_or_studies"
HEALTH_ANSWERED = "health_answered"
HEALTH_BETTER = "health_better"
ACTIVITY_ANSWERED = "activity_answered"
ACTIVITY_INCREASED = "activity_increased"
DAYS_IN_INSATS = "days_in_insats"
VAS_START_SUM, VAS_START_N = "vas_start_sum", "vas_start_n"
VAS_END_SUM, VAS_END_N = "vas_end_sum", "vas_end_n"
RESPECT_SUM, RESPECT_N = "respect_sum", "respect_n"
VOLUME_PARTICIPANTS = "volume_participants"
ACTIVITIES = "activities"
"""Per kind of activity (the code): one per activity."""
ACTIVITY_PARTICIPANTS = "activity_participants"
ACTIVITY_ORGANISATIONS = "activity_organisations"
"""Per organisation (the referrer code)."""
ACTIVITY_PLACES = "activity_places"
ACTIVITY_PLACES_TAKEN = "activity_places_taken"
"""The participants of the activities that offered a number of places."""
MOVED_IN = "moved_in"
"""Per flow (the code: `flow_code`): started here by a move, on the day the move ended the
registration it came from."""
FLOW_SEPARATOR = ">"
FOLLOWUP_DUE = "followup_due"
"""Per months after the stop (the code): an exit whose follow-up falls due, in the month it
does (a move is no exit)."""
FOLLOWUP_REACHED = "followup_reached"
FOLLOWUP_WORK_OR_STUDIES = "followup_work_or_studies"
FOLLOWUP_POSITIVE = "followup_positive"
"""Of those due (same month and code): reached, and of them in work or studies, and with a
status of the positive outcome class."""
NOT_BY_GENDER = "alla"
"""The gender column of what is counted per activity, not per person."""

BREAKDOWN_PREFIX = "breakdown:"
"""A breakdown's cells of those ended, in their month of ending."""
STARTED_PREFIX = "breakdown_started:"
"""A breakdown known from the start (`AT_START`): its cells of those started, in their month
of starting (`bases.py` reads the stock from both)."""
AT_START = tuple(name for name, breakdown in breakdowns.BREAKDOWNS.items() if breakdown.at_start)
STEP_N = "step_n:"
STEP_CHANGE_SUM = "step_change_sum:"
STEP_IMPROVED = "step_improved:"
STEP_SCALE = 100
"""Step changes are summed in hundredths, as whole numbers: a double adds whole numbers
exactly, so a change retracted and added again never leaves a drift (hours may be
fractional)."""


def exits(outcome_class: OutcomeClass) -> str:
    return f"{outcome_class}_exits"


def work_capacity(code: str) -> str:
    return f"work_capacity_{code}"


class Cell(NamedTuple):
    """One monthly figure of one insats and gender (`code`: the breakdown code, or ''), of the
    changes first counted by the closing of the month `known_by` (closing.py; '': not dated).

    A named tuple: a consumer hashes, compares and sorts thousands a batch, in C so."""

    insats_id: str
    month: str
    gender: Gender | str
    """A `Gender`, or `NOT_BY_GENDER`."""
    figure: str
    code: str = ""
    known_by: str = ""


Contributions = dict[Cell, float]

_Key = tuple[str, str, str, str, str]
"""A cell's fields but `known_by` (insats, month, gender, figure, code): a record's
contributions are summed on these plain tuples, hashed in C, and made `Cell`s only where
they do not cancel out (a consumer computes two records' worth per change)."""


def contributions(record: ParticipantRecord | None, known_by: str = "") -> Contributions:
    """What `record` adds to the figures, in cells dated `known_by`."""
    return _cells(_contributions(record), known_by)


def _cell(key: _Key, known_by: str) -> Cell:
    # A tuple made in C: `Cell(...)` is a call in Python, per cell.
    return tuple.__new__(Cell, (*key, known_by))


def _cells(values: dict[_Key, float], known_by: str) -> Contributions:
    return {_cell(key, known_by): value for key, value in values.items()}


def _contributions(record: ParticipantRecord | None) -> dict[_Key, float]:
    if record is None:
        return {}
    added = _started(_start(record))
    _add(added, _ended(record))
    return added


OPEN_START_FIELDS = (*RecordStart._fields, "end_date")
"""The fields of a record that `open_with_the_same_start` reads, in its order."""


def open_with_the_same_start(
    before: Sequence[object] | None, after: Sequence[object] | None
) -> bool:
    """Whether two records as outcomes serialised them (each the values of
    `OPEN_START_FIELDS` as written, None where absent; None: no record) are both open and
    of the same start: a change from one to the other (a check-in) counts nothing.
    Compared as written, before validation: values written alike validate alike."""
    return before is not None and before[-1] is None and before == after


def _start(record: ParticipantRecord) -> RecordStart:
    """What a record's start is counted by (the contract's `RecordStart`: outcomes publishes
    no change between open records of equal starts): `_started` reads nothing else, so
    records of equal starts count the same there; an open record counts nothing else."""
    return RecordStart(*start_fields(record))


def _adder(added: dict[_Key, float], insats_id: str, gender: str):
    def add(month: str, figure: str, value: float = 1, code: str = "") -> None:
        key = (insats_id, month, gender, figure, code)
        added[key] = added.get(key, 0) + value

    return add


def _started(start: RecordStart) -> dict[_Key, float]:
    """The cells of the start, in its month."""
    added: dict[_Key, float] = {}
    add = _adder(added, start.insats_id, start.gender)
    started = month_of(start.start_date)
    add(started, NEW)
    if start.moved_from is not None:
        add(started, MOVED_IN, code=flow_code(start.moved_from, start.insats_id))
    codes = _start_codes(start)
    for name in AT_START:
        for code in codes[name]:
            add(started, STARTED_PREFIX + name, code=code)
    return added


def _ended(record: ParticipantRecord) -> dict[_Key, float]:
    """The cells of the end (none while the record is open), in its month and the months
    its follow-ups fall due."""
    added: dict[_Key, float] = {}
    end = record.end_date
    if end is None:
        return added
    add = _adder(added, record.insats_id, record.gender)
    ended = month_of(end)
    add(ended, ENDED)
    # Derived together with the end, so never missing; "other" keeps the classes summing
    # to `ended` should a producer ever omit it.
    add(ended, exits(record.outcome_class or OutcomeClass.OTHER))
    if record.direct_to_work_or_studies:
        add(ended, DIRECT)
    _add_answer(add, ended, HEALTH_ANSWERED, HEALTH_BETTER, record.health_better)
    _add_answer(add, ended, ACTIVITY_ANSWERED, ACTIVITY_INCREASED, record.activity_increased)
    if record.work_capacity is not None:
        add(ended, work_capacity(record.work_capacity))
    add(ended, DAYS_IN_INSATS, (end - record.start_date).days)
    for sum_figure, count_figure, value in (
        (VAS_START_SUM, VAS_START_N, record.vas_start),
        (VAS_END_SUM, VAS_END_N, record.vas_end),
        (RESPECT_SUM, RESPECT_N, record.respect),
    ):
        if value is not None:
            add(ended, sum_figure, value)
            add(ended, count_figure)
    for codes in (_start_codes(_start(record)), _end_codes(record, end)):
        for name, of_name in codes.items():
            for code in of_name:
                add(ended, BREAKDOWN_PREFIX + name, code=code)
    for measure, movement in record.steps.items():
        add(ended, STEP_N + measure)
        add(ended, STEP_CHANGE_SUM + measure, round(movement.change * STEP_SCALE))
        if movement.change > 0:
            add(ended, STEP_IMPROVED + measure)
    if record.moved_to is None:
        _add_followups(add, record, end)
    return added


def _add_followups(add, record: ParticipantRecord, end: date) -> None:
    """Every follow-up the exit will have falls due in its month, whether the förbund makes
    it or not (the reports show those it makes), counted there when it is registered."""
    registered = {followup.months_after: followup for followup in record.followups}
    for months in FOLLOWUP_MONTHS:
        due, code = month_of(followup_due(end, months)), str(months)
        add(due, FOLLOWUP_DUE, code=code)
        followup = registered.get(months)
        if followup is None or not followup.reached:
            continue
        add(due, FOLLOWUP_REACHED, code=code)
        if followup.work_or_studies:
            add(due, FOLLOWUP_WORK_OR_STUDIES, code=code)
        if followup.outcome_class is OutcomeClass.POSITIVE:
            add(due, FOLLOWUP_POSITIVE, code=code)


def flow_code(from_insats: str, to_insats: str) -> str:
    return f"{from_insats}{FLOW_SEPARATOR}{to_insats}"


def _add_answer(add, month: str, answered: str, yes: str, answer: bool | None) -> None:
    if answer is not None:
        add(month, answered)
        if answer:
            add(month, yes)


def _one(value: str | int | None) -> tuple[str]:
    return (UNKNOWN if value is None or value == "" else str(value),)


def _each(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(value) for value in values)) or (UNKNOWN,)


def _start_codes(start: RecordStart) -> dict[str, tuple[str, ...]]:
    """The codes of the breakdowns known from the start (each of `AT_START`); a banded
    one's hold its value, which the report bands."""
    return {
        breakdowns.AGE_BAND: _one(breakdowns.age_at_start(start.start_date, start.birth_year)),
        breakdowns.EDUCATION: _one(start.education),
        breakdowns.SUPPORT_AT_START: _each(start.support_at_start),
        breakdowns.YEARS_IN_SUPPORT: _one(start.years_in_support),
        breakdowns.REFERRER: _one(start.referrer),
        breakdowns.MUNICIPALITY: _one(start.municipality),
    }


def _end_codes(record: ParticipantRecord, end: date) -> dict[str, tuple[str, ...]]:
    """The codes of the exit's breakdowns."""
    return {
        breakdowns.REASON: _one(record.reason),
        breakdowns.SUPPORT_AT_END: _each(record.support_at_end),
        breakdowns.WEEKS_IN_INSATS_BAND: _one(breakdowns.completed_months(record.start_date, end)),
    }


def volume_contributions(
    insats_id: str, day: date, counts: Mapping[Gender, int], known_by: str = ""
) -> Contributions:
    return {
        Cell(insats_id, month_of(day), gender, VOLUME_PARTICIPANTS, known_by=known_by): count
        for gender, count in counts.items()
        if count
    }


def activity_contributions(activity: ActivityCounted, known_by: str = "") -> Contributions:
    month = month_of(activity.date)

    def cell(gender: str, figure: str, code: str = "") -> Cell:
        return Cell(activity.insats_id, month, gender, figure, code, known_by)

    added = {cell(NOT_BY_GENDER, ACTIVITIES, activity.kind): 1.0}
    for gender, count in activity.participants.items():
        added[cell(gender, ACTIVITY_PARTICIPANTS)] = count
    for organisation, count in activity.organisations.items():
        added[cell(NOT_BY_GENDER, ACTIVITY_ORGANISATIONS, organisation)] = count
    if activity.places is not None:
        added[cell(NOT_BY_GENDER, ACTIVITY_PLACES)] = activity.places
        added[cell(NOT_BY_GENDER, ACTIVITY_PLACES_TAKEN)] = sum(activity.participants.values())
    return {key: value for key, value in added.items() if value}


def change_delta(
    before: ParticipantRecord | None, after: ParticipantRecord | None, known_by: str = ""
) -> Contributions:
    """contributions(after) − contributions(before), without the cells that cancel out, in
    cells dated `known_by`."""
    return _cells(record_delta(before, after), known_by)


Delta = dict[_Key, float]
"""A change's contributions, not yet dated (`add_dated`): most changes have none."""


def record_delta(before: ParticipantRecord | None, after: ParticipantRecord | None) -> Delta:
    """contributions(after) − contributions(before), without the cells that cancel out.
    Only what differs is computed: the starts' cells where the starts differ, the ends'
    of ended records (most changes are an open record's check-in: nothing)."""
    starts_differ = (None if before is None else start_fields(before)) != (
        None if after is None else start_fields(after)
    )
    delta: Delta = {}
    for record, sign in ((after, 1), (before, -1)):
        if record is not None:
            if starts_differ:
                _add(delta, _started(_start(record)), sign)
            if record.end_date is not None:
                _add(delta, _ended(record), sign)
    return {key: value for key, value in delta.items() if value != 0}


def add_dated(total: Contributions, delta: Delta, known_by: str) -> None:
    """Add `delta` to `total`, in cells dated `known_by`."""
    for key, value in delta.items():
        cell = _cell(key, known_by)
        total[cell] = total.get(cell, 0) + value


def _add(total: dict[_Key, float], part: dict[_Key, float], sign: int = 1) -> None:
    """Add `part` to `total` (`sign` -1: subtract it)."""
    for key, value in part.items():
        total[key] = total.get(key, 0) + sign * value


def accumulate(total: Contributions, part: Mapping[Cell, float]) -> None:
    """Add `part` to `total`."""
    for cell, value in part.items():
        total[cell] = total.get(cell, 0) + value
