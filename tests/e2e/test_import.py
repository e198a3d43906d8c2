"""`stegvis import` while `stegvis up` runs: the imported participants, and a structural
insats's imported activities, reach the report like those registered through the API, and
the same file imported again changes nothing."""

import subprocess
import sys
import time
from collections.abc import Callable
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
    sheet = tmp_path / "deltagare.csv"
    first, again = _imported_twice(system, sheet, SHEET, ("import", "individ"), _figures, EXPECTED)

    assert "4 deltagare importerades från deltagare.csv." in first.stdout
    assert f"{tmp_path / 'deltagare.koder.csv'}" in first.stdout
    assert "deltagare.csv importerades redan" in again.stderr


def _figures(system: System, insats: str) -> dict | None:
    """The insats's helår 2025 figures of `EXPECTED`."""
    figures = _report(system, insats, "figures")
    return None if figures is None else {name: figures[name] for name in EXPECTED}


ACTIVITY_SHEET = (
    "insats;datum;aktivitet;deltagare kvinnor;deltagare män;deltagare annan;från fk;platser\n"
    "kunskap;2025-03-12;utbildning;14;6;1;5;25\n"
    "kunskap;2025-09-02;natverk;3;2;0;;\n"
)
EXPECTED_ACTIVITIES = {
    "count": 2,
    "kinds": {"utbildning": 1, "natverk": 1, "konferens": 0, "kartlaggning": 0, "annan": 0},
    "participants": {"total": 26, "kvinna": 17, "man": 8, "annan": 1},
    "organisations": {"fk": 5, "af": 0, "kommun": 0, "region": 0, "annan": 0},
    "places": 25,
    "places_used_percent": 84,
}
"""The helår 2025 of the activity sheet, worked out by hand (21 of 25 places used)."""


def test_imported_activities_reach_the_reports_activities(system: System, tmp_path: Path) -> None:
    sheet = tmp_path / "aktiviteter.csv"
    first, _ = _imported_twice(
        system, sheet, ACTIVITY_SHEET, ("kunskap", "struktur"), _activities, EXPECTED_ACTIVITIES
    )

    assert "2 aktiviteter importerades från aktiviteter.csv." in first.stdout


def _activities(system: System, insats: str) -> dict | None:
    return _report(system, insats, "activities")


def _imported_twice(
    system: System,
    sheet: Path,
    text: str,
    insats: tuple[str, str],
    read: Callable[[System, str], dict | None],
    expected: dict,
) -> tuple[subprocess.CompletedProcess, subprocess.CompletedProcess]:
    """`text` imported as `sheet` into the `insats` (its id and registration, defined here)
    until what `read` reads of its report is `expected`, then imported again: refused,
    changing nothing. Returns both runs."""
    insats_id, registration = insats
    response = system.intake.put(
        f"/api/v1/insatser/{insats_id}",
        json={"name": insats_id.title(), "registration": registration},
    )
    assert response.status_code == 201, response.text
    sheet.write_text(text, encoding="utf-8")

    first = _import(system, sheet)

    assert first.returncode == 0, first.stdout + first.stderr
    deadline = time.monotonic() + 30
    while (found := read(system, insats_id)) != expected:
        assert time.monotonic() < deadline, f"still {found}"
        time.sleep(0.2)

    again = _import(system, sheet)

    assert again.returncode == 1
    time.sleep(1)  # what a second import would have sent has had time to be reported
    assert read(system, insats_id) == expected
    return first, again


def _report(system: System, insats: str, section: str) -> dict | None:
    params = {"year": 2025, "period": "helar", "insats": insats}
    response = system.reporting.get("/api/v1/reports", params=params)
    if response.status_code != 200:  # until reporting knows the insats
        return None
    return response.json()[section]
