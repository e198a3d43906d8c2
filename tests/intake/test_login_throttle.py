"""The failed-login limit: a sliding window per key."""

from datetime import UTC, datetime, timedelta

from services.intake.domain import login_throttle
from services.intake.domain.login_throttle import LoginThrottle

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=15)


def test_a_key_waits_until_its_oldest_failure_leaves_the_window() -> None:
    throttle = LoginThrottle(max_failures=3, window=WINDOW)
    for minute in (0, 5, 6):
        assert throttle.retry_after("ivan", T0 + timedelta(minutes=minute)) is None
        throttle.failed("ivan", T0 + timedelta(minutes=minute))
    assert throttle.retry_after("ivan", T0 + timedelta(minutes=7)) == timedelta(minutes=8)
    assert throttle.retry_after("lisa", T0 + timedelta(minutes=7)) is None
    assert throttle.retry_after("ivan", T0 + timedelta(minutes=15)) is None


def test_a_success_forgets_the_keys_failures() -> None:
    throttle = LoginThrottle(max_failures=2, window=WINDOW)
    throttle.failed("ivan", T0)
    throttle.succeeded("ivan")
    throttle.failed("ivan", T0)
    assert throttle.retry_after("ivan", T0) is None


def test_made_up_keys_do_not_pile_up(monkeypatch) -> None:
    monkeypatch.setattr(login_throttle, "PRUNE_ABOVE_KEYS", 100)
    throttle = LoginThrottle(max_failures=5, window=WINDOW)
    for n in range(1000):
        throttle.failed(f"guess-{n}", T0 + timedelta(minutes=n))
    assert len(throttle._failures) <= 100 + 15 + 1
