"""Erasure and gallring under `stegvis up` (embedded SQLite and Redis): one participant
erased by DELETE, others by `stegvis purge`; afterwards no file of the data dir holds their
codes, in any case, and every figure (the förbund's and each insats's, a year and a closed
month, as they closed too) is what it was, also after `stegvis rebuild`."""

import time
from pathlib import Path

import httpx
import pytest
from redis import Redis

from tests.e2e.conftest import System
from tests.e2e.year_loader import run_cli

pytestmark = pytest.mark.e2e

INSATSER = ("gallra-a", "gallra-b")
REPORTS = (
    {"year": 2026, "period": "helar"},
    {"year": 2026, "period": "2026-03"},
    {"year": 2026, "period": "q1"},
    {"year": 2026, "period": "2026-11"},
)
"""A year, closed months and a quarter (each lists what was restated since it closed), and
a month still open. None can be read as closed (`as_closed`): every event here is accepted
after those months closed; tests/reporting/test_erasure.py keeps the months as closed."""
PURGE_BEFORE = "2026-06-01"


def _ok(response: httpx.Response) -> dict:
    assert response.status_code in (200, 201), f"{response.status_code} {response.text}"
    return response.json()


def _participant(system: System, insats: str, start: dict, *later: tuple[str, dict]) -> str:
    base = f"/api/v1/insatser/{insats}/participants"
    code = _ok(system.intake.post(base, json=start))["participant_id"]
    for kind, body in later:
        _ok(system.intake.post(f"{base}/{code}/{kind}", json=body))
    return code


def _register(system: System) -> dict[str, str]:
    """Participants with check-ins, stops and follow-ups after the stop in closed and open
    months; returns each one's code by the role it plays."""
    for insats in INSATSER:
        body = {"name": insats, "registration": "individ"}
        _ok(system.intake.put(f"/api/v1/insatser/{insats}", json=body))
    a, b = INSATSER
    start = {"gender": "kvinna", "birth_year": 1990, "education": "gymnasium", "vas": 3}
    return {
        "deleted": _participant(
            system,
            a,
            start | {"start_date": "2026-02-02", "municipality": "1480"},
            ("progress", {"date": "2026-03-01", "vas": 5, "activity_hours_per_week": 4.5}),
            ("stop", {"end_date": "2026-03-20", "reason": "arbete", "vas": 7, "respect": 5}),
            (
                "followup",
                {
                    "date": "2026-09-25",
                    "months_after": 6,
                    "reached": True,
                    "status": "studier",
                    "support": ["ingen"],
                },
            ),
        ),
        "purged_a": _participant(
            system,
            a,
            start | {"start_date": "2026-01-10", "gender": "man"},
            ("progress", {"date": "2026-02-11", "vas": 4}),
            ("stop", {"end_date": "2026-04-15", "reason": "studier", "health_better": True}),
            ("followup", {"date": "2026-10-20", "months_after": 6, "reached": False}),
        ),
        "purged_b": _participant(
            system,
            b,
            start | {"start_date": "2026-03-05"},
            ("stop", {"end_date": "2026-05-30", "reason": "sjukdom"}),
        ),
        "kept_stopped": _participant(
            system,
            b,
            start | {"start_date": "2026-03-01", "gender": "man"},
            ("progress", {"date": "2026-09-01", "vas": 6}),
            ("stop", {"end_date": "2026-11-20", "reason": "arbete"}),
        ),
        "kept_ongoing": _participant(
            system,
            a,
            start | {"start_date": "2026-11-02"},
            ("progress", {"date": "2026-11-30", "vas": 4}),
        ),
    }


def _reports(system: System) -> dict:
    """Every report: the förbund's and each insats's, per period (what says how far the
    reports reach left out: a rebuild need not end where the log did)."""
    reports = {}
    for insats in (None, *INSATSER):
        for which, params in enumerate(REPORTS):
            report = system.report(**params, **({"insats": insats} if insats else {}))
            report.pop("processed_through", None)
            reports[(insats, which)] = report
    return reports


def _eventually(condition, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.3)


