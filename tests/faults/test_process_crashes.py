"""A consumer process dies in the middle of a batch (SIGKILL: no clean-up, entries left
delivered and unacknowledged); its restarted self, or another replica, takes them over."""

import pytest

from tests.faults.conftest import StartScenario


@pytest.mark.parametrize(
    ("name", "service", "sent_fractions"),
    [
        ("1. outcomes killed mid-batch", "outcomes", (0.2, 0.45, 0.7)),
        ("2. reporting killed mid-batch", "reporting", (0.3, 0.65)),
    ],
)
def test_a_consumer_killed_mid_batch_again_and_again(
    name: str,
    service: str,
    sent_fractions: tuple[float, ...],
    postgres_url: str,
    redis_url: str,
    start_scenario: StartScenario,
) -> None:
    scenario = start_scenario(name, postgres_url, redis_url)
    scenario.send()
    held = []
    for fraction in sent_fractions:
        scenario.when_sent(fraction)
        held.append(scenario.kill_mid_batch(service))
    scenario.finish(f"SIGKILL ×{len(held)}, holding {'/'.join(map(str, held))} entries")


def test_pending_entries_of_a_dead_replica_are_claimed_by_another(
    postgres_url: str, redis_url: str, start_scenario: StartScenario
) -> None:
    scenario = start_scenario(
        "9. dead replica's entries claimed", postgres_url, redis_url, outcomes=2
    )
    scenario.send()
    scenario.when_sent(0.4)
    held = scenario.kill_mid_batch(
        "outcomes-2",
        for_good=True,
        # Recovered once the survivor claimed every entry the dead one held.
        recovered=lambda: scenario.pending_of("outcomes-2") == 0,
    )
    scenario.finish(f"outcomes-2 SIGKILLed for good holding {held}; outcomes-1 claimed them")
