"""Intake's staff forms through the app on a real database and Redis: the login and its
cookie, each registration form storing the right event, Swedish inline errors that keep
what was typed and store nothing, CSRF, a resent form registering once, and insatser the
caller may not touch."""

import re
from datetime import date
from urllib.parse import quote

import pytest

from tests.intake.forms_support import alerts, registered, start


@pytest.fixture
def intake_settings() -> dict:
    return {"login_max_failures": 3}  # a rate limit small enough to reach


async def test_a_login_sets_a_strict_session_cookie_and_goes_only_to_a_page_of_ours(
    intake, staff
) -> None:
    client = intake.client
    client.cookies.clear()
    assert (await client.get("/insatser/a")).headers["location"] == (
        f"/logga-in?next={quote('/insatser/a', safe='')}"
    )

    wrong = await staff.log_in("ivan", "fel lösenord 1234", "/insatser/a")
    assert wrong.status_code == 401
    assert "Fel användarnamn eller lösenord. Försök igen." in alerts(wrong)
    assert 'value="ivan"' in wrong.text and "stegvis_session" not in wrong.headers.get(
        "set-cookie", ""
    )

    logged_in = await staff.log_in("Ivan", next_="/insatser/a")  # a phone's capital letter
    assert (logged_in.status_code, logged_in.headers["location"]) == (303, "/insatser/a")
    cookie = logged_in.headers["set-cookie"]
    assert cookie.startswith("stegvis_session=stv_")
    for attribute in ("HttpOnly", "Path=/", "SameSite=strict"):
        assert attribute in cookie

    for elsewhere in ("//evil.example/x", "https://evil.example", "/\\evil.example"):
        assert (await staff.log_in("ivan", next_=elsewhere)).headers["location"] == "/insatser"

    mine = await client.get("/insatser")
    assert mine.status_code == 200
    assert re.findall(r'<a href="(/insatser/[^"]+)">', mine.text) == [
        "/insatser/a",
        "/insatser/va/volym",
    ]
    assert mine.headers["cache-control"] == "no-store"
    assert "default-src 'none'" in mine.headers["content-security-policy"]
    assert '<html lang="sv">' in mine.text and "<script" not in mine.text


async def test_repeated_wrong_passwords_are_throttled_in_swedish(intake, staff) -> None:
    for _ in range(3):
        assert (await staff.log_in("ivan", "fel lösenord 1234")).status_code == 401
    throttled = await staff.log_in("ivan")
    assert throttled.status_code == 429
    assert int(throttled.headers["retry-after"]) > 0
    assert any(
        alert.startswith("För många misslyckade inloggningar") for alert in alerts(throttled)
    )


async def test_logging_out_ends_the_session_everywhere(intake, staff) -> None:
    client = intake.client
    secret = client.cookies["stegvis_session"]
    await staff.open("/insatser")
    assert (await staff.submit("/logga-ut", {}, csrf_token="forged")).status_code == 403

    logged_out = await staff.submit("/logga-ut", {})
    assert (logged_out.status_code, logged_out.headers["location"]) == (303, "/logga-in")
    assert 'stegvis_session=""' in logged_out.headers["set-cookie"]
    client.cookies.set("stegvis_session", secret)  # kept by someone: revoked all the same
    assert (await client.get("/insatser")).status_code == 303


async def test_the_start_form_registers_the_background_it_was_given(intake, staff) -> None:
    form = await staff.open("/insatser/a/ny-deltagare")
    assert 'name="start_date" type="date" value="' in form.text  # today, to change if need be
    page = await staff.submit(
        "/insatser/a/ny-deltagare",
        {
            "start_date": "2025-02-03",
            "gender": "annan",
            "birth_year": "1985",
            "education": "gymnasium",
            "support_at_start": ["sjukpenning", "forsorjningsstod"],
            "years_in_support": "4",
            "referrer": "af",
            "municipality": "2480",
            "activity_hours_per_week": "12,5",
            "vas": "35",
        },
    )
    assert page.status_code == 201, page.text
    code = re.search(r"Deltagarens kod: <span class=\"code\">([A-Z0-9-]+)</span>", page.text)[1]
    assert "Skriv upp den." in page.text

    [started] = await registered(intake)
    assert started.type == "ParticipantStarted"
    assert started.model_dump(exclude={"event_id", "occurred_at", "schema_version", "type"}) == {
        "insats_id": "a",
        "participant_id": code,
        "start_date": date(2025, 2, 3),
        "gender": "annan",
        "birth_year": 1985,
        "education": "gymnasium",
        "support_at_start": ["sjukpenning", "forsorjningsstod"],
        "years_in_support": 4,
        "referrer": "af",
        "municipality": "2480",
        "activity_hours_per_week": 12.5,
        "vas": 35,
    }
    history = await staff.open(f"/insatser/a/deltagare/{code}")
    assert "<dt>Kommun</dt><dd>Umeå</dd>" in history.text
    caseload = await staff.open("/insatser/a")
    assert code in caseload.text and "2025-02-03" in caseload.text
    assert "<dt>Senaste uppföljning</dt>\n      <dd>–</dd>" in caseload.text


