"""One login for people: the report pages admit intake's session cookie (a login at intake's
form, learned from the access stream as a session credential) exactly as a bearer token,
until intake revokes it; a logout here leads to intake's, which ends it everywhere. And the
targets page of the förbund's admins."""

from datetime import UTC, datetime

import pytest
from redis.asyncio import Redis

from shared.contract.access import CredentialKind, Role, new_secret
from shared.platform.settings import Settings
from shared.web.sessions import INTAKE_SESSION
from tests.conftest import SERVICE_AUTH
from tests.reporting.accounts import credential, user
from tests.reporting.running import apply_access, csrf_token, running_reporting
from tests.reporting.test_access_service import BROWSER, INSATSER

SESSION = {"kind": CredentialKind.SESSION}


@pytest.fixture
async def client(settings: Settings, redis: Redis):
    async with running_reporting(settings, redis, *INSATSER) as client:
        yield client


async def _as_person(client, redis, settings, username: str, role: Role, *insatser: str) -> str:
    """`username` logged in at intake: the session's secret in intake's cookie here."""
    secret = new_secret()
    await apply_access(
        redis, settings, user(username, role, *insatser), credential(username, secret, **SESSION)
    )
    client.cookies.set(INTAKE_SESSION.name, secret)
    return secret


async def test_intakes_session_cookie_opens_the_report_pages_until_revoked(
    client, redis, settings
) -> None:
    secret = await _as_person(client, redis, settings, "lisa", Role.LASARE)
    page = await client.get("/rapport", headers=BROWSER)
    assert page.status_code == 200
    assert "Inloggad som lisa" in page.text
    nav = page.text.split('<nav class="site"')[1].split("</nav>")[0]
    assert 'href="http://t:8001/rapport"' in nav and "Administration" not in nav

    # The logout at intake: the session's new state, revoked, on the access stream.
    revoked = credential("lisa", secret, version=2, revoked_at=datetime.now(UTC), **SESSION)
    await apply_access(redis, settings, revoked)
    again = await client.get("/rapport", headers=BROWSER)
    assert (again.status_code, again.headers["location"]) == (303, "/logga-in?next=%2Frapport")


async def test_the_logout_here_is_a_link_to_intakes(client, redis, settings) -> None:
    await _as_person(client, redis, settings, "lisa", Role.LASARE)
    page = await client.get("/rapport", headers=BROWSER)
    # Only intake ends its session (everywhere), and a form may not post to another origin.
    assert '<a href="http://t:8000/logga-ut">Logga ut</a>' in page.text
    assert 'action="/logga-ut"' not in page.text


async def test_the_login_page_offers_the_peoples_login(client) -> None:
    page = await client.get("/logga-in")
    assert 'href="http://t:8000/logga-in"' in page.text


async def test_the_admins_set_an_insats_targets_on_a_page(client, redis, settings) -> None:
    await _as_person(client, redis, settings, "anna", Role.FORBUNDSADMIN)
    page = await client.get("/rapport/mal?insats=a", headers=BROWSER)
    assert page.status_code == 200, page.text
    token = csrf_token(page.text)
    bad = await client.post(
        "/rapport/mal?insats=a", data={"csrf_token": token, "direct_to_work_or_studies": "140"}
    )
    assert bad.status_code == 422
    assert "Ange en hel procent, 0–100" in bad.text and 'value="140"' in bad.text
    for attack in ("9" * 5000, "²"):  # once a server error: int() refuses both
        odd = await client.post(
            "/rapport/mal?insats=a", data={"csrf_token": token, "direct_to_work_or_studies": attack}
        )
        assert odd.status_code == 422 and "Ange en hel procent, 0–100" in odd.text
    unchanged = await client.get("/api/v1/insatser/a/targets", headers=SERVICE_AUTH)
    assert unchanged.json()["targets"] == {}
    for _ in range(2):  # sent twice: the same targets
        saved = await client.post(
            "/rapport/mal?insats=a", data={"csrf_token": token, "direct_to_work_or_studies": "40"}
        )
        assert saved.status_code == 200 and "Målen är sparade." in saved.text
    targets = await client.get("/api/v1/insatser/a/targets", headers=SERVICE_AUTH)
    assert targets.json()["targets"] == {"direct_to_work_or_studies": 40}


async def test_only_the_admins_see_the_targets_page(client, redis, settings) -> None:
    await _as_person(client, redis, settings, "lisa", Role.LASARE)
    page = await client.get("/rapport/mal?insats=a", headers=BROWSER)
    assert (
        page.status_code == 403 and "Målen sätts bara av förbundets administratörer." in page.text
    )
    refused = await client.post(
        "/rapport/mal?insats=a", data={"csrf_token": "0" * 64, "direct_to_work_or_studies": "40"}
    )
    assert refused.status_code == 403
    targets = await client.get("/api/v1/insatser/a/targets", headers=SERVICE_AUTH)
    assert targets.json()["targets"] == {}
