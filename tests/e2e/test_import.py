"""`stegvis import` while `stegvis up` runs: the imported participants reach the report like
those registered through the API, and the same file imported again changes nothing."""

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import System

pytestmark = pytest.mark.e2e

SHEET = (
    "insats;startdatum;kön;slutdatum;avslutsanledning;mår bättre\n"
    "import;2025-02-03;kvinna;2025-06-30;arbete;ja\n"
    "import;2025-03-01;man;2025-09-15;sjukdom;\n"
    "import;2025-04-01;man;;;\n"
    "import;2025-05-01;annan;2025-11-30;studier;nej\n"
)
EXPECTED = {
    "new": {"total": 4, "kvinna": 1, "man": 2, "annan": 1},
    "ended": {"total": 3, "kvinna": 1, "man": 1, "annan": 1},
    "positive_exits": {"total": 2, "kvinna": 1, "man": 0, "annan": 1},
    "health_better": {"total": 1, "kvinna": 1, "man": 0, "annan": 0},
    "ongoing_at_end": {"total": 1, "kvinna": 0, "man": 1, "annan": 0},
}
"""The helår 2025 of the sheet, worked out by hand."""


def _import(system: System, sheet: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "services.cli", "import", str(sheet)],
        env=system.environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_an_imported_file_is_reported_once(system: System, tmp_path: Path) -> None:
    response = system.intake.put(
        "/api/v1/insatser/import", json={"name": "Import", "registration": "individ"}
    )
    assert response.status_code == 201, response.text
    sheet = tmp_path / "deltagare.csv"
    sheet.write_text(SHEET, encoding="utf-8")

    first = _import(system, sheet)

    assert first.returncode == 0, first.stdout + first.stderr
    assert "4 deltagare importerades från deltagare.csv." in first.stdout
    assert f"{tmp_path / 'deltagare.koder.csv'}" in first.stdout
    params = {"year": 2025, "period": "helar", "insats": "import"}
    deadline = time.monotonic() + 30
    while (found := _figures(system, params)) != EXPECTED:
        assert time.monotonic() < deadline, f"still {found}"
        time.sleep(0.2)

    again = _import(system, sheet)

    assert again.returncode == 1
    assert "deltagare.csv importerades redan" in again.stderr
    time.sleep(1)  # what a second import would have sent has had time to be reported
    assert _figures(system, params) == EXPECTED


def _figures(system: System, params: dict) -> dict | None:
    response = system.reporting.get("/api/v1/reports", params=params)
    if response.status_code != 200:  # until reporting knows the insats
        return None
    figures = response.json()["figures"]
    return {name: figures[name] for name in EXPECTED}
