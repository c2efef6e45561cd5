"""Per-client rate limiting: a token bucket per client address.

Each client may burst up to ``per_minute`` requests and regains one every
``60 / per_minute`` seconds. Buckets idle long enough to be full again are dropped.
"""

from __future__ import annotations

import math
import threading
import time

from service.errors import RateLimitedError


class RateLimiter:
    def __init__(self, per_minute: int, *, clock=time.monotonic) -> None:
        self.per_minute = per_minute
        self._rate = per_minute / 60.0
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, at)
        self._lock = threading.Lock()
        self._last_sweep = clock()

    @property
    def enabled(self) -> bool:
        return self.per_minute > 0

    def check(self, client: str) -> None:
        """Take one token for ``client`` or raise :class:`RateLimitedError`."""
        if not self.enabled:
            return
        now = self._clock()
        with self._lock:
            self._sweep(now)
            tokens, at = self._buckets.get(client, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - at) * self._rate)
            if tokens < 1.0:
                self._buckets[client] = (tokens, now)
                wait = math.ceil((1.0 - tokens) / self._rate)
                raise RateLimitedError(
                    f"too many questions: the limit is {self.per_minute} per minute",
                    retry_after=max(1, wait),
                )
            self._buckets[client] = (tokens - 1.0, now)

    def _sweep(self, now: float) -> None:
        if now - self._last_sweep < 60:
            return
        self._last_sweep = now
        full = self.per_minute / self._rate
        self._buckets = {c: (t, at) for c, (t, at) in self._buckets.items() if now - at < full}
