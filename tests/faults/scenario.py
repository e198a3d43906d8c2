"""One fault scenario: a cluster of service processes, the commands flowing into it, faults
injected while they flow, and the verdict once everything arrived (exact figures, nothing
pending, no dead letters), recorded as a row of the table."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import httpx
import redis

from shared.platform.streams import Topology
from tests.faults import expected, pipeline, reports
from tests.faults.cluster import Cluster
from tests.faults.table import ROWS, Row
from tests.faults.waiting import wait_until
from tests.faults.workload import YEAR, Sender, Stay

T = TypeVar("T")


@dataclass
class Scenario:
    name: str
    cluster: Cluster
    stays: list[Stay]
    recoveries: list[float] = field(default_factory=list)
    """Seconds each injected fault took to recover from."""

    def __post_init__(self) -> None:
        self.topology = Topology(self.cluster.stream_prefix)
        self.redis = redis.Redis.from_url(self.cluster.redis_url)
        self.sender = Sender(self.cluster.url("intake"), self.stays)
        self.reporting = self.cluster.client("reporting")

    def send(self) -> None:
        """Start sending every command, in the background."""
        self.sender.define_insatser()
        self.sender.start()

    def when_sent(self, fraction: float) -> None:
        """Wait until that fraction of the commands is accepted."""
        self.sender.wait_until_sent(round(fraction * self.sender.total))

    def inject(self, fault: Callable[[], T], recovered: Callable[[], bool] | None = None) -> T:
        """Inject the fault, then wait until the system recovered from it: by default until
        the reports reach the newest event accepted before it. Records the seconds taken."""
        position, since = self.sender.newest_position, time.monotonic()
        result = fault()
        wait_until(
            recovered or (lambda: self.processed_position() >= position),
            f"{self.name}: never recovered",
        )
        self.recoveries.append(time.monotonic() - since)
        return result

    def processed_position(self) -> int:
        """The newest event position the reports include (0 while reporting is down)."""
        try:
            response = self.reporting.get(
                "/api/v1/reports", params={"year": YEAR, "period": "helar"}
            )
        except httpx.TransportError:
            return 0
        return response.json()["processed_through"]["position"] if response.is_success else 0

    def pending_of(self, name: str) -> int:
        """Entries delivered to the replica and not yet acknowledged by it."""
        service = self.cluster.replicas[name].service
        stream = {
            "outcomes": self.topology.intake_events,
            "reporting": self.topology.outcome_changes,
        }[service]
        # Each service's consumer group is named after it.
        return pipeline.pending_of(self.redis, stream, service, name)

    def kill_mid_batch(
        self, name: str, *, for_good: bool = False, recovered: Callable[[], bool] | None = None
    ) -> int:
        """SIGKILL the replica while it holds entries delivered and not yet acknowledged
        (in the middle of a batch), and wait for the recovery (see `inject`); returns how
        many entries it held when it died."""
        self.cluster.wait_healthy(name)  # restarted after an earlier kill
        wait_until(lambda: self.pending_of(name) > 0, f"{name} never held entries", interval=0.002)

        def kill() -> int:
            self.cluster.kill(name, for_good=for_good)
            return self.pending_of(name)

        return self.inject(kill, recovered)

    def finish(self, fault: str | Callable[[], str]) -> None:
        """Wait until every command is accepted and everything arrived; record the row
        (`fault` describes what was injected, worked out now if a callable); fail on any
        figure that differs and on any dead letter."""
        self.sender.join()
        first = reports.wait_until_exact(self.reporting, self.stays)
        if first.exact:
            # Nothing left on its way, and still exact: no late redelivery counted twice.
            pipeline.wait_until_drained(self.cluster.database_url, self.redis, self.topology)
        final = reports.compare(self.reporting, self.stays) or first
        dead = pipeline.dead_letters(self.redis, self.topology)
        events = sum(1 + (stay.end is not None) for stay in self.stays)
        events += len(self.sender.activities)
        events += expected.reached_followups(self.stays, (YEAR - 1, YEAR))
        ROWS.append(
            Row(
                scenario=self.name,
                fault=fault() if callable(fault) else fault,
                commands=self.sender.sent,
                events=events,
                counted=final.counted,
                lost=final.lost,
                duplicated=final.duplicated,
                recovery_seconds=max(self.recoveries, default=0.0),
            )
        )
        assert final.exact, f"{self.name}: figures differ:\n" + "\n".join(final.differing[:20])
        assert final.counted == events
        assert not dead, f"{self.name}: {len(dead)} entries dead-lettered: {dead[:5]}"

    def close(self) -> None:
        """Close the clients and delete this scenario's streams (Redis may be shared)."""
        self.reporting.close()
        keys = list(self.redis.scan_iter(f"{self.topology.prefix}.*"))
        if keys:
            self.redis.delete(*keys)
        self.redis.close()
