"""Redis, the streams between the services, restarts or loses everything while events flow.

A restart (AOF on, as in production) keeps the streams, the groups and their pending
entries: the services reconnect and carry on. A Redis that lost its data loses what was in
flight; the services recreate their streams and groups, and `stegvis rebuild` restores the
figures from intake's event log.
"""

import subprocess
import sys

from tests.faults import pipeline
from tests.faults.conftest import StartScenario
from tests.faults.servers import RedisServer
from tests.faults.waiting import wait_until

REBUILD_SECONDS = 120


def test_redis_restarted_while_events_flow(
    postgres_url: str, own_redis: RedisServer, start_scenario: StartScenario
) -> None:
    scenario = start_scenario("4. Redis restarted", postgres_url, own_redis.url)
    scenario.send()
    for fraction in (0.3, 0.65):
        scenario.when_sent(fraction)
        scenario.inject(own_redis.restart)
    scenario.finish("restarted ×2 (AOF)")


def test_redis_data_lost_then_rebuilt(
    postgres_url: str, own_redis: RedisServer, start_scenario: StartScenario
) -> None:
    scenario = start_scenario("5. Redis data lost + rebuild", postgres_url, own_redis.url)
    consumers = [scenario.cluster.replicas[name] for name in ("outcomes", "reporting")]
    scenario.send()
    scenario.when_sent(0.4)

    def flush_and_rebuild() -> int:
        in_flight = sum(pipeline.in_streams(scenario.redis, scenario.topology).values())
        scenario.redis.flushall()
        # Each consumer finds its group gone, stops, is restarted by the supervisor and
        # recreates it; meanwhile events keep flowing into new streams.
        wait_until(lambda: all(r.starts == 2 for r in consumers), "consumers not restarted")
        scenario.cluster.wait_all_healthy()
        rebuild = subprocess.run(
            [sys.executable, "-m", "services.cli", "rebuild", "--wait", str(REBUILD_SECONDS)],
            env=consumers[0].environment, capture_output=True, text=True,
            timeout=REBUILD_SECONDS + 30,
        )  # fmt: skip
        assert rebuild.returncode == 0, rebuild.stdout + rebuild.stderr
        assert "Rebuild complete." in rebuild.stdout
        return in_flight

    lost_in_flight = scenario.inject(flush_and_rebuild)
    scenario.finish(f"FLUSHALL with {lost_in_flight} entries in flight; groups recreated; rebuild")
