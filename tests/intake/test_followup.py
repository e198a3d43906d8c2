"""Follow-up after the stop (`followup`): one per months after, only after a stop that was
an exit, corrected and voided like any registration; through the app on a real database
and Redis, and the rule on its own."""

from datetime import date

import pytest

from services.intake.domain import rules
from services.intake.domain.errors import Conflict, InvalidField
from services.intake.domain.model import Participant
from shared.contract.events import (
    FollowupDetails,
    ParticipantFollowedUp,
    ParticipantStarted,
    ParticipantStopped,
)
from tests.intake.forms_support import ok, registered

INSATSER = "/api/v1/insatser"
START = {"start_date": "2025-02-03", "gender": "kvinna"}
STOP = {"end_date": "2025-06-30", "reason": "arbete"}
FOLLOWUP = {"date": "2026-01-08", "months_after": 6, "reached": True, "status": "studier"}


async def _stopped(client, insats_id: str = "steget") -> str:
    await ok(
        await client.put(
            f"{INSATSER}/{insats_id}", json={"name": "Steget", "registration": "individ"}
        )
    )
    code = (await ok(await client.post(f"{INSATSER}/{insats_id}/participants", json=START)))[
        "participant_id"
    ]
    await ok(await client.post(f"{INSATSER}/{insats_id}/participants/{code}/stop", json=STOP))
    return code


async def test_a_follow_up_after_the_stop_is_logged_once_per_months_after(intake) -> None:
    client = intake.client
    code = await _stopped(client)
    path = f"{INSATSER}/steget/participants/{code}/followup"
    answer = await client.post(path, json=FOLLOWUP | {"support": ["ingen"]})
    assert answer.status_code == 201, answer.text
    *_, event = await registered(intake)
    assert isinstance(event, ParticipantFollowedUp)
    assert (event.participant_id, event.months_after, event.reached) == (code, 6, True)
    assert (event.status, event.support) == ("studier", ["ingen"])
    assert event.event_id == answer.json()["event_id"]

    again = await client.post(path, json=FOLLOWUP | {"date": "2026-01-09"})
    assert again.status_code == 409, again.text
    other = await client.post(
        path, json={"date": "2025-10-01", "months_after": 3, "reached": False}
    )
    assert other.status_code == 201, other.text
    events = (await ok(await client.get(f"{INSATSER}/steget/participants/{code}/events")))["events"]
    assert [list(e)[2] for e in events] == ["start", "stop", "followup", "followup"]
    assert events[2]["followup"]["months_after"] == 6


async def test_a_refused_follow_up_names_the_field_and_changes_nothing(intake) -> None:
    client = intake.client
    code = await _stopped(client)
    before = await intake.logged_events()
    path = f"{INSATSER}/steget/participants/{code}/followup"
    for body, field in (
        (FOLLOWUP | {"months_after": 5}, "months_after"),
        (FOLLOWUP | {"reached": "ja"}, "reached"),
        (FOLLOWUP | {"reached": False}, "status"),
        ({**FOLLOWUP, "reached": False, "status": None, "support": ["ingen"]}, "support"),
        (FOLLOWUP | {"status": "befordrad"}, "status"),
        (FOLLOWUP | {"date": "2025-06-29"}, "date"),  # before the stop
        (FOLLOWUP | {"date": "2999-01-01"}, "date"),  # in the future
        (FOLLOWUP | {"date": "8 jan"}, "date"),
    ):
        refused = await client.post(path, json=body)
        assert refused.status_code == 422, (body, refused.text)
        assert [item["field"] for item in refused.json()["detail"]] == [field], body
    nobody = await client.post(f"{INSATSER}/steget/participants/ZZZZ-ZZZZ/followup", json=FOLLOWUP)
    assert nobody.status_code == 404
    no_insats = await client.post(
        f"{INSATSER}/finns-inte/participants/{code}/followup", json=FOLLOWUP
    )
    assert no_insats.status_code == 404
    active = (await ok(await client.post(f"{INSATSER}/steget/participants", json=START)))[
        "participant_id"
    ]
    not_stopped = await client.post(
        f"{INSATSER}/steget/participants/{active}/followup", json=FOLLOWUP
    )
    assert not_stopped.status_code == 409, not_stopped.text
    assert len(await intake.logged_events()) == len(before) + 1  # the start only


async def test_a_move_is_not_followed_up(intake) -> None:
    client = intake.client
    for insats_id in ("steget", "mia"):
        await ok(
            await client.put(
                f"{INSATSER}/{insats_id}", json={"name": insats_id, "registration": "individ"}
            )
        )
    code = (await ok(await client.post(f"{INSATSER}/steget/participants", json=START)))[
        "participant_id"
    ]
    await ok(
        await client.post(
            f"{INSATSER}/steget/participants/{code}/move",
            json={"date": "2025-06-02", "to_insats": "mia"},
        )
    )
    refused = await client.post(f"{INSATSER}/steget/participants/{code}/followup", json=FOLLOWUP)
    assert refused.status_code == 409
    assert "move" in refused.json()["detail"]


