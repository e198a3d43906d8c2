"""Corrections and voids under `stegvis up`: registered at intake, they flow through outcomes
and reporting like any other event, and the figures of the periods they touch change."""

import time

import httpx

from tests.e2e.conftest import System

START = {"start_date": "2025-02-03", "gender": "kvinna"}
STOP = {"end_date": "2025-06-30", "reason": "arbete"}
FIGURES = ("participants", "new", "ended", "positive_exits", "other_exits", "ongoing_at_end")


def _ok(response: httpx.Response) -> dict:
    assert response.status_code in (200, 201), f"{response.status_code} {response.text}"
    return response.json()


def _eventually_reported(system: System, expected: dict[str, dict[str, int]]) -> None:
    """Until the helår 2025 of `ratta` shows `expected` (figure → column → count)."""
    deadline = time.monotonic() + 30
    params = {"year": 2025, "period": "helar", "insats": "ratta"}
    while True:
        response = system.reporting.get("/api/v1/reports", params=params)
        found = None  # until reporting knows the insats
        if response.status_code == 200:
            figures = response.json()["figures"]
            found = {
                name: {column: figures[name][column] for column in expected[name]}
                for name in expected
            }
            if found == expected:
                return
        assert time.monotonic() < deadline, f"still {found}, expected {expected}"
        time.sleep(0.2)


def _counts(**columns: int) -> dict[str, int]:
    return {"total": sum(columns.values()), "kvinna": 0, "man": 0} | columns


def test_corrected_and_voided_events_change_the_figures(system: System) -> None:
    intake = system.intake
    _ok(intake.put("/api/v1/insatser/ratta", json={"name": "Rätta", "registration": "individ"}))
    code = _ok(intake.post("/api/v1/insatser/ratta/participants", json=START))["participant_id"]
    path = f"/api/v1/insatser/ratta/participants/{code}"
    _ok(intake.post(f"{path}/stop", json=STOP))

    def event_id(kind: str) -> str:
        events = _ok(intake.get(f"{path}/events"))["events"]
        return next(event["event_id"] for event in events if kind in event)

    _eventually_reported(system, {"ended": _counts(kvinna=1), "positive_exits": _counts(kvinna=1)})

    # The stop was wrongly registered as work: it was illness.
    _ok(
        intake.post(
            f"{path}/events/{event_id('stop')}/correction",
            json={"stop": STOP | {"reason": "sjukdom"}},
        )
    )
    _eventually_reported(system, {"positive_exits": _counts(), "other_exits": _counts(kvinna=1)})

    # Kön was wrongly registered too.
    _ok(
        intake.post(
            f"{path}/events/{event_id('start')}/correction",
            json={"start": START | {"gender": "man"}},
        )
    )
    _eventually_reported(system, {"new": _counts(man=1), "other_exits": _counts(man=1)})

    # The participant did not stop after all: the stop is voided.
    _ok(intake.post(f"{path}/events/{event_id('stop')}/void"))
    _eventually_reported(system, {"ended": _counts(), "ongoing_at_end": _counts(man=1)})

    # And was never a participant: the whole registration is voided.
    _ok(intake.post(f"{path}/events/{event_id('start')}/void"))
    _eventually_reported(system, {name: _counts() for name in FIGURES})
