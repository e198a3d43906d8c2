"""Any sequence of commands, sensible or not (stops before the start, double stops, stops
and check-ins of unknown participants, dates that are no dates, corrected and voided stops
and starts, events of voided registrations, follow-ups before the stop, twice or in the
future), through intake's real
handlers, outcomes' derivation and reporting's report: each command is accepted exactly
when a plain model of the rules says so, a refused one says why and records nothing, and
the report's figures agree with the commands accepted and with each other.

(tests/reporting/test_reports.py checks the report's sums on arbitrary records; here the
records are the ones the commands produce.)"""

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from services.intake.domain.errors import CommandRefused, Conflict, InvalidField, NotFound
from services.intake.service_layer.commands import (
    Command,
    CorrectEvent,
    DefineInsats,
    FollowUpParticipant,
    RecordProgress,
    StartParticipant,
    StopParticipant,
    VoidEvent,
)
from services.outcomes.domain.records import derive_record
from services.reporting.domain.breakdowns import MULTI_VALUED
from services.reporting.domain.contributions import accumulate, contributions
from services.reporting.domain.periods import Period, parse_period
from services.reporting.domain.reports import ProcessedThrough
from shared.contract.codes import (
    FOLLOWUP_MONTHS,
    Gender,
    OutcomePolicy,
    Reason,
    Registration,
    followup_due,
)
from shared.contract.events import (
    CorrectionDetails,
    FollowupDetails,
    InsatsDetails,
    ParticipantStarted,
    ParticipantStopped,
    ProgressDetails,
    StartDetails,
    StopDetails,
    effective_events,
)
from shared.contract.swedish_time import today
from shared.platform.http import validation_errors
from tests.intake.conftest import FakeDatabase, execute_as_admin
from tests.reporting.support import document_of

INSATS = "steget"
UNKNOWN = "ZZZZ-ZZZZ"
POLICY = OutcomePolicy()
COLUMNS = ("total", "kvinna", "man", "annan")

days = st.dates(date(2024, 1, 1), date(2026, 12, 31))
date_texts = days.map(date.isoformat) | st.sampled_from(
    ["2025-02-30", "2025-13-01", "25-01-01", "", "2025-1-1"]
)
whom = st.integers(0, 4)
"""Which participant a check-in or stop is for: one started (by index), or, past the last
one started, a code no one has."""

commands = st.one_of(
    st.tuples(st.just("start"), st.sampled_from(Gender), date_texts),
    st.tuples(st.just("progress"), whom, date_texts),
    st.tuples(st.just("stop"), whom, date_texts, st.sampled_from(Reason)),
    st.tuples(st.just("correct_stop"), whom, days, st.sampled_from(Reason)),
    st.tuples(st.just("void_stop"), whom),
    st.tuples(st.just("void_start"), whom),
    st.tuples(
        st.just("followup"), whom, date_texts, st.sampled_from(FOLLOWUP_MONTHS), st.booleans()
    ),
)


@st.composite
def periods(draw) -> Period:
    year = draw(st.integers(2024, 2026))
    name = draw(st.sampled_from(["helar", "delar", f"{year}-{draw(st.integers(1, 12)):02d}"]))
    return parse_period(year, name, 8)