async def test_a_follow_up_is_corrected_and_voided_like_any_registration(intake) -> None:
    client = intake.client
    code = await _stopped(client)
    participant = f"{INSATSER}/steget/participants/{code}"
    event_id = (await ok(await client.post(f"{participant}/followup", json=FOLLOWUP)))["event_id"]
    corrected = await client.post(
        f"{participant}/events/{event_id}/correction",
        json={"followup": {"date": "2026-01-08", "months_after": 6, "reached": False}},
    )
    assert corrected.status_code == 201, corrected.text
    events = (await ok(await client.get(f"{participant}/events")))["events"]
    assert events[2]["followup"]["reached"] is False
    assert events[2]["followup"]["status"] is None

    wrong_kind = await client.post(
        f"{participant}/events/{event_id}/correction", json={"stop": STOP}
    )
    assert wrong_kind.status_code == 422
    before_stop = await client.post(
        f"{participant}/events/{event_id}/correction",
        json={"followup": FOLLOWUP | {"date": "2025-05-01"}},
    )
    assert before_stop.status_code == 422
    assert before_stop.json()["detail"][0]["field"] == "followup.date"
    in_the_future = await client.post(
        f"{participant}/events/{event_id}/correction",
        json={"followup": FOLLOWUP | {"date": "2999-01-01"}},
    )
    assert in_the_future.status_code == 422
    assert in_the_future.json()["detail"][0]["field"] == "followup.date"
    stop_id = events[1]["event_id"]
    later_stop = await client.post(
        f"{participant}/events/{stop_id}/correction",
        json={"stop": STOP | {"end_date": "2026-02-01"}},
    )
    assert later_stop.status_code == 422  # the follow-up would precede it
    assert later_stop.json()["detail"][0]["field"] == "stop.end_date"
    stop_voided = await client.post(f"{participant}/events/{stop_id}/void")
    assert stop_voided.status_code == 409  # its follow-ups first

    voided = await client.post(f"{participant}/events/{event_id}/void")
    assert voided.status_code == 201, voided.text
    assert [
        list(e)[2] for e in (await ok(await client.get(f"{participant}/events")))["events"]
    ] == [
        "start",
        "stop",
    ]
    again = await client.post(f"{participant}/followup", json=FOLLOWUP)
    assert again.status_code == 201, again.text  # the voided one no longer counts


def _history(moved_to: str | None = None) -> list:
    """K's start in insats a and its stop (a move's, when `moved_to`)."""
    of_k = {"insats_id": "a", "participant_id": "K"}
    reason = "annan_insats" if moved_to else "arbete"
    return [
        ParticipantStarted(**of_k, start_date=date(2025, 2, 3), gender="kvinna"),
        ParticipantStopped(**of_k, end_date=date(2025, 6, 30), reason=reason, moved_to=moved_to),
    ]


PARTICIPANT = Participant("K", "a", date(2025, 2, 3), date(2025, 6, 30))
TODAY = date(2026, 3, 1)


def test_the_rule_takes_a_follow_up_on_the_stop_date_and_today() -> None:
    for day in (date(2025, 6, 30), TODAY):
        details = FollowupDetails(date=day, months_after=3, reached=False)
        event = rules.follow_up(PARTICIPANT, _history(), details, TODAY)
        assert (event.insats_id, event.participant_id, event.date) == ("a", "K", day)


@pytest.mark.parametrize(
    ("history", "day", "refusal"),
    [
        (_history(), date(2025, 6, 29), InvalidField),
        (_history(), date(2026, 3, 2), InvalidField),
        (_history("b"), date(2025, 12, 30), Conflict),
        (_history()[:1], date(2025, 12, 30), Conflict),
    ],
)
def test_the_rule_refuses(history: list, day: date, refusal: type[Exception]) -> None:
    details = FollowupDetails(date=day, months_after=6, reached=True)
    with pytest.raises(refusal):
        rules.follow_up(PARTICIPANT, history, details, TODAY)


def test_a_second_follow_up_after_as_many_months_is_a_conflict() -> None:
    details = FollowupDetails(date=date(2025, 12, 30), months_after=6, reached=True)
    first = rules.follow_up(PARTICIPANT, _history(), details, TODAY)
    with pytest.raises(Conflict):
        rules.follow_up(PARTICIPANT, [*_history(), first], details, TODAY)
