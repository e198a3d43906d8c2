"""Rätta in the staff forms through the app on a real database and Redis: a participant's
page listing their registrations, a correction in the registration's own form filled in with
its values, a void after a confirmation, Swedish inline errors for a correction the history
refuses, CSRF, a resent form registering once, and insatser the caller may not touch."""

import re
from datetime import date

import pytest

from services.intake.domain.errors import InvalidField
from services.intake.entrypoints.form_errors import refused_correction
from shared.contract.events import (
    ParticipantEventCorrected,
    ParticipantEventVoided,
    ParticipantStarted,
    ParticipantStopped,
    StartDetails,
)
from tests.intake.forms_support import Staff, alerts, registered, start

_EVENT_LINK = re.compile(r'href="(/insatser/a/deltagare/[A-Z0-9-]+/handelser/[0-9a-f-]+)/ratta"')


async def _stopped(staff: Staff) -> str:
    """A participant of insats a started 2025-02-03, checked in 2025-04-01 and stopped
    2025-06-30 (work) through the forms: their code."""
    code = await start(staff)
    for path, fields in (
        ("uppfoljning", {"date": "2025-04-01", "vas": "45"}),
        ("avsluta", {"end_date": "2025-06-30", "reason": "arbete", "health_better": "ja"}),
    ):
        await staff.open(f"/insatser/a/deltagare/{code}/{path}")
        page = await staff.submit(f"/insatser/a/deltagare/{code}/{path}", fields)
        assert page.status_code == 201, page.text
    return code


async def _event_pages(staff: Staff, code: str) -> list[str]:
    """The pages of the participant's registrations as their page lists them, in order:
    each one's `…/ratta` and `…/makulera` lead on from it."""
    return _EVENT_LINK.findall((await staff.open(f"/insatser/a/deltagare/{code}")).text)


async def test_the_participant_page_lists_the_registrations_and_is_found_by_code(
    intake, staff
) -> None:
    code = await _stopped(staff)
    caseload = await staff.open("/insatser/a")
    assert code not in caseload.text and 'action="/insatser/a/deltagare"' in caseload.text
    found = await intake.client.get("/insatser/a/deltagare", params={"kod": f" {code.lower()} "})
    assert (found.status_code, found.headers["location"]) == (303, f"/insatser/a/deltagare/{code}")

    page = await staff.open(found.headers["location"])
    assert "Avslutad 2025-06-30." in page.text
    headings = re.findall(r"<strong>(\w+)</strong> (\d{4}-\d\d-\d\d)", page.text)
    assert headings == [
        ("Inskrivning", "2025-02-03"),
        ("Uppföljning", "2025-04-01"),
        ("Avslut", "2025-06-30"),
    ]
    assert "<dt>Avslutsanledning</dt><dd>Arbete utan lönesubvention</dd>" in page.text
    assert 'aria-label="Makulera avslutet 2025-06-30"' in page.text
    unknown = await intake.client.get("/insatser/a/deltagare/NO-SUCH")
    assert unknown.status_code == 404
    assert "Deltagaren NO-SUCH finns inte i den här insatsen." in alerts(unknown)


async def test_correcting_a_stops_reason_stores_a_correction_of_all_its_answers(
    intake, staff
) -> None:
    code = await _stopped(staff)
    stop_page = (await _event_pages(staff, code))[-1]
    form = await staff.open(f"{stop_page}/ratta")
    assert f'Rätta avslutet av <span class="code">{code}</span>' in form.text
    assert 'name="end_date" type="date" value="2025-06-30"' in form.text  # filled in
    assert '<option value="arbete" selected>' in form.text
    assert re.search(r'value="ja"\s+checked', form.text)  # health_better, the only "ja"
    assert "Spara rättelsen" in form.text

    page = await staff.submit(
        f"{stop_page}/ratta",
        {
            "end_date": "2025-06-30",
            "reason": "sjukdom",
            "health_better": "ja",
        },
    )
    assert page.status_code == 201, page.text
    assert "Avslutet är rättat" in page.text and "Rapporterna visar strax" in page.text
    corrected = (await registered(intake))[-1]
    assert isinstance(corrected, ParticipantEventCorrected)
    assert corrected.corrects == stop_page.rsplit("/", 1)[1]
    assert (corrected.participant_id, corrected.start, corrected.progress) == (code, None, None)
    assert corrected.stop.model_dump(include={"end_date", "reason", "health_better", "vas"}) == {
        "end_date": date(2025, 6, 30),
        "reason": "sjukdom",
        "health_better": True,
        "vas": None,
    }
    audit = (await intake.client.get("/api/v1/audit")).json()["entries"][0]
    assert (audit["actor"], audit["action"], audit["target"]) == (
        "ivan",
        "correct",
        f"{stop_page}/ratta",
    )
    listed = await staff.open(f"/insatser/a/deltagare/{code}")
    assert "<dd>Sjukdom</dd>" in listed.text


