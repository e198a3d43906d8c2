"""*Att följa upp* on the caseload and the follow-up form, through the app on a real
database and Redis: who is listed (due within the window, not yet followed up, not moved),
the Swedish errors with the field, and the follow-up's correction page."""

import re
from datetime import timedelta

from shared.contract.events import ParticipantFollowedUp
from shared.contract.swedish_time import today
from tests.intake.forms_support import alerts, ok, registered

INSATSER = "/api/v1/insatser"


async def _ended(client, days_ago: int, move: bool = False) -> str:
    start = {"start_date": (today() - timedelta(days=days_ago + 100)).isoformat(), "gender": "man"}
    code = (await ok(await client.post(f"{INSATSER}/a/participants", json=start)))["participant_id"]
    end = (today() - timedelta(days=days_ago)).isoformat()
    if move:
        body, action = {"date": end, "to_insats": "b"}, "move"
    else:
        body, action = {"end_date": end, "reason": "arbete"}, "stop"
    await ok(await client.post(f"{INSATSER}/a/participants/{code}/{action}", json=body))
    return code


async def test_att_folja_upp_lists_the_follow_ups_due_and_the_form_registers_one(
    intake, staff
) -> None:
    client = intake.client
    due = await _ended(client, 190)  # six months on: about a week ago
    not_yet = await _ended(client, 30)
    moved = await _ended(client, 190, move=True)
    caseload = await staff.open("/insatser/a")
    section = caseload.text.split('id="att-folja-upp"')[1].split("<h2>")[0]
    assert "Att följa upp (1)" in caseload.text
    assert due in section and "6 månader efter avslut" in section
    assert not_yet not in section and moved not in section
    form_path = f"/insatser/a/deltagare/{due}/efter-avslut"
    assert f'href="{form_path}?manader=6"' in section

    form = await staff.open(f"{form_path}?manader=6")
    assert re.search(r'name="months_after" type="radio" value="6"\s+checked', form.text)
    assert today().isoformat() in form.text

    before = await intake.logged_events()
    unreached_with_status = await staff.submit(
        form_path,
        {"date": today().isoformat(), "months_after": "6", "reached": "nej", "status": "arbete"},
    )
    assert unreached_with_status.status_code == 422
    assert alerts(unreached_with_status) == ["Välj i listan, bara om deltagaren nåddes."]
    too_early = await staff.submit(
        form_path, {"date": "2000-01-01", "months_after": "6", "reached": "ja"}
    )
    assert too_early.status_code == 422
    assert any(alert.startswith("Datumet ska vara från slutdatum") for alert in alerts(too_early))
    assert await intake.logged_events() == before

    done = await staff.submit(
        form_path,
        {"date": today().isoformat(), "months_after": "6", "reached": "ja", "status": "studier"},
    )
    assert done.status_code == 201, done.text
    assert "Uppföljningen efter avslut är registrerad" in done.text
    *_, event = await registered(intake)
    assert isinstance(event, ParticipantFollowedUp)
    assert (event.participant_id, event.months_after, event.status) == (due, 6, "studier")
    assert "Att följa upp (0)" in (await staff.open("/insatser/a")).text

    participant = await staff.open(f"/insatser/a/deltagare/{due}")
    assert "Uppföljning efter avslut" in participant.text
    correction = await staff.open(f"/insatser/a/deltagare/{due}/handelser/{event.event_id}/ratta")
    assert "Rätta uppföljningen efter avslut" in correction.text
    assert re.search(r'name="reached" type="radio" value="ja"\s+checked', correction.text)


async def test_the_follow_up_form_is_only_for_a_participant_who_has_ended(intake, staff) -> None:
    client = intake.client
    start = {"start_date": "2025-02-03", "gender": "kvinna"}
    code = (await ok(await client.post(f"{INSATSER}/a/participants", json=start)))["participant_id"]
    page = await client.get(f"/insatser/a/deltagare/{code}/efter-avslut")
    assert page.status_code == 409
    assert "Deltagaren är inte avslutad" in page.text
