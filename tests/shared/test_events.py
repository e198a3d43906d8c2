"""The event schemas: what intake accepts is exactly what consumers can read back."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from shared.contract.codes import (
    DEFAULT_DIRECT_REASONS,
    Education,
    Gender,
    OutcomeClass,
    OutcomePolicy,
    Reason,
    SupportType,
)
from shared.contract.events import (
    ParticipantStarted,
    ParticipantStopped,
    StartDetails,
    StopDetails,
    parse_intake_event,
)


def _fields(error: ValidationError) -> set[str]:
    return {".".join(str(part) for part in item["loc"]) for item in error.errors()}


starts = st.builds(
    ParticipantStarted,
    insats_id=st.from_regex(r"[a-z0-9-]{1,20}", fullmatch=True),
    participant_id=st.from_regex(r"[A-Z0-9]{4}-[A-Z0-9]{4}", fullmatch=True),
    start_date=st.dates(date(2000, 1, 1), date(2030, 12, 31)),
    gender=st.sampled_from(Gender),
    birth_year=st.none(),
    education=st.none() | st.sampled_from(Education),
    support_at_start=st.lists(st.sampled_from(SupportType), unique=True, max_size=3),
    vas=st.none() | st.integers(1, 100),
    activity_hours_per_week=st.none() | st.floats(0, 168),
)


@given(starts)
def test_every_event_survives_the_stream_unchanged(event: ParticipantStarted) -> None:
    assert parse_intake_event(event.model_dump_json()) == event


@given(st.integers(1900, 2020))
def test_age_at_start_must_be_15_to_67(birth_year: int) -> None:
    age = 2025 - birth_year
    data = {"start_date": "2025-03-01", "gender": "man", "birth_year": birth_year}
    if 15 <= age <= 67:
        assert StartDetails.model_validate(data).birth_year == birth_year
    else:
        with pytest.raises(ValidationError) as error:
            StartDetails.model_validate(data)
        assert _fields(error.value) == {"birth_year"}


def test_bad_input_names_each_offending_field() -> None:
    with pytest.raises(ValidationError) as error:
        StartDetails.model_validate(
            {
                "start_date": "2025-1-5",
                "gender": "kvinna ",
                "vas": 0,
                "support_at_start": ["a_kassa", "a_kassa"],
                "municipality": "Kalle 19850101-1236",
                "nickname": "x",
            }
        )
    assert _fields(error.value) == {
        "start_date",
        "gender",
        "vas",
        "support_at_start",
        "municipality",
        "nickname",
    }


@pytest.mark.parametrize("value", ["yes", 1, "true"])
def test_answers_are_booleans_not_lookalikes(value: object) -> None:
    with pytest.raises(ValidationError) as error:
        StopDetails.model_validate(
            {"end_date": "2025-05-01", "reason": "arbete", "health_better": value}
        )
    assert _fields(error.value) == {"health_better"}


def test_a_stop_event_is_told_from_a_start_by_its_type() -> None:
    stop = ParticipantStopped(
        insats_id="steget",
        participant_id="AB12-CD34",
        end_date=date(2025, 5, 1),
        reason=Reason.STUDIER,
    )
    parsed = parse_intake_event(stop.model_dump_json())
    assert isinstance(parsed, ParticipantStopped)
    assert parsed.reason is Reason.STUDIER


@given(st.sampled_from(Reason), st.sampled_from(OutcomeClass))
def test_direct_exits_are_always_positive_whatever_the_policy(
    reason: Reason, cls: OutcomeClass
) -> None:
    policy = OutcomePolicy(classes={reason: cls})
    assert policy.outcome_class(reason) is cls
    assert policy.is_direct(reason) == (
        reason in DEFAULT_DIRECT_REASONS and cls is OutcomeClass.POSITIVE
    )


def test_default_classes_follow_the_contract() -> None:
    policy = OutcomePolicy()
    assert {r for r in Reason if policy.outcome_class(r) is OutcomeClass.POSITIVE} == {
        Reason.ARBETE,
        Reason.ARBETE_SUBVENTIONERAT,
        Reason.STUDIER,
        Reason.ARBETSSOKANDE,
        Reason.ARBETSTRANING,
    }
    assert {r for r in Reason if policy.outcome_class(r) is OutcomeClass.UNCLEAR} == {
        Reason.TILLBAKA_REMITTENT,
        Reason.ANNAN_INSATS,
    }
    assert not policy.is_direct(Reason.ARBETSTRANING)
