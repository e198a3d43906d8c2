"""Who may read what, as reporting runs: intake's users and credentials on a real Redis
stream into a real database (SQLite and PostgreSQL), each secret then answered over the API
and the pages by what its role allows; and every later change (a revocation, a deactivation,
another role) applies at once."""

import html
import json
import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from redis.asyncio import Redis

from shared.contract.access import Role, new_secret
from shared.contract.records import InsatsRegistered
from shared.platform.settings import Settings
from shared.platform.streams import Topology, dead_letter_stream, entry_fields
from tests.conftest import SERVICE_TOKEN
from tests.reporting.accounts import bearer, credential, user
from tests.reporting.running import (
    apply_access,
    caught_up,
    csrf_token,
    log_in,
    running_reporting,
    until,
)

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
T0 = datetime(2025, 5, 1, 8, 0, tzinfo=UTC)
INSATSER = [
    InsatsRegistered(
        change_id=f"c{position}",
        generation=1,
        position=position,
        occurred_at=T0,
        insats_id=insats_id,
        name=name,
        registration="individ",
    )
    for position, (insats_id, name) in enumerate([("a", "Arbetsrehab"), ("b", "Steget")], 1)
]


@pytest.fixture
async def client(settings: Settings, redis: Redis):
    """The reporting app running, with insatser a and b registered."""
    async with running_reporting(settings, redis, *INSATSER) as client:
        yield client


async def _answers(client: httpx.AsyncClient, secret: str) -> dict[str, int]:
    """The status of each report (an insats's, an unknown insats's, the förbund's, an
    export), of the dead letters and of a replay (of an unknown one), for the bearer of
    `secret`."""
    answers = {}
    for insats in ("a", "b", "okand", None):
        params = {"year": 2025, "period": "helar"} | ({"insats": insats} if insats else {})
        response = await client.get("/api/v1/reports", params=params, headers=bearer(secret))
        answers[insats or "förbund"] = response.status_code
    export = await client.get(
        "/api/v1/reports",
        headers=bearer(secret),
        params={"year": 2025, "period": "helar", "insats": "b", "format": "xlsx"},
    )
    for insats in ("b", None):
        response = await client.get(
            "/api/v1/reports/series",
            headers=bearer(secret),
            params={"from_year": 2024, "to_year": 2025} | ({"insats": insats} if insats else {}),
        )
        answers[f"series of {insats or 'förbund'}"] = response.status_code
    dead_letters = await client.get("/api/v1/dead-letters", headers=bearer(secret))
    replay = await client.post(
        "/api/v1/dead-letters/intake.events.outcomes:1-0/replay", headers=bearer(secret)
    )
    set_targets = await client.put(
        "/api/v1/insatser/a/targets", headers=bearer(secret), json={"positive_exits": 40}
    )
    targets = await client.get("/api/v1/insatser/b/targets", headers=bearer(secret))
    return (
        answers
        | {
            "export of b": export.status_code,
            "dead letters": dead_letters.status_code,
            "replay": replay.status_code,
            "set targets of a": set_targets.status_code,
            "targets of b": targets.status_code,
        }
        | await _board_answers(client, secret)
    )


BOARD = {
    "budget": ("budget/2025", {"budget": 1_000}),
    "costs": ("costs/2025-01", {"amount": 100}),
    "goals": ("goals", [{"figure": "new", "at_least": 5}]),
}
"""What the förbund's admins set for the board: path under the insats, and a body."""


async def _board_answers(client: httpx.AsyncClient, secret: str) -> dict[str, int]:
    """The status of setting each of `BOARD` on insats a and reading it of insats b."""
    answers = {}
    for name, (path, body) in BOARD.items():
        put = await client.put(f"/api/v1/insatser/a/{path}", headers=bearer(secret), json=body)
        get = await client.get(f"/api/v1/insatser/b/{path}", headers=bearer(secret))
        answers |= {f"set {name} of a": put.status_code, f"{name} of b": get.status_code}
    return answers


async def _insatser(client: httpx.AsyncClient, secret: str) -> list[str]:
    response = await client.get("/api/v1/insatser", headers=bearer(secret))
    return [insats["insats_id"] for insats in response.json()]


