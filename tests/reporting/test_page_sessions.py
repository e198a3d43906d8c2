"""The report pages' logins as the review attacked them, on a real database and Redis: a
logout that left the session valid, a constant cookie for the admin token, sessions that
outlived a password change or a deactivation at intake, and forms posted from elsewhere."""

from datetime import UTC, datetime

import httpx
import pytest
from redis.asyncio import Redis

from shared.contract.access import CredentialKind, Role, new_secret
from shared.platform.settings import Settings
from shared.web.sessions import REPORT_SESSION
from tests.conftest import SERVICE_TOKEN
from tests.reporting.accounts import credential, user
from tests.reporting.running import apply_access, csrf_token, log_in, running_reporting
from tests.reporting.test_access_service import BROWSER, INSATSER


@pytest.fixture
async def client(settings: Settings, redis: Redis):
    async with running_reporting(settings, redis, *INSATSER) as client:
        yield client


def _session(response: httpx.Response) -> str:
    assert response.status_code == 303, response.text
    return response.cookies[REPORT_SESSION.name]


async def _status(client: httpx.AsyncClient, session: str) -> int:
    """What the report page answers a browser with this session cookie."""
    client.cookies.set(REPORT_SESSION.name, session)
    return (await client.get("/rapport", headers=BROWSER)).status_code


async def test_a_logout_revokes_the_session_server_side(client) -> None:
    session = _session(await log_in(client, SERVICE_TOKEN))
    page = await client.get("/rapport", headers=BROWSER)
    logged_out = await client.post("/logga-ut", data={"csrf_token": csrf_token(page.text)})
    assert logged_out.status_code == 303
    # The cookie kept (copied, stolen) admits no one after the logout.
    assert await _status(client, session) == 303


async def test_the_admin_token_gives_a_new_session_each_login_never_a_constant(client) -> None:
    first = _session(await log_in(client, SERVICE_TOKEN))
    client.cookies.clear()
    second = _session(await log_in(client, SERVICE_TOKEN))
    assert first != second and SERVICE_TOKEN not in first + second
    assert await _status(client, first) == 200
    assert await _status(client, second) == 200


async def test_a_logout_or_replay_form_not_from_our_page_is_refused(client) -> None:
    session = _session(await log_in(client, SERVICE_TOKEN))
    for forged in ({}, {"csrf_token": "0" * 64}):
        refused = await client.post("/logga-ut", data=forged)
        assert refused.status_code == 403
        assert await _status(client, session) == 200  # still logged in
    replay = await client.post("/rapport/felmeddelanden/x/spela-upp", data={"csrf_token": ""})
    assert replay.status_code == 403


@pytest.mark.parametrize("csrf", [None, "0" * 64])
async def test_a_login_form_not_from_our_page_is_refused(client, csrf) -> None:
    await client.get("/logga-in")  # this browser's own pre-session cookie
    fields = {"token": SERVICE_TOKEN} | ({"csrf_token": csrf} if csrf else {})
    refused = await client.post("/logga-in", data=fields)
    assert refused.status_code == 403
    assert "Formuläret kom inte från Stegvis" in refused.text
    assert REPORT_SESSION.name not in refused.headers.get("set-cookie", "")
    assert (await client.get("/rapport", headers=BROWSER)).status_code == 303


async def test_a_session_ends_when_intake_revokes_its_login_or_deactivates_its_user(
    client, settings: Settings, redis: Redis
) -> None:
    # Anna's login session at intake, and the page session she made with it; Lars's too.
    anna, lars = new_secret(), new_secret()
    session = {"kind": CredentialKind.SESSION}
    await apply_access(
        redis,
        settings,
        user("anna", Role.LASARE),
        user("lars", Role.LASARE),
        credential("anna", anna, **session),
        credential("lars", lars, **session),
    )
    annas = _session(await log_in(client, anna))
    client.cookies.clear()
    lars_page = _session(await log_in(client, lars))
    assert await _status(client, annas) == 200 and await _status(client, lars_page) == 200

    # A new password at intake revokes her sessions; the access stream brings it here.
    revoked = credential("anna", anna, version=2, revoked_at=datetime.now(UTC), **session)
    await apply_access(redis, settings, revoked)
    assert await _status(client, annas) == 303
    # Lars deactivated: his page session ends with him.
    await apply_access(redis, settings, user("lars", Role.LASARE, version=2, active=False))
    assert await _status(client, lars_page) == 303
