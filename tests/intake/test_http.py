"""Intake's HTTP contract (api.md), through the app on a real database and Redis."""

import asyncio
import json
import re
import time

import httpx

from services.intake import bootstrap
from services.intake.bootstrap import requeue_event_log
from shared.contract.events import parse_intake_event

INSATSER = "/api/v1/insatser"
START = {"start_date": "2025-02-03", "gender": "kvinna", "birth_year": 1990}
STOP = {"end_date": "2025-06-30", "reason": "arbete", "health_better": True}


async def _define(client: httpx.AsyncClient, insats_id: str, registration: str = "individ"):
    response = await client.put(
        f"{INSATSER}/{insats_id}", json={"name": insats_id.title(), "registration": registration}
    )
    assert response.status_code in (200, 201), response.text
    return response


async def _start(client: httpx.AsyncClient, insats_id: str = "steget", **headers: str) -> str:
    response = await client.post(
        f"{INSATSER}/{insats_id}/participants", json=START, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()["participant_id"]


def _fields(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    return [item["field"] for item in response.json()["detail"]]


async def _eventually(condition, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not await condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


async def test_every_call_needs_the_token(intake) -> None:
    for headers in ({"Authorization": ""}, {"Authorization": "Bearer not-the-token"}):
        put = await intake.client.put(
            f"{INSATSER}/steget",
            json={"name": "Steget", "registration": "individ"},
            headers=headers,
        )
        listed = await intake.client.get(INSATSER, headers=headers)
        assert (put.status_code, listed.status_code) == (401, 401)
        assert put.headers["www-authenticate"] == "Bearer"
    assert await intake.logged_events() == []
    assert (await intake.client.get(INSATSER)).json() == {"insatser": []}


async def test_the_token_is_checked_first_and_documented_as_the_bearer_scheme(intake) -> None:
    # Neither a bad Idempotency-Key nor a bad body is looked at for a caller without a token.
    refused = await intake.client.post(
        f"{INSATSER}/steget/participants",
        json={"gender": "?"},
        headers={"Authorization": "", "Idempotency-Key": ""},
    )
    assert (refused.status_code, refused.json()) == (401, {"detail": "missing bearer token"})
    document = (await intake.client.get("/openapi.json")).json()
    assert document["components"]["securitySchemes"] == {
        "HTTPBearer": {"type": "http", "scheme": "bearer"}
    }
    start = document["paths"][f"{INSATSER}/{{insats_id}}/participants"]["post"]
    assert start["security"] == [{"HTTPBearer": []}]


async def test_defining_an_insats(intake) -> None:
    client = intake.client
    created = await client.put(
        f"{INSATSER}/steget", json={"name": "Steget", "registration": "individ"}
    )
    assert (created.status_code, created.json()) == (
        201,
        {"insats_id": "steget", "name": "Steget", "registration": "individ"},
    )
    unchanged = await client.put(
        f"{INSATSER}/steget", json={"name": "Steget", "registration": "individ"}
    )
    renamed = await client.put(
        f"{INSATSER}/steget", json={"name": "Steget+", "registration": "individ"}
    )
    assert (unchanged.status_code, renamed.status_code) == (200, 200)
    assert renamed.json()["name"] == "Steget+"
    assert [e.name for _, e in await intake.logged_events()] == ["Steget", "Steget+"]

    assert _fields(
        await client.put(f"{INSATSER}/Steget_1", json={"name": "x", "registration": "individ"})
    ) == ["insats_id"]
    assert _fields(
        await client.put(f"{INSATSER}/kurs", json={"name": "Kurs", "registration": "grupp"})
    ) == ["registration"]

    await _start(client)
    changed = await client.put(
        f"{INSATSER}/steget", json={"name": "Steget+", "registration": "volym"}
    )
    assert changed.status_code == 409
    assert (await client.get(f"{INSATSER}/steget")).json()["registration"] == "individ"
    assert (await client.get(INSATSER)).json() == {
        "insatser": [{"insats_id": "steget", "name": "Steget+", "registration": "individ"}]
    }


async def test_a_participant_from_start_to_stop(intake) -> None:
    client = intake.client
    await _define(client, "steget")
    started = await client.post(f"{INSATSER}/steget/participants", json=START)
    assert started.status_code == 201
    participant = started.json()["participant_id"]
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}", participant)
    base = f"{INSATSER}/steget/participants/{participant}"

    progress = await client.post(
        f"{base}/progress", json={"date": "2025-04-01", "vas": 55, "indicators": {"halsa": 3}}
    )
    assert progress.status_code == 201
    assert set(progress.json()) >= {"event_id", "position"}
    other = await _start(client)
    active = (await client.get(f"{INSATSER}/steget/participants", params={"active": "true"})).json()
    assert {p["participant_id"] for p in active["participants"]} == {participant, other}

    stopped = await client.post(f"{base}/stop", json=STOP)
    assert stopped.status_code == 201
    assert stopped.json()["participant_id"] == participant
    assert (await client.post(f"{base}/stop", json=STOP)).status_code == 409
    assert (await client.post(f"{base}/progress", json={"date": "2025-07-01"})).status_code == 409

    active = (await client.get(f"{INSATSER}/steget/participants?active=true")).json()
    assert active == {
        "participants": [{"participant_id": other, "start_date": "2025-02-03", "end_date": None}]
    }
    everyone = (await client.get(f"{INSATSER}/steget/participants")).json()["participants"]
    assert {
        "participant_id": participant,
        "start_date": "2025-02-03",
        "end_date": "2025-06-30",
    } in everyone

    logged = await intake.logged_events()
    assert [e.type for _, e in logged] == [
        "InsatsDefined",
        "ParticipantStarted",
        "ParticipantProgressed",
        "ParticipantStarted",
        "ParticipantStopped",
    ]
    assert [p for p, _ in logged] == sorted(p for p, _ in logged)
    assert logged[-1][1].event_id == stopped.json()["event_id"]
    assert logged[-1][0] == stopped.json()["position"]


async def test_refusals_name_what_is_wrong(intake) -> None:
    client = intake.client
    await _define(client, "steget")
    await _define(client, "kurs", "volym")
    participant = await _start(client)
    base = f"{INSATSER}/steget/participants/{participant}"
    before = await intake.logged_events()

    assert _fields(await client.post(f"{base}/stop", json={**STOP, "end_date": "2025-02-02"})) == [
        "end_date"
    ]
    assert _fields(await client.post(f"{base}/progress", json={"date": "2024-12-31"})) == ["date"]
    assert _fields(
        await client.post(f"{INSATSER}/steget/participants", json={**START, "gender": "okänd"})
    ) == ["gender"]
    assert _fields(
        await client.post(f"{INSATSER}/steget/participants", json={**START, "personnummer": "x"})
    ) == ["personnummer"]
    ten_years_old = await client.post(
        f"{INSATSER}/steget/participants", json={**START, "birth_year": 2015}
    )
    assert _fields(ten_years_old) == ["birth_year"]
    assert "got 10" in ten_years_old.json()["detail"][0]["msg"]

    assert (await client.post(f"{INSATSER}/saknas/participants", json=START)).status_code == 404
    assert (
        await client.post(f"{INSATSER}/steget/participants/ZZZZ-ZZZZ/stop", json=STOP)
    ).status_code == 404
    assert (
        await client.post(f"{INSATSER}/kurs/participants/{participant}/stop", json=STOP)
    ).status_code == 404
    assert (await client.get(f"{INSATSER}/saknas/participants")).status_code == 404
    volume = {"date": "2025-03-01", "kvinna": 4, "man": 2, "annan": 0}
    assert (await client.post(f"{INSATSER}/steget/volume", json=volume)).status_code == 409
    assert (await client.post(f"{INSATSER}/kurs/participants", json=START)).status_code == 409
    assert (
        await client.post(f"{INSATSER}/kurs/volume", json={**volume, "man": -1})
    ).status_code == 422

    assert await intake.logged_events() == before
    metrics = (await client.get("/metrics")).text
    assert (
        'stegvis_intake_commands_refused_total{command="register_volume",reason="conflict",'
        'status="409"}'
    ) in metrics


async def test_a_retry_with_the_idempotency_key_records_nothing_new(intake) -> None:
    client = intake.client
    await _define(client, "steget")
    path = f"{INSATSER}/steget/participants"
    first = await client.post(path, json=START, headers={"Idempotency-Key": "form-1"})
    # The same request, its JSON written differently.
    again = await client.post(
        path,
        content=json.dumps(dict(reversed(START.items()))),
        headers={"Idempotency-Key": "form-1", "Content-Type": "application/json"},
    )
    assert (again.status_code, again.json()) == (first.status_code, first.json())

    other = await client.post(
        path, json={**START, "gender": "man"}, headers={"Idempotency-Key": "form-1"}
    )
    assert other.status_code == 409

    at_once = await asyncio.gather(
        *(client.post(path, json=START, headers={"Idempotency-Key": "form-2"}) for _ in range(5))
    )
    assert {(r.status_code, r.json()["participant_id"]) for r in at_once} == {
        (201, at_once[0].json()["participant_id"])
    }
    starts = [e for _, e in await intake.logged_events() if e.type == "ParticipantStarted"]
    assert sorted(e.participant_id for e in starts) == sorted(
        [first.json()["participant_id"], at_once[0].json()["participant_id"]]
    )


async def test_accepted_events_reach_the_stream_in_order(intake) -> None:
    client, redis, stream = intake.client, intake.redis, intake.stream
    await _define(client, "steget")
    await _define(client, "kurs", "volym")
    participant = await _start(client)
    await client.post(
        f"{INSATSER}/kurs/volume", json={"date": "2025-03-01", "kvinna": 4, "man": 2, "annan": 1}
    )
    await client.post(f"{INSATSER}/steget/participants/{participant}/stop", json=STOP)

    await _eventually(lambda: _has_entries(intake, 5))
    groups = await redis.xinfo_groups(stream)
    assert [g["name"] for g in groups] == [b"outcomes"]
    # The group was there before the first entry: reading it from its start yields all.
    read = await redis.xreadgroup("outcomes", "test", {stream: ">"}, count=100)
    entries = [fields for _, fields in read[0][1]]
    logged = await intake.logged_events()
    assert [
        (
            f[b"id"].decode(),
            f[b"type"].decode(),
            int(f[b"position"]),
            parse_intake_event(f[b"body"]),
        )
        for f in entries
    ] == [(e.event_id, e.type, p, e) for p, e in logged]

    # Refused calls publish nothing: the next accepted event directly follows.
    await client.post(f"{INSATSER}/steget/participants/{participant}/stop", json=STOP)
    await client.post(f"{INSATSER}/saknas/participants", json=START)
    await client.post(f"{INSATSER}/steget/participants", json={**START, "gender": "x"})
    last = await _start(client)
    await _eventually(lambda: _has_entries(intake, 6))
    entries = await redis.xrange(stream)
    assert len(entries) == 6
    assert parse_intake_event(entries[-1][1][b"body"]).participant_id == last
    assert len(await intake.logged_events()) == 6

    metrics = (await client.get("/metrics")).text
    assert re.search(
        r'stegvis_intake_events_accepted_total\{type="VolumeRegistered"\} [1-9]', metrics
    )


async def test_a_participant_stopped_twice_at_once_is_stopped_once(intake) -> None:
    await _define(intake.client, "steget")
    participant = await _start(intake.client)
    stop = f"{INSATSER}/steget/participants/{participant}/stop"
    answers = await asyncio.gather(*(intake.client.post(stop, json=STOP) for _ in range(4)))
    assert sorted(r.status_code for r in answers) == [201, 409, 409, 409]
    stops = [e for _, e in await intake.logged_events() if e.type == "ParticipantStopped"]
    assert len(stops) == 1


async def test_a_rebuild_requeues_the_whole_log_in_order(intake) -> None:
    assert await requeue_event_log(intake.settings) == 0
    await _define(intake.client, "steget")
    for _ in range(3):
        await _start(intake.client)
    await _eventually(lambda: _has_entries(intake, 4))

    assert await requeue_event_log(intake.settings) == 4
    await _eventually(lambda: _has_entries(intake, 8))
    entries = await intake.redis.xrange(intake.stream)
    ids = [fields[b"id"] for _, fields in entries]
    positions = [int(fields[b"position"]) for _, fields in entries]
    assert (ids[4:], positions[4:]) == (ids[:4], [1, 2, 3, 4])


async def test_a_rebuild_requeues_the_log_in_order_a_chunk_at_a_time(intake, monkeypatch) -> None:
    await _define(intake.client, "steget")
    for _ in range(4):
        await _start(intake.client)
    await _eventually(lambda: _has_entries(intake, 5))
    monkeypatch.setattr(bootstrap, "REQUEUE_CHUNK", 2)

    assert await requeue_event_log(intake.settings) == 5
    await _eventually(lambda: _has_entries(intake, 10))
    entries = await intake.redis.xrange(intake.stream)
    ids = [fields[b"id"] for _, fields in entries]
    positions = [int(fields[b"position"]) for _, fields in entries]
    assert (ids[5:], positions[5:]) == (ids[:5], [1, 2, 3, 4, 5])


async def _has_entries(intake, count: int) -> bool:
    return await intake.redis.xlen(intake.stream) >= count


async def test_starts_at_once_in_one_insats_get_distinct_codes_and_all_reach_the_stream(
    intake,
) -> None:
    await _define(intake.client, "steget")
    path = f"{INSATSER}/steget/participants"
    answers = await asyncio.gather(*(intake.client.post(path, json=START) for _ in range(40)))
    assert {r.status_code for r in answers} == {201}
    codes = [r.json()["participant_id"] for r in answers]
    assert len(set(codes)) == 40

    logged = await intake.logged_events()
    starts = [e for _, e in logged if e.type == "ParticipantStarted"]
    assert sorted(e.participant_id for e in starts) == sorted(codes)
    listed = (await intake.client.get(path)).json()["participants"]
    assert sorted(p["participant_id"] for p in listed) == sorted(codes)
    await _eventually(lambda: _has_entries(intake, 41))
    entries = await intake.redis.xrange(intake.stream)
    assert sorted(f[b"id"].decode() for _, f in entries) == sorted(e.event_id for _, e in logged)


async def test_a_participant_takes_no_progress_after_its_stop_even_at_once(intake) -> None:
    await _define(intake.client, "steget")
    participant = await _start(intake.client)
    base = f"{INSATSER}/steget/participants/{participant}"
    calls = [intake.client.post(f"{base}/stop", json=STOP) for _ in range(6)] + [
        intake.client.post(f"{base}/progress", json={"date": "2025-04-01"}) for _ in range(6)
    ]
    answers = await asyncio.gather(*calls)
    stops, progress = answers[:6], answers[6:]
    assert sorted(r.status_code for r in stops) == [201] + [409] * 5
    assert {r.status_code for r in progress} <= {201, 409}

    logged = [
        (p, e)
        for p, e in await intake.logged_events()
        if getattr(e, "participant_id", None) == participant
    ]
    (stop_position,) = [p for p, e in logged if e.type == "ParticipantStopped"]
    progressed = [p for p, e in logged if e.type == "ParticipantProgressed"]
    assert len(progressed) == sum(r.status_code == 201 for r in progress)
    assert all(p < stop_position for p in progressed)


async def test_registration_does_not_change_under_starts_running_at_once(intake) -> None:
    await _define(intake.client, "steget")
    path = f"{INSATSER}/steget/participants"
    *starts, change = await asyncio.gather(
        *(intake.client.post(path, json=START) for _ in range(12)),
        intake.client.put(f"{INSATSER}/steget", json={"name": "Steget", "registration": "volym"}),
    )
    accepted = sum(r.status_code == 201 for r in starts)
    registration = (await intake.client.get(f"{INSATSER}/steget")).json()["registration"]
    if change.status_code == 200:  # the change came first: no start after it was accepted
        assert (registration, accepted) == ("volym", 0)
        assert {r.status_code for r in starts} == {409}
    else:
        assert (change.status_code, registration) == (409, "individ")
        assert accepted >= 1
    logged = await intake.logged_events()
    assert sum(e.type == "ParticipantStarted" for _, e in logged) == accepted


async def test_request_metrics_are_labelled_by_route_template(intake) -> None:
    from prometheus_client import REGISTRY

    def sample(name: str, **labels: str) -> float:
        return REGISTRY.get_sample_value(name, labels) or 0.0

    template = f"{INSATSER}/{{insats_id}}/participants"
    requests, seconds = "stegvis_http_requests_total", "stegvis_http_request_duration_seconds"
    refused = "stegvis_intake_commands_refused_total"
    counted = {
        "started": (requests, {"route": template, "method": "POST", "status": "201"}),
        "not_found": (requests, {"route": template, "method": "POST", "status": "404"}),
        "unmatched": (requests, {"route": "unmatched", "method": "GET", "status": "404"}),
        "timed": (f"{seconds}_count", {"route": template, "method": "POST"}),
        "refused_404": (refused, {"command": "start", "reason": "not_found", "status": "404"}),
        "refused_422": (
            refused,
            {"command": "start", "reason": "unprocessable_entity", "status": "422"},
        ),
    }
    before = {key: sample(name, **labels) for key, (name, labels) in counted.items()}

    await _define(intake.client, "steget")
    await _start(intake.client)
    await _start(intake.client)  # the same series again (`RequestMetrics` keeps each)
    client = intake.client
    assert (await client.post(f"{INSATSER}/saknas/participants", json=START)).status_code == 404
    assert (await client.post(f"{INSATSER}/steget/participants", json={})).status_code == 422
    assert (await intake.client.get("/nowhere")).status_code == 404
    assert (await intake.client.get(f"{INSATSER}/saknas")).status_code == 404  # not a command

    after = {key: sample(name, **labels) for key, (name, labels) in counted.items()}
    assert {key: after[key] - before[key] for key in counted} == {
        "started": 2,
        "not_found": 1,
        "unmatched": 1,
        "timed": 4,
        "refused_404": 1,
        "refused_422": 1,
    }
    text = (await intake.client.get("/metrics")).text
    assert f'route="{template}"' in text
    assert "/api/v1/insatser/steget/participants" not in text
    assert 'route="/nowhere"' not in text