ALL = {
    "a": 200,
    "b": 200,
    "okand": 404,
    "förbund": 200,
    "export of b": 200,
    "series of b": 200,
    "series of förbund": 200,
    "dead letters": 200,
    "replay": 404,
    "set targets of a": 200,
    "targets of b": 200,
} | {answer: 200 for name in BOARD for answer in (f"set {name} of a", f"{name} of b")}
NOT_ADMIN = {"dead letters": 403, "replay": 403, "set targets of a": 403} | {
    f"set {name} of a": 403 for name in BOARD
}
READING_B = {"export of b", "series of b", "targets of b", *(f"{name} of b" for name in BOARD)}
ONLY_A = {
    "a": 200,
    "b": 403,
    "okand": 403,
    "förbund": 403,
    "series of förbund": 403,
    **dict.fromkeys(READING_B, 403),
} | NOT_ADMIN
ONLY_B = ONLY_A | {"a": 403, "b": 200} | dict.fromkeys(READING_B, 200)
UNKNOWN = dict.fromkeys(ALL, 401)


async def test_each_role_reads_what_it_may(client, settings: Settings, redis: Redis) -> None:
    anna, lars, frida = new_secret(), new_secret(), new_secret()
    await apply_access(
        redis,
        settings,
        user("anna", Role.INSATSANSVARIG, "a"),
        credential("anna", anna),
        user("lars", Role.LASARE),
        credential("lars", lars),
        user("frida", Role.FORBUNDSADMIN),
        credential("frida", frida),
    )
    # An insatsansvarig: the insats granted, nothing else; an unknown insats is refused, not
    # looked up, so a refusal tells which insatser exist no more than an answer does.
    assert await _answers(client, anna) == ONLY_A
    assert await _insatser(client, anna) == ["a"]
    assert await _answers(client, lars) == ALL | NOT_ADMIN
    assert await _insatser(client, lars) == ["a", "b"]
    assert await _answers(client, frida) == ALL
    assert await _answers(client, new_secret()) == UNKNOWN

    refused = await client.get(
        "/api/v1/reports", headers=bearer(anna), params={"year": 2025, "period": "helar"}
    )
    assert refused.json() == {"detail": "not granted the whole förbund's report"}


async def test_a_change_of_access_applies_at_once(client, settings: Settings, redis: Redis) -> None:
    anna, lars, frida, erik = (new_secret() for _ in range(4))
    await apply_access(
        redis,
        settings,
        user("anna", Role.INSATSANSVARIG, "a"),
        credential("anna", anna),
        user("lars", Role.LASARE),
        credential("lars", lars),
        user("frida", Role.FORBUNDSADMIN),
        credential("frida", frida),
        user("erik", Role.LASARE),
        credential("erik", erik, expires_at=datetime.now(UTC) - timedelta(seconds=1)),
    )
    assert await _answers(client, erik) == UNKNOWN  # expired
    assert await _answers(client, anna) == ONLY_A

    await apply_access(
        redis,
        settings,
        credential("anna", anna, version=2, revoked_at=datetime.now(UTC)),
        user("frida", Role.FORBUNDSADMIN, version=2, active=False),
        user("lars", Role.INSATSANSVARIG, "b", version=2),  # the same credential, a new role
    )
    assert await _answers(client, anna) == UNKNOWN
    assert await _answers(client, frida) == UNKNOWN
    assert await _answers(client, lars) == ONLY_B

    # What was current before, arriving late (a redelivery, a republish): changes nothing.
    await apply_access(
        redis,
        settings,
        credential("anna", anna),
        user("frida", Role.FORBUNDSADMIN),
        user("lars", Role.LASARE),
    )
    assert await _answers(client, anna) == UNKNOWN
    assert await _answers(client, frida) == UNKNOWN
    assert await _insatser(client, lars) == ["b"]


