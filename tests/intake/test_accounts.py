"""Accounts through intake's HTTP API on a real database and Redis: users and grants, the
role matrix of every endpoint, tokens that expire or are revoked, logins and their rate
limit, the audit log, and the access stream reporting authenticates from."""

import asyncio
import time
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import select

from services.intake.adapters import tables
from shared.contract.access import parse_access_change, secret_hash
from shared.platform.db import create_engine
from shared.platform.streams import Topology

INSATSER = "/api/v1/insatser"
START = {"start_date": "2025-02-03", "gender": "kvinna"}
STOP = {"end_date": "2025-06-30", "reason": "arbete"}
VOLUME = {"date": "2025-03-01", "kvinna": 1, "man": 2, "annan": 0}
PASSWORD = "ett långt lösenord 42"


@pytest.fixture
def intake_settings() -> dict:
    # Sessions that end within the test; a rate limit small enough to reach.
    return {"session_hours": 1.5 / 3600, "login_max_failures": 3}


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


async def _ok(response: httpx.Response, *statuses: int) -> dict:
    assert response.status_code in (statuses or (200, 201)), response.text
    return response.json()


async def _user(client: httpx.AsyncClient, username: str, role: str, *granted: str) -> str:
    """Create the user with a password; returns an API token of theirs."""
    await _ok(
        await client.put(
            f"/api/v1/users/{username}",
            json={"role": role, "insatser": list(granted), "password": PASSWORD},
        )
    )
    issued = await _ok(await client.post("/api/v1/tokens", json={"username": username}))
    return issued["token"]


async def _start(client: httpx.AsyncClient, insats_id: str) -> dict[str, str]:
    """A participant started: its code and path, and its start's event id."""
    started = await _ok(await client.post(f"{INSATSER}/{insats_id}/participants", json=START))
    return started | {"path": f"{INSATSER}/{insats_id}/participants/{started['participant_id']}"}


@pytest.fixture
async def förbund(intake) -> dict[str, dict[str, str]]:
    """Insatser a and b (individ), va and vb (volym); a participant in each of a and b; and
    one caller of each role (the insatsansvarig granted a and va)."""
    client = intake.client
    for insats_id, registration in (
        ("a", "individ"),
        ("b", "individ"),
        ("va", "volym"),
        ("vb", "volym"),
    ):
        await _ok(
            await client.put(
                f"{INSATSER}/{insats_id}", json={"name": insats_id, "registration": registration}
            )
        )
    return {
        "admin": client.headers,
        "forbundsadmin": _bearer(await _user(client, "fia", "forbundsadmin")),
        "insatsansvarig": _bearer(await _user(client, "ivan", "insatsansvarig", "a", "va")),
        "lasare": _bearer(await _user(client, "lisa", "lasare")),
    }


ROLES = ("admin", "forbundsadmin", "insatsansvarig", "lasare")


def _statuses(admin: int, forbundsadmin: int, insatsansvarig: int, lasare: int) -> dict:
    return dict(zip(ROLES, (admin, forbundsadmin, insatsansvarig, lasare), strict=True))