async def test_a_correction_the_history_contradicts_is_explained_and_stores_nothing(
    intake, staff
) -> None:
    code = await _stopped(staff)
    start_page, _check_in_page, stop_page = await _event_pages(staff, code)
    before = await registered(intake)

    await staff.open(f"{stop_page}/ratta")
    early = await staff.submit(f"{stop_page}/ratta", {"end_date": "2025-01-31", "reason": "arbete"})
    assert early.status_code == 422
    assert (
        'id="end_date-error" class="error">Slutdatum får inte vara före startdatum '
        "(2025-02-03).</span>" in early.text
    )
    assert 'value="2025-01-31"' in early.text  # what was typed is kept

    await staff.open(f"{start_page}/ratta")
    late = await staff.submit(
        f"{start_page}/ratta", {"start_date": "2025-05-01", "gender": "kvinna"}
    )
    assert late.status_code == 422
    assert "Uppföljningen den 2025-04-01 skulle hamna före startdatumet." in alerts(late)
    unknown_gender = await staff.submit(f"{start_page}/ratta", {"start_date": "2025-02-03"})
    assert unknown_gender.status_code == 422 and "Välj kön." in alerts(unknown_gender)
    assert await registered(intake) == before


async def test_a_check_in_is_corrected_in_its_form_filled_in_with_its_measures(
    intake, staff
) -> None:
    code = await start(staff)
    path = f"/insatser/a/deltagare/{code}/uppfoljning"
    await staff.open(path)
    fields = {"date": "2025-03-10", "activity_hours_per_week": "12,5", "indicator_halsa": "3"}
    assert (await staff.submit(path, fields)).status_code == 201
    check_in_page = (await _event_pages(staff, code))[-1]
    form = await staff.open(f"{check_in_page}/ratta")
    assert 'value="12,5"' in form.text and '<option value="3" selected>' in form.text
    page = await staff.submit(f"{check_in_page}/ratta", fields | {"vas": "52"})
    assert page.status_code == 201 and "Uppföljningen är rättad" in page.text
    corrected = (await registered(intake))[-1].progress
    assert (
        corrected.date,
        corrected.activity_hours_per_week,
        corrected.vas,
        corrected.indicators,
    ) == (date(2025, 3, 10), 12.5, 52, {"halsa": 3})
    early = await staff.submit(
        f"{check_in_page}/ratta",
        fields | {"date": "2025-01-01"},
        form_key="another-form-0123456789",
    )
    assert "Datumet får inte vara före startdatum (2025-02-03)." in alerts(early)


def test_a_start_moved_past_the_stop_names_the_stop() -> None:
    started = ParticipantStarted(
        insats_id="a", participant_id="K7M2-QX9D", start_date=date(2025, 2, 3), gender="man"
    )
    stopped = ParticipantStopped(
        insats_id="a", participant_id="K7M2-QX9D", end_date=date(2025, 6, 30), reason="arbete"
    )
    refused = InvalidField("start.start_date", "the end date would precede the start date")
    late = StartDetails(start_date=date(2025, 7, 1), gender="man")
    assert refused_correction(refused, late, [started, stopped]) == {
        "start_date": "Avslutet den 2025-06-30 skulle hamna före startdatumet."
    }


