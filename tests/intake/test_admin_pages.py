"""Intake's admin pages through the app on a real database and Redis, as a browser without
JavaScript uses them: only a förbundsadmin sees them (others get a Swedish 403 page); each
form runs the JSON API's command, explains a bad value in Swedish next to its input, keeps
what was typed and changes nothing; a form sent twice registers once; the start page and
the login's landing follow the role; the first account is made with the admin token."""

import re

import httpx
import pytest

from tests.intake.conftest import ADMIN_TOKEN
from tests.intake.forms_support import PASSWORD, Staff, alerts, ok

ADMIN_PAGES = (
    "/admin/insatser",
    "/admin/insatser/a",
    "/admin/anvandare",
    "/admin/anvandare/ivan",
    "/admin/tokens",
    "/admin/mal",
    "/admin/logg",
)
NEW_PASSWORD = "ett annat långt lösenord 7"


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def intake_settings() -> dict:
    return {"login_max_failures": 2}  # an address may then fail 20 times: a limit to reach


@pytest.fixture
async def admin(intake, staff) -> Staff:
    """anna, a förbundsadmin, logged in (the `staff` fixture's insatser and ivan exist)."""
    client = intake.client
    await ok(
        await client.put("/api/v1/users/anna", json={"role": "forbundsadmin", "password": PASSWORD})
    )
    await ok(await client.put("/api/v1/users/lisa", json={"role": "lasare", "password": PASSWORD}))
    assert (await staff.log_in("anna")).status_code == 303
    return staff


async def _refused_beside(
    admin: Staff, path: str, fields: dict, field: str, message: str
) -> httpx.Response:
    """The form at `path` sent with `fields`: refused (422) with `message` beside `field`."""
    await admin.open(path)
    page = await admin.submit(path, fields)
    assert page.status_code == 422, page.text
    error = re.search(rf'<span id="{field}-error" class="error">([^<]*)<', page.text)
    assert error and error[1].startswith(message)
    assert f'id="{field}"' in page.text and 'aria-invalid="true"' in page.text
    return page


async def _audit(intake, action: str) -> list[dict]:
    entries = (await ok(await intake.client.get("/api/v1/audit"))).get("entries")
    return [entry for entry in entries if entry["action"] == action]


@pytest.mark.parametrize("username", ["ivan", "lisa"])
async def test_only_a_forbundsadmin_sees_the_admin_pages(intake, admin, username) -> None:
    for path in ADMIN_PAGES:
        page = await intake.client.get(path)
        assert page.status_code == 200, path
        assert '<html lang="sv">' in page.text and "<script" not in page.text
        assert page.headers["cache-control"] == "no-store"
    assert (await admin.log_in(username)).status_code == 303
    for path in ADMIN_PAGES:
        page = await intake.client.get(path)
        assert page.status_code == 403, path
        assert "Administrationen är bara för förbundets administratörer" in " ".join(alerts(page))
    refused = await intake.client.post(
        "/admin/insatser", data={"insats_id": "x", "name": "X", "registration": "individ"}
    )
    assert refused.status_code == 403
    assert "x" not in {
        i["insats_id"] for i in (await ok(await intake.client.get("/api/v1/insatser")))["insatser"]
    }


async def test_without_a_login_the_admin_pages_lead_to_the_login(intake, staff) -> None:
    intake.client.cookies.clear()
    for path in ADMIN_PAGES:
        page = await intake.client.get(path)
        assert page.status_code == 303 and page.headers["location"].startswith("/logga-in?next=")


async def test_the_navigation_and_the_start_page_follow_the_role(intake, admin) -> None:
    client = intake.client
    home = await client.get("/")
    assert home.status_code == 200
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', home.text)
    assert ("http://intake:8001/rapport", "Rapporter") in links
    assert ("http://intake:8001/rapport/felmeddelanden", "Felmeddelanden") in links
    assert ("http://intake:8000/admin", "Administration") in links
    assert ("http://intake:8000/insatser", "Mina insatser") in links

    # A login not sent anywhere lands where the role starts.
    for username, landing in (("lisa", "/"), ("ivan", "/insatser"), ("anna", "/")):
        assert (await admin.log_in(username)).headers["location"] == landing
    assert (await admin.log_in("lisa")).status_code == 303
    start = await client.get("/")
    assert (start.status_code, start.headers["location"]) == (303, "http://intake:8001/rapport")
    caseloads = await client.get("/insatser")
    nav = re.findall(r'<a href="([^"]+)">', caseloads.text.split("</nav>")[0])
    # No forms, no admin.
    assert nav == [
        "http://intake:8000/",
        "http://intake:8001/rapport",
        "http://intake:8001/rapport/oversikt",
    ]
    assert (await admin.log_in("ivan")).status_code == 303
    assert (await client.get("/")).headers["location"] == "/insatser"


