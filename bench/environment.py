"""One benchmark's world: a fresh PostgreSQL database, a stream prefix of its own on the
local Redis, and the services as subprocesses on free ports (stopped with SIGTERM).

Everything is removed afterwards (database, streams, logs), except the logs of a run that
failed, whose folder is named on stderr.
"""

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import asyncpg
import httpx
from redis.asyncio import Redis

from bench.output import POSTGRES_BACKEND, note
from shared.platform.settings import Settings

PROJECT_DIR = Path(__file__).resolve().parent.parent
POSTGRES_ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
PROFILE_DIR_VARIABLE = "BENCH_PROFILE_DIR"
"""When set (`bench/run --profile DIR`), py-spy records every service into that folder."""
START_TIMEOUT_SECONDS = 60.0
STOP_GRACE_SECONDS = 15.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def process_cpu_seconds(pid: int) -> float:
    """The CPU time (user + system) process `pid` has used so far; 0 once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return 0.0
    fields = stat.rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Process:
    """A server in a subprocess, its output in a log file."""

    name: str
    popen: subprocess.Popen
    port: int
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def peak_rss_mib(self) -> float:
        """VmHWM: the most resident memory the process ever had."""
        for line in Path(f"/proc/{self.popen.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError(f"no VmHWM for {self.name}")

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the process has used so far: on a shared machine, where
        wall time varies with the neighbours, the steadier measure of its work."""
        return process_cpu_seconds(self.popen.pid)

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    async def wait_healthy(self, path: str = "/health") -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        async with httpx.AsyncClient(base_url=self.base_url, timeout=2) as client:
            while time.monotonic() < deadline:
                if self.popen.poll() is not None:
                    raise RuntimeError(
                        f"{self.name} exited with {self.popen.returncode}:\n{self.log_tail()}"
                    )
                try:
                    if (await client.get(path)).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        raise RuntimeError(f"{self.name} not healthy after {START_TIMEOUT_SECONDS:.0f} s")

    async def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                await asyncio.to_thread(self.popen.wait, STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                await asyncio.to_thread(self.popen.wait)


class Environment:
    """Use as `async with Environment("pipeline") as env:`; then `await env.start(...)`."""

    def __init__(self, label: str) -> None:
        token = uuid.uuid4().hex[:10]
        self.label = label
        self.database_name = f"stegvis_bench_{label}_{token}"
        self.database_url = _with_database(POSTGRES_ADMIN_URL, self.database_name)
        self.stream_prefix = f"bench-{label}-{token}"
        self.admin_token = f"bench-admin-{token}-{uuid.uuid4().hex}"
        self.work_dir = Path(tempfile.mkdtemp(prefix=f"stegvis-bench-{label}-"))
        self.settings = Settings(
            database_url=self.database_url,
            redis_url=REDIS_URL,
            stream_prefix=self.stream_prefix,
            admin_token=self.admin_token,
            data_dir=self.work_dir,
            consumer_name=f"bench-{token}",
        )
        self.processes: dict[str, Process] = {}
        self._profilers: list[subprocess.Popen] = []

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_token}"}

    def service_environment(self) -> dict[str, str]:
        settings = self.settings
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("STEGVIS_")}
        return inherited | {
            "STEGVIS_DATABASE_URL": self.database_url,
            "STEGVIS_REDIS_URL": REDIS_URL,
            "STEGVIS_STREAM_PREFIX": self.stream_prefix,
            "STEGVIS_ADMIN_TOKEN": self.admin_token,
            "STEGVIS_DATA_DIR": str(self.work_dir),
            "STEGVIS_CONSUMER_NAME": settings.consumer_name,
        }

    async def __aenter__(self) -> "Environment":
        await _admin(f'CREATE DATABASE "{self.database_name}"')
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop_all()
        await _admin(f'DROP DATABASE IF EXISTS "{self.database_name}" WITH (FORCE)')
        await _delete_streams(self.stream_prefix)
        if exc_type is None:
            shutil.rmtree(self.work_dir, ignore_errors=True)
        else:
            note(f"{self.label}: logs kept in {self.work_dir}")

    async def start(self, *services: str) -> None:
        """Start the named Stegvis services (`python -m services.cli <name>`), wait for health."""
        environment = self.service_environment()
        for name in services:
            port = free_port()
            environment[f"STEGVIS_{name.upper()}_PORT"] = str(port)
            self.spawn(name, [sys.executable, "-m", "services.cli", name], port, environment)
        await asyncio.gather(*(self.processes[name].wait_healthy() for name in services))
        if profile_dir := os.environ.get(PROFILE_DIR_VARIABLE):
            for name in services:
                self._profile(self.processes[name], Path(profile_dir))

    def _profile(self, process: Process, profile_dir: Path) -> None:
        output = profile_dir / f"{self.label}-{process.name}.txt"
        output.parent.mkdir(parents=True, exist_ok=True)
        self._profilers.append(
            subprocess.Popen(
                [
                    "py-spy",
                    "record",
                    "--pid",
                    str(process.popen.pid),
                    "--format",
                    "raw",
                    "--rate",
                    "100",
                    "--output",
                    str(output),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )

    def spawn(self, name: str, argv: list[str], port: int, environment: dict[str, str]) -> Process:
        log_path = self.work_dir / f"{name}.log"
        with log_path.open("wb") as log:
            popen = subprocess.Popen(
                argv,
                cwd=PROJECT_DIR,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches the bench only; it stops them
            )
        process = Process(name, popen, port, log_path)
        self.processes[name] = process
        return process

    async def stop_all(self) -> None:
        for profiler in self._profilers:
            profiler.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
        for profiler in self._profilers:
            await asyncio.to_thread(profiler.wait)
        self._profilers.clear()
        await asyncio.gather(*(process.stop() for process in self.processes.values()))
        self.processes.clear()

    async def cpu_seconds(self) -> dict[str, float]:
        """Each running service's `Process.cpu_seconds`, by name, and as `postgres` that of
        the PostgreSQL backends serving this database (their processes are on this machine:
        the benchmark's server is local). Compare two reads with `cpu_used`."""
        used = {name: process.cpu_seconds() for name, process in self.processes.items()}
        connection = await self.connect()
        try:
            backends = await connection.fetch(
                "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                self.database_name,
            )
        finally:
            await connection.close()
        for row in backends:
            used[f"{POSTGRES_BACKEND}{row['pid']}"] = process_cpu_seconds(row["pid"])
        return used

    def url(self, service: str) -> str:
        return self.processes[service].base_url

    async def connect(self) -> asyncpg.Connection:
        return await asyncpg.connect(self.database_url)


def _with_database(admin_url: str, database: str) -> str:
    base, _, _ = admin_url.rpartition("/")
    return f"{base}/{database}"


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def _delete_streams(prefix: str) -> None:
    redis = Redis.from_url(REDIS_URL)
    try:
        keys = [key async for key in redis.scan_iter(match=f"{prefix}.*", count=1000)]
        if keys:
            await redis.delete(*keys)
    finally:
        await redis.aclose()
