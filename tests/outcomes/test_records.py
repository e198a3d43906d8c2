"""Deriving a participant's record from its events (pure domain logic)."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from services.outcomes.domain.records import derive_record, step_movement, updated
from shared.contract.codes import OutcomeClass, OutcomePolicy, Reason
from shared.contract.events import (
    ParticipantEventCorrected,
    ParticipantEventVoided,
    ParticipantProgressed,
    ParticipantStarted,
    ParticipantStopped,
)

POLICY = OutcomePolicy()


def _start(**details) -> ParticipantStarted:
    return ParticipantStarted(
        insats_id="a",
        participant_id="P1",
        start_date=date(2025, 1, 10),
        gender="kvinna",
        **details,
    )


def _progress(day: date, **measures) -> ParticipantProgressed:
    return ParticipantProgressed(insats_id="a", participant_id="P1", date=day, **measures)


def _stop(reason: str = "arbete", **answers) -> ParticipantStopped:
    return ParticipantStopped(
        insats_id="a",
        participant_id="P1",
        end_date=date(2025, 6, 30),
        reason=reason,
        **answers,
    )


def test_no_record_without_a_start() -> None:
    assert derive_record([_progress(date(2025, 2, 1), vas=50)], POLICY) is None
    assert derive_record([], POLICY) is None


def test_an_open_participant_carries_the_background_and_no_exit() -> None:
    record = derive_record(
        [_start(birth_year=1990, support_at_start=["a_kassa", "ingen"], municipality="2480")],
        POLICY,
    )
    assert record.gender == "kvinna"
    assert record.start_date == date(2025, 1, 10)
    assert record.support_at_start == ("a_kassa", "ingen")
    assert record.municipality == "2480"
    assert (record.end_date, record.reason, record.outcome_class) == (None, None, None)
    assert record.direct_to_work_or_studies is False


def test_a_stop_is_classified_by_the_policy_and_carries_the_exit_answers() -> None:
    record = derive_record(
        [
            _start(vas=40),
            _stop("studier", health_better=True, vas=70, respect=5, work_capacity="narmat"),
        ],
        POLICY,
    )
    assert record.outcome_class is OutcomeClass.POSITIVE
    assert record.direct_to_work_or_studies is True
    assert (record.health_better, record.vas_start, record.vas_end, record.respect) == (
        True,
        40,
        70,
        5,
    )
    assert record.work_capacity == "narmat"

    training = derive_record([_start(), _stop("arbetstraning")], POLICY)
    assert training.outcome_class is OutcomeClass.POSITIVE
    assert training.direct_to_work_or_studies is False

    strict = OutcomePolicy(classes={Reason.STUDIER: OutcomeClass.UNCLEAR})
    reclassified = derive_record([_start(), _stop("studier")], strict)
    assert reclassified.outcome_class is OutcomeClass.UNCLEAR
    assert reclassified.direct_to_work_or_studies is False  # direct only when positive


def test_step_movement_runs_from_the_earliest_to_the_latest_measurement() -> None:
    events = [
        _start(vas=30, activity_hours_per_week=4),
        # Logged late: a check-in dated before the other one still comes first.
        _progress(date(2025, 5, 1), activity_hours_per_week=20, indicators={"halsa": 4}),
        _progress(
            date(2025, 3, 1),
            vas=45,
            activity_hours_per_week=10,
            indicators={"halsa": 2, "studier": 3},
        ),
        _stop(vas=60),
    ]
    steps = derive_record(events, POLICY).steps
    assert {name: (m.first, m.latest) for name, m in steps.items()} == {
        "activity_hours": (4, 20),
        "vas": (30, 60),
        "indicator:halsa": (2, 4),
    }  # one score on "studier" moves nothing
    assert steps["vas"].change == 30


measurements = st.lists(
    st.tuples(st.dates(date(2025, 1, 10), date(2025, 6, 30)), st.integers(1, 100)),
    max_size=8,
)


@given(measurements)
def test_vas_movement_is_between_the_chronologically_first_and_last_values(
    values: list[tuple[date, int]],
) -> None:
    events = [_start(vas=50)] + [_progress(day, vas=vas) for day, vas in values]
    steps = derive_record(events, POLICY).steps
    if not values:
        assert "vas" not in steps
        return
    chronological = [(date(2025, 1, 10), 50), *sorted(values, key=lambda pair: pair[0])]
    assert steps["vas"].first == 50
    # Same-day check-ins: the one logged last counts as the latest.
    last_day = chronological[-1][0]
    assert (
        steps["vas"].latest
        == [v for d, v in [(date(2025, 1, 10), 50), *values] if d == last_day][-1]
    )


def _corrected(target, **replacement) -> ParticipantEventCorrected:
    return ParticipantEventCorrected(
        insats_id="a", participant_id="P1", corrects=target.event_id, **replacement
    )


def _voided(target) -> ParticipantEventVoided:
    return ParticipantEventVoided(insats_id="a", participant_id="P1", voids=target.event_id)


def test_a_record_counts_its_events_as_corrected() -> None:
    start, check_in, stop = _start(vas=30), _progress(date(2025, 3, 1), vas=40), _stop()
    record = derive_record(
        [
            start,
            check_in,
            stop,
            _corrected(stop, stop={"end_date": "2025-07-31", "reason": "sjukdom"}),
            _corrected(check_in, progress={"date": "2025-03-01", "vas": 70}),
            _corrected(start, start={"start_date": "2025-01-10", "gender": "man", "vas": 30}),
        ],
        POLICY,
    )
    assert (record.gender, record.end_date, record.reason, record.outcome_class) == (
        "man",
        date(2025, 7, 31),
        Reason.SJUKDOM,
        OutcomeClass.OTHER,
    )
    assert record.steps["vas"].latest == 70


def test_the_latest_correction_of_an_event_wins_and_a_void_outranks_them() -> None:
    start, stop = _start(), _stop()
    twice = [
        start,
        stop,
        _corrected(stop, stop={"end_date": "2025-05-01", "reason": "studier"}),
        _corrected(stop, stop={"end_date": "2025-05-02", "reason": "flytt"}),
    ]
    assert derive_record(twice, POLICY).reason == Reason.FLYTT
    reopened = derive_record([*twice, _voided(stop)], POLICY)
    assert (reopened.end_date, reopened.reason) == (None, None)


def test_a_voided_start_leaves_no_record() -> None:
    start = _start()
    assert (
        derive_record([start, _progress(date(2025, 2, 1)), _stop(), _voided(start)], POLICY) is None
    )


def test_a_shared_step_movement_keeps_the_sign_of_zero() -> None:
    # 0.0 and -0.0 are equal (and hash alike): the shared models must still write each as given.
    assert step_movement(0.0, 4.5).model_dump_json() == '{"first":0.0,"latest":4.5}'
    assert step_movement(-0.0, 4.5).model_dump_json() == '{"first":-0.0,"latest":4.5}'
    assert step_movement(0.0, 4.5).model_dump_json() == '{"first":0.0,"latest":4.5}'
    assert step_movement(4.5, -0.0).model_dump_json() == '{"first":4.5,"latest":-0.0}'
    assert step_movement(4.5, 0.0).model_dump_json() == '{"first":4.5,"latest":0.0}'


def test_a_record_updated_is_what_pydantic_s_copy_makes() -> None:
    record = derive_record([_start(vas=40), _progress(date(2025, 2, 1), vas=60)], POLICY)
    assert record is not None
    fields_set = set(record.model_fields_set)
    for fields in (
        {"steps": {"vas": step_movement(40.0, 70.0)}},  # set already
        {"end_date": date(2025, 6, 30), "reason": Reason.ARBETE},  # at their defaults
    ):
        copied, expected = updated(record, fields), record.model_copy(update=fields)
        assert copied == expected
        assert copied.model_dump_json() == expected.model_dump_json()
        assert copied.model_fields_set == expected.model_fields_set
        assert copied.model_dump_json(exclude_unset=True) == expected.model_dump_json(
            exclude_unset=True
        )
    assert record.model_fields_set == fields_set  # the original's, shared or not, unchanged
