"""Rate limit of failed logins: after `max_failures` within `window` a key (a username, a
client address) is refused until its oldest failure leaves the window."""

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

PRUNE_ABOVE_KEYS = 10_000
"""Above this many keys, those without a recent failure are forgotten, so that a stream of
made-up usernames cannot grow memory without bound."""


@dataclass
class LoginThrottle:
    max_failures: int
    window: timedelta
    _failures: dict[str, deque[datetime]] = field(default_factory=dict)

    def retry_after(self, key: str, now: datetime) -> timedelta | None:
        """How long the key must wait, or None when it is not throttled."""
        failures = self._recent(key, now)
        if len(failures) >= self.max_failures:
            return failures[0] + self.window - now
        return None

    def failed(self, key: str, now: datetime) -> None:
        if len(self._failures) > PRUNE_ABOVE_KEYS:
            for known in list(self._failures):
                self._recent(known, now)
        self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, key: str) -> None:
        self._failures.pop(key, None)

    def _recent(self, key: str, now: datetime) -> deque[datetime]:
        failures = self._failures.get(key, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if not failures:
            self._failures.pop(key, None)
        return failures