class Rules:
    """The rules as plainly as they can be said: whom intake must accept what from."""

    def __init__(self) -> None:
        self.started: list[tuple[str, Gender, date]] = []
        self.ended: dict[str, date] = {}
        self.voided: set[str] = set()
        self.followed: dict[str, dict[int, tuple[date, bool]]] = {}
        """By participant and months after: the follow-up's date and whether reached."""

    def expected_refusal(self, participant: str, on: date) -> type[CommandRefused] | None:
        starts = {code: start for code, _, start in self.started}
        if participant not in starts:
            return NotFound
        if participant in self.voided or participant in self.ended:
            return Conflict
        return InvalidField if on < starts[participant] else None

    def expected_correction_refusal(
        self, participant: str, of_stop: bool, on: date | None = None
    ) -> type[CommandRefused] | None:
        starts = {code: start for code, _, start in self.started}
        if participant not in starts:
            return NotFound
        if participant in self.voided:
            return Conflict
        if of_stop and participant not in self.ended:
            return NotFound  # no stop to correct or void
        if on is not None and on < starts[participant]:
            return InvalidField
        followed = self.followed.get(participant, {})
        if of_stop and followed and on is None:
            return Conflict  # a stop with follow-ups is not voided
        if on is not None and any(day < on for day, _ in followed.values()):
            return InvalidField  # the follow-up would precede the end
        return None

    def expected_followup_refusal(
        self, participant: str, on: date, months: int
    ) -> type[CommandRefused] | None:
        starts = {code: start for code, _, start in self.started}
        if participant not in starts:
            return NotFound
        if participant in self.voided or participant not in self.ended:
            return Conflict
        if months in self.followed.get(participant, {}):
            return Conflict
        return InvalidField if not self.ended[participant] <= on <= today() else None

    def counted(self) -> list[tuple[str, Gender, date]]:
        return [started for started in self.started if started[0] not in self.voided]


DATE_FIELDS = {"start": "start_date", "progress": "date", "stop": "end_date", "followup": "date"}


def _details(command) -> StartDetails | ProgressDetails | StopDetails | FollowupDetails:
    """The command's payload, validated as the HTTP API validates it."""
    kind, *arguments = command
    if kind == "start":
        gender, day = arguments
        return StartDetails.model_validate({"start_date": day, "gender": gender})
    if kind == "stop":
        _, day, reason = arguments
        return StopDetails.model_validate({"end_date": day, "reason": reason})
    if kind == "followup":
        _, day, months, reached = arguments
        status = {"status": "arbete"} if reached else {}
        body = {"date": day, "months_after": months, "reached": reached}
        return FollowupDetails.model_validate(body | status)
    return ProgressDetails.model_validate({"date": arguments[1]})


def _event_id(database: FakeDatabase, participant: str, kind: type) -> str:
    """The id of the participant's start or stop as it counts now (else one no event has)."""
    history = [
        e for e in database.state.events if getattr(e, "participant_id", None) == participant
    ]
    return next((e.event_id for e in effective_events(history) if isinstance(e, kind)), "0" * 36)


async def _correct(database: FakeDatabase, command, rules: Rules) -> None:
    """Correct or void a participant's stop, or void its start, as `_execute` does."""
    kind, index, *arguments = command
    participant = rules.started[index][0] if index < len(rules.started) else UNKNOWN
    of_stop = kind != "void_start"
    target = _event_id(database, participant, ParticipantStopped if of_stop else ParticipantStarted)
    if kind == "correct_stop":
        day, reason = arguments
        details = CorrectionDetails(stop=StopDetails(end_date=day, reason=reason))
        expected = rules.expected_correction_refusal(participant, of_stop, day)
        command_of: Command = CorrectEvent(INSATS, participant, target, details)
    else:
        expected = rules.expected_correction_refusal(participant, of_stop)
        command_of = VoidEvent(INSATS, participant, target)
    events_before = len(database.state.events)
    try:
        await execute_as_admin(database.unit_of_work, command_of)
    except CommandRefused as refused:
        assert type(refused) is expected, (command, refused)
        assert len(database.state.events) == events_before
        return
    assert expected is None, (command, "accepted")
    if kind == "correct_stop":
        rules.ended[participant] = arguments[0]
    elif kind == "void_stop":
        del rules.ended[participant]
    else:
        rules.voided.add(participant)


