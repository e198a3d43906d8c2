"""Structured logs as an operator's log store reads them: every line of every service is one
JSON object, and one intake event can be followed through all three by its `event_id`."""

import json
import logging
import time
from datetime import UTC, datetime

from shared.platform.logs import JsonLines, batch_trace, trace
from tests.deploy.conftest import Stack


def _lines(stack: Stack, name: str) -> list[dict]:
    text = stack.services[name].log.read_text(errors="replace")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _mentions(stack: Stack, event_id: str) -> dict[str, str]:
    """Service name → the message of its first line about `event_id`."""
    found = {}
    for name in stack.services:
        for line in _lines(stack, name):
            if line.get("event_id") == event_id or event_id in line.get("event_ids", ()):
                found[name] = line["message"]
                break
    return found


def _followed_through(stack: Stack, event_id: str, seconds: float = 60) -> dict[str, str]:
    """Waits until intake, outcomes and reporting have each logged a line about `event_id`."""
    deadline = time.monotonic() + seconds
    while True:
        mentions = _mentions(stack, event_id)
        if {name.split("-")[0] for name in mentions} == {"intake", "outcomes", "reporting"}:
            return mentions
        assert time.monotonic() < deadline, f"event seen only by {mentions}"
        time.sleep(0.2)


def test_one_event_is_followed_through_every_service_by_its_id(stack: Stack) -> None:
    with stack.client("intake") as intake:
        assert (
            intake.put(
                "/api/v1/insatser/loggad", json={"name": "Loggad", "registration": "individ"}
            ).status_code
            == 201
        )
        started = intake.post(
            "/api/v1/insatser/loggad/participants",
            json={"start_date": "2026-03-02", "gender": "annan"},
        ).json()
        # Two outcomes replicas may take a start and its stop in parallel; a stop applied
        # before its start only yields a change under the start's id. Let the start through
        # first, so that the stop's own change is the one that carries the stop.
        _followed_through(stack, started["event_id"])
        stopped = intake.post(
            f"/api/v1/insatser/loggad/participants/{started['participant_id']}/stop",
            json={"end_date": "2026-04-30", "reason": "studier"},
        ).json()
    mentions = _followed_through(stack, stopped["event_id"])
    assert mentions["intake"] == "event accepted"
    assert mentions["reporting"].endswith("changes applied")
    for name in stack.services:  # every line parsed above: each is one JSON object
        assert all(
            {"time", "level", "service", "message"} <= set(line) for line in _lines(stack, name)
        ), name


def _outcomes_line(message: str, args: tuple, extra: dict[str, object]) -> dict:
    """The JSON line outcomes writes for an INFO record with `extra`, without its time."""
    record = logging.LogRecord("x", logging.INFO, __file__, 1, message, args, None)
    record.__dict__.update(extra)
    line = json.loads(JsonLines("outcomes").format(record))
    assert line.pop("time")
    assert line.pop("level") == "info"
    assert line.pop("service") == "outcomes"
    assert line.pop("logger") == "x"
    return line


def test_a_line_about_an_event_carries_its_id_type_and_position() -> None:
    assert _outcomes_line("event %s", ("applied",), trace("e-1", "ParticipantStarted", 7)) == {
        "message": "event applied",
        "event_id": "e-1",
        "event_type": "ParticipantStarted",
        "position": 7,
    }


def test_a_line_about_a_batch_names_every_event_and_the_positions_it_spans() -> None:
    traced = batch_trace([("e-2", 9), ("e-1", 7), ("e-3", 12)])
    assert _outcomes_line("%d events applied", (3,), traced) == {
        "message": "3 events applied",
        "event_ids": ["e-2", "e-1", "e-3"],
        "positions": [7, 12],
    }


def test_a_line_s_time_is_its_record_s_in_utc_to_the_millisecond() -> None:
    formatter = JsonLines("intake")
    # Within one second, then the next: the formatter makes a second's text once.
    for created in (1_780_000_000.0, 1_780_000_000.25, 1_780_000_000.999, 1_780_000_001.5):
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "m", (), None)
        record.created, record.msecs = created, (created - int(created)) * 1000
        written = json.loads(formatter.format(record))["time"]
        assert written == datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")
