"""A stack of a thousand endpoints without the CLI (issue 17): `python -m bench.simulate`.

One `pulumi up` that moves every endpoint of a stack to a new config, simulated on a fake clock
(discrete events: no thread, no sleep), with the provider's own pieces where they are pure:

- the read budget: `read_budget.Budget` on the fake clock, a token per attempt (as its
  `before-send` hook takes one), the poller's from its own lane (`poll_lane=False`: from the
  others', the negative control of that lane);
- the shared poller: each watch first read `status_board.FIRST_READ` after it starts, then on
  `status_board.steady_delay` from its last read, or `status_board.FOLLOW_UP` after a tick that
  saw an endpoint finish (`follow_up=False`: never, its negative control); a tick reads every
  watch, and costs one ListEndpoints page per `aws.LIST_PAGE_SIZE` endpoints in progress;
- retries: botocore's standard mode, as `aws` configures it: `aws.MAX_ATTEMPTS` attempts, a
  throttled attempt waiting rand * min(2^(attempt-1), 20) s, and the client's retry quota (500,
  5 a retry, given back by a retry that succeeds, 1 back for a first attempt that does;
  `botocore.retries.quota`), shared by every endpoint of the process;
- the reads each endpoint makes before its UpdateEndpoint and after it is seen done, as counted by
  the bench through the CLI (`BEFORE`, `AFTER`);

and SageMaker as the two things that matter here: a deployment of `deploy_seconds`, and an account
whose reads are throttled past a token bucket (EC2's published Describe* bucket, 100 refilled at
20 a second, as no SageMaker rate is published), part of which the rest of the account uses.
The engine is one number: the seconds per resource it takes to start the operations (the floor's
measured slope); the provider process serves at most `process.PROVIDER_THREADS` operations at once,
the rest wait for a thread. Not modelled: writes (one UpdateEndpoint and one CreateEndpointConfig an
endpoint, a rate of their own), the engine's memory and checkpoints (README says what they cost).
"""

from __future__ import annotations

import argparse
import bisect
import collections
import contextlib
import heapq
import itertools
import math
import random
from collections.abc import Callable, Generator
from dataclasses import dataclass, field

from sagemaker_hosting import aws, process, read_budget, status_board

BEFORE = 4
"""SageMaker reads an endpoint's move makes before its UpdateEndpoint (measured: the config's
leftovers list and DescribeEndpointConfig, the endpoint's ListTags and DescribeEndpoint)."""
AFTER = 3
"""... and after the poller sees it leave Updating: its DescribeEndpoint, then the old config's
ListTags and the DescribeEndpoint of the endpoint its record names."""
ACCOUNT_BURST, ACCOUNT_RATE = 100.0, 20.0
"""The account's read bucket (EC2's published figures for its Describe* calls)."""
RETRY_QUOTA, RETRY_COST, SUCCESS_REFUND = 500, 5, 1
"""botocore's standard-mode retry quota (`botocore.retries.quota.RetryQuota`, `standard.RetryQuotaChecker`)."""
MAX_BACKOFF = 20.0
"""botocore's `standard.ExponentialBackoff`: rand(0, 1) * min(2^(attempt - 1), 20) s when throttled."""

Wait = Generator[float, None, bool]
"""A simulated activity: yields seconds to wait, returns whether it succeeded."""