# (what, method, path, body, expected status per role). `{a}`/`{b}`: the path of a
# participant of a or b started for this call alone (so each role's stop has a participant
# to stop), `{sa}`/`{sb}` its start's event id.
MATRIX = [
    (
        "define insats",
        "PUT",
        f"{INSATSER}/a",
        {"name": "A", "registration": "individ"},
        _statuses(200, 200, 403, 403),
    ),
    ("start in a", "POST", f"{INSATSER}/a/participants", START, _statuses(201, 201, 201, 403)),
    ("start in b", "POST", f"{INSATSER}/b/participants", START, _statuses(201, 201, 403, 403)),
    (
        "progress in a",
        "POST",
        "{a}/progress",
        {"date": "2025-03-01", "vas": 50},
        _statuses(201, 201, 201, 403),
    ),
    (
        "progress in b",
        "POST",
        "{b}/progress",
        {"date": "2025-03-01", "vas": 50},
        _statuses(201, 201, 403, 403),
    ),
    ("stop in a", "POST", "{a}/stop", STOP, _statuses(201, 201, 201, 403)),
    ("stop in b", "POST", "{b}/stop", STOP, _statuses(201, 201, 403, 403)),
    ("events in a", "GET", "{a}/events", None, _statuses(200, 200, 200, 403)),
    ("events in b", "GET", "{b}/events", None, _statuses(200, 200, 403, 403)),
    (
        "correct in a",
        "POST",
        "{a}/events/{sa}/correction",
        {"start": START},
        _statuses(201, 201, 201, 403),
    ),
    (
        "correct in b",
        "POST",
        "{b}/events/{sb}/correction",
        {"start": START},
        _statuses(201, 201, 403, 403),
    ),
    ("void in a", "POST", "{a}/events/{sa}/void", None, _statuses(201, 201, 201, 403)),
    ("void in b", "POST", "{b}/events/{sb}/void", None, _statuses(201, 201, 403, 403)),
    ("volume in va", "POST", f"{INSATSER}/va/volume", VOLUME, _statuses(201, 201, 201, 403)),
    ("volume in vb", "POST", f"{INSATSER}/vb/volume", VOLUME, _statuses(201, 201, 403, 403)),
    ("list insatser", "GET", INSATSER, None, _statuses(200, 200, 200, 200)),
    ("read insats a", "GET", f"{INSATSER}/a", None, _statuses(200, 200, 200, 403)),
    ("read insats b", "GET", f"{INSATSER}/b", None, _statuses(200, 200, 403, 403)),
    ("participants of a", "GET", f"{INSATSER}/a/participants", None, _statuses(200, 200, 200, 403)),
    ("participants of b", "GET", f"{INSATSER}/b/participants", None, _statuses(200, 200, 403, 403)),
    ("save a user", "PUT", "/api/v1/users/olle", {"role": "lasare"}, _statuses(200, 200, 403, 403)),
    ("list users", "GET", "/api/v1/users", None, _statuses(200, 200, 403, 403)),
    (
        "token for another",
        "POST",
        "/api/v1/tokens",
        {"username": "olle"},
        _statuses(201, 201, 403, 403),
    ),
    ("another's tokens", "GET", "/api/v1/tokens?username=fia", None, _statuses(200, 200, 403, 403)),
    ("own tokens", "GET", "/api/v1/tokens", None, _statuses(200, 200, 200, 200)),
    ("who am I", "GET", "/api/v1/me", None, _statuses(200, 200, 200, 200)),
    ("audit log", "GET", "/api/v1/audit", None, _statuses(200, 200, 403, 403)),
]


async def test_every_endpoint_allows_each_role_what_it_may_and_nothing_else(
    intake, förbund
) -> None:
    client = intake.client
    await _ok(await client.put("/api/v1/users/olle", json={"role": "lasare"}))
    outcomes: dict[tuple[str, str], int] = {}
    for what, method, path, body, _expected in MATRIX:
        for role in ROLES:
            a, b = await _start(client, "a"), await _start(client, "b")
            url = path.format(a=a["path"], b=b["path"], sa=a["event_id"], sb=b["event_id"])
            response = await client.request(method, url, json=body, headers=förbund[role])
            outcomes[what, role] = response.status_code
            if response.status_code == 403:
                assert response.json()["detail"], response.text
    expected = {(what, role): matrix[role] for what, *_rest, matrix in MATRIX for role in ROLES}
    assert outcomes == expected


async def test_a_caller_sees_only_the_insatser_granted(intake, förbund) -> None:
    listed = {
        role: [
            i["insats_id"]
            for i in (await intake.client.get(INSATSER, headers=förbund[role])).json()["insatser"]
        ]
        for role in ROLES
    }
    assert listed == {
        "admin": ["a", "b", "va", "vb"],
        "forbundsadmin": ["a", "b", "va", "vb"],
        "insatsansvarig": ["a", "va"],
        "lasare": [],
    }


