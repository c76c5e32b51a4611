"""The read budget's token bucket (`read_budget`), on a fake clock: tables of cases, nothing timed."""

from __future__ import annotations

import bisect
import threading

import pytest

from sagemaker_hosting import read_budget


class FakeClock:
    """A clock that moves only when slept on."""

    def __init__(self) -> None:
        self.now = 0.0
        self.lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.now += seconds


def bucket(rate: float, burst: float) -> tuple[read_budget.Bucket, FakeClock]:
    clock = FakeClock()
    return read_budget.Bucket(rate, burst, clock=clock, sleep=clock.sleep), clock


@pytest.mark.parametrize(
    ("rate", "burst", "takes", "waits"),
    [
        (10, 3, 3, [0, 0, 0]),  # a full bucket: the burst at once
        (10, 3, 5, [0, 0, 0, 0.1, 0.1]),  # then one token each 1/rate
        (2, 1, 3, [0, 0.5, 0.5]),
        (100, 100, 101, [0] * 100 + [0.01]),
    ],
)
def test_burst_then_rate(rate: float, burst: float, takes: int, waits: list[float]) -> None:
    budget, _ = bucket(rate, burst)
    assert [budget.take() for _ in range(takes)] == pytest.approx(waits)


@pytest.mark.parametrize(("rate", "seconds"), [(10, 1.0), (10, 5.0), (2, 0.5), (2, 10.0)])
def test_allowed_is_what_a_full_bucket_gives_in_a_window(rate: float, seconds: float) -> None:
    """`allowed` (what the bench and the tests hold the reads to) counts what a bucket of the default
    burst lets through in `seconds` from full, taking as fast as it lets: one read more would wait."""
    budget, clock = bucket(rate, rate * read_budget.BURST_SECONDS)
    taken = 0
    while clock.now + budget.take() <= seconds + 1e-9:
        taken += 1
    assert taken == pytest.approx(read_budget.allowed(seconds, rate))


def test_refills_over_time_up_to_the_burst() -> None:
    budget, clock = bucket(10, 5)
    for _ in range(5):
        budget.take()
    clock.now += 0.3  # three tokens back
    assert [budget.take() for _ in range(4)] == pytest.approx([0, 0, 0, 0.1])
    clock.now += 60  # never more than the burst
    assert sum(1 for _ in range(8) if budget.take() == 0) == 5


def test_takers_in_threads_share_one_rate() -> None:
    """Eight threads take 25 tokens each at once: 200 reads at 20 a second after a burst of 40 take
    8 s on the clock, and no token is given twice (the waits add up)."""
    budget, clock = bucket(20, 40)
    threads = [threading.Thread(target=lambda: [budget.take() for _ in range(25)]) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert clock.now == pytest.approx((200 - 40) / 20)


@pytest.mark.parametrize(
    ("event", "counts"),
    [
        ("before-send.sagemaker.DescribeEndpoint", True),
        ("before-send.sagemaker.ListTags", True),
        ("before-send.sagemaker.ListEndpoints", True),
        ("before-send.sagemaker.UpdateEndpoint", False),
        ("before-send.sagemaker.DeleteEndpointConfig", False),
        ("before-send.sagemaker.AddTags", False),
    ],
)
def test_only_reads_take_tokens(event: str, counts: bool) -> None:
    budget = read_budget.Budget(1.0)
    full = budget.polls.tokens + budget.others.tokens
    budget.before_send(event_name=event, request=None)
    assert budget.polls.tokens + budget.others.tokens == full - counts


def grants(budget: read_budget.Budget, clock: list[float], takers: list[bool]) -> list[float]:
    """When each of `takers` (True: the poller) is given its read, all asking at once at `clock[0]`
    (the bucket reserves and the taker would sleep that long; the clock does not move)."""
    return [clock[0] + budget.take(polling) for polling in takers]


def reservations() -> tuple[read_budget.Budget, list[float]]:
    clock = [0.0]
    return read_budget.Budget(10.0, clock=lambda: clock[0], sleep=lambda _: None), clock


def test_the_pollers_reads_do_not_wait_behind_the_others() -> None:
    """300 reads of deployments queue for 23 s; a tick of the poller's five list pages that comes
    after them is given its reads at once, and the next ten wait only for the poller's own lane (a
    read a second); a read outside the poller's lane (negative control) waits behind the queue."""
    budget, clock = reservations()
    queued = grants(budget, clock, [False] * 300)
    assert queued[-1] == pytest.approx((300 - 90 - 5) / 9)  # the others' burst, then half the poller's
    assert grants(budget, clock, [True] * 5) == [0.0] * 5
    assert max(grants(budget, clock, [True] * 10)) == pytest.approx(10 / 1)
    assert min(grants(budget, clock, [False])) > queued[-1]


def test_both_lanes_together_keep_to_the_budget() -> None:
    """Deployments' reads and poller ticks, all asking at once: in no window are more reads given than
    `allowed` (the budget's burst and its rate)."""
    budget, clock = reservations()
    takers = [index % 7 == 0 for index in range(1000)]  # a poller page among every seven reads
    times = sorted(grants(budget, clock, takers))
    for window in (0.5, 1.0, 5.0, 10.0, 60.0):
        busiest = max(bisect.bisect_right(times, t + window) - i for i, t in enumerate(times))
        assert busiest <= read_budget.allowed(window) + 1e-9, window


@pytest.mark.parametrize(
    ("configured", "rate"),
    [(None, read_budget.READS_PER_SECOND), ("", read_budget.READS_PER_SECOND), ("5", 5.0), ("0.2", 0.2), ("1e3", 1000)],
)
def test_configured_rate(configured: str | None, rate: float) -> None:
    assert read_budget.rate_of(configured, "sagemaker-hosting:readsPerSecond") == rate


@pytest.mark.parametrize("configured", ["0", "-3", "0.1", "many", "inf", "nan"])
def test_a_bad_rate_names_the_key_and_the_rule(configured: str) -> None:
    """At least 0.2 a second: each lane's bucket must hold a read (`MINIMUM_RATE`)."""
    assert read_budget.MINIMUM_RATE == 0.2
    with pytest.raises(ValueError, match=r"`sagemaker-hosting:readsPerSecond` .* of at least 0.2"):
        read_budget.rate_of(configured, "sagemaker-hosting:readsPerSecond")
