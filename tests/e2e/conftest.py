"""`stegvis up` in a subprocess on a fresh data dir, as a coordinator would run it, shared by
the end-to-end modules (each module gets a system of its own)."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx
import pytest

from tests.network import free_port

TOKEN = "e2e-admin-token-0123456789"


@dataclass
class System:
    process: subprocess.Popen
    data_dir: Path
    environment: dict[str, str]
    intake: httpx.Client
    reporting: httpx.Client
    ports: dict[str, int]
    """Each service's HTTP port, by name."""
    killed: set[int] = field(default_factory=set)

    def kill(self, service: str, seconds: float = 30) -> int:
        """SIGKILL the service's running process (waiting for `up` to have restarted it after
        an earlier kill); returns the pid killed."""
        path = self.data_dir / "run" / f"{service}.pid"
        deadline = time.monotonic() + seconds
        while True:
            try:
                pid = int(path.read_text())
                if pid not in self.killed:  # else: not yet reaped and restarted by `up`
                    os.kill(pid, signal.SIGKILL)
                    self.killed.add(pid)
                    return pid
            except (FileNotFoundError, ValueError, ProcessLookupError):
                pass
            assert time.monotonic() < deadline, f"{service} was not restarted"
            time.sleep(0.1)

    def report(self, **params: str | int) -> dict:
        response = self.reporting.get("/api/v1/reports", params=params)
        assert response.status_code == 200, response.text
        return response.json()


def wait_healthy(ports: list[int], process: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    for port in ports:
        while True:
            assert process.poll() is None, "stegvis up exited"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, f"port {port} never became healthy"
            time.sleep(0.2)


def up_environment(data_dir: Path, ports: list[int]) -> dict[str, str]:
    """`stegvis up`'s environment on `data_dir`: intake, reporting and outcomes on `ports`."""
    return {
        key: value
        for key, value in os.environ.items()
        if key not in ("STEGVIS_DATABASE_URL", "STEGVIS_REDIS_URL", "STEGVIS_ADMIN_TOKEN")
    } | {
        "STEGVIS_DATA_DIR": str(data_dir),
        "STEGVIS_INTAKE_PORT": str(ports[0]),
        "STEGVIS_REPORTING_PORT": str(ports[1]),
        "STEGVIS_OUTCOMES_PORT": str(ports[2]),
        "STEGVIS_CLAIM_IDLE_MS": "1000",
    }


def start_up(environment: dict[str, str], log: IO[bytes]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "services.cli", "up"],
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    data_dir = tmp_path_factory.mktemp("stegvis") / "var"
    ports = [free_port() for _ in range(3)]
    environment = up_environment(data_dir, ports) | {"STEGVIS_ADMIN_TOKEN": TOKEN}
    log = (data_dir.parent / "up.log").open("wb")
    process = start_up(environment, log)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    try:
        wait_healthy(ports, process)
        with (
            httpx.Client(base_url=f"http://127.0.0.1:{ports[0]}", headers=headers) as intake,
            httpx.Client(base_url=f"http://127.0.0.1:{ports[1]}", headers=headers) as reporting,
        ):
            yield System(
                process,
                data_dir,
                environment,
                intake,
                reporting,
                dict(zip(("intake", "reporting", "outcomes"), ports)),
            )
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            code = None
        log.close()
    assert code == 0, "stegvis up did not stop cleanly on SIGTERM"
    assert not list((data_dir / "run").glob("*.pid")), "a service outlived stegvis up"
