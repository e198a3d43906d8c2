"""The Stegvis services as separate processes (`python -m services.cli <service>`), with a
supervisor thread that restarts any process that exits, as compose's `restart:
unless-stopped` does in production."""

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.faults.waiting import wait_until
from tests.network import free_port

TOKEN = "faults-admin-token-0123456789"
HEADERS = {"Authorization": f"Bearer {TOKEN}"}
RESTART_DELAY_SECONDS = 0.5


@dataclass
class Replica:
    name: str
    """Unique within the cluster (`outcomes-2`); also its consumer name."""
    service: str
    """`intake`, `outcomes` or `reporting`."""
    port: int
    environment: dict[str, str]
    log: Path
    process: subprocess.Popen | None = None
    supervised: bool = True
    """False once stopped for good: the supervisor leaves it down."""
    starts: int = 0
    """Processes started for it so far (the supervisor's restarts included)."""

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "services.cli", self.service],
                env=self.environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.starts += 1

    @property
    def healthy(self) -> bool:
        try:
            response = httpx.get(f"http://127.0.0.1:{self.port}/health", timeout=1)
        except httpx.HTTPError:
            return False
        return response.status_code == 200


@dataclass
class Cluster:
    database_url: str
    redis_url: str
    stream_prefix: str
    log_dir: Path
    replicas: dict[str, Replica] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._supervisor = threading.Thread(target=self._supervise, daemon=True)

    def add(self, service: str, name: str | None = None, **settings: str) -> Replica:
        """A replica of `service`; `settings` are extra `STEGVIS_*` variables (lower case,
        without the prefix: `claim_idle_ms="1000"`)."""
        name = name or service
        port = free_port()
        environment = (
            {key: value for key, value in os.environ.items() if not key.startswith("STEGVIS_")}
            | {
                "STEGVIS_DATABASE_URL": self.database_url,
                "STEGVIS_REDIS_URL": self.redis_url,
                "STEGVIS_STREAM_PREFIX": self.stream_prefix,
                "STEGVIS_ADMIN_TOKEN": TOKEN,
                "STEGVIS_CONSUMER_NAME": name,
                f"STEGVIS_{service.upper()}_PORT": str(port),
                "STEGVIS_DATA_DIR": str(self.log_dir),
                "STEGVIS_LOG_LEVEL": "WARNING",
            }
            | {f"STEGVIS_{key.upper()}": value for key, value in settings.items()}
        )
        replica = Replica(name, service, port, environment, self.log_dir / f"{name}.log")
        self.replicas[name] = replica
        return replica

    def start(self) -> None:
        """Start every replica added (replicas of one service take turns migrating), wait
        until all are healthy, then supervise them."""
        for replica in self.replicas.values():
            replica.start()
        self.wait_all_healthy()
        self._supervisor.start()

    def _supervise(self) -> None:
        while not self._stopping.wait(0.1):
            with self._lock:
                exited = [
                    r for r in self.replicas.values()
                    if r.supervised and r.process is not None and r.process.poll() is not None
                ]  # fmt: skip
            for replica in exited:
                time.sleep(RESTART_DELAY_SECONDS)
                with self._lock:
                    if replica.supervised and not self._stopping.is_set():
                        replica.start()

    def kill(self, name: str, *, for_good: bool = False) -> None:
        """SIGKILL the replica; the supervisor restarts it unless `for_good`."""
        with self._lock:
            replica = self.replicas[name]
            replica.supervised = not for_good
            assert replica.process is not None and replica.process.poll() is None
            replica.process.send_signal(signal.SIGKILL)
            replica.process.wait()

    def wait_healthy(self, name: str) -> None:
        replica = self.replicas[name]

        def healthy() -> bool:
            exited = replica.process is not None and replica.process.poll() is not None
            unsupervised = not self._supervisor.is_alive()
            assert not (exited and unsupervised), f"{name} exited; see {replica.log}"
            return replica.healthy

        wait_until(healthy, f"{name} never became healthy; see {replica.log}", interval=0.1)

    def wait_all_healthy(self) -> None:
        for name, replica in self.replicas.items():
            if replica.supervised:
                self.wait_healthy(name)

    def url(self, service: str) -> str:
        """The HTTP address of the (first) replica of `service`."""
        port = next(r.port for r in self.replicas.values() if r.service == service)
        return f"http://127.0.0.1:{port}"

    def client(self, service: str) -> httpx.Client:
        return httpx.Client(base_url=self.url(service), headers=HEADERS, timeout=30)

    def stop(self) -> None:
        """Stop supervising, then stop every replica (SIGTERM: a clean shutdown)."""
        self._stopping.set()
        if self._supervisor.is_alive():
            self._supervisor.join()
        for replica in self.replicas.values():
            if replica.process is not None and replica.process.poll() is None:
                replica.process.terminate()
        for replica in self.replicas.values():
            if replica.process is not None:
                try:
                    replica.process.wait(15)
                except subprocess.TimeoutExpired:
                    replica.process.kill()
                    replica.process.wait()