async def test_voiding_a_stop_makes_the_participant_active_again(intake, staff) -> None:
    code = await _stopped(staff)
    stop_page = (await _event_pages(staff, code))[-1]
    confirm = await staff.open(f"{stop_page}/makulera")
    assert "Deltagaren blir pågående igen" in confirm.text
    page = await staff.submit(f"{stop_page}/makulera", {})
    assert page.status_code == 201, page.text
    assert "Avslutet är makulerat" in page.text
    voided = (await registered(intake))[-1]
    assert isinstance(voided, ParticipantEventVoided)
    assert voided.voids == stop_page.rsplit("/", 1)[1]
    caseload = await staff.open("/insatser/a")
    assert f'href="/insatser/a/deltagare/{code}"' in caseload.text  # its "Rätta"
    assert f"Avsluta {code}" in caseload.text

    again = await staff.submit(f"{stop_page}/makulera", {}, form_key="another-form-0123456789")
    assert again.status_code == 409
    assert any(alert.startswith("Registreringen är redan makulerad") for alert in alerts(again))
    gone = await intake.client.get(f"{stop_page}/ratta")
    assert gone.status_code == 404


async def test_voiding_a_start_removes_the_participant(intake, staff) -> None:
    code = await start(staff)
    [start_page] = await _event_pages(staff, code)
    confirm = await staff.open(f"{start_page}/makulera")
    assert "Hela deltagarens registrering försvinner ur alla siffror" in confirm.text
    first, resent = [await staff.submit(f"{start_page}/makulera", {}) for _ in range(2)]
    assert first.status_code == resent.status_code == 201
    assert "Inskrivningen är makulerad" in resent.text  # its first answer again
    assert [event.type for event in await registered(intake)] == [
        "ParticipantStarted",
        "ParticipantEventVoided",
    ]
    assert code not in (await staff.open("/insatser/a")).text
    assert (await intake.client.get(f"/insatser/a/deltagare/{code}")).status_code == 404
    audit = (await intake.client.get("/api/v1/audit")).json()["entries"][0]
    assert (audit["action"], audit["target"]) == ("void", f"{start_page}/makulera")


async def test_a_resent_correction_registers_once(intake, staff) -> None:
    code = await start(staff)
    [start_page] = await _event_pages(staff, code)
    await staff.open(f"{start_page}/ratta")
    fields = {"start_date": "2025-02-10", "gender": "man"}
    first, second = [await staff.submit(f"{start_page}/ratta", fields) for _ in range(2)]
    assert first.status_code == second.status_code == 201
    changed = await staff.submit(f"{start_page}/ratta", fields | {"gender": "annan"})
    assert changed.status_code == 409
    assert "Det här formuläret har redan skickats in, med andra uppgifter." in changed.text
    corrections = [e for e in await registered(intake) if e.type == "ParticipantEventCorrected"]
    assert [(c.start.start_date, c.start.gender) for c in corrections] == [
        (date(2025, 2, 10), "man")
    ]


@pytest.mark.parametrize("action", ["ratta", "makulera"])
async def test_a_post_without_the_forms_csrf_token_is_refused(intake, staff, action) -> None:
    code = await _stopped(staff)
    stop_page = (await _event_pages(staff, code))[-1]
    await staff.open(f"{stop_page}/{action}")
    del staff.hidden["csrf_token"]
    page = await staff.submit(
        f"{stop_page}/{action}", {"end_date": "2025-06-30", "reason": "sjukdom"}
    )
    assert page.status_code == 403
    assert any("Formuläret kom inte från Stegvis" in alert for alert in alerts(page))
    assert len(await registered(intake)) == 3


async def test_another_insats_is_refused_and_stores_nothing(intake, staff) -> None:
    started = await intake.client.post(
        "/api/v1/insatser/b/participants", json={"start_date": "2025-02-03", "gender": "man"}
    )
    code = started.json()["participant_id"]
    events = (await intake.client.get(f"/api/v1/insatser/b/participants/{code}/events")).json()
    event_page = f"/insatser/b/deltagare/{code}/handelser/{events['events'][0]['event_id']}"
    for path in (
        f"/insatser/b/deltagare/{code}",
        f"{event_page}/ratta",
        f"{event_page}/makulera",
        f"/insatser/b/deltagare?kod={code}",
    ):
        page = await intake.client.get(path, follow_redirects=True)
        assert page.status_code == 403, path
        assert "Du har inte behörighet till den här insatsen." in alerts(page)
    await staff.open("/insatser/a")  # a valid CSRF token
    for action in ("ratta", "makulera"):
        page = await staff.submit(
            f"{event_page}/{action}",
            {"start_date": "2025-03-01", "gender": "man"},
            form_key="a-form-of-insats-a-0123456",
        )
        assert page.status_code == 403
    assert len(await registered(intake)) == 1
