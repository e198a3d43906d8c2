"""Intake's commands against an in-memory unit of work: the rules, and idempotency."""

from datetime import date
from functools import partial
from http import HTTPStatus

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.intake.domain.errors import Conflict, InvalidField, NotFound
from services.intake.service_layer import commands, handlers
from services.intake.service_layer.answers import IdempotencyKey
from shared.contract.codes import Education, Gender, Reason, Referrer, Registration, SupportType
from shared.contract.events import (
    MAX_AGE_AT_START,
    MIN_AGE_AT_START,
    InsatsDetails,
    ProgressDetails,
    StartDetails,
    StopDetails,
    VolumeDetails,
)
from tests.intake.conftest import execute_as_admin

START = StartDetails(start_date=date(2025, 2, 3), gender=Gender.KVINNA)
STOP = StopDetails(end_date=date(2025, 6, 30), reason=Reason.ARBETE)
VOLUME = VolumeDetails(date=date(2025, 3, 1), kvinna=5, man=3, annan=0)


async def _define(new_uow, insats_id: str = "steget", registration=Registration.INDIVID):
    details = InsatsDetails(name=insats_id.title(), registration=registration)
    return await execute_as_admin(new_uow, commands.DefineInsats(insats_id, details))


async def _start(new_uow, insats_id: str = "steget", details: StartDetails = START) -> str:
    answer = await execute_as_admin(new_uow, commands.StartParticipant(insats_id, details))
    return answer.body["participant_id"]


async def _stop(new_uow, participant_id: str, insats_id: str = "steget", details=STOP):
    return await execute_as_admin(
        new_uow, commands.StopParticipant(insats_id, participant_id, details)
    )


async def _progress(new_uow, participant_id: str, on: date, insats_id: str = "steget"):
    details = ProgressDetails(date=on, vas=40)
    return await execute_as_admin(
        new_uow, commands.RecordProgress(insats_id, participant_id, details)
    )


async def _volume(new_uow, insats_id: str):
    return await execute_as_admin(new_uow, commands.RegisterVolume(insats_id, VOLUME))


async def test_defining_an_insats_creates_then_updates_then_changes_nothing(database, new_uow):
    created = await _define(new_uow)
    assert created.status == HTTPStatus.CREATED
    assert created.body == {"insats_id": "steget", "name": "Steget", "registration": "individ"}

    renamed = await execute_as_admin(
        new_uow,
        commands.DefineInsats(
            "steget", InsatsDetails(name="Steget 2", registration=Registration.INDIVID)
        ),
    )
    assert renamed.status == HTTPStatus.OK and renamed.body["name"] == "Steget 2"
    unchanged = await execute_as_admin(
        new_uow,
        commands.DefineInsats(
            "steget", InsatsDetails(name="Steget 2", registration=Registration.INDIVID)
        ),
    )
    assert unchanged == renamed
    assert [(e.type, e.name) for e in database.state.events] == [
        ("InsatsDefined", "Steget"),
        ("InsatsDefined", "Steget 2"),
    ]


async def test_registration_may_change_only_before_anything_is_registered(database, new_uow):
    await _define(new_uow, registration=Registration.VOLYM)
    changed = await _define(new_uow, registration=Registration.INDIVID)
    assert changed.body["registration"] == "individ"

    await _start(new_uow)
    with pytest.raises(Conflict, match="registration cannot change"):
        await _define(new_uow, registration=Registration.VOLYM)
    assert database.state.insatser["steget"].registration is Registration.INDIVID


async def test_a_start_is_logged_with_a_new_code(database, new_uow):
    await _define(new_uow)
    answer = await execute_as_admin(new_uow, commands.StartParticipant("steget", START))
    assert answer.status == HTTPStatus.CREATED
    event = database.state.events[-1]
    assert answer.body == {
        "participant_id": event.participant_id,
        "event_id": event.event_id,
        "position": 2,
    }
    assert event.type == "ParticipantStarted" and event.gender is Gender.KVINNA


async def test_a_code_in_use_is_drawn_again(database, new_uow):
    await _define(new_uow)
    draws = iter(["AAAA-AAAA", "AAAA-AAAA", "BBBB-BBBB"])
    codes = [
        (
            await execute_as_admin(
                new_uow,
                commands.StartParticipant("steget", START),
                handler=partial(handlers.start_participant, new_code=lambda: next(draws)),
            )
        ).body["participant_id"]
        for _ in range(2)
    ]
    assert codes == ["AAAA-AAAA", "BBBB-BBBB"]


async def test_unknown_insats_or_participant_is_not_found(database, new_uow):
    with pytest.raises(NotFound):
        await _start(new_uow, "saknas")
    await _define(new_uow)
    await _define(new_uow, "annan")
    participant = await _start(new_uow, "annan")
    with pytest.raises(NotFound):
        await _stop(new_uow, "ZZZZ-ZZZZ")
    with pytest.raises(NotFound, match="in insats steget"):
        await _stop(new_uow, participant, insats_id="steget")
    assert not database.state.participants[participant].stopped


async def test_a_stopped_participant_takes_no_more_progress_nor_stop(database, new_uow):
    await _define(new_uow)
    participant = await _start(new_uow)
    stopped = await _stop(new_uow, participant)
    assert stopped.body["participant_id"] == participant
    events_before = len(database.state.events)

    with pytest.raises(Conflict, match="stopped on 2025-06-30"):
        await _stop(new_uow, participant)
    with pytest.raises(Conflict):
        await _progress(new_uow, participant, date(2025, 7, 1))
    assert len(database.state.events) == events_before


