"""Structural insatser (`registration: struktur`): activities through the JSON API and the
staff form, on a real database and Redis."""

import re
from datetime import date

from shared.contract.events import ActivityRegistered
from tests.intake.forms_support import PASSWORD, Staff, alerts, ok, registered

INSATSER = "/api/v1/insatser"
ACTIVITY = {
    "date": "2025-03-12",
    "kind": "utbildning",
    "participants": {"kvinna": 14, "man": 6, "annan": 1},
    "organisations": {"fk": 5, "kommun": 12},
    "places": 25,
}


async def _define(client, insats_id: str, registration: str) -> None:
    await ok(
        await client.put(
            f"{INSATSER}/{insats_id}",
            json={"name": insats_id.title(), "registration": registration},
        )
    )


async def test_an_activity_is_registered_with_its_counts(intake) -> None:
    client = intake.client
    await _define(client, "kunskap", "struktur")
    answer = await client.post(f"{INSATSER}/kunskap/activities", json=ACTIVITY)
    assert answer.status_code == 201, answer.text
    [activity] = await registered(intake)
    assert isinstance(activity, ActivityRegistered)
    assert activity.event_id == answer.json()["event_id"]
    assert (activity.date, activity.kind, activity.places) == (date(2025, 3, 12), "utbildning", 25)
    assert activity.participants.model_dump() == {"kvinna": 14, "man": 6, "annan": 1}
    assert activity.organisations is not None
    assert activity.organisations.model_dump() == {
        "fk": 5,
        "af": 0,
        "kommun": 12,
        "region": 0,
        "annan": 0,
    }
    bare = {key: ACTIVITY[key] for key in ("date", "kind", "participants")}
    assert (await client.post(f"{INSATSER}/kunskap/activities", json=bare)).status_code == 201


async def test_a_refused_activity_says_which_field_and_changes_nothing(intake) -> None:
    client = intake.client
    await _define(client, "kunskap", "struktur")
    await _define(client, "steget", "individ")
    before = await intake.logged_events()
    for change, field in (
        ({"kind": "fest"}, "kind"),
        ({"places": 0}, "places"),
        ({"participants": {"kvinna": -1, "man": 0, "annan": 0}}, "participants.kvinna"),
        ({"participants": {"kvinna": 1, "man": 0}}, "participants.annan"),
        ({"organisations": {"skola": 3}}, "organisations.skola"),
        ({"date": "12/3/2025"}, "date"),
    ):
        refused = await client.post(f"{INSATSER}/kunskap/activities", json=ACTIVITY | change)
        assert refused.status_code == 422, (change, refused.text)
        assert [item["field"] for item in refused.json()["detail"]] == [field]
    individ = await client.post(f"{INSATSER}/steget/activities", json=ACTIVITY)
    assert individ.status_code == 409 and "not struktur" in individ.json()["detail"]
    assert (await client.post(f"{INSATSER}/saknas/activities", json=ACTIVITY)).status_code == 404
    starting = {"start_date": "2025-02-03", "gender": "kvinna"}
    assert (await client.post(f"{INSATSER}/kunskap/participants", json=starting)).status_code == 409
    assert await intake.logged_events() == before


async def test_only_those_granted_the_insats_register_its_activities(intake) -> None:
    client = intake.client
    await _define(client, "kunskap", "struktur")
    await _define(client, "annat", "struktur")
    await ok(
        await client.put(
            "/api/v1/users/ivan",
            json={"role": "insatsansvarig", "insatser": ["kunskap"], "password": PASSWORD},
        )
    )
    issued = await client.post("/api/v1/tokens", json={"username": "ivan"})
    token = (await ok(issued))["token"]
    as_ivan = {"Authorization": f"Bearer {token}"}
    mine = await client.post(f"{INSATSER}/kunskap/activities", json=ACTIVITY, headers=as_ivan)
    theirs = await client.post(f"{INSATSER}/annat/activities", json=ACTIVITY, headers=as_ivan)
    assert (mine.status_code, theirs.status_code) == (201, 403)


async def _staff_in_a_structural_insats(intake) -> Staff:
    client = intake.client
    await _define(client, "kunskap", "struktur")
    await ok(
        await client.put(
            "/api/v1/users/ivan",
            json={"role": "insatsansvarig", "insatser": ["kunskap"], "password": PASSWORD},
        )
    )
    staff = Staff(client)
    assert (await staff.log_in("ivan")).status_code == 303
    return staff


async def test_the_activity_form_registers_an_activity(intake) -> None:
    staff = await _staff_in_a_structural_insats(intake)
    client = intake.client
    assert (await client.get("/insatser/kunskap")).headers["location"] == (
        "/insatser/kunskap/aktivitet"
    )
    mine = await client.get("/insatser")
    assert '<a href="/insatser/kunskap/aktivitet">' in mine.text
    form = await staff.open("/insatser/kunskap/aktivitet")
    assert "Registrera aktivitet" in form.text and "Kartläggning" in form.text
    page = await staff.submit(
        "/insatser/kunskap/aktivitet",
        {
            "date": "2025-04-01",
            "kind": "natverk",
            "places": "30",
            "participants.kvinna": "12",
            "participants.man": "9",
            "participants.annan": "0",
            "organisations.fk": "4",
            "organisations.af": "",
        },
    )
    assert page.status_code == 201, page.text
    assert "Aktiviteten är registrerad" in page.text
    [activity] = await registered(intake)
    assert isinstance(activity, ActivityRegistered)
    assert (activity.date, activity.kind, activity.places) == (date(2025, 4, 1), "natverk", 30)
    assert activity.participants.model_dump() == {"kvinna": 12, "man": 9, "annan": 0}
    assert activity.organisations is not None and activity.organisations.fk == 4


async def test_the_activity_form_explains_refusals_in_swedish_and_keeps_what_was_typed(
    intake,
) -> None:
    staff = await _staff_in_a_structural_insats(intake)
    await staff.open("/insatser/kunskap/aktivitet")
    page = await staff.submit(
        "/insatser/kunskap/aktivitet",
        {
            "date": "2025-04-01",
            "places": "0",
            "participants.kvinna": "tolv",
            "participants.man": "9",
            "organisations.kommun": "-2",
        },
    )
    assert page.status_code == 422
    errors = dict(
        re.findall(r'<span id="([a-z_.]+)-error" class="error">([^<]*)</span>', page.text)
    )
    assert errors == {
        "kind": "Välj slags aktivitet i listan.",
        "places": "Ange antalet platser som ett heltal, 1–100000, eller lämna tomt.",
        "participants.kvinna": "Ange antalet kvinnor som ett heltal, 0 om inga.",
        "participants.annan": "Ange antalet med annan definition av kön som ett heltal, 0 om inga.",
        "organisations.kommun": "Ange ett heltal, 0–100000, eller lämna tomt.",
    }
    assert 'value="tolv"' in page.text and 'value="9"' in page.text
    assert '<a href="#participants.kvinna">' in page.text
    assert "Välj slags aktivitet i listan." in alerts(page)
    assert await registered(intake) == []
