"""End to end: `stegvis up` on a fresh data dir, as a coordinator would run it.

A year of hand-made events for two insatser (and a volume insats) goes in through the API;
three reports are checked figure by figure against values worked out by hand (the working is
in the comments); then outcomes is SIGKILLed while events flow, and a rebuild from the event
log reproduces the same figures.
"""

import subprocess
import sys
import time

import httpx
import pytest

from tests.e2e.conftest import System

pytestmark = pytest.mark.e2e

GENDERS = ("kvinna", "man", "annan")


def _post(client: httpx.Client, path: str, body: dict) -> dict:
    response = client.post(path, json=body)
    assert response.status_code == 201, f"{path}: {response.status_code} {response.text}"
    return response.json()


def _start(client: httpx.Client, insats: str, body: dict) -> str:
    return _post(client, f"/api/v1/insatser/{insats}/participants", body)["participant_id"]


def _stop(client: httpx.Client, insats: str, participant: str, body: dict) -> dict:
    return _post(client, f"/api/v1/insatser/{insats}/participants/{participant}/stop", body)


def _define(client: httpx.Client, insats: str, name: str, registration: str) -> None:
    response = client.put(
        f"/api/v1/insatser/{insats}", json={"name": name, "registration": registration}
    )
    assert response.status_code == 201, response.text


def _columns(total: int, kvinna: int, man: int, annan: int) -> dict[str, int]:
    return {"total": total, "kvinna": kvinna, "man": man, "annan": annan}


def _wait_for(system: System, last_position: int, seconds: float = 60) -> None:
    """Until the reports reflect the event at `last_position` (and all before it)."""
    deadline = time.monotonic() + seconds
    while True:
        through = system.report(year=2025, period="helar")["processed_through"]
        if through["position"] >= last_position:
            return
        assert time.monotonic() < deadline, f"reports stuck at {through}"
        time.sleep(0.2)


def _register_hand_made_year(intake: httpx.Client) -> int:
    """The events the expected figures below were worked out from; returns the last position."""
    _define(intake, "arbetsrehab", "Arbetsrehab", "individ")
    _define(intake, "steget", "Steget", "individ")
    _define(intake, "halsoskolan", "Hälsoskolan", "volym")

    a = "arbetsrehab"
    p1 = _start(
        intake,
        a,
        {
            "start_date": "2024-03-10",
            "gender": "kvinna",
            "birth_year": 1985,
            "vas": 40,
            "activity_hours_per_week": 10,
        },
    )
    p2 = _start(intake, a, {"start_date": "2024-11-01", "gender": "man"})
    p6 = _start(intake, a, {"start_date": "2024-05-05", "gender": "kvinna"})
    _stop(
        intake, a, p6, {"end_date": "2024-10-10", "reason": "arbetstraning", "health_better": True}
    )
    _stop(
        intake,
        a,
        p1,
        {
            "end_date": "2025-02-14",
            "reason": "arbete",
            "health_better": True,
            "activity_increased": True,
            "work_capacity": "narmat",
            "vas": 60,
            "respect": 6,
        },
    )
    p3 = _start(intake, a, {"start_date": "2025-01-15", "gender": "kvinna", "vas": 30})
    _post(
        intake,
        f"/api/v1/insatser/{a}/participants/{p3}/progress",
        {"date": "2025-03-01", "vas": 40},
    )
    _stop(
        intake,
        a,
        p3,
        {
            "end_date": "2025-06-15",
            "reason": "studier",
            "health_better": True,
            "vas": 55,
            "respect": 5,
        },
    )
    _start(intake, a, {"start_date": "2025-04-01", "gender": "annan"})
    p5 = _start(intake, a, {"start_date": "2025-08-20", "gender": "man"})
    _stop(
        intake,
        a,
        p2,
        {
            "end_date": "2025-09-30",
            "reason": "annan_insats",
            "health_better": False,
            "activity_increased": False,
            "work_capacity": "lika",
        },
    )
    p7 = _start(
        intake, a, {"start_date": "2025-10-01", "gender": "man", "activity_hours_per_week": 5}
    )
    _post(
        intake,
        f"/api/v1/insatser/{a}/participants/{p7}/progress",
        {"date": "2025-11-15", "activity_hours_per_week": 12},
    )
    _stop(intake, a, p5, {"end_date": "2025-12-31", "reason": "sjukdom"})

    b = "steget"
    q2 = _start(intake, b, {"start_date": "2024-12-01", "gender": "man"})
    _stop(
        intake,
        b,
        q2,
        {
            "end_date": "2025-01-31",
            "reason": "arbetssokande",
            "health_better": True,
            "activity_increased": True,
        },
    )
    q1 = _start(intake, b, {"start_date": "2025-02-01", "gender": "kvinna"})
    _stop(
        intake, b, q1, {"end_date": "2025-03-31", "reason": "egen_begaran", "health_better": False}
    )
    _start(intake, b, {"start_date": "2025-09-01", "gender": "kvinna"})

    _post(
        intake,
        "/api/v1/insatser/halsoskolan/volume",
        {"date": "2024-04-01", "kvinna": 5, "man": 5, "annan": 0},
    )
    last = _post(
        intake,
        "/api/v1/insatser/halsoskolan/volume",
        {"date": "2025-03-10", "kvinna": 12, "man": 8, "annan": 1},
    )
    return last["position"]