async def test_empty_optional_inputs_are_left_unanswered(intake, staff) -> None:
    await start(staff, birth_year="", education="", municipality="  ", vas="")
    [started] = await registered(intake)
    assert (started.birth_year, started.education, started.municipality, started.vas) == (
        None,
        None,
        None,
        None,
    )
    assert started.support_at_start == []


async def test_the_check_in_form_registers_measures_and_indicators(intake, staff) -> None:
    code = await start(staff)
    path = f"/insatser/a/deltagare/{code}/uppfoljning"
    await staff.open(path)
    page = await staff.submit(
        path,
        {
            "date": "2025-03-10",
            "activity_hours_per_week": "20",
            "vas": "48",
            "indicator_halsa": "3",
            "indicator_jobbsokning": "2",
            "indicator_kompetenser": "",
        },
    )
    assert page.status_code == 201, page.text
    progressed = (await registered(intake))[-1]
    assert progressed.type == "ParticipantProgressed"
    assert (progressed.date, progressed.activity_hours_per_week, progressed.vas) == (
        date(2025, 3, 10),
        20.0,
        48,
    )
    assert progressed.indicators == {"halsa": 3, "jobbsokning": 2}
    caseload = await staff.open("/insatser/a")
    assert "<dt>Senaste uppföljning</dt>\n      <dd>2025-03-10</dd>" in caseload.text


async def test_the_stop_form_registers_the_exit_answers(intake, staff) -> None:
    code = await start(staff)
    path = f"/insatser/a/deltagare/{code}/avsluta"
    form = await staff.open(path)
    assert '<optgroup label="Positiva avslut' in form.text
    page = await staff.submit(
        path,
        {
            "end_date": "2025-09-30",
            "reason": "arbetstraning",
            "support_at_end": ["ingen"],
            "health_better": "ja",
            "activity_increased": "nej",
            "work_capacity": "narmat",
            "vas": "70",
            "respect": "",  # ej besvarat
        },
    )
    assert page.status_code == 201, page.text
    stopped = (await registered(intake))[-1]
    assert stopped.type == "ParticipantStopped"
    assert stopped.model_dump(
        include={
            "participant_id",
            "end_date",
            "reason",
            "support_at_end",
            "health_better",
            "activity_increased",
            "work_capacity",
            "vas",
            "respect",
        }
    ) == {
        "participant_id": code,
        "end_date": date(2025, 9, 30),
        "reason": "arbetstraning",
        "support_at_end": ["ingen"],
        "health_better": True,
        "activity_increased": False,
        "work_capacity": "narmat",
        "vas": 70,
        "respect": None,
    }
    assert code not in (await staff.open("/insatser/a")).text  # no longer active
    again = await intake.client.get(path)
    assert again.status_code == 409 and "Deltagaren är redan avslutad." in alerts(again)


async def test_the_volume_form_registers_counts_by_gender(intake, staff) -> None:
    await staff.open("/insatser/va/volym")
    page = await staff.submit(
        "/insatser/va/volym", {"date": "2025-04-01", "kvinna": "12", "man": "9", "annan": "0"}
    )
    assert page.status_code == 201, page.text
    [volume] = await registered(intake)
    assert (volume.type, volume.date, volume.kvinna, volume.man, volume.annan) == (
        "VolumeRegistered",
        date(2025, 4, 1),
        12,
        9,
        0,
    )
    assert (await intake.client.get("/insatser/va")).headers["location"] == "/insatser/va/volym"


async def test_invalid_input_is_explained_in_swedish_next_to_its_field_and_kept(
    intake, staff
) -> None:
    await staff.open("/insatser/a/ny-deltagare")
    page = await staff.submit(
        "/insatser/a/ny-deltagare",
        {
            "start_date": "",
            "vas": "150",
            "birth_year": "nittio",
            "years_in_support": "61",
            "activity_hours_per_week": "12,5",
        },
    )
    assert page.status_code == 422
    errors = dict(re.findall(r'<span id="([a-z_]+)-error" class="error">([^<]*)</span>', page.text))
    assert errors == {
        "start_date": "Ange ett datum (ÅÅÅÅ-MM-DD).",
        "gender": "Välj kön.",
        "birth_year": "Ange födelseåret med fyra siffror, till exempel 1985.",
        "years_in_support": "Ange ett helt antal år, 0–60.",
        "vas": "Ange ett heltal från 1 till 100.",
    }
    assert 'value="150"' in page.text and 'value="nittio"' in page.text
    assert 'value="12,5"' in page.text  # what was right is kept too
    assert 'aria-describedby="vas-hint vas-error" aria-invalid="true"' in page.text
    assert '<a href="#gender">Välj kön.</a>' in page.text  # the summary leads to the field
    assert await registered(intake) == []