async def test_a_refused_write_changes_nothing(intake, förbund) -> None:
    before = await intake.logged_events()
    refused = await intake.client.post(
        f"{INSATSER}/b/participants", json=START, headers=förbund["insatsansvarig"]
    )
    assert refused.status_code == 403
    assert await intake.logged_events() == before


async def test_grants_must_name_insatser_and_belong_to_an_insatsansvarig(intake) -> None:
    await _ok(
        await intake.client.put(f"{INSATSER}/a", json={"name": "A", "registration": "individ"})
    )
    unknown = await intake.client.put(
        "/api/v1/users/ivan", json={"role": "insatsansvarig", "insatser": ["a", "nope"]}
    )
    reader = await intake.client.put(
        "/api/v1/users/lisa", json={"role": "lasare", "insatser": ["a"]}
    )
    short = await intake.client.put(
        "/api/v1/users/lisa", json={"role": "lasare", "password": "kort"}
    )
    for response, field in ((unknown, "insatser"), (reader, "insatser"), (short, "password")):
        assert response.status_code == 422, response.text
        assert [item["field"] for item in response.json()["detail"]] == [field]
    assert "nope" in unknown.json()["detail"][0]["msg"]
    assert (await intake.client.get("/api/v1/users")).json() == {"users": []}


async def test_a_change_of_grants_applies_to_tokens_already_issued(intake, förbund) -> None:
    ivan = förbund["insatsansvarig"]
    assert (await intake.client.get(f"{INSATSER}/b", headers=ivan)).status_code == 403
    await _ok(
        await intake.client.put(
            "/api/v1/users/ivan", json={"role": "insatsansvarig", "insatser": ["b"]}
        )
    )
    assert (await intake.client.get(f"{INSATSER}/b", headers=ivan)).status_code == 200
    assert (await intake.client.get(f"{INSATSER}/a", headers=ivan)).status_code == 403
    await _ok(
        await intake.client.put(
            "/api/v1/users/ivan", json={"role": "insatsansvarig", "active": False}
        )
    )
    assert (await intake.client.get("/api/v1/me", headers=ivan)).status_code == 401


async def test_a_revoked_token_fails_at_once_and_revoking_is_the_owners_or_an_admins(
    intake, förbund
) -> None:
    client = intake.client
    lisa = förbund["lasare"]
    second = await _ok(await client.post("/api/v1/tokens", json={"username": "lisa"}, headers=lisa))
    fia_tokens = (await client.get("/api/v1/tokens?username=fia")).json()["tokens"]
    others = await client.delete(f"/api/v1/tokens/{fia_tokens[0]['token_id']}", headers=lisa)
    assert others.status_code == 404
    revoked = await _ok(await client.delete(f"/api/v1/tokens/{second['token_id']}", headers=lisa))
    assert revoked["revoked_at"] is not None
    assert (await client.get("/api/v1/me", headers=_bearer(second["token"]))).status_code == 401
    assert (await client.get("/api/v1/me", headers=lisa)).status_code == 200
    listed = (await client.get("/api/v1/tokens", headers=lisa)).json()["tokens"]
    assert all("token" not in item and "secret_hash" not in item for item in listed)
    assert {item["token_id"]: item["revoked_at"] is not None for item in listed} == {
        second["token_id"]: True,
        next(i["token_id"] for i in listed if i["token_id"] != second["token_id"]): False,
    }


async def test_a_login_gives_a_session_that_expires_and_can_be_ended(intake, förbund) -> None:
    client = intake.client
    session = await _ok(
        await client.post(
            "/api/v1/sessions", json={"username": "ivan", "password": PASSWORD}, headers={}
        )
    )
    assert session["kind"] == "session"
    me = await _ok(await client.get("/api/v1/me", headers=_bearer(session["token"])))
    assert me == {
        "username": "ivan",
        "role": "insatsansvarig",
        "insatser": ["a", "va"],
        "token_id": session["token_id"],
    }
    await _eventually_refused(client, session["token"], seconds=10)

    again = await _ok(
        await client.post(
            "/api/v1/sessions", json={"username": "ivan", "password": PASSWORD}, headers={}
        )
    )
    await _ok(await client.delete("/api/v1/sessions/current", headers=_bearer(again["token"])))
    assert (await client.get("/api/v1/me", headers=_bearer(again["token"]))).status_code == 401


