"""The read budget's token bucket (`read_budget`), on a fake clock: tables of cases, nothing timed."""

from __future__ import annotations

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
    budget, _ = bucket(1, 1)
    budget.before_send(event_name=event, request=None)
    assert (budget.take() > 0) is counts


@pytest.mark.parametrize(
    ("configured", "rate"),
    [(None, read_budget.READS_PER_SECOND), ("", read_budget.READS_PER_SECOND), ("5", 5.0), ("0.5", 0.5)],
)
def test_configured_rate(configured: str | None, rate: float) -> None:
    assert read_budget.rate_of(configured, "sagemaker-hosting:readsPerSecond") == rate


@pytest.mark.parametrize("configured", ["0", "-3", "many", "inf", "nan"])
def test_a_bad_rate_names_the_key_and_the_rule(configured: str) -> None:
    with pytest.raises(ValueError, match=r"`sagemaker-hosting:readsPerSecond` .* positive number"):
        read_budget.rate_of(configured, "sagemaker-hosting:readsPerSecond")