async def test_an_insats_is_added_and_renamed_once_however_often_sent(intake, admin) -> None:
    await admin.open("/admin/insatser")
    fields = {"insats_id": "steg-1", "name": "Steg ett", "registration": "volym"}
    first, second = [await admin.submit("/admin/insatser", fields) for _ in range(2)]
    assert first.status_code == second.status_code == 201
    assert "Insatsen Steg ett (steg-1) är sparad." in second.text
    assert len(await _audit(intake, "define_insats")) == 1 + 3  # the fixture's three

    taken = await admin.submit("/admin/insatser", fields, form_key="another-form-0123456789")
    assert taken.status_code == 422
    assert "Det finns redan en insats med det id:t." in " ".join(alerts(taken))

    page = await admin.open("/admin/insatser/steg-1")
    assert 'value="Steg ett"' in page.text
    renamed = await admin.submit(
        "/admin/insatser/steg-1", {"name": "Steg 1", "registration": "volym"}
    )
    assert renamed.status_code == 200
    insats = await ok(await intake.client.get("/api/v1/insatser/steg-1"))
    assert (insats["name"], insats["registration"]) == ("Steg 1", "volym")
    listing = await admin.open("/admin/insatser")
    assert "Steg 1" in listing.text and "Volymregistrering" in listing.text


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"insats_id": "Steg 1", "name": "Steg", "registration": "individ"},
            "insats_id",
            "Ange ett id med små bokstäver",
        ),
        (
            {"insats_id": "steg", "name": "", "registration": "individ"},
            "name",
            "Ange insatsens namn",
        ),
        (
            {"insats_id": "steg", "name": "Anna 19850101-1236", "registration": "individ"},
            "name",
            "Det här ser ut som ett personnummer.",
        ),
        (
            {"insats_id": "steg", "name": "Steg", "registration": "annan"},
            "registration",
            "Välj hur insatsen registreras.",
        ),
    ],
)
async def test_a_bad_insats_is_explained_next_to_its_input_and_kept(
    intake, admin, fields, field, message
) -> None:
    page = await _refused_beside(admin, "/admin/insatser", fields, field, message)
    if field != "registration":
        assert f'value="{fields["name"]}"' in page.text
    insatser = (await ok(await intake.client.get("/api/v1/insatser")))["insatser"]
    assert [i["insats_id"] for i in insatser] == ["a", "b", "va"]


async def test_a_registration_kind_in_use_cannot_change(intake, admin) -> None:
    await ok(
        await intake.client.post(
            "/api/v1/insatser/a/participants", json={"start_date": "2025-02-03", "gender": "man"}
        )
    )
    await admin.open("/admin/insatser/a")
    page = await admin.submit("/admin/insatser/a", {"name": "Insats A", "registration": "volym"})
    assert page.status_code == 409
    assert "Insatsen har redan registreringar" in " ".join(alerts(page))
    assert (await ok(await intake.client.get("/api/v1/insatser/a")))["registration"] == "individ"


