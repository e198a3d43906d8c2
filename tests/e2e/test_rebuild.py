"""`stegvis rebuild --wait` on a log whose last event changes no figure (a check-in that
repeats what was measured): outcomes publishes no record change for it, yet the rebuild must
see the reports reach the end of the log and say so."""

import subprocess
import sys

import httpx
import pytest

from tests.e2e.conftest import System

pytestmark = pytest.mark.e2e

REBUILD_SECONDS = 60


def _post(client: httpx.Client, path: str, body: dict) -> dict:
    response = client.post(path, json=body)
    assert response.status_code == 201, f"{path}: {response.status_code} {response.text}"
    return response.json()


def test_a_rebuild_of_a_log_ending_with_an_event_that_changes_nothing_completes(
    system: System,
) -> None:
    insats = "arbetsrehab"
    defined = system.intake.put(
        f"/api/v1/insatser/{insats}", json={"name": "Arbetsrehab", "registration": "individ"}
    )
    assert defined.status_code == 201, defined.text
    participants = f"/api/v1/insatser/{insats}/participants"
    code = _post(
        system.intake, participants, {"start_date": "2025-01-15", "gender": "kvinna", "vas": 30}
    )["participant_id"]
    progress = f"{participants}/{code}/progress"
    _post(system.intake, progress, {"date": "2025-03-01", "vas": 30})
    # The same VAS again: the step movement stays 30 → 30, the record does not change.
    last = _post(system.intake, progress, {"date": "2025-04-01", "vas": 30})["position"]

    result = subprocess.run(
        [sys.executable, "-m", "services.cli", "rebuild", "--wait", str(REBUILD_SECONDS)],
        env=system.environment,
        capture_output=True,
        text=True,
        timeout=REBUILD_SECONDS + 60,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"positions 1–{last}" in result.stdout
    assert "Rebuild complete." in result.stdout
    report = system.report(year=2025, period="helar", insats=insats)
    assert report["processed_through"]["position"] == last
    assert report["figures"]["new"]["kvinna"] == 1