async def _execute(database: FakeDatabase, command, rules: Rules) -> None:
    """Run one command; check it was accepted or refused as `rules` say, and why."""
    kind = command[0]
    if kind in ("correct_stop", "void_stop", "void_start"):
        await _correct(database, command, rules)
        return
    field = DATE_FIELDS[kind]
    try:
        details = _details(command)
    except ValidationError as invalid:  # the HTTP API answers it 422, naming the field
        assert [name for name, _, _ in validation_errors(invalid)] == [field], invalid
        return
    if kind == "start":
        answer = await execute_as_admin(database.unit_of_work, StartParticipant(INSATS, details))
        rules.started.append((answer.body["participant_id"], details.gender, details.start_date))
        return

    index = command[1]
    participant = rules.started[index][0] if index < len(rules.started) else UNKNOWN
    registration = REGISTRATIONS[kind]
    if isinstance(details, FollowupDetails):
        expected = rules.expected_followup_refusal(participant, details.date, details.months_after)
    else:
        expected = rules.expected_refusal(participant, getattr(details, field))
    events_before = len(database.state.events)
    try:
        await execute_as_admin(database.unit_of_work, registration(INSATS, participant, details))
    except CommandRefused as refused:
        assert type(refused) is expected, (command, refused)
        assert participant in str(refused) or getattr(refused, "field", None) == field, refused
        assert len(database.state.events) == events_before
        return
    assert expected is None, (command, "accepted")
    if isinstance(details, StopDetails):
        rules.ended[participant] = details.end_date
    if isinstance(details, FollowupDetails):
        followed = rules.followed.setdefault(participant, {})
        followed[details.months_after] = (details.date, details.reached)


REGISTRATIONS = {
    "progress": RecordProgress,
    "stop": StopParticipant,
    "followup": FollowUpParticipant,
}


def _expected_followup(rules: Rules, period: Period) -> dict[str, dict[str, dict[str, int]]]:
    """Per months after: the exits whose follow-up falls due in the period, and those of
    them followed up and reached."""
    figures = {
        str(months): {name: dict.fromkeys(COLUMNS, 0) for name in ("due", "reached")}
        for months in FOLLOWUP_MONTHS
    }
    for participant, gender, _ in rules.counted():
        end = rules.ended.get(participant)
        if end is None:
            continue
        followed = rules.followed.get(participant, {})
        for months in FOLLOWUP_MONTHS:
            if not period.first <= followup_due(end, months) <= period.last:
                continue
            counted = ["due"] + (["reached"] if followed.get(months, (None, False))[1] else [])
            for name in counted:
                figures[str(months)][name]["total"] += 1
                figures[str(months)][name][gender.value] += 1
    return figures


def _expected_stock_and_flow(rules: Rules, period: Period) -> dict[str, dict[str, int]]:
    figures = {name: dict.fromkeys(COLUMNS, 0) for name in ("opening", "new", "ended")}
    for participant, gender, start in rules.counted():
        end = rules.ended.get(participant)
        counted = []
        if start < period.first and (end is None or end >= period.first):
            counted.append("opening")
        if period.first <= start <= period.last:
            counted.append("new")
        if end is not None and period.first <= end <= period.last:
            counted.append("ended")
        for name in counted:
            figures[name]["total"] += 1
            figures[name][gender.value] += 1
    return figures


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(commands, max_size=14), periods())
async def test_any_commands_give_figures_that_add_up(sequence, period) -> None:
    database = FakeDatabase()
    await execute_as_admin(
        database.unit_of_work,
        DefineInsats(INSATS, InsatsDetails(name="Steget", registration=Registration.INDIVID)),
    )
    rules = Rules()
    for command in sequence:
        await _execute(database, command, rules)

    cells: dict = {}
    for participant, _, _ in rules.started:
        events = [
            e for e in database.state.events if getattr(e, "participant_id", None) == participant
        ]
        accumulate(cells, contributions(derive_record(events, POLICY)))
    report = document_of(
        cells, period, INSATS, "Steget", ProcessedThrough(len(database.state.events), None)
    )

    f = report["figures"]
    assert {name: f[name] for name in ("opening", "new", "ended")} == _expected_stock_and_flow(
        rules, period
    )
    followup = {
        months: {name: rows[name] for name in ("due", "reached")}
        for months, rows in report["followup"].items()
    }
    assert followup == _expected_followup(rules, period)
    for column in COLUMNS:
        opening, new, ended = (f[name][column] for name in ("opening", "new", "ended"))
        assert f["ongoing_at_end"][column] == opening + new - ended
        assert f["participants"][column] == opening + new
        exits = sum(f[f"{outcome}_exits"][column] for outcome in ("positive", "unclear", "other"))
        assert exits == ended
        for name, codes in report["breakdowns"].items():
            if name not in MULTI_VALUED:
                assert sum(counts[column] for counts in codes.values()) == ended, name
