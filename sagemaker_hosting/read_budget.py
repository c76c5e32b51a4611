"""The stack's SageMaker read budget (issue 17): token buckets that every SageMaker read of the
provider process (Describe*, List*) takes a token from before each attempt, retries included, one
`Budget` per account and region (`aws` hooks it onto the client's `before-send` event). So a stack
reads at most `BURST_SECONDS` of its rate at once and `READS_PER_SECOND` on average, whatever its
number of endpoints; a read that finds the bucket empty waits its turn. The shared poller's reads
(`polling()`) have a lane of their own (`POLL_SHARE`), so they never wait behind the deployments'.
Pure apart from the injected clock and sleep.

Why these numbers: SageMaker publishes no rate for its control-plane reads; AWS throttles them per
account and region, and every tool of the account shares that rate (the SageMaker Python SDK slowed
its DescribeEndpoint polling from every 5 s to every 30 s because its canaries were throttled:
aws/sagemaker-python-sdk#1204). EC2, which does publish its rates, gives an account's Describe*
calls a bucket of 100 refilled at 20 a second ("Request throttling for the Amazon EC2 API"). The
budget takes that as the account's: a stack may make 100 reads at once (what a deployment of a few
dozen endpoints does at its start and end, so it is not slowed), and 10 a second after that, half
the refill, leaving the other half to the rest of the account. A fleet larger than that waits for
its reads: seconds, against the minutes each SageMaker deployment takes. Stack config
`sagemaker-hosting:readsPerSecond` sets another rate (the burst is `BURST_SECONDS` of it).

Why not botocore's: its `retries.bucket.TokenBucket` (adaptive retry mode) starts empty and holds
one second of its rate, so every preview would wait for its first reads; and adaptive mode limits
only after SageMaker has throttled, which is the starving this budget is to prevent.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

READS_PER_SECOND = 10.0
"""The average rate of the stack's SageMaker reads (per account and region), by default."""
BURST_SECONDS = 10.0
"""The bucket holds this many seconds of the rate: the reads a stack may make at once."""
READ_PREFIXES = ("Describe", "List", "Get", "Search")
"""SageMaker operations that count as reads."""
POLL_SHARE = 0.1
"""The share of the budget (of its rate and of its burst) that is the shared poller's lane
(`polling`): the poller's reads never queue behind the deployments' own, so a fleet that waits for
its budget still has each finish noticed on time. The other reads may take the lane's tokens while
it holds more than half its burst. At the default rate the lane is a read a second after a burst of
ten (a tick of a thousand endpoints' list pages): the simulation (`bench/simulate.py`) notices every
finish of a thousand endpoints moving at once within its promise with it, and not without it."""
MINIMUM_RATE = 2 / BURST_SECONDS
"""The lowest rate a stack may set: each lane's bucket must hold at least one read."""


def allowed(seconds: float, rate: float = READS_PER_SECOND) -> float:
    """The most reads a budget of `rate` lets through in any `seconds`: its burst, then the rate."""
    return rate * BURST_SECONDS + rate * seconds


def rate_of(configured: str | None, key: str) -> float:
    """The rate that the stack config's `key` gives (unset: `READS_PER_SECOND`); a clear error
    naming the key for anything but a positive number."""
    if configured is None or configured == "":
        return READS_PER_SECOND
    try:
        rate = float(configured)
    except ValueError:
        rate = 0.0
    if not rate >= MINIMUM_RATE or rate == float("inf"):
        raise ValueError(
            f"stack config `{key}` is {configured!r}: it must be a number of SageMaker reads per second of at "
            f"least {MINIMUM_RATE:g} "
            f"(unset: {READS_PER_SECOND:g}); run `pulumi config set {key} <reads per second>` or "
            f"`pulumi config rm {key}`."
        )
    return rate


class Bucket:
    """A token bucket, full at the start: `take` returns at once while tokens are left, else
    reserves the next one and sleeps until it comes (first come, first served)."""

    def __init__(
        self,
        rate: float,
        burst: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError(f"a read budget needs a positive rate and a burst of at least 1 (got {rate}, {burst})")
        self.rate, self.burst, self.clock, self.sleep = rate, burst, clock, sleep
        self.tokens, self.stamp = burst, clock()
        self.waited = 0.0
        """Seconds the takers have waited in all."""
        self.lock = threading.Lock()

    def _refill(self) -> None:
        """Add the tokens the rate has made since the last call, up to the burst (under the lock)."""
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def take(self) -> float:
        """One token; the seconds waited for it."""
        with self.lock:
            self._refill()
            self.tokens -= 1  # below zero: reserved, and owed by the time it is due
            wait = -self.tokens / self.rate if self.tokens < 0 else 0.0
            self.waited += wait
        if wait:
            self.sleep(wait)
        return wait

    def spare(self, keep: float) -> bool:
        """Take a token only if more than `keep` are left, without waiting; whether one was taken."""
        with self.lock:
            self._refill()
            if self.tokens < keep + 1:
                return False
            self.tokens -= 1
            return True


_lane = threading.local()


@contextmanager
def polling() -> Iterator[None]:
    """The reads this thread makes within the block are the shared poller's (`POLL_SHARE`)."""
    outer, _lane.polling = getattr(_lane, "polling", False), True
    try:
        yield
    finally:
        _lane.polling = outer


class Budget:
    """The read budget of one account and region: `rate` a second after a burst of `BURST_SECONDS`
    of it, in two lanes that share both, the poller's (`POLL_SHARE`) and the other reads'."""

    def __init__(
        self,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        burst = rate * BURST_SECONDS
        polls_burst = max(1.0, burst * POLL_SHARE)  # a read at least, at the lowest rates
        self.polls = Bucket(rate * POLL_SHARE, polls_burst, clock, sleep)
        self.others = Bucket(rate * (1 - POLL_SHARE), burst - polls_burst, clock, sleep)

    @property
    def waited(self) -> float:
        """Seconds the readers have waited in all."""
        return self.polls.waited + self.others.waited

    def take(self, polling: bool = False) -> float:
        """A token for one read, from the poller's lane or else the others' (which may use the
        poller's spare tokens); the seconds waited for it."""
        if polling:
            return self.polls.take()
        if self.polls.spare(keep=self.polls.burst / 2):
            return 0.0
        return self.others.take()

    def before_send(self, event_name: str, **_: Any) -> None:
        """botocore's `before-send.sagemaker.<Operation>` handler: a read takes a token (each attempt),
        in the poller's lane within `polling()`."""
        if event_name.rpartition(".")[2].startswith(READ_PREFIXES):
            self.take(getattr(_lane, "polling", False))