def _reported(system: System, new: int, ended: int) -> bool:
    response = system.reporting.get("/api/v1/reports", params={"year": 2026, "period": "helar"})
    if response.status_code != 200:
        return False
    figures = response.json()["figures"]
    return figures["new"]["total"] == new and figures["ended"]["total"] == ended


def _rewrite_append_only_file(data_dir: Path) -> None:
    redis = Redis(unix_socket_path=str(data_dir / "redis" / "redis.sock"))
    try:

        def idle() -> bool:
            info = redis.info("persistence")
            return not info["aof_rewrite_in_progress"] and not info["aof_rewrite_scheduled"]

        _eventually(idle, "an AOF rewrite still running")
        redis.bgrewriteaof()
        _eventually(idle, "the AOF rewrite never ended")
    finally:
        redis.close()


def _files_naming(data_dir: Path, codes: list[str]) -> list[tuple[str, str]]:
    found = []
    for path in sorted(data_dir.rglob("*")):
        if path.is_file() and not path.is_socket():
            content = path.read_bytes().lower()
            found += [(str(path), code) for code in codes if code.lower().encode() in content]
    return found


def test_erased_and_purged_participants_leave_every_file_and_no_figure(system: System) -> None:
    codes = _register(system)
    _eventually(lambda: _reported(system, new=5, ended=4), "reporting never showed them")
    before = _reports(system)
    intake = system.intake
    a = INSATSER[0]
    deleted = f"/api/v1/insatser/{a}/participants/{codes['deleted']}"

    # Only a förbundsadmin erases: an insatsansvarig of the insats is refused.
    user = {"role": "insatsansvarig", "insatser": [a], "password": "lösenord-för-ivan-1"}
    _ok(intake.put("/api/v1/users/gallring-ivan", json=user))
    token = _ok(intake.post("/api/v1/tokens", json={"username": "gallring-ivan"}))["token"]
    refused = intake.delete(deleted, headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 403, refused.text

    # Any case reaches the code; afterwards it is unknown.
    assert _ok(intake.delete(deleted.lower())) == {"erased": codes["deleted"]}
    assert intake.get(f"{deleted}/events").status_code == 404
    assert intake.delete(deleted).status_code == 404
    assert intake.post(f"{deleted}/progress", json={"date": "2026-11-01"}).status_code == 404

    # A dry run counts and changes nothing.
    dry = run_cli(system, "purge", "--ended-before", PURGE_BEFORE, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert f"{a}: 1" in dry.stdout and f"{INSATSER[1]}: 1" in dry.stdout, dry.stdout
    assert "Would be erased (dry run: nothing changed): 2 participants (2 registrations" in (
        dry.stdout
    ), dry.stdout
    for key in ("purged_a", "purged_b"):
        insats = a if key == "purged_a" else INSATSER[1]
        _ok(intake.get(f"/api/v1/insatser/{insats}/participants/{codes[key]}/events"))

    purged = run_cli(system, "purge", "--ended-before", PURGE_BEFORE, "--wait", "120")
    assert purged.returncode == 0, purged.stdout + purged.stderr
    assert "Erased in intake: 2 participants (2 registrations" in purged.stdout, purged.stdout
    assert "Erasure complete" in purged.stdout, purged.stdout
    listed = {
        p["participant_id"]
        for insats in INSATSER
        for p in _ok(intake.get(f"/api/v1/insatser/{insats}/participants"))["participants"]
    }
    assert listed == {codes["kept_stopped"], codes["kept_ongoing"]}
    assert _reports(system) == before

    _rewrite_append_only_file(system.data_dir)
    gone = [codes["deleted"], codes["purged_a"], codes["purged_b"]]
    assert _files_naming(system.data_dir, gone) == []
    # The search finds what is there: the kept participants' codes are in the files.
    kept = [codes["kept_stopped"], codes["kept_ongoing"]]
    assert {code for _, code in _files_naming(system.data_dir, kept)} == set(kept)

    rebuilt = run_cli(system, "rebuild", "--wait", "120")
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    _eventually(lambda: _reported(system, new=5, ended=4), "the rebuild lost figures")
    assert _reports(system) == before
