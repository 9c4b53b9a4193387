"""A token bucket per editing session, so one client cannot flood a room with updates."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field


@dataclass
class TokenBucket:
    """``rate_per_s`` updates a second on average, up to ``burst`` at once."""

    rate_per_s: float
    burst: int
    _tokens: float = field(init=False)
    _at: float = field(init=False, default_factory=time.monotonic)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self._tokens = float(self.burst)

    def take(self) -> bool:
        """Spend one token if there is one; False means: refuse, the client retries later."""
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate_per_s)
            self._at = now
            if self._tokens < 1:
                return False
            self._tokens -= 1
            return True
