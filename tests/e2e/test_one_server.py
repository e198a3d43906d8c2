"""`stegvis up` as a small förbund's production on one server (real processes): each service
stops within a second under load; files are the owner's only; a backup taken under load
restores exactly what it held; damaged, newer or misplaced restores are refused; one `up` per
data dir; and after `kill -9` of `up` nothing of it lives on, and the next `up` serves the same.
"""

import io
import json
import os
import re
import signal
import sqlite3
import stat
import subprocess
import sys
import tarfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from services import up
from shared.platform.settings import Settings
from tests.e2e.conftest import System, start_up, up_environment, wait_healthy
from tests.network import free_port

pytestmark = pytest.mark.e2e

TARGETS = {"positive_exits": 40, "health_better": 70}


def _stegvis(environment: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "services.cli", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _ended(pid: int) -> bool:
    """Gone, or a zombie its parent has yet to reap."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def _pid(path: Path, seconds: float = 30, other_than: int | None = None) -> int:
    deadline = time.monotonic() + seconds
    while True:
        try:
            pid = int(path.read_text())
            if pid != other_than:
                return pid
        except (FileNotFoundError, ValueError):
            pass
        assert time.monotonic() < deadline, f"no new pid in {path}"
        time.sleep(0.1)


@contextmanager
def _registering(system: System, insats: str) -> Iterator[list[float]]:
    """Registrations into `insats` from two clients until the block ends; yields the
    times each was accepted (a list that grows)."""
    accepted: list[float] = []
    stop = threading.Event()

    def register() -> None:
        headers = dict(system.intake.headers)
        with httpx.Client(base_url=system.intake.base_url, headers=headers, timeout=30) as c:
            while not stop.is_set():
                body = {"start_date": "2025-03-03", "gender": "kvinna"}
                try:
                    response = c.post(f"/api/v1/insatser/{insats}/participants", json=body)
                except httpx.HTTPError:
                    continue  # intake is being restarted
                if response.status_code == 201:
                    accepted.append(time.monotonic())

    threads = [threading.Thread(target=register) for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        yield accepted
    finally:
        stop.set()
        for thread in threads:
            thread.join()


def _define(system: System, insats: str) -> None:
    response = system.intake.put(
        f"/api/v1/insatser/{insats}", json={"name": insats.title(), "registration": "individ"}
    )
    assert response.status_code == 201, response.text


def test_each_service_stops_within_a_second_of_sigterm_under_load(system: System) -> None:
    _define(system, "last")
    with _registering(system, "last") as accepted:
        for service in ("outcomes", "reporting", "intake"):
            while len(accepted) < 20:
                time.sleep(0.05)
            pid = _pid(system.data_dir / "run" / f"{service}.pid")
            os.kill(pid, signal.SIGTERM)
            started = time.monotonic()
            while not _ended(pid):
                assert time.monotonic() - started < 1.0, f"{service} still running after 1 s"
                time.sleep(0.01)
            _pid(system.data_dir / "run" / f"{service}.pid", other_than=pid)  # restarted
            wait_healthy(list(system.ports.values()), system.process)
            accepted.clear()


def test_everything_under_the_data_dir_is_the_owners_only(system: System) -> None:
    paths = [system.data_dir, *system.data_dir.rglob("*")]
    names = {path.name for path in paths}
    assert {"intake.db-wal", "appendonly.aof", "redis.sock", "stegvis.lock"} <= names
    for path in paths:
        mode = path.lstat().st_mode
        if stat.S_ISDIR(mode):
            assert stat.S_IMODE(mode) == 0o700, path
        elif stat.S_ISREG(mode):
            assert stat.S_IMODE(mode) == 0o600, path
        else:
            assert stat.S_IMODE(mode) & 0o077 == 0, path


def _started_in(database: bytes, insats: str, scratch: Path) -> int:
    """Participants started in `insats` by the event log of a backed-up intake.db."""
    path = scratch / "oracle.db"
    path.write_bytes(database)
    with sqlite3.connect(path) as connection:
        (count,) = connection.execute(
            "SELECT count(*) FROM intake_events WHERE type = 'ParticipantStarted' "
            "AND insats_id = ?",
            (insats,),
        ).fetchone()
    connection.close()
    return count


def _members(backup: Path) -> dict[str, bytes]:
    with tarfile.open(backup) as archive:
        return {
            member.name: archive.extractfile(member).read()  # type: ignore[union-attr]
            for member in archive.getmembers()
        }


def _rewrite(backup: Path, target: Path, **changes: bytes) -> Path:
    with tarfile.open(target, "w:gz") as archive:
        for name, data in (_members(backup) | changes).items():
            member = tarfile.TarInfo(name)
            member.size = len(data)
            archive.addfile(member, io.BytesIO(data))
    return target


def _figures(client: httpx.Client, insats: str) -> dict:
    response = client.get(
        "/api/v1/reports", params={"year": 2025, "period": "helar", "insats": insats}
    )
    assert response.status_code == 200, response.text
    return response.json()["figures"]


def _banner(log: Path, up: subprocess.Popen, seconds: float = 90) -> str:
    """What `up` printed, once it says it is running."""
    deadline = time.monotonic() + seconds
    while "Stegvis is running." not in (output := log.read_text()):
        assert up.poll() is None and time.monotonic() < deadline, output
        time.sleep(0.2)
    return output


def _settles(client: httpx.Client, insats: str, started: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while _figures(client, insats)["new"]["total"] != started:
        assert time.monotonic() < deadline, f"{_figures(client, insats)['new']} != {started}"
        time.sleep(0.3)


def test_a_backup_under_load_restores_exactly_and_one_up_owns_a_data_dir(
    system: System, tmp_path: Path
) -> None:
    _define(system, "bulk")
    deadline = time.monotonic() + 30  # until reporting knows the insats
    while system.reporting.put("/api/v1/insatser/bulk/targets", json=TARGETS).status_code != 200:
        assert time.monotonic() < deadline, "reporting never learnt of the insats"
        time.sleep(0.2)
    assert system.intake.put("/api/v1/users/lisa", json={"role": "lasare"}).status_code in (
        200,
        201,
    )
    targets = system.reporting.get("/api/v1/insatser/bulk/targets").json()
    assert targets["targets"] == TARGETS
    lisa = system.intake.post("/api/v1/tokens", json={"username": "lisa"}).json()["token"]

    backup = tmp_path / "stegvis.tar.gz"
    with _registering(system, "bulk") as accepted:
        while len(accepted) < 30:
            time.sleep(0.05)
        before = len(accepted)
        made = _stegvis(system.environment, "backup", str(backup))
        during = len(accepted)
        while len(accepted) < during + 10:
            time.sleep(0.05)
        total = len(accepted)
    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    members = _members(backup)
    manifest = json.loads(members["manifest.json"])
    assert manifest["format"] == 1
    assert set(manifest["files"]) == {"intake.db", "outcomes.db", "reporting.db"}
    started = _started_in(members["intake.db"], "bulk", tmp_path)
    assert before <= started <= during < total  # a copy of one moment during the load

    # Refused, each with its reason, and nothing written.
    newer = _rewrite(
        backup,
        tmp_path / "newer.tar.gz",
        **{"manifest.json": json.dumps(manifest | {"format": 2}).encode()},
    )
    damaged_db = bytearray(members["reporting.db"])
    damaged_db[-100] ^= 0xFF
    damaged = _rewrite(backup, tmp_path / "damaged.tar.gz", **{"reporting.db": bytes(damaged_db)})
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])
    for bad, why in (
        (newer, "newer"),
        (damaged, "reporting.db does not match its checksum"),
        (truncated, "not a readable Stegvis backup"),
    ):
        refused = _stegvis(
            system.environment | {"STEGVIS_DATA_DIR": str(tmp_path / "nowhere")},
            "restore",
            str(bad),
        )
        assert refused.returncode != 0 and why in refused.stderr, refused.stderr
        assert not (tmp_path / "nowhere").exists()
    into_running = _stegvis(system.environment, "restore", str(backup))
    assert into_running.returncode != 0 and "is not empty" in into_running.stderr
    postgres = _stegvis(
        system.environment | {"STEGVIS_DATABASE_URL": "postgresql://stegvis@db/stegvis"},
        "backup",
        str(tmp_path / "pg.tar.gz"),
    )
    assert postgres.returncode != 0 and "pg_dump" in postgres.stderr

    restored_dir = tmp_path / "restored"
    ports = [free_port() for _ in range(3)]
    environment = up_environment(restored_dir, ports)
    restored = _stegvis(environment, "restore", str(backup))
    assert restored.returncode == 0, restored.stderr

    first_log = tmp_path / "first-up.log"
    with first_log.open("wb") as log:
        first = start_up(environment, log)
    try:
        output = _banner(first_log, first)
        token = re.search(r"admin token: (\S+)  \(generated now", output)
        assert token, output
        admin = {"Authorization": f"Bearer {token.group(1)}"}
        intake = httpx.Client(base_url=f"http://127.0.0.1:{ports[0]}", headers=admin)
        reporting = httpx.Client(base_url=f"http://127.0.0.1:{ports[1]}", headers=admin)
        _settles(reporting, "bulk", started)
        figures = _figures(reporting, "bulk")
        assert figures["new"]["kvinna"] == started
        assert reporting.get("/api/v1/insatser/bulk/targets").json() == targets
        lisas = {"Authorization": f"Bearer {lisa}"}
        deadline = time.monotonic() + 30
        report = {"year": 2025, "period": "helar"}
        while reporting.get("/api/v1/reports", params=report, headers=lisas).status_code != 200:
            assert time.monotonic() < deadline, "lisa's token is not known after the restore"
            time.sleep(0.3)
        assert intake.post("/api/v1/tokens", json={"username": "lisa"}).status_code == 201

        # A second `up` on the same data dir is refused at once, and the first serves on.
        second = _stegvis(environment, "up")
        assert second.returncode != 0
        assert f"pid {first.pid}" in second.stderr and str(restored_dir) in second.stderr
        assert reporting.get("/health").status_code == 200

        # kill -9 of `up` alone: its services and its Redis end with it.
        children = [
            int((restored_dir / "run" / f"{name}.pid").read_text())
            for name in ("intake", "outcomes", "reporting")
        ] + [int((restored_dir / "redis" / "redis.pid").read_text())]
        first.kill()
        first.wait()
        deadline = time.monotonic() + 5
        while not all(_ended(pid) for pid in children):
            assert time.monotonic() < deadline, "a child of the killed up lives on"
            time.sleep(0.1)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()

    again_log = tmp_path / "again-up.log"
    with again_log.open("wb") as log:
        again = start_up(environment, log)
    try:
        output = _banner(again_log, again)
        assert token.group(1) not in output  # printed once, when generated
        assert f"kept in {restored_dir}" in output
        _settles(reporting, "bulk", started)
        assert _figures(reporting, "bulk") == figures
        assert reporting.get("/api/v1/insatser/bulk/targets").json() == targets
    finally:
        again.send_signal(signal.SIGTERM)
        assert again.wait(30) == 0
        intake.close()
        reporting.close()


def test_a_service_that_keeps_dying_stops_up_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without a Redis URL a service exits as soon as it has started; one service, and the
    # waits shortened (not skipped), keep the six starts quick.
    monkeypatch.setattr(up, "SERVICES", ("outcomes",))
    monkeypatch.setattr(up, "RESTART_DELAYS_SECONDS", (0.1, 0.2, 0.3, 0.4, 0.5))
    environment = up_environment(tmp_path, [free_port() for _ in range(3)])
    settings = Settings(data_dir=tmp_path)
    supervisor = up.Supervisor(settings, environment, "from the test")
    started = time.monotonic()
    with pytest.raises(up.UpFailed, match=r"outcomes exited with 1, its 6th death in a row"):
        supervisor.run()
    assert time.monotonic() - started < 120
    assert all(
        s.process is None or s.process.poll() is not None for s in supervisor.services.values()
    )
    assert not list((tmp_path / "run").glob("*.pid"))
