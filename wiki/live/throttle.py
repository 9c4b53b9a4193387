"""Token buckets: per socket in memory, or per person and document across every process.

One bucket per key: ``rate_per_s`` on average, up to ``burst`` at once. With Redis the
buckets live there, so a person's allowance is the same whichever socket or server process
their edits arrive on, and a new socket does not bring a fresh one.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Protocol

import redis

MAX_KEYS = 10_000  # buckets kept in memory; the least recently used full ones go first


@dataclass
class TokenBucket:
    """``rate_per_s`` takes a second on average, up to ``burst`` at once."""

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


class Allowance(Protocol):
    """Buckets by key, all with the same rate and burst."""

    def take(self, key: str) -> bool:
        """Spend one token of ``key``'s bucket; False when it is empty."""


class MemoryAllowance:
    """Buckets in this process, for a single-process server."""

    def __init__(self, rate_per_s: float, burst: int) -> None:
        self._rate, self._burst = rate_per_s, burst
        self._buckets: OrderedDict[str, TokenBucket] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str) -> bool:
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = TokenBucket(self._rate, self._burst)
                if len(self._buckets) > MAX_KEYS:
                    # A forgotten bucket comes back full: only forget long-idle ones.
                    self._buckets.popitem(last=False)
            self._buckets.move_to_end(key)
        return bucket.take()


# Redis's own clock, so that processes whose clocks differ share one bucket fairly.
_TAKE = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1e6
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or t
tokens = math.min(burst, tokens + math.max(0, t - at) * rate)
local taken = 0
if tokens >= 1 then
  tokens = tokens - 1
  taken = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(t))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return taken
"""


class RedisAllowance:
    """Buckets in Redis, shared by every server process of a deployment."""

    def __init__(self, url: str, prefix: str, rate_per_s: float, burst: int) -> None:
        self._redis = redis.Redis.from_url(url)
        self._script = self._redis.register_script(_TAKE)
        self._prefix, self._args = prefix, (rate_per_s, burst)

    def take(self, key: str) -> bool:
        try:
            return bool(self._script(keys=[f"{self._prefix}:{key}"], args=self._args))
        except redis.RedisError:
            # The limit protects the server; it must not refuse every edit when Redis is away.
            return True

    def close(self) -> None:
        self._redis.close()


def allowance(redis_url: str | None, prefix: str, rate_per_s: float, burst: int) -> Allowance:
    """Shared buckets when the deployment has Redis, else this process's own."""
    if redis_url:
        return RedisAllowance(redis_url, prefix, rate_per_s, burst)
    return MemoryAllowance(rate_per_s, burst)