async def test_a_personnummer_in_kommun_is_refused_in_swedish(intake, staff) -> None:
    await staff.open("/insatser/a/ny-deltagare")
    page = await staff.submit(
        "/insatser/a/ny-deltagare",
        {
            "start_date": "2025-02-03",
            "gender": "man",
            "municipality": "19850101-1236",
        },
    )
    assert page.status_code == 422
    assert (
        "Det här ser ut som ett personnummer. Stegvis sparar aldrig personnummer: "
        "ange bara kommunen." in alerts(page)
    )
    assert await registered(intake) == []


async def test_a_stop_the_stored_state_refuses_is_explained(intake, staff) -> None:
    code = await start(staff)
    path = f"/insatser/a/deltagare/{code}/avsluta"
    await staff.open(path)
    early = await staff.submit(path, {"end_date": "2025-01-31", "reason": "arbete"})
    assert early.status_code == 422
    assert "Slutdatum får inte vara före startdatum (2025-02-03)." in alerts(early)
    missing = await staff.submit(path, {"end_date": "2025-05-01"})
    assert missing.status_code == 422 and "Välj avslutsanledning." in alerts(missing)
    assert len(await registered(intake)) == 1  # the start only


@pytest.mark.parametrize("csrf_token", [None, "", "0" * 64])
async def test_a_post_without_the_forms_csrf_token_is_refused(intake, staff, csrf_token) -> None:
    await staff.open("/insatser/va/volym")
    fields = {"date": "2025-04-01", "kvinna": "1", "man": "1", "annan": "1"}
    if csrf_token is None:
        del staff.hidden["csrf_token"]
        page = await staff.submit("/insatser/va/volym", fields)
    else:
        page = await staff.submit("/insatser/va/volym", fields, csrf_token=csrf_token)
    assert page.status_code == 403
    assert any("Formuläret kom inte från Stegvis" in alert for alert in alerts(page))
    assert await registered(intake) == []


async def test_a_resent_form_registers_once_and_shows_the_first_answer(intake, staff) -> None:
    await staff.open("/insatser/a/ny-deltagare")
    fields = {"start_date": "2025-02-03", "gender": "kvinna", "vas": "40"}
    first, second = [await staff.submit("/insatser/a/ny-deltagare", fields) for _ in range(2)]
    assert first.status_code == second.status_code == 201
    code = re.search(r'class="code">([A-Z0-9-]+)<', first.text)[1]
    assert code in second.text
    changed = await staff.submit("/insatser/a/ny-deltagare", fields | {"vas": "41"})
    assert changed.status_code == 409
    assert "Det här formuläret har redan skickats in, med andra uppgifter." in changed.text
    assert [event.participant_id for event in await registered(intake)] == [code]


async def test_a_resent_stop_shows_its_confirmation_again_not_a_refusal(intake, staff) -> None:
    code = await start(staff)
    path = f"/insatser/a/deltagare/{code}/avsluta"
    await staff.open(path)
    fields = {"end_date": "2025-06-30", "reason": "studier"}
    first, second = [await staff.submit(path, fields) for _ in range(2)]
    assert first.status_code == second.status_code == 201
    assert "Deltagaren är avslutad" in second.text
    other = await staff.submit(path, fields, form_key="another-form-0123456789")
    assert other.status_code == 409 and "Deltagaren är redan avslutad." in alerts(other)
    assert [event.type for event in await registered(intake)] == [
        "ParticipantStarted",
        "ParticipantStopped",
    ]


async def test_an_insats_not_granted_is_refused_and_stores_nothing(intake, staff) -> None:
    for path in ("/insatser/b", "/insatser/b/ny-deltagare", "/insatser/nosuch/volym"):
        page = await intake.client.get(path)
        assert page.status_code == 403, path
        assert "Du har inte behörighet till den här insatsen." in alerts(page)
    await staff.open("/insatser/a/ny-deltagare")  # a valid CSRF token and key
    page = await staff.submit(
        "/insatser/b/ny-deltagare", {"start_date": "2025-02-03", "gender": "man"}
    )
    assert page.status_code == 403
    assert await registered(intake) == []
