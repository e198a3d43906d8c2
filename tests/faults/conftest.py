"""Fixtures of the fault scenarios (servers of their own, a cluster of service processes)
and the table of results printed at the end of the run."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.faults.cluster import Cluster
from tests.faults.scenario import Scenario
from tests.faults.servers import PostgresServer, RedisServer
from tests.faults.table import ROWS, render
from tests.faults.workload import plan

PARTICIPANTS = 900
"""About 2,200 commands per scenario: 900 starts, ~450 check-ins, ~675 stops, ~220
follow-ups."""
SETTINGS = {"claim_idle_ms": "1000"}
"""Entries a killed consumer held are retried after a second, not the default ten."""


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    directory = tmp_path / "redis"
    directory.mkdir()
    server = RedisServer(directory)
    server.start()
    yield server
    server.close()


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    server = PostgresServer()
    server.start()
    yield server
    server.close()


StartScenario = Callable[..., Scenario]


@pytest.fixture
def start_scenario(tmp_path: Path, stream_prefix: str) -> Iterator[StartScenario]:
    """Starts intake, outcomes (`outcomes` replicas named outcomes-1, -2, … when more than
    one) and reporting on the given servers, each a process of its own.

    A test names it after its servers' fixtures, so that the services stop before the
    servers do.
    """
    started: list[Scenario] = []
    clusters: list[Cluster] = []

    def start(
        name: str, database_url: str, redis_url: str, *, outcomes: int = 1, **settings: str
    ) -> Scenario:
        cluster = Cluster(database_url, redis_url, stream_prefix, tmp_path)
        clusters.append(cluster)
        settings = SETTINGS | settings
        cluster.add("intake", **settings)
        for n in range(1, outcomes + 1):
            cluster.add("outcomes", f"outcomes-{n}" if outcomes > 1 else None, **settings)
        cluster.add("reporting", **settings)
        cluster.start()
        scenario = Scenario(name, cluster, plan(PARTICIPANTS, seed=name))
        started.append(scenario)
        return scenario

    yield start
    for cluster in clusters:
        cluster.stop()
    for scenario in started:
        scenario.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if ROWS:
        terminalreporter.write_sep("=", "fault scenarios")
        terminalreporter.write_line(render(ROWS))