@pytest.mark.parametrize(
    ("command", "field"),
    [
        (lambda new_uow, p: _progress(new_uow, p, date(2025, 2, 2)), "date"),
        (
            lambda new_uow, p: _stop(
                new_uow, p, details=StopDetails(end_date=date(2025, 1, 31), reason=Reason.ANNAT)
            ),
            "end_date",
        ),
    ],
)
async def test_nothing_dated_before_the_start(database, new_uow, command, field):
    await _define(new_uow)
    participant = await _start(new_uow)
    with pytest.raises(InvalidField) as refused:
        await command(new_uow, participant)
    assert refused.value.field == field
    assert "2025-02-03" in refused.value.message
    assert [e.type for e in database.state.events] == ["InsatsDefined", "ParticipantStarted"]


async def test_a_stop_on_the_start_date_is_accepted(database, new_uow):
    await _define(new_uow)
    participant = await _start(new_uow)
    await _stop(
        new_uow, participant, details=StopDetails(end_date=START.start_date, reason=Reason.FLYTT)
    )
    assert database.state.participants[participant].end_date == START.start_date


async def test_participants_only_in_individ_and_volume_only_in_volym(database, new_uow):
    await _define(new_uow, "kurs", Registration.VOLYM)
    await _define(new_uow, "steget", Registration.INDIVID)
    with pytest.raises(Conflict, match="registered as volym"):
        await _start(new_uow, "kurs")
    with pytest.raises(Conflict, match="registered as individ"):
        await _volume(new_uow, "steget")
    answer = await _volume(new_uow, "kurs")
    assert answer.status == HTTPStatus.CREATED
    assert [e.type for e in database.state.events][-1] == "VolumeRegistered"


def _key(key: str, details, path: str = "/api/v1/insatser/steget/participants"):
    return IdempotencyKey.for_request(key, "POST", path, details)


async def test_a_retry_with_the_key_replays_the_first_answer(database, new_uow):
    await _define(new_uow)
    start = commands.StartParticipant("steget", START)
    first = await execute_as_admin(new_uow, start, _key("k1", START))
    commits = database.commits
    again = await execute_as_admin(new_uow, start, _key("k1", START))

    assert again == first
    assert database.commits == commits
    assert len(database.state.participants) == 1


async def test_the_key_of_another_request_is_refused(database, new_uow):
    await _define(new_uow)
    await execute_as_admin(new_uow, commands.StartParticipant("steget", START), _key("k1", START))
    other = StartDetails(start_date=date(2025, 2, 4), gender=Gender.MAN)
    with pytest.raises(Conflict, match="different request"):
        await execute_as_admin(
            new_uow,
            commands.StartParticipant("steget", other),
            _key("k1", other),
        )
    assert len(database.state.participants) == 1


async def test_a_request_that_lost_the_race_for_its_key_replays_the_winner(database, new_uow):
    await _define(new_uow)
    key = _key("k1", START)
    answers = []

    start = commands.StartParticipant("steget", START)

    async def start_while_another_commits_first(command, uow):
        # The same request, sent twice at once: the other copy commits while this one runs.
        answers.append(await execute_as_admin(new_uow, start, key))
        return await handlers.start_participant(command, uow)

    answer = await execute_as_admin(new_uow, start, key, start_while_another_commits_first)
    assert answers == [answer]
    assert [e.type for e in database.state.events].count("ParticipantStarted") == 1


def test_the_fingerprint_ignores_how_the_json_was_written() -> None:
    a = StartDetails.model_validate_json('{"start_date": "2025-02-03", "gender": "kvinna"}')
    b = StartDetails.model_validate_json(
        '{"gender":"kvinna","support_at_start":[],"start_date":"2025-02-03"}'
    )
    assert _key("k", a) == _key("k", b)
    assert _key("k", a) != _key("k", a, path="/api/v1/insatser/annan/participants")


@st.composite
def start_details(draw) -> StartDetails:
    start = draw(st.dates(date(2000, 1, 1), date(2035, 12, 31)))
    age = draw(st.integers(MIN_AGE_AT_START, MAX_AGE_AT_START))
    return StartDetails(
        start_date=start,
        gender=draw(st.sampled_from(Gender)),
        birth_year=draw(st.none() | st.just(start.year - age)),
        education=draw(st.none() | st.sampled_from(Education)),
        support_at_start=draw(st.lists(st.sampled_from(SupportType), unique=True, max_size=4)),
        years_in_support=draw(st.none() | st.integers(0, 60)),
        referrer=draw(st.none() | st.sampled_from(Referrer)),
        municipality=draw(st.none() | st.sampled_from(["1280", "1281", "2321", "okand"])),
        activity_hours_per_week=draw(st.none() | st.floats(0, 168)),
        vas=draw(st.none() | st.integers(1, 100)),
    )


@settings(max_examples=50, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(details=start_details())
async def test_any_valid_start_is_accepted_and_logged_once(
    new_database, details: StartDetails
) -> None:
    database = new_database()
    new_uow = database.unit_of_work
    await _define(new_uow)
    participant = await _start(new_uow, details=details)

    (event,) = [e for e in database.state.events if e.type == "ParticipantStarted"]
    assert event.participant_id == participant
    assert event.model_dump(include=set(StartDetails.model_fields)) == details.model_dump()
    assert database.state.participants[participant].start_date == details.start_date
