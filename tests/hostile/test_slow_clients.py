"""Clients that send slowly do not hold up the others: intake under uvicorn (as `stegvis
intake` runs it) still answers while connections sit with half their headers, or with their
headers and a trickle of body; and a body declared too large is refused before it is sent.

What protects: uvicorn serves each connection as its own asyncio task, and a body is read
only as the endpoint awaits it, so a slow body stalls its own request only; h11 caps
unfinished headers at 16 KiB and BodyLimit a body at STEGVIS_MAX_REQUEST_BYTES. Nothing
times such a connection out (uvicorn's `timeout_keep_alive` only closes idle connections
between requests): many thousands of them would exhaust file descriptors, which a reverse
proxy in front must bound."""

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import SERVICE_AUTH, SERVICE_TOKEN
from tests.network import free_port

REPO = Path(__file__).resolve().parents[2]
SLOW_CONNECTIONS = 20
ANSWER_WITHIN_SECONDS = 10.0  # generous: a blocked server would never answer


@pytest.fixture(scope="module")
def intake_url(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    environment = {
        **{key: value for key, value in os.environ.items() if not key.startswith("STEGVIS_")},
        "STEGVIS_DATA_DIR": str(tmp_path_factory.mktemp("slow-clients")),
        "STEGVIS_REDIS_URL": redis_url,
        "STEGVIS_STREAM_PREFIX": f"test-{uuid.uuid4().hex[:12]}",
        "STEGVIS_ADMIN_TOKEN": SERVICE_TOKEN,
        "STEGVIS_INTAKE_PORT": str(port),
        "STEGVIS_LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "services.cli", "intake"], cwd=REPO, env=environment
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not _healthy(url):
            assert server.poll() is None, "intake exited"
            assert time.monotonic() < deadline, "intake never became healthy"
            time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(20)


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _start_request(port: int, content_length: int) -> socket.socket:
    """A connection that has sent a start's request line and headers, the blank line that
    ends them left out."""
    connection = socket.create_connection(("127.0.0.1", port), timeout=ANSWER_WITHIN_SECONDS)
    connection.sendall(
        "POST /api/v1/insatser/steget/participants HTTP/1.1\r\n"
        "Host: intake\r\n"
        f"Authorization: Bearer {SERVICE_TOKEN}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {content_length}\r\n".encode()
    )
    return connection


def _slow_request(port: int, *, headers_finished: bool) -> socket.socket:
    connection = _start_request(port, 100)
    if headers_finished:
        connection.sendall(b"\r\n{")
    return connection


def test_slow_clients_do_not_block_the_others(intake_url: str) -> None:
    port = int(intake_url.rsplit(":", 1)[1])
    slow = [_slow_request(port, headers_finished=n % 2 == 0) for n in range(SLOW_CONNECTIONS)]
    try:
        with httpx.Client(
            base_url=intake_url, headers=SERVICE_AUTH, timeout=ANSWER_WITHIN_SECONDS
        ) as client:
            defined = client.put(
                "/api/v1/insatser/steget", json={"name": "Steget", "registration": "individ"}
            )
            for connection in slow[::2]:  # a little more body, still far from complete
                connection.sendall(b'"start_date": ')
            started = client.post(
                "/api/v1/insatser/steget/participants",
                json={"start_date": "2025-02-03", "gender": "man"},
            )
            assert (defined.status_code, started.status_code) == (201, 201)
            assert client.get("/health").status_code == 200
    finally:
        for connection in slow:
            connection.close()

    with httpx.Client(base_url=intake_url, headers=SERVICE_AUTH, timeout=10) as client:
        listed = client.get("/api/v1/insatser/steget/participants").json()["participants"]
    assert [p["participant_id"] for p in listed] == [started.json()["participant_id"]]


def test_a_body_declared_too_large_is_answered_before_it_is_sent(intake_url: str) -> None:
    with _start_request(int(intake_url.rsplit(":", 1)[1]), 10_000_000) as connection:
        connection.sendall(b"\r\n")  # the headers end; not one byte of the body follows
        answer = b""
        while not answer.endswith(b"}") and (received := connection.recv(4096)):
            answer += received
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert answer.endswith(b'{"detail":"the request body is larger than 65536 bytes"}')


def test_a_chunked_body_is_limited_whatever_length_it_declares_too(intake_url: str) -> None:
    """Transfer-Encoding frames the body when a Content-Length is sent beside it: a small
    declared length does not let a larger chunked body through."""
    with _start_request(int(intake_url.rsplit(":", 1)[1]), 10) as connection:
        chunk = b"[" + b"1," * 40_000 + b"1]"
        connection.sendall(b"Transfer-Encoding: chunked\r\n\r\n")
        connection.sendall(b"%x\r\n%s\r\n0\r\n\r\n" % (len(chunk), chunk))
        answer = b""
        while not answer.endswith(b"}") and (received := connection.recv(4096)):
            answer += received
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert answer.endswith(b'{"detail":"the request body is larger than 65536 bytes"}')
