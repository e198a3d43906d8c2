"""Waiting for a condition with a generous deadline: a guard against hanging, never a
measurement (a slow machine only takes longer)."""

import time
from collections.abc import Callable

DEADLINE_SECONDS = 120.0


def wait_until(
    condition: Callable[[], object],
    message: str | Callable[[], str],
    *,
    seconds: float = DEADLINE_SECONDS,
    interval: float = 0.05,
) -> None:
    """Until `condition()` is true; fails with `message` (or what it returns) at the deadline."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() >= deadline:
            raise AssertionError(message() if callable(message) else message)
        time.sleep(interval)