def _text(page: str) -> str:
    page = re.sub(r"<(style|title)>.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page))).strip()


async def test_a_person_logs_in_with_their_own_secret_and_sees_only_what_they_may(
    client, settings: Settings, redis: Redis
) -> None:
    anna = new_secret()
    await apply_access(
        redis, settings, user("anna", Role.INSATSANSVARIG, "a"), credential("anna", anna)
    )
    logged_in = await log_in(client, anna, "/rapport")
    assert logged_in.status_code == 303 and logged_in.headers["location"] == "/rapport"
    cookie = logged_in.headers["set-cookie"]
    # A session of the pages' own in the cookie, never the secret (a logout revokes it).
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and anna not in cookie

    # No insats asked: her own, not the förbund's; only hers to choose; no dead letters.
    page = await client.get("/rapport", headers=BROWSER)
    assert page.status_code == 200
    text = _text(page.text)
    assert f"Arbetsrehab: Helår {datetime.now().year}" in text
    assert "Inloggad som anna" in text
    assert '<option value="a" selected>Arbetsrehab</option>' in page.text
    assert 'value="b"' not in page.text and "Hela förbundet" not in page.text
    assert "Felmeddelanden" not in page.text

    other = await client.get("/rapport", params={"insats": "b"}, headers=BROWSER)
    assert other.status_code == 403
    assert "Du har inte behörighet till den här insatsen." in _text(other.text)
    assert "Steget" not in other.text
    whole = await client.get("/rapport", params={"insats": ""}, headers=BROWSER)
    assert whole.status_code == 403
    assert "Du har inte behörighet till hela förbundets rapport." in _text(whole.text)
    dead_letters = await client.get("/rapport/felmeddelanden", headers=BROWSER)
    assert dead_letters.status_code == 403
    assert "Felmeddelandena visas bara för förbundets administratörer." in _text(dead_letters.text)
    assert '<html lang="sv">' in dead_letters.text

    # The bearer header works on the pages too, by the same rules.
    client.cookies.clear()
    by_header = await client.get("/rapport", params={"insats": "a"}, headers=bearer(anna))
    assert by_header.status_code == 200 and "Logga ut" not in by_header.text
    assert (
        await client.get("/rapport", params={"insats": "b"}, headers=bearer(anna))
    ).status_code == 403

    # Revoked, her session ends at once; a wrong secret logs no one in.
    await log_in(client, anna)
    await apply_access(
        redis, settings, credential("anna", anna, version=2, revoked_at=datetime.now(UTC))
    )
    ended = await client.get("/rapport", headers=BROWSER)
    assert ended.status_code == 303 and ended.headers["location"].startswith("/logga-in")
    wrong = await log_in(client, anna)
    assert wrong.status_code == 401 and "Fel åtkomsttoken" in _text(wrong.text)


async def test_a_poison_access_change_is_set_aside_and_the_next_one_applies(
    client, settings: Settings, redis: Redis
) -> None:
    stream = Topology(settings.stream_prefix).intake_access
    dead = dead_letter_stream(stream, "reporting")
    await redis.xadd(stream, {"id": "junk", "body": b"\xff not json"})
    invalid = json.dumps({"type": "UserChanged", "version": 1, "username": "Frida!"})
    await redis.xadd(stream, entry_fields("invalid", "UserChanged", 1, invalid))
    frida = new_secret()
    await redis.xadd(
        stream,
        entry_fields(
            "frida-1", "UserChanged", 1, user("frida", Role.FORBUNDSADMIN).model_dump_json()
        ),
    )
    await redis.xadd(
        stream,
        entry_fields(
            "frida-cred-1", "CredentialChanged", 1, credential("frida", frida).model_dump_json()
        ),
    )

    await until(lambda: _has(redis, dead, 2), "dead-lettered the poison")
    await until(lambda: caught_up(redis, stream, "reporting"), "caught up")
    listed = await client.get("/api/v1/dead-letters", headers=bearer(frida))
    assert listed.status_code == 200
    letters = {letter["fields"]["id"]: letter for letter in listed.json()["dead_letters"]}
    assert set(letters) == {"junk", "invalid"}
    for letter in letters.values():
        assert (letter["stream"], letter["group"]) == (stream, "reporting")
        assert letter["deliveries"] == settings.max_deliveries
        assert letter["error"].startswith("PoisonMessage: ")
    assert "username" in letters["invalid"]["error"]

    # Frida, an admin by her own secret, reads them on the page; its forms carry a token
    # of her session, which no other session's token replaces.
    await log_in(client, frida)
    page = await client.get("/rapport/felmeddelanden")
    assert page.status_code == 200 and "2 meddelanden väntar" in page.text
    her_token = csrf_token(page.text)
    gone = await client.post(
        "/rapport/felmeddelanden/nothing/spela-upp", data={"csrf_token": her_token}
    )
    assert gone.status_code == 404  # past the form token: there is no such dead letter
    client.cookies.clear()
    await log_in(client, SERVICE_TOKEN)
    admin_token = csrf_token((await client.get("/rapport/felmeddelanden")).text)
    assert admin_token != her_token
    foreign = await client.post(
        "/rapport/felmeddelanden/nothing/spela-upp", data={"csrf_token": her_token}
    )
    assert foreign.status_code == 403


async def _has(redis: Redis, stream: str, count: int) -> bool:
    return await redis.xlen(stream) >= count
