"""Readiness checks: each dependency by name, failing by itself."""

import socket
from dataclasses import replace
from pathlib import Path

from redis.asyncio import Redis

from services.outcomes.bootstrap import REVISIONS_DIR
from shared.platform.service import database_and_redis
from shared.platform.settings import Settings


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_checks_name_the_dependency_that_does_not_answer(
    database_url: str, redis_url: str, tmp_path: Path
) -> None:
    settings = Settings(database_url=database_url, redis_url=redis_url, data_dir=tmp_path)
    async with database_and_redis(settings, "outcomes", REVISIONS_DIR) as connections:
        assert await connections.checks() == {"database": True, "redis": True}
        unreachable = Redis(port=_closed_port(), socket_connect_timeout=0.5)
        assert await replace(connections, redis=unreachable).checks() == {
            "database": True,
            "redis": False,
        }
        await unreachable.aclose()
