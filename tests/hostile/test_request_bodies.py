"""Bodies no client should send: too large, nested too deeply, not JSON, not UTF-8, holding
what a database cannot store. Each is refused with a JSON body saying why, and records
nothing."""

import json

import pytest

from tests.intake.conftest import RunningIntake

START = {"start_date": "2025-02-03", "gender": "kvinna"}
PARTICIPANTS = "/api/v1/insatser/steget/participants"
LIMIT = 64 * 1024  # the default of STEGVIS_MAX_REQUEST_BYTES
TOO_LARGE = {"detail": f"the request body is larger than {LIMIT} bytes"}


async def _post(intake: RunningIntake, content: bytes, content_type: str):
    return await intake.client.post(
        PARTICIPANTS, content=content, headers={"Content-Type": content_type}
    )


def _fields(response) -> list[str]:
    assert response.status_code == 422, response.text
    return [item["field"] for item in response.json()["detail"]]


async def test_a_streamed_body_is_refused_once_it_passes_the_limit(running_intake) -> None:
    """No Content-Length (chunked): read only until the limit is passed. (A declared
    Content-Length over it is answered unread: test_slow_clients.py, over the wire.)"""
    before = len(await running_intake.logged_events())
    sent = 0

    async def chunks():
        nonlocal sent
        for _ in range(1000):  # 1 MB in all, unless reading stops
            sent += 1
            yield b" " * 1024

    response = await running_intake.client.post(
        PARTICIPANTS, content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert (response.status_code, response.json()) == (413, TOO_LARGE)
    assert sent <= LIMIT // 1024 + 2
    assert len(await running_intake.logged_events()) == before


@pytest.mark.parametrize("depth", [30_000, 500])
async def test_deeply_nested_json_is_refused_without_a_server_error(running_intake, depth) -> None:
    """30,000 levels fit in the limit but not in Python's recursion (the parser's
    RecursionError becomes a 400); 500 parse, and are refused for what they hold."""
    before = len(await running_intake.logged_events())
    nested = b"[" * depth + b"]" * depth
    as_body = await _post(running_intake, nested, "application/json")
    in_a_field = await _post(
        running_intake,
        b'{"start_date": "2025-02-03", "gender": "kvinna", "municipality": ' + nested + b"}",
        "application/json",
    )
    if depth > 1000:
        for response in (as_body, in_a_field):
            assert response.status_code == 400, response.text
            assert response.json() == {"detail": "There was an error parsing the body"}
    else:
        assert _fields(as_body) == ["body"]
        assert _fields(in_a_field) == ["municipality"]
    assert len(await running_intake.logged_events()) == before


COMMANDS = [
    ("PUT", "/api/v1/insatser/steget", {"name": "Steget", "registration": "individ"}),
    ("POST", PARTICIPANTS, START),
    (
        "POST",
        "/api/v1/insatser/kurs/volume",
        {"date": "2025-03-01", "kvinna": 1, "man": 0, "annan": 0},
    ),
]


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/xml",
        None,
    ],
)
async def test_every_command_refuses_a_body_not_declared_json_alike(
    running_intake, content_type
) -> None:
    before = len(await running_intake.logged_events())
    for method, path, body in COMMANDS:
        headers = {"Content-Type": content_type} if content_type else {}
        response = await running_intake.client.request(
            method, path, content=json.dumps(body).encode(), headers=headers
        )
        assert response.status_code == 415, (path, response.text)
        assert response.json() == {
            "detail": "the body must be JSON, sent as Content-Type: "
            f"application/json (got {content_type or 'none'})"
        }
    form = await running_intake.client.post(PARTICIPANTS, data=START)
    assert form.status_code == 415
    assert len(await running_intake.logged_events()) == before


async def test_json_that_is_not_utf8_or_not_json_is_refused_with_a_reason(running_intake) -> None:
    before = len(await running_intake.logged_events())
    latin1 = json.dumps({**START, "municipality": "Malmö"}, ensure_ascii=False).encode("latin-1")
    for content in (latin1, b'{"start_date": "\xff\xfe"}'):
        response = await _post(running_intake, content, "application/json")
        assert response.status_code == 400
        assert response.json() == {"detail": "There was an error parsing the body"}

    cut_short = await _post(running_intake, b'{"start_date":', "application/json")
    assert _fields(cut_short) == ["body"]
    assert "not valid JSON at character 14" in cut_short.json()["detail"][0]["msg"]

    lone_surrogate = b'{"start_date": "2025-02-03", "gender": "man", "municipality": "\\ud800"}'
    assert _fields(await _post(running_intake, lone_surrogate, "application/json")) == [
        "municipality"
    ]
    assert len(await running_intake.logged_events()) == before


async def test_text_a_database_cannot_store_is_refused_by_field(running_intake) -> None:
    """NUL in text fails PostgreSQL's insert (a 500 before); line breaks and tabs have no
    place in a name or a municipality either."""
    before = len(await running_intake.logged_events())
    client = running_intake.client
    for text in ("Ste\x00get", "Ste\nget", "Ste\tget"):
        renamed = await client.put(
            "/api/v1/insatser/steget", json={"name": text, "registration": "individ"}
        )
        assert _fields(renamed) == ["name"]
        assert "control characters" in renamed.json()["detail"][0]["msg"]
        started = await client.post(PARTICIPANTS, json={**START, "municipality": text})
        assert _fields(started) == ["municipality"]
    stop = await client.post(
        f"{PARTICIPANTS}/K7M2%00QX9D/stop", json={"end_date": "2025-06-30", "reason": "arbete"}
    )
    assert _fields(stop) == ["participant_id"]
    assert len(await running_intake.logged_events()) == before
