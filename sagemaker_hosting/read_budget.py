"""The stack's SageMaker read budget (issue 17): a token bucket that every SageMaker read of the
provider process (Describe*, List*) takes a token from before each attempt, retries included, one
bucket per account and region (`aws` hooks it onto the client's `before-send` event). So a stack
reads at most `BURST_SECONDS` of its rate at once and `READS_PER_SECOND` on average, whatever its
number of endpoints; a read that finds the bucket empty waits its turn. Pure apart from the
injected clock and sleep.

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
from collections.abc import Callable
from typing import Any

READS_PER_SECOND = 10.0
"""The average rate of the stack's SageMaker reads (per account and region), by default."""
BURST_SECONDS = 10.0
"""The bucket holds this many seconds of the rate: the reads a stack may make at once."""
READ_PREFIXES = ("Describe", "List", "Get", "Search")
"""SageMaker operations that count as reads."""


def rate_of(configured: str | None, key: str) -> float:
    """The rate that the stack config's `key` gives (unset: `READS_PER_SECOND`); a clear error
    naming the key for anything but a positive number."""
    if configured is None or configured == "":
        return READS_PER_SECOND
    try:
        rate = float(configured)
    except ValueError:
        rate = 0.0
    if not rate > 0 or rate == float("inf"):
        raise ValueError(
            f"stack config `{key}` is {configured!r}: it must be a positive number of SageMaker reads per second "
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

    def take(self) -> float:
        """One token; the seconds waited for it."""
        with self.lock:
            now = self.clock()
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            self.tokens -= 1  # below zero: reserved, and owed by the time it is due
            wait = -self.tokens / self.rate if self.tokens < 0 else 0.0
            self.waited += wait
        if wait:
            self.sleep(wait)
        return wait

    def before_send(self, event_name: str, **_: Any) -> None:
        """botocore's `before-send.sagemaker.<Operation>` handler: a read takes a token (each attempt)."""
        if event_name.rpartition(".")[2].startswith(READ_PREFIXES):
            self.take()