@dataclass
class Account:
    """SageMaker's side: the account's read bucket, less what the rest of the account reads."""

    burst: float
    rate: float
    tokens: float = field(init=False)
    stamp: float = 0.0

    def __post_init__(self) -> None:
        self.tokens = self.burst

    def admit(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


@dataclass
class Outcome:
    """What one simulated `up` cost."""

    endpoints: int
    wall: float
    reads: int
    throttled: int
    failed: int
    """Endpoints whose `up` failed: a read out of attempts or retry quota."""
    peak_reads_per_second: int
    budget_wait: float
    latest_notice: float
    """The most seconds any endpoint's finish went unnoticed."""


class Simulation:
    """One `up` of `endpoints` endpoints (module docstring)."""

    def __init__(
        self,
        endpoints: int,
        deploy_seconds: float = 480.0,
        engine_step: float = 0.05,
        reads_per_second: float | None = read_budget.READS_PER_SECOND,
        others_per_second: float = 5.0,
        threads: int = process.PROVIDER_THREADS,
        poll_lane: bool = True,
        follow_up: bool = True,
        seed: int = 17,
    ) -> None:
        self.now = 0.0
        self.queue: list[tuple[float, int, Wait]] = []
        self.order = itertools.count()
        self.random = random.Random(seed)
        self.endpoints, self.deploy, self.engine_step = endpoints, deploy_seconds, engine_step
        self.budget = (
            None
            if reads_per_second is None
            else read_budget.Budget(reads_per_second, clock=lambda: self.now, sleep=lambda seconds: None)
        )
        self.poll_lane, self.follow_up = poll_lane, follow_up
        self.account = Account(ACCOUNT_BURST, ACCOUNT_RATE - others_per_second)
        self.quota = RETRY_QUOTA
        self.read_times: list[float] = []
        self.throttled = self.failed = self.lost = 0
        """Throttled attempts, reads that failed (out of attempts or retry quota), endpoints lost to them."""
        self.watches: dict[int, list[float]] = {}
        """Endpoint -> [start, due, finish] of those the poller watches."""
        self.threads, self.in_flight, self.waiting = threads, 0, collections.deque[int]()
        self.noticed: dict[int, float] = {}
        self.done: list[float] = []
        self.lateness: list[float] = []

    def spawn(self, activity: Wait, delay: float = 0.0) -> None:
        heapq.heappush(self.queue, (self.now + delay, next(self.order), activity))

    def run(self) -> Outcome:
        for index in range(self.endpoints):
            self.spawn(self.arrive(index), index * self.engine_step)
        self.spawn(self.poller(), status_board.FIRST_READ)
        while self.queue:
            self.now, _, activity = heapq.heappop(self.queue)
            with contextlib.suppress(StopIteration):  # an activity that returns is over
                self.spawn(activity, next(activity))
        times = sorted(self.read_times)
        peak = max((_count_within(times, t, 1.0) for t in times), default=0)
        return Outcome(
            self.endpoints,
            max(self.done, default=0.0),
            len(times),
            self.throttled,
            self.lost,
            peak,
            self.budget.waited if self.budget else 0.0,
            max(self.lateness, default=0.0),
        )

    def read(self, polling: bool = False) -> Wait:
        """One SageMaker read: a budget token per attempt (in the poller's lane when `polling`, unless
        the simulation has none), throttled attempts retried as botocore does."""
        for attempt in range(1, aws.MAX_ATTEMPTS + 1):
            if self.budget is not None:
                yield self.budget.take(polling and self.poll_lane)
            if self.account.admit(self.now):
                self.read_times.append(self.now)
                self.quota = min(RETRY_QUOTA, self.quota + (RETRY_COST if attempt > 1 else SUCCESS_REFUND))
                return True
            self.throttled += 1
            if attempt == aws.MAX_ATTEMPTS or self.quota < RETRY_COST:
                break
            self.quota -= RETRY_COST
            yield self.random.random() * min(2.0 ** (attempt - 1), MAX_BACKOFF)
        self.failed += 1
        return False

    def arrive(self, index: int) -> Wait:
        """The engine sends the endpoint's update: it runs on a thread of the provider process, or
        waits for one (`process.PROVIDER_THREADS`)."""
        if self.in_flight < self.threads:
            self.in_flight += 1
            self.spawn(self.endpoint(index))
        else:
            self.waiting.append(index)
        return True
        yield 0.0  # a generator, like every activity

    def release(self) -> None:
        """An endpoint's operation is over: its thread takes the next waiting one."""
        self.in_flight -= 1
        if self.waiting:
            self.in_flight += 1
            self.spawn(self.endpoint(self.waiting.popleft()))

    def endpoint(self, index: int) -> Wait:
        """An endpoint's move up to its UpdateEndpoint: its reads, then a watch on the poller."""
        for _ in range(BEFORE):
            if not (yield from self.read()):
                self.lost += 1
                self.release()
                return False
        self.watches[index] = [self.now, self.now + status_board.FIRST_READ, self.now + self.deploy]
        return True

    def finish(self, index: int, finish: float) -> Wait:
        """An endpoint's move once the poller saw its deployment end: its reads after it."""
        self.lateness.append(self.now - finish)
        for _ in range(AFTER):
            if not (yield from self.read()):
                self.lost += 1
                self.release()
                return False
        self.done.append(self.now)
        self.release()
        return True

    def poller(self) -> Wait:
        """The shared poller: a tick when a watch is due, one list page per 100 in progress, for all."""
        while len(self.noticed) + self.lost < self.endpoints or self.watches:
            if not self.watches:
                yield 0.05  # no watch yet: the engine is still starting operations
                continue
            due = min(watch[1] for watch in self.watches.values())
            if due > self.now:
                yield due - self.now
                continue
            tick = self.now
            for _ in range(math.ceil(len(self.watches) / aws.LIST_PAGE_SIZE)):
                yield from self.read(polling=True)
            news = False
            for index, (start, _, finish) in list(self.watches.items()):
                if finish <= tick:  # the watch wakes: its endpoint left Updating
                    self.noticed[index] = self.now
                    del self.watches[index]
                    self.spawn(self.finish(index, finish))
                    news = True
                else:
                    self.watches[index][1] = tick + status_board.steady_delay(tick - start)
            if news and self.follow_up:
                for watch in self.watches.values():
                    watch[1] = min(watch[1], self.now + status_board.FOLLOW_UP)
        return True


def _count_within(times: list[float], start: float, window: float) -> int:
    return bisect.bisect_left(times, start + window) - bisect.bisect_left(times, start)


def simulate(endpoints: int, **options: float | None) -> Outcome:
    """One simulated `up` (`Simulation`'s options)."""
    return Simulation(endpoints, **options).run()  # type: ignore[arg-type]


SIZES = (1, 100, 1000)
BUDGETS: dict[str, float | None] = {"default": read_budget.READS_PER_SECOND, "none": None}


def table(deploy_seconds: float = 480.0, sizes: tuple[int, ...] = SIZES) -> list[list[str]]:
    """Rows of the README's simulation table: each size, with the read budget and without; and the
    largest with the budget and a provider thread for each endpoint (all at once)."""
    rows = []
    runs = [(f"{n}", budget, rate, n, process.PROVIDER_THREADS) for budget, rate in BUDGETS.items() for n in sizes]
    runs.append((f"{sizes[-1]}, a thread each", "default", read_budget.READS_PER_SECOND, sizes[-1], sizes[-1]))
    for label, budget, rate, n, threads in runs:
        base = simulate(1, deploy_seconds=deploy_seconds, reads_per_second=rate)
        outcome = simulate(n, deploy_seconds=deploy_seconds, reads_per_second=rate, threads=threads)
        rows.append(
            [
                label,
                budget,
                f"{outcome.wall:.0f}",
                f"{outcome.wall / base.wall:.2f}",
                f"{outcome.reads / n:.1f}",
                f"{outcome.peak_reads_per_second}",
                f"{outcome.throttled}",
                f"{outcome.failed}",
                f"{outcome.latest_notice:.1f}",
            ]
        )
    return rows


HEADER = [
    "endpoints",
    "read budget",
    "wall s",
    "vs 1",
    "reads/endpoint",
    "peak reads/s",
    "throttled attempts",
    "endpoints failed",
    "latest notice s",
]


def main(argv: list[str] | None = None, out: Callable[[str], None] = print) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deploy-seconds", type=float, default=480.0, help="one deployment's length (default 480)")
    args = parser.parse_args(argv)
    out("| " + " | ".join(HEADER) + " |")
    out("|" + "---|" * len(HEADER))
    for row in table(args.deploy_seconds):
        out("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