def test_a_year_of_events_gives_the_figures_worked_out_by_hand(system: System) -> None:
    _wait_for(system, _register_hand_made_year(system.intake))

    # Arbetsrehab, helår 2025. Open on 1 Jan: P1 (k), P2 (m); P6 ended in 2024.
    # New: P3 (k), P4 (a), P5 (m), P7 (m). Ended: P1, P3 (k), P2, P5 (m).
    # Days in insats: P1 341, P3 151 (k: 492), P2 333, P5 133 (m: 466); all 958.
    year = system.report(year=2025, period="helar", insats="arbetsrehab")
    assert year["insats"] == "arbetsrehab"
    assert year["period"] == {"kind": "helar", "from": "2025-01-01", "to": "2025-12-31"}
    f = year["figures"]
    assert f["opening"] == _columns(2, 1, 1, 0)
    assert f["new"] == _columns(4, 1, 2, 1)
    assert f["participants"] == _columns(6, 2, 3, 1)
    assert f["ended"] == _columns(4, 2, 2, 0)
    assert f["ongoing_at_end"] == _columns(2, 0, 1, 1)
    assert f["positive_exits"] == _columns(2, 2, 0, 0)
    assert f["unclear_exits"] == _columns(1, 0, 1, 0)
    assert f["other_exits"] == _columns(1, 0, 1, 0)
    assert f["direct_to_work_or_studies"] == _columns(2, 2, 0, 0)
    assert f["health_better"] == _columns(2, 2, 0, 0)
    assert f["health_answered"] == _columns(3, 2, 1, 0)
    assert f["activity_increased"] == _columns(1, 1, 0, 0)
    assert f["work_capacity_narmat"] == _columns(1, 1, 0, 0)
    assert f["work_capacity_lika"] == _columns(1, 0, 1, 0)
    assert f["work_capacity_langre_bort"] == _columns(0, 0, 0, 0)
    # 958 / 28 = 34.21; 492 / 14 = 35.14; 466 / 14 = 33.29
    assert f["mean_weeks_in_insats"] == {"total": 34.2, "kvinna": 35.1, "man": 33.3, "annan": None}
    assert year["breakdowns"]["reason"]["arbete"] == _columns(1, 1, 0, 0)
    assert year["breakdowns"]["reason"]["annan_insats"] == _columns(1, 0, 1, 0)
    assert year["breakdowns"]["age_band"]["35-39"] == _columns(1, 1, 0, 0)  # P1: 2024 − 1985
    assert year["breakdowns"]["age_band"]["okand"] == _columns(3, 1, 2, 0)
    # 2024: new P1, P2, P6; P6 ended (arbetstraning: positive, not direct).
    last = year["previous_year"]["figures"]
    assert last["opening"] == _columns(0, 0, 0, 0)
    assert last["new"] == _columns(3, 2, 1, 0)
    assert last["ended"] == _columns(1, 1, 0, 0)
    assert last["ongoing_at_end"] == _columns(2, 1, 1, 0)
    assert last["positive_exits"] == _columns(1, 1, 0, 0)
    assert last["direct_to_work_or_studies"] == _columns(0, 0, 0, 0)

    # Arbetsrehab, delår 2025 (Jan–Aug): new P3, P4, P5 (20 Aug); ended P1 (Feb), P3 (Jun).
    part = system.report(year=2025, period="delar", insats="arbetsrehab")
    assert part["period"] == {"kind": "delar", "from": "2025-01-01", "to": "2025-08-31"}
    f = part["figures"]
    assert f["opening"] == _columns(2, 1, 1, 0)
    assert f["new"] == _columns(3, 1, 1, 1)
    assert f["participants"] == _columns(5, 2, 2, 1)
    assert f["ended"] == _columns(2, 2, 0, 0)
    assert f["ongoing_at_end"] == _columns(3, 0, 2, 1)
    assert f["positive_exits"] == _columns(2, 2, 0, 0)
    assert f["unclear_exits"] == _columns(0, 0, 0, 0)
    assert f["other_exits"] == _columns(0, 0, 0, 0)
    assert f["mean_weeks_in_insats"] == {"total": 35.1, "kvinna": 35.1, "man": None, "annan": None}
    # Jan–Aug 2024: new P1 (Mar), P6 (May); P6 ended in October.
    assert part["previous_year"]["figures"]["new"] == _columns(2, 2, 0, 0)
    assert part["previous_year"]["figures"]["ended"] == _columns(0, 0, 0, 0)

    # The whole förbund, June 2025. Open on 1 June: P2 (m), P3 (k), P4 (a); Steget's Q1
    # and Q2 ended before June, Q3 starts in September. Ended in June: P3, 151 days.
    june = system.report(year=2025, period="2025-06")
    assert june["insats"] is None
    assert june["period"] == {"kind": "month", "from": "2025-06-01", "to": "2025-06-30"}
    f = june["figures"]
    assert f["opening"] == _columns(3, 1, 1, 1)
    assert f["new"] == _columns(0, 0, 0, 0)
    assert f["participants"] == _columns(3, 1, 1, 1)
    assert f["ended"] == _columns(1, 1, 0, 0)
    assert f["ongoing_at_end"] == _columns(2, 0, 1, 1)
    assert f["positive_exits"] == _columns(1, 1, 0, 0)
    assert f["direct_to_work_or_studies"] == _columns(1, 1, 0, 0)
    assert f["health_better"] == _columns(1, 1, 0, 0)
    assert f["health_answered"] == _columns(1, 1, 0, 0)
    assert f["mean_weeks_in_insats"]["total"] == 21.6  # 151 / 7 = 21.57
    assert f["volume_participants"] == _columns(0, 0, 0, 0)
    # June 2024: P1 (Mar) and P6 (May) open, nothing new or ended.
    assert june["previous_year"]["figures"]["opening"] == _columns(2, 2, 0, 0)
    assert june["previous_year"]["figures"]["ended"] == _columns(0, 0, 0, 0)

    # The whole förbund, helår 2025: Steget adds Q2 (open, m; arbetssokande, 61 days),
    # Q1 (k; egen_begaran, 58 days) and Q3 (k, ongoing); Hälsoskolan counts volume only.
    whole = system.report(year=2025, period="helar")
    f = whole["figures"]
    assert f["opening"] == _columns(3, 1, 2, 0)
    assert f["new"] == _columns(6, 3, 2, 1)
    assert f["ended"] == _columns(6, 3, 3, 0)
    assert f["ongoing_at_end"] == _columns(3, 1, 1, 1)
    assert f["positive_exits"] == _columns(3, 2, 1, 0)
    assert f["unclear_exits"] == _columns(1, 0, 1, 0)
    assert f["other_exits"] == _columns(2, 1, 1, 0)
    assert f["health_answered"] == _columns(5, 3, 2, 0)
    # 1077 / 42 = 25.64; 550 / 21 = 26.19; 527 / 21 = 25.10
    assert f["mean_weeks_in_insats"] == {"total": 25.6, "kvinna": 26.2, "man": 25.1, "annan": None}
    assert f["volume_participants"] == _columns(21, 12, 8, 1)
    assert whole["previous_year"]["figures"]["volume_participants"] == _columns(10, 5, 5, 0)

    page = system.reporting.get(
        "/rapport", params={"year": 2025, "period": "helar", "insats": "arbetsrehab"}
    )
    assert page.status_code == 200
    assert 'lang="sv"' in page.text
    assert "Arbetsrehab" in page.text
    assert "4 (3)" in page.text  # Nya: 4 this year, 3 the year before