async def _eventually_refused(client: httpx.AsyncClient, secret: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while (await client.get("/api/v1/me", headers=_bearer(secret))).status_code != 401:
        assert time.monotonic() < deadline, "the session never expired"
        await asyncio.sleep(0.1)


async def test_failed_logins_are_refused_alike_then_rate_limited(intake, förbund) -> None:
    client = intake.client

    async def log_in(username: str, password: str) -> httpx.Response:
        return await client.post(
            "/api/v1/sessions", json={"username": username, "password": password}, headers={}
        )

    wrong = await log_in("ivan", "fel lösenord här")
    nobody = await log_in("ingen-alls", PASSWORD)
    assert (wrong.status_code, nobody.status_code) == (401, 401)
    assert wrong.json() == nobody.json()  # whether the user exists is not told
    await log_in("ivan", "fel igen, fel igen")
    await log_in("ivan", "och en tredje gång")
    throttled = await log_in("ivan", PASSWORD)  # even the right password, for now
    assert throttled.status_code == 429
    assert int(throttled.headers["retry-after"]) > 0
    assert (await log_in("lisa", PASSWORD)).status_code == 201  # others log in meanwhile
    assert (await log_in("li\x00sa", PASSWORD)).status_code == 422  # no NUL reaches SQL


async def test_every_accepted_write_is_in_the_audit_log(intake, förbund) -> None:
    ivan = förbund["insatsansvarig"]
    me = (await intake.client.get("/api/v1/me", headers=ivan)).json()
    await _ok(await intake.client.post(f"{INSATSER}/a/participants", json=START, headers=ivan))
    refused = await intake.client.post(f"{INSATSER}/b/participants", json=START, headers=ivan)
    assert refused.status_code == 403
    entries = (await intake.client.get("/api/v1/audit")).json()["entries"]
    newest = entries[0]
    assert (newest["actor"], newest["token_id"], newest["action"], newest["target"]) == (
        "ivan",
        me["token_id"],
        "start",
        f"{INSATSER}/a/participants",
    )
    actions = [(e["actor"], e["action"]) for e in reversed(entries)]
    assert actions[:4] == [("admin", "define_insats")] * 4
    assert ("admin", "save_user") in actions and ("admin", "issue_token") in actions


async def test_users_and_credentials_reach_the_access_stream_without_secrets(
    intake, förbund
) -> None:
    stream = Topology(intake.settings.stream_prefix).intake_access

    async def published() -> list:
        return [
            parse_access_change(fields[b"body"])
            for _id, fields in await intake.redis.xrange(stream)
        ]

    changes = await _wait_for(published, lambda found: len(found) >= 6)
    users = {c.username: c for c in changes if c.type == "UserChanged"}
    assert {name: (u.role.value, u.insatser) for name, u in users.items()} == {
        "fia": ("forbundsadmin", ()),
        "ivan": ("insatsansvarig", ("a", "va")),
        "lisa": ("lasare", ()),
    }
    secret = förbund["lasare"]["Authorization"].removeprefix("Bearer ")
    hashes = {c.secret_hash for c in changes if c.type == "CredentialChanged"}
    assert secret_hash(secret) in hashes
    raw = b"".join(fields[b"body"] for _id, fields in await intake.redis.xrange(stream))
    assert secret.encode() not in raw and PASSWORD.encode() not in raw
    assert b"argon2" not in raw  # nor a password's hash

    engine = create_engine(intake.settings.service_database_url("intake"))
    try:
        async with engine.connect() as connection:
            stored = (
                (await connection.execute(select(tables.access.users.c.password_hash)))
                .scalars()
                .all()
            )
    finally:
        await engine.dispose()
    assert stored and all(h.startswith("$argon2id$") and PASSWORD not in h for h in stored)


async def _wait_for(read: Callable, done: Callable, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while not done(found := await read()):
        assert time.monotonic() < deadline, f"not in time: {found}"
        await asyncio.sleep(0.05)
    return found