async def test_a_user_is_added_once_changed_and_deactivated(intake, admin) -> None:
    await admin.open("/admin/anvandare")
    fields = {
        "username": "Berit",
        "role": "insatsansvarig",
        "insatser": ["a", "b"],
        "password": PASSWORD,
    }
    first, second = [await admin.submit("/admin/anvandare", fields) for _ in range(2)]
    assert first.status_code == second.status_code == 201, first.text
    assert len(await _audit(intake, "save_user")) == 1 + 3  # ivan, anna, lisa
    users = {
        u["username"]: u for u in (await ok(await intake.client.get("/api/v1/users")))["users"]
    }
    assert users["berit"] == {
        "username": "berit",
        "role": "insatsansvarig",
        "insatser": ["a", "b"],
        "active": True,
        "has_password": True,
    }
    taken = await admin.submit("/admin/anvandare", fields, form_key="another-form-0123456789")
    assert taken.status_code == 422 and "Det finns redan en användare" in " ".join(alerts(taken))

    page = await admin.open("/admin/anvandare/berit")
    checked = re.findall(r'name="insatser" value="([^"]+)"\s+checked', page.text)
    assert checked == ["a", "b"]
    changed = await admin.submit(
        "/admin/anvandare/berit",
        {"role": "insatsansvarig", "insatser": ["b"], "active": "ja", "password": NEW_PASSWORD},
    )
    assert changed.status_code == 200
    user = await ok(await intake.client.get("/api/v1/users"))
    assert {u["username"]: u["insatser"] for u in user["users"]}["berit"] == ["b"]

    await admin.open("/admin/anvandare/berit")
    deactivated = await admin.submit(
        "/admin/anvandare/berit", {"role": "insatsansvarig", "insatser": ["b"]}
    )
    assert deactivated.status_code == 200 and "inaktiverat" in deactivated.text
    assert (await admin.log_in("berit", NEW_PASSWORD)).status_code == 401


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"username": "x", "role": "lasare", "password": PASSWORD}, "username", "Ange 2–64 tecken"),
        (
            {"username": "berit", "role": "lasare", "password": "kort"},
            "password",
            "Ange ett lösenord med minst 12",
        ),
        ({"username": "berit", "role": "lasare"}, "password", "Ange ett lösenord med minst 12"),
        ({"username": "berit", "role": "chef", "password": PASSWORD}, "role", "Välj en roll."),
        (
            {"username": "berit", "role": "lasare", "insatser": ["a"], "password": PASSWORD},
            "insatser",
            "Bara en insatsansvarig får insatser",
        ),
    ],
)
async def test_a_bad_user_is_explained_next_to_its_input_and_kept(
    intake, admin, fields, field, message
) -> None:
    page = await _refused_beside(admin, "/admin/anvandare", fields, field, message)
    assert f'value="{fields["username"]}"' in page.text
    assert PASSWORD not in page.text  # a password is never shown again
    users = (await ok(await intake.client.get("/api/v1/users")))["users"]
    assert {u["username"] for u in users} == {"ivan", "anna", "lisa"}


async def test_a_token_is_shown_once_listed_and_revoked(intake, admin) -> None:
    await admin.open("/admin/tokens")
    wrong = await admin.submit(
        "/admin/tokens", {"username": "ivan", "expires_in_days": "30", "password": "fel lösenord"}
    )
    assert wrong.status_code == 401 and "Fel lösenord." in " ".join(alerts(wrong))
    assert 'value="30"' in wrong.text
    too_long = await admin.submit(
        "/admin/tokens", {"username": "ivan", "expires_in_days": "9999", "password": PASSWORD}
    )
    assert too_long.status_code == 422 and "Ange ett helt antal dagar, 1–365." in alerts(too_long)
    for attack in ("9" * 5000, "²"):  # once a server error: int() refuses both
        odd = await admin.submit(
            "/admin/tokens", {"username": "ivan", "expires_in_days": attack, "password": PASSWORD}
        )
        assert odd.status_code == 422 and "Ange ett helt antal dagar" in " ".join(alerts(odd))
    listed = (await ok(await intake.client.get("/api/v1/tokens?username=ivan")))["tokens"]
    assert [t["kind"] for t in listed] == ["session"]  # no token made by the refused forms

    issued = await admin.submit(
        "/admin/tokens", {"username": "ivan", "expires_in_days": "30", "password": PASSWORD}
    )
    assert issued.status_code == 201
    secret = re.search(r'<span class="code" id="token">(stv_[^<]+)</span>', issued.text)[1]
    me = await intake.client.get("/api/v1/me", headers=_bearer(secret))
    assert me.json()["username"] == "ivan"
    token_id = me.json()["token_id"]

    listing = await admin.open("/admin/tokens")
    assert token_id in listing.text and secret not in listing.text
    revoked = await admin.submit(f"/admin/tokens/{token_id}/aterkalla", {})
    assert (revoked.status_code, revoked.headers["location"]) == (
        303,
        f"/admin/tokens?aterkallad={token_id}",
    )
    assert (await intake.client.get("/api/v1/me", headers=_bearer(secret))).status_code == 401
    assert (await admin.submit(f"/admin/tokens/{token_id}/aterkalla", {})).status_code == 303