def test_outcomes_killed_mid_stream_loses_nothing_and_counts_nothing_twice(
    system: System,
) -> None:
    _define(system.intake, "bulk", "Bulk", "individ")
    killed_pids = []
    participants = []
    for n in range(300):
        if n in (60, 180):
            killed_pids.append(system.kill("outcomes"))
        gender = GENDERS[n % 3]
        participants.append(
            (gender, _start(system.intake, "bulk", {"start_date": "2025-05-02", "gender": gender}))
        )
    last = 0
    for n, (_gender, participant) in enumerate(participants[:180]):
        if n == 90:
            killed_pids.append(system.kill("outcomes"))
        reason = "arbete" if n % 2 == 0 else "annan_insats"
        last = _stop(
            system.intake, "bulk", participant, {"end_date": "2025-07-15", "reason": reason}
        )["position"]
    assert len(set(killed_pids)) == 3, "the supervisor did not restart outcomes each time"

    # 300 started (100 of each); the first 180 stopped (60 of each), every other to work.
    expected = {
        "new": _columns(300, 100, 100, 100),
        "ended": _columns(180, 60, 60, 60),
        "ongoing_at_end": _columns(120, 40, 40, 40),
        "positive_exits": _columns(90, 30, 30, 30),
        "unclear_exits": _columns(90, 30, 30, 30),
    }
    deadline = time.monotonic() + 90
    while True:
        figures = system.report(year=2025, period="helar", insats="bulk")["figures"]
        if {name: figures[name] for name in expected} == expected:
            break
        assert time.monotonic() < deadline, f"figures never settled: {figures}"
        time.sleep(0.5)
    assert (
        system.report(year=2025, period="helar", insats="bulk")["processed_through"]["position"]
        >= last
    )
    # Redeliveries of what the killed consumers had taken must not add anything later.
    time.sleep(3)
    figures = system.report(year=2025, period="helar", insats="bulk")["figures"]
    assert {name: figures[name] for name in expected} == expected


def test_rebuild_from_the_event_log_reproduces_every_figure(system: System) -> None:
    queries = [
        {"year": 2025, "period": "helar"},
        {"year": 2025, "period": "delar", "insats": "arbetsrehab"},
        {"year": 2025, "period": "2025-06"},
        {"year": 2025, "period": "helar", "insats": "bulk"},
        {"year": 2024, "period": "helar", "insats": "steget"},
    ]

    def snapshot() -> list[dict]:
        return [
            {key: value for key, value in system.report(**q).items() if key != "processed_through"}
            for q in queries
        ]

    before = snapshot()
    assert before[3]["figures"]["ended"]["total"] == 180  # the data of the tests above
    result = subprocess.run(
        [sys.executable, "-m", "services.cli", "rebuild", "--wait", "120"],
        env=system.environment,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Rebuild complete." in result.stdout
    deadline = time.monotonic() + 60
    while snapshot() != before:
        assert time.monotonic() < deadline, "rebuilt figures differ"
        time.sleep(0.5)
