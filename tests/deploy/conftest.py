"""What the deploy checks share: the repository's deploy files, the tools that check them,
and the Stegvis processes docker-compose.yml would start, started natively.

The services are read from docker-compose.yml itself (each one built from the Stegvis image,
with its command and its own settings, such as the consumer name), so that a replica added
there is started here too. Only what compose takes from the environment (database, Redis,
token) and the ports are the test's own.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml

from tests.network import free_port

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
COMPOSE_FILE = REPO / "docker-compose.yml"
TOKEN = "deploy-test-admin-token-0123"

_PORT_VARIABLES = {
    "intake": "STEGVIS_INTAKE_PORT",
    "outcomes": "STEGVIS_OUTCOMES_PORT",
    "reporting": "STEGVIS_REPORTING_PORT",
}


def required_tool(name: str, install: str) -> str:
    """The tool's path. Missing, it fails the test in CI (.ci/run installs it) and skips it
    elsewhere, saying how to install it."""
    path = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if path is not None:
        return path
    if os.environ.get("CI"):
        pytest.fail(f"{name} is not installed; .ci/run should have installed it ({install})")
    pytest.skip(f"{name} is not installed ({install})")


def load_yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def compose() -> dict:
    return load_yaml(COMPOSE_FILE)


def stegvis_services(config: dict) -> dict[str, dict]:
    """The compose services that run the Stegvis image, by name."""
    return {
        name: service
        for name, service in config["services"].items()
        if service.get("build", {}).get("dockerfile") == "deploy/Dockerfile"
    }


def service_command(service: dict) -> str:
    """The Stegvis command the service runs (`intake`, `outcomes`, `reporting`)."""
    program, command = service["command"]
    assert program == "stegvis", service["command"]
    return command


def port_variable(service: dict) -> str:
    return _PORT_VARIABLES[service_command(service)]


@dataclass
class Service:
    name: str
    command: str
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


@dataclass(frozen=True)
class Stack:
    services: dict[str, Service]
    """By compose service name."""
    stream_prefix: str
    redis_url: str

    def client(self, name: str) -> httpx.Client:
        return httpx.Client(
            base_url=self.services[name].url,
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=10,
        )


def _own_settings(service: dict) -> dict[str, str]:
    """The service's STEGVIS_* settings in compose that are neither taken from the
    environment (`${...}`: database, Redis, token) nor a port."""
    return {
        key: str(value)
        for key, value in service.get("environment", {}).items()
        if key.startswith("STEGVIS_") and "${" not in str(value) and not key.endswith("_PORT")
    }


def _wait_healthy(service: Service, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while True:
        assert service.process.poll() is None, (
            f"{service.name} exited with {service.process.returncode}:\n{service.log_tail()}"
        )
        try:
            if httpx.get(f"{service.url}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, (
            f"{service.name} never became healthy:\n{service.log_tail()}"
        )
        time.sleep(0.2)


def _stop(service: Service) -> None:
    if service.process.poll() is None:
        service.process.send_signal(signal.SIGTERM)
    try:
        service.process.wait(20)
    except subprocess.TimeoutExpired:
        service.process.kill()
        service.process.wait()


@pytest.fixture
def stack(postgres_url: str, redis_url: str, stream_prefix: str, tmp_path: Path) -> Iterator[Stack]:
    """Compose's Stegvis services as `python -m services.cli <command>` processes on a
    fresh PostgreSQL database, sharing a stream prefix of their own."""
    shared_environment = {
        key: value for key, value in os.environ.items() if not key.startswith("STEGVIS_")
    } | {
        "STEGVIS_DATABASE_URL": postgres_url,
        "STEGVIS_REDIS_URL": redis_url,
        "STEGVIS_ADMIN_TOKEN": TOKEN,
        "STEGVIS_STREAM_PREFIX": stream_prefix,
        "STEGVIS_HOST": "127.0.0.1",
        "STEGVIS_DATA_DIR": str(tmp_path / "var"),
        "PROMETHEUS_DISABLE_CREATED_SERIES": "True",  # as in the image
        # Retry and dead-letter within seconds, not the production default's minute.
        "STEGVIS_CLAIM_IDLE_MS": "500",
        "STEGVIS_MAX_DELIVERIES": "2",
    }
    services: dict[str, Service] = {}
    try:
        for name, definition in stegvis_services(compose()).items():
            port = free_port()
            log = tmp_path / f"{name}.log"
            with log.open("wb") as output:
                process = subprocess.Popen(
                    [sys.executable, "-m", "services.cli", service_command(definition)],
                    cwd=REPO,
                    env=shared_environment
                    | _own_settings(definition)
                    | {port_variable(definition): str(port)},
                    stdout=output,
                    stderr=subprocess.STDOUT,
                )
            services[name] = Service(name, service_command(definition), port, process, log)
        for service in services.values():
            _wait_healthy(service)
        yield Stack(services, stream_prefix, redis_url)
    finally:
        for service in services.values():
            _stop(service)
