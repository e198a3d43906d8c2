"""The attacks of the login review, each through intake's HTTP API or its forms on a real
database and Redis: a parallel burst of wrong passwords, an address locked out, sessions
that outlive a password change or a deactivation, a token minted from a session, tokens
for ever, a client address made up, and a login form posted from elsewhere."""

import asyncio

import httpx
import pytest

from services.intake.adapters.passwords import Argon2Passwords
from tests.intake.forms_support import PASSWORD, Staff

LIMIT = 3


@pytest.fixture
def intake_settings() -> dict:
    return {"login_max_failures": LIMIT, "token_max_days": 30, "trusted_proxies": ["10.0.0.9"]}


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


async def _user(client: httpx.AsyncClient, username: str, **changes: object) -> None:
    body = {"role": "lasare", "password": PASSWORD} | changes
    response = await client.put(f"/api/v1/users/{username}", json=body)
    assert response.status_code in (200, 201), response.text


async def _log_in(
    client: httpx.AsyncClient, username: str, password: str = PASSWORD, **headers: str
) -> httpx.Response:
    return await client.post(
        "/api/v1/sessions",
        json={"username": username, "password": password},
        headers={"Authorization": ""} | headers,
    )


@pytest.fixture
def verifications(monkeypatch) -> list[str]:
    """The passwords argon2 verified (a spy on the real hasher)."""
    verified: list[str] = []
    real = Argon2Passwords._verify

    def spy(self, password_hash: str | None, password: str) -> bool:
        verified.append(password)
        return real(self, password_hash, password)

    monkeypatch.setattr(Argon2Passwords, "_verify", spy)
    return verified


async def test_a_burst_of_wrong_passwords_at_once_verifies_at_most_the_limit(
    intake, verifications
) -> None:
    client = intake.client
    await _user(client, "ivan")
    burst = await asyncio.gather(
        *(_log_in(client, "ivan", f"gissning nummer {n:02d}") for n in range(40))
    )
    statuses = sorted(response.status_code for response in burst)
    assert len(verifications) == LIMIT
    assert statuses == [401] * LIMIT + [429] * (40 - LIMIT)
    assert (await _log_in(client, "ivan")).status_code == 429  # the username waits


async def test_an_attackers_failures_from_an_address_never_refuse_a_right_password(
    intake,
) -> None:
    client = intake.client
    for username in ("ivan", "lisa", "lena"):
        await _user(client, username)
    # Wrong passwords for made-up users from the one address everyone shares (a proxy):
    # far past the address's limit (10 × the username's).
    for n in range(10 * LIMIT + 5):
        await _log_in(client, f"gissning-{n}", "fel lösenord")
    wrong = await _log_in(client, "lena", "fel lösenord")
    assert wrong.status_code == 429 and int(wrong.headers["retry-after"]) > 0
    assert (await _log_in(client, "ivan")).status_code == 201
    assert (await _log_in(client, "lisa")).status_code == 201
    assert (await _log_in(client, "lena")).status_code == 201


async def test_forwarded_addresses_are_believed_from_a_trusted_proxy_only(intake) -> None:
    client = intake.client
    await _user(client, "ivan")
    spoofed = {"X-Forwarded-For": "192.0.2.1"}
    # From an untrusted peer the header is ignored: the failures count for the peer...
    for n in range(10 * LIMIT):
        await _log_in(client, f"gissning-{n}", "fel lösenord", **spoofed)
    assert (await _log_in(client, "okand", "fel lösenord")).status_code == 429
    # ...whereas a trusted proxy's forwarded address is the client's own.
    proxy = httpx.AsyncClient(
        transport=httpx.ASGITransport(client._transport.app, client=("10.0.0.9", 4000)),
        base_url="http://intake",
    )
    async with proxy:
        elsewhere = await _log_in(
            proxy, "okand", "fel lösenord", **{"X-Forwarded-For": "192.0.2.7"}
        )
        assert elsewhere.status_code == 401


async def test_a_password_change_or_a_deactivation_ends_the_users_sessions(intake) -> None:
    client = intake.client
    await _user(client, "ivan")
    session = (await _log_in(client, "ivan")).json()["token"]
    token = (await client.post("/api/v1/tokens", json={"username": "ivan"})).json()["token"]
    await _user(client, "ivan", password="ett helt nytt lösenord 7")
    assert (await client.get("/api/v1/me", headers=_bearer(session))).status_code == 401
    assert (await client.get("/api/v1/me", headers=_bearer(token))).status_code == 200
    listed = (await client.get("/api/v1/tokens", params={"username": "ivan"})).json()["tokens"]
    assert {t["kind"]: t["revoked_at"] is not None for t in listed} == {
        "session": True,
        "token": False,
    }

    again = (await _log_in(client, "ivan", "ett helt nytt lösenord 7")).json()["token"]
    await _user(client, "ivan", active=False)
    await _user(client, "ivan", active=True)  # back again: the old session stays ended
    assert (await client.get("/api/v1/me", headers=_bearer(again))).status_code == 401


async def test_a_token_from_a_session_needs_the_password_again(intake) -> None:
    client = intake.client
    await _user(client, "ivan")
    session = _bearer((await _log_in(client, "ivan")).json()["token"])
    asked = {"username": "ivan", "expires_in_days": 30}
    without = await client.post("/api/v1/tokens", json=asked, headers=session)
    assert without.status_code == 422
    assert without.json()["detail"][0]["field"] == "password"
    wrong = await client.post("/api/v1/tokens", json=asked | {"password": "fel"}, headers=session)
    assert wrong.status_code == 401
    right = await client.post(
        "/api/v1/tokens", json=asked | {"password": PASSWORD}, headers=session
    )
    assert right.status_code == 201 and right.json()["kind"] == "token"
    # A token of one's own needs no password to make another: it is no session.
    by_token = _bearer(right.json()["token"])
    assert (await client.post("/api/v1/tokens", json=asked, headers=by_token)).status_code == 201
    tokens = (await client.get("/api/v1/tokens", params={"username": "ivan"})).json()["tokens"]
    assert sorted(t["kind"] for t in tokens) == ["session", "token", "token"]


async def test_a_token_longer_than_the_cap_is_refused(intake) -> None:
    client = intake.client
    await _user(client, "ivan")
    over = await client.post("/api/v1/tokens", json={"username": "ivan", "expires_in_days": 31})
    assert over.status_code == 422
    assert over.json()["detail"][0]["field"] == "expires_in_days"
    assert "30" in over.json()["detail"][0]["msg"]
    assert (await client.get("/api/v1/tokens", params={"username": "ivan"})).json() == {
        "tokens": []
    }


@pytest.mark.parametrize("csrf_token", [None, "", "0" * 64, "from another browser"])
async def test_a_login_form_not_from_our_page_is_refused(intake, csrf_token) -> None:
    client = intake.client
    await _user(client, "ivan")
    client.headers.pop("Authorization")
    if csrf_token == "from another browser":
        other = Staff(httpx.AsyncClient(transport=client._transport, base_url="http://intake"))
        await other.open("/logga-in")
        csrf_token = other.hidden["csrf_token"]
    await Staff(client).open("/logga-in")  # this browser has its own pre-session cookie
    fields = {"username": "ivan", "password": PASSWORD, "next": "/insatser"}
    if csrf_token is not None:
        fields["csrf_token"] = csrf_token
    refused = await client.post("/logga-in", data=fields)
    assert refused.status_code == 403
    assert "Formuläret kom inte från Stegvis" in refused.text
    assert "stegvis_session" not in refused.headers.get("set-cookie", "")
    assert (await client.get("/insatser")).status_code == 303  # not logged in
