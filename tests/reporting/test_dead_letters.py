"""Poison on both streams, end to end: outcomes and reporting running on a real Redis and a
real database (SQLite and PostgreSQL). Each poison entry is retried a bounded number of times,
set aside with its error and counted, while the entries behind it are applied; the admin
reads the dead letters over the API and the page, and replays them once a fixed version
runs: each then counts exactly once, however often it is replayed or re-sent."""

import json
import re
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import date

import httpx
import pytest
from prometheus_client import REGISTRY
from redis.asyncio import Redis

from services.outcomes import bootstrap as outcomes
from services.outcomes.entrypoints import subscriber as outcomes_subscriber
from services.reporting import bootstrap as reporting
from services.reporting.entrypoints import subscriber as reporting_subscriber
from shared.contract.events import InsatsDefined, ParticipantStarted, ParticipantStopped
from shared.platform.consumer import PoisonMessage
from shared.platform.settings import Settings
from shared.platform.streams import StreamEntry, Topology, dead_letter_stream, entry_fields
from tests.conftest import SERVICE_AUTH as AUTH
from tests.conftest import SERVICE_TOKEN
from tests.reporting.running import caught_up, csrf_token, log_in, report, until

DEFINE = InsatsDefined(insats_id="a", name="Arbetsrehab", registration="individ")
P1 = ParticipantStarted(
    insats_id="a", participant_id="P1", start_date=date(2025, 1, 10), gender="kvinna"
)
P1_STOP = ParticipantStopped(
    insats_id="a", participant_id="P1", end_date=date(2025, 3, 1), reason="arbete"
)
# The running version's bugs: it cannot read P2's start (outcomes) or P3's change (reporting).
P2 = ParticipantStarted(
    insats_id="a", participant_id="P2", start_date=date(2025, 2, 1), gender="man"
)
P3 = ParticipantStarted(
    insats_id="a", participant_id="P3", start_date=date(2025, 4, 1), gender="annan"
)
INVALID_EVENT = json.dumps(
    {
        "type": "ParticipantStarted",
        "insats_id": "a",
        "participant_id": "PX",
        "start_date": "2025-13-01",
        "gender": "okand",
        "municipality": "x" * 400,
    }
)
INVALID_CHANGE = json.dumps({"type": "ParticipantRecordChanged", "change_id": "c-bad"})


def _buggy(decode: Callable, participant: str) -> Callable:
    def decode_as_the_buggy_version(entry: StreamEntry):
        if f'"participant_id":"{participant}"'.encode() in entry.fields.get(b"body", b""):
            raise PoisonMessage(f"the running version cannot read {participant}")
        return decode(entry)

    return decode_as_the_buggy_version


