"""The realistic year (realistic_year.py) into a running `stegvis up`, as a förbund would
enter it: the insatser defined, 2025 imported with `stegvis import`, 2026 registered through
intake's API (one participant's calls in order, different participants side by side), until
the reports include all of it; then the economy and the goals at reporting. Shared by the
end-to-end and the browser tests."""

import asyncio
import csv
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.e2e import realistic_year
from tests.e2e.conftest import System
from tests.e2e.realistic_year import RealisticYear, Registration

CONCURRENCY = 8
"""Calls in flight at once: staff at several desks, not a load test."""


def load_realistic_year(system: System, directory: Path) -> RealisticYear:
    """Loads the year (the sheet and its codes are written to `directory`) and waits until
    the reports include it; returns what was loaded."""
    year = realistic_year.generate()
    for insats in realistic_year.INSATSER:
        response = system.intake.put(
            f"/api/v1/insatser/{insats.insats_id}",
            json={"name": insats.name, "registration": insats.registration},
        )
        assert response.status_code in (200, 201), response.text
    codes = import_previous_year(system, year, directory / "deltagare-2025.csv")
    calls = realistic_year.registrations(year)
    # A thread of its own: in the browser tests, Playwright runs an event loop in this one.
    with ThreadPoolExecutor(1) as thread:
        last_position = thread.submit(asyncio.run, register(system, calls, codes)).result()
    wait_until_processed(system, last_position)
    enter_money_and_goals(system, year)
    return year


def enter_money_and_goals(system: System, year: RealisticYear) -> None:
    """As the förbund's admin does at reporting: each insats's budgets and monthly costs,
    then the goals, and last the correction of a month's cost after it closed."""

    def put(path: str, body: object) -> None:
        response = system.reporting.put(f"/api/v1/insatser/{path}", json=body)
        assert response.status_code == 200, f"{path}: {response.status_code} {response.text}"

    for (insats_id, budget_year), budget in year.money.budgets.items():
        body = {"budget": budget.amount, "financiers": budget.financiers}
        put(f"{insats_id}/budget/{budget_year}", body)
    for (insats_id, month), amount in year.money.costs.items():
        put(f"{insats_id}/costs/{month}", {"amount": amount})
    for insats_id, goals in year.goals.items():
        put(f"{insats_id}/goals", goals)
    insats_id, month, amount = year.money.correction
    put(f"{insats_id}/costs/{month}", {"amount": amount})


def run_cli(system: System, *arguments: str) -> subprocess.CompletedProcess:
    """`stegvis ARGUMENTS` with the system's environment."""
    return subprocess.run(
        [sys.executable, "-m", "services.cli", *arguments],
        env=system.environment,
        capture_output=True,
        text=True,
        timeout=180,
    )


def import_previous_year(system: System, year: RealisticYear, sheet: Path) -> dict[str, str]:
    """`stegvis import` of the previous year; returns each participant's code by key."""
    keys = realistic_year.write_import_sheet(year, sheet)
    imported = run_cli(system, "import", str(sheet))
    assert imported.returncode == 0, imported.stdout + imported.stderr
    with sheet.with_suffix(".koder.csv").open(encoding="utf-8-sig", newline="") as codes:
        return {
            keys[int(row["rad"])]: row["participant_id"]
            for row in csv.DictReader(codes, delimiter=";")
        }


async def register(system: System, calls: list[Registration], codes: dict[str, str]) -> int:
    """Sends the calls wave by wave; `codes` (participant key → code) grows with each start.
    Returns the highest event position intake answered."""
    waves: dict[int, dict[str, list[Registration]]] = {}
    for call in calls:
        waves.setdefault(call.wave, {}).setdefault(call.chain, []).append(call)
    positions = [0]
    limit = asyncio.Semaphore(CONCURRENCY)
    auth = {"Authorization": system.intake.headers["Authorization"]}

    async def send_chain(client: httpx.AsyncClient, chain: list[Registration]) -> None:
        async with limit:
            for call in chain:
                positions.append(await _send(client, call, codes))

    async with httpx.AsyncClient(
        base_url=str(system.intake.base_url), headers=auth, timeout=30
    ) as client:
        for _, chains in sorted(waves.items()):
            await asyncio.gather(*(send_chain(client, chain) for chain in chains.values()))
    return max(positions)


async def _send(client: httpx.AsyncClient, call: Registration, codes: dict[str, str]) -> int:
    insats = f"/api/v1/insatser/{call.insats_id}"
    if call.kind == "volume":
        return (await _created(client, f"{insats}/volume", call.body))["position"]
    if call.kind == "activity":
        return (await _created(client, f"{insats}/activities", call.body))["position"]
    if call.kind == "start":
        answer = await _created(client, f"{insats}/participants", call.body)
        codes[call.chain] = answer["participant_id"]
        return answer["position"]
    participant = f"{insats}/participants/{codes[call.chain]}"
    if call.kind in ("progress", "stop", "move", "followup"):
        return (await _created(client, f"{participant}/{call.kind}", call.body))["position"]
    response = await client.get(f"{participant}/events")
    assert response.status_code == 200, response.text
    event_id = next(
        event["event_id"] for event in response.json()["events"] if call.target in event
    )
    path = f"{participant}/events/{event_id}/{call.kind}"
    return (await _created(client, path, call.body))["position"]


async def _created(client: httpx.AsyncClient, path: str, body: dict | None) -> dict:
    response = await client.post(path, json=body)
    assert response.status_code == 201, f"{path} {body}: {response.status_code} {response.text}"
    return response.json()


def wait_until_processed(system: System, position: int, seconds: float = 60) -> None:
    """Until the reports include the event at `position` and every one before it."""
    deadline = time.monotonic() + seconds
    while (through := system.report(year=2026, period="helar")["processed_through"])[
        "position"
    ] < position:
        assert time.monotonic() < deadline, f"reports stuck at {through}, not {position}"
        time.sleep(0.2)