async def test_the_log_is_filtered_by_who_action_and_day(intake, admin) -> None:
    await admin.open("/admin/insatser")
    await admin.submit(
        "/admin/insatser", {"insats_id": "ny", "name": "Ny", "registration": "individ"}
    )
    page = await admin.open("/admin/logg?vem=anna&handling=define_insats")
    rows = re.findall(
        r'<tr><td>([0-9: -]+)</td><td data-label="Vem">([^<]+)</td>\s*'
        r'<td data-label="Handling">([^<]+)</td><td data-label="Vad">([^<]+)</td>',
        page.text,
    )
    assert [row[1:] for row in rows] == [("anna", "Insats sparad", "/api/v1/insatser/ny")]
    day = rows[0][0][:10]
    assert "/api/v1/insatser/ny" in (await admin.open(f"/admin/logg?datum={day}")).text
    assert "/api/v1/insatser/ny" not in (await admin.open("/admin/logg?datum=2001-01-01")).text
    bad = await intake.client.get("/admin/logg?datum=igår")
    assert bad.status_code == 422 and "Ange ett datum (ÅÅÅÅ-MM-DD)." in alerts(bad)


async def test_the_targets_page_links_each_insats_to_the_report_pages(intake, admin) -> None:
    page = await admin.open("/admin/mal")
    assert 'href="http://intake:8001/rapport/mal?insats=a"' in page.text


async def test_a_form_without_its_csrf_token_changes_nothing(intake, admin) -> None:
    await admin.open("/admin/insatser")
    fields = {"insats_id": "x", "name": "X", "registration": "individ"}
    page = await admin.submit("/admin/insatser", fields, csrf_token="0" * 64)
    assert page.status_code == 403
    assert (await intake.client.get("/api/v1/insatser/x")).status_code == 404


async def test_the_first_account_is_made_with_the_admin_token(intake) -> None:
    client = httpx.AsyncClient(transport=intake.client._transport, base_url="http://intake")
    person = Staff(client)
    async with client:
        await person.open("/admin/forsta-kontot")
        fields = {"admin_token": "fel", "username": "forsta", "password": PASSWORD}
        wrong = await person.submit("/admin/forsta-kontot", fields)
        assert wrong.status_code == 401 and 'value="forsta"' in wrong.text
        assert ADMIN_TOKEN not in wrong.text
        short = await person.submit(
            "/admin/forsta-kontot", fields | {"admin_token": ADMIN_TOKEN, "password": "kort"}
        )
        assert short.status_code == 422 and ADMIN_TOKEN not in short.text
        made = await person.submit("/admin/forsta-kontot", fields | {"admin_token": ADMIN_TOKEN})
        assert made.status_code == 201 and "Kontot forsta är skapat som förbundsadmin." in made.text
        again = await person.submit("/admin/forsta-kontot", fields | {"admin_token": ADMIN_TOKEN})
        assert again.status_code == 422
        assert (await person.log_in("forsta")).headers["location"] == "/"
        assert (await client.get("/admin/anvandare")).status_code == 200
    users = (await ok(await intake.client.get("/api/v1/users")))["users"]
    assert [(u["username"], u["role"]) for u in users] == [("forsta", "forbundsadmin")]


async def test_wrong_admin_tokens_are_limited_per_address(intake) -> None:
    client = httpx.AsyncClient(transport=intake.client._transport, base_url="http://intake")
    person = Staff(client)
    async with client:
        await person.open("/admin/forsta-kontot")
        fields = {"admin_token": "fel", "username": "forsta", "password": PASSWORD}
        for _ in range(20):
            assert (await person.submit("/admin/forsta-kontot", fields)).status_code == 401
        right = await person.submit("/admin/forsta-kontot", fields | {"admin_token": ADMIN_TOKEN})
        assert right.status_code == 429
        assert "För många felaktiga försök härifrån." in " ".join(alerts(right))
    assert (await ok(await intake.client.get("/api/v1/users")))["users"] == []


async def test_an_address_naming_nothing_says_so(intake, admin) -> None:
    for path, text in (
        ("/admin/insatser/nosuch", "Det finns ingen sådan insats."),
        ("/admin/anvandare/nosuch", "Det finns ingen sådan användare."),
    ):
        page = await intake.client.get(path)
        assert page.status_code == 404 and text in alerts(page)
    await admin.open("/admin/tokens")
    revoked = await admin.submit("/admin/tokens/0123abcd/aterkalla", {})
    assert revoked.status_code == 404 and "Det finns ingen sådan token." in alerts(revoked)