@asynccontextmanager
async def _running(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """Outcomes and reporting running; a client of reporting."""
    # SQLite has one writer per file: each service gets its own, as under `stegvis up`.
    if settings.database_url.startswith("sqlite"):
        settings = settings.model_copy(update={"database_url": None})
    async with AsyncExitStack() as stack:
        apps = [service.create_app(settings) for service in (outcomes, reporting)]
        for app in apps:
            await stack.enter_async_context(app.router.lifespan_context(app))
        yield await stack.enter_async_context(
            httpx.AsyncClient(transport=httpx.ASGITransport(app=apps[-1]), base_url="http://t")
        )


def _counted(name: str, stream: str, group: str) -> float:
    return REGISTRY.get_sample_value(name, {"stream": stream, "group": group}) or 0


async def _figures(client: httpx.AsyncClient) -> dict[str, int]:
    figures = (await report(client, year=2025, period="helar"))["figures"]
    return {name: figures[name]["total"] for name in ("new", "ended", "participants")}


async def test_poison_is_set_aside_with_its_error_and_counts_once_when_replayed_after_a_fix(
    settings: Settings, redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    topology = Topology(settings.stream_prefix)
    events, changes = topology.intake_events, topology.outcome_changes
    dead_events = dead_letter_stream(events, "outcomes")
    dead_changes = dead_letter_stream(changes, "reporting")
    for n, (message_id, body) in enumerate(
        [
            (DEFINE.event_id, DEFINE.model_dump_json()),
            (P1.event_id, P1.model_dump_json()),
            ("junk", b"\xff\xfe not json"),
            ("invalid", INVALID_EVENT),
            (P2.event_id, P2.model_dump_json()),
            (P1_STOP.event_id, P1_STOP.model_dump_json()),  # behind the poison
            (P3.event_id, P3.model_dump_json()),
        ],
        start=1,
    ):
        await redis.xadd(events, entry_fields(message_id, "T", n, "") | {"body": body})
    await redis.xadd(changes, {"id": "junk-change", "body": b"\x00\xff"})
    await redis.xadd(changes, entry_fields("c-bad", "ParticipantRecordChanged", 1, INVALID_CHANGE))

    monkeypatch.setattr(outcomes_subscriber, "decode", _buggy(outcomes_subscriber.decode, "P2"))
    monkeypatch.setattr(reporting_subscriber, "decode", _buggy(reporting_subscriber.decode, "P3"))
    async with _running(settings) as client:
        await until(lambda: _has(redis, dead_events, 3), "dead-lettered 3 events")
        await until(lambda: _has(redis, dead_changes, 3), "dead-lettered 3 changes")
        await until(lambda: caught_up(redis, events, "outcomes"), "caught up on events")
        await until(lambda: caught_up(redis, changes, "reporting"), "caught up on changes")
        before_fix = await _figures(client)
        listed = await client.get("/api/v1/dead-letters", headers=AUTH)
        assert (await client.get("/api/v1/dead-letters")).status_code == 401
        wrong = {"Authorization": "Bearer not-the-admin-token-at-all"}
        assert (await client.get("/api/v1/dead-letters", headers=wrong)).status_code == 401
        to_login = await client.get("/rapport/felmeddelanden", headers={"Accept": "text/html"})
        assert to_login.headers["location"] == "/logga-in?next=%2Frapport%2Ffelmeddelanden"

    # P1's stop came behind the poison, and counts; P2 and P3 wait in the dead letters.
    assert before_fix == {"new": 1, "ended": 1, "participants": 1}
    for stream in (events, changes):
        group = topology.consumer_groups(stream)[0]
        assert _counted("stegvis_stream_dead_lettered_messages_total", stream, group) == 3
    assert listed.status_code == 200
    body = listed.json()
    assert body["total"] == 6
    letters = {letter["fields"]["id"]: letter for letter in body["dead_letters"]}
    assert set(letters) == {"junk", "invalid", P2.event_id, "junk-change", "c-bad", P3.event_id}
    for letter in letters.values():
        assert letter["deliveries"] == settings.max_deliveries
        assert letter["error"].startswith("PoisonMessage: ")
        assert re.fullmatch(r"[0-9]+-[0-9]+", letter["entry_id"])
    assert letters["junk"]["fields"]["body"] == r"\xff\xfe not json"
    assert "Invalid JSON" in letters["junk"]["error"]
    assert "start_date" in letters["invalid"]["error"]
    assert letters["invalid"]["fields"]["body"].endswith("…")  # shortened
    assert (letters[P2.event_id]["stream"], letters[P2.event_id]["group"]) == (events, "outcomes")
    assert letters[P2.event_id]["error"] == "PoisonMessage: the running version cannot read P2"
    assert (letters[P3.event_id]["stream"], letters[P3.event_id]["group"]) == (changes, "reporting")

    monkeypatch.undo()  # the fixed version is deployed
    async with _running(settings) as client:
        p2_id = letters[P2.event_id]["dead_letter_id"]
        replayed = await client.post(f"/api/v1/dead-letters/{p2_id}/replay", headers=AUTH)
        assert replayed.status_code == 202
        assert replayed.json()["stream"] == events
        # P3 from the page, as the admin would, logged in with the token.
        await log_in(client, SERVICE_TOKEN, "/")
        page = await client.get("/rapport/felmeddelanden")
        assert page.status_code == 200
        form_token = csrf_token(page.text)
        p3_id = letters[P3.event_id]["dead_letter_id"]
        action = f"/rapport/felmeddelanden/{p3_id}/spela-upp"
        assert (await client.post(action, data={"csrf_token": "guess"})).status_code == 403
        gone = await client.post(
            "/rapport/felmeddelanden/nothing/spela-upp", data={"csrf_token": form_token}
        )
        assert gone.status_code == 404 and "finns inte" in gone.text
        from_page = await client.post(action, data={"csrf_token": form_token})
        assert from_page.status_code == 303
        assert from_page.headers["location"] == "/rapport/felmeddelanden?uppspelat=1"
        await until(lambda: _counts_three(client), "counted the replayed")

        # Replayed again, re-sent by a relay, and an unknown id: none of it counts again.
        again = await client.post(f"/api/v1/dead-letters/{p2_id}/replay", headers=AUTH)
        assert again.status_code == 202 and again.json() == replayed.json()
        unknown = await client.post(
            "/api/v1/dead-letters/intake.events.outcomes:1-0/replay", headers=AUTH
        )
        assert unknown.status_code == 404
        garbage = await client.post("/api/v1/dead-letters/nothing/replay", headers=AUTH)
        assert garbage.status_code == 404
        duplicates = [
            _counted(
                "stegvis_stream_duplicate_messages_total",
                stream,
                topology.consumer_groups(stream)[0],
            )
            for stream in (events, changes)
        ]
        [*_, (_, p3_change)] = [
            entry
            for entry in await redis.xrange(changes)
            if b'"participant_id":"P3"' in entry[1][b"body"]
        ]
        await redis.xadd(events, entry_fields(P2.event_id, P2.type, 5, P2.model_dump_json()))
        await redis.xadd(changes, p3_change)
        await until(lambda: _more_duplicates(topology, duplicates), "saw the duplicates")
        await until(lambda: caught_up(redis, events, "outcomes"), "caught up on events")
        await until(lambda: caught_up(redis, changes, "reporting"), "caught up on changes")
        after_fix = await _figures(client)
        still_dead = (await client.get("/api/v1/dead-letters", headers=AUTH)).json()
        page = await client.get("/rapport/felmeddelanden")

    assert after_fix == {"new": 3, "ended": 1, "participants": 3}
    assert {letter["fields"]["id"] for letter in still_dead["dead_letters"]} == {
        "junk",
        "invalid",
        "junk-change",
        "c-bad",
    }  # not a message of ours: fixed by no one
    assert still_dead["total"] == 4
    assert "Spela upp igen" in page.text and "Invalid JSON" in page.text
    assert "4 meddelanden väntar" in page.text


async def _has(redis: Redis, stream: str, count: int) -> bool:
    return await redis.xlen(stream) >= count


async def _counts_three(client: httpx.AsyncClient) -> bool:
    return (await _figures(client))["new"] >= 3  # more would fail the assertion, not hang


async def _more_duplicates(topology: Topology, before: list[float]) -> bool:
    now = [
        _counted(
            "stegvis_stream_duplicate_messages_total", stream, topology.consumer_groups(stream)[0]
        )
        for stream in (topology.intake_events, topology.outcome_changes)
    ]
    return all(n > b for n, b in zip(now, before))
