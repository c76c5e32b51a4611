"""The Waiter polls with pending/target statuses and adaptive delays, on an injected clock."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from sagemaker_hosting.waiting import Waiter, WaitError, poll_delay


class FakeTime:
    """A clock that advances only when the waiter sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds


def endpoint_that(timeline: list[tuple[float, dict[str, Any] | None]], fake: FakeTime):
    """fetch() returning the last timeline entry whose start time has passed."""

    def fetch() -> Mapping[str, Any] | None:
        current = timeline[0][1]
        for start, described in timeline:
            if fake.now >= start:
                current = described
        return current

    return fetch


def make_waiter(fake: FakeTime, messages: list[str]) -> Waiter:
    """A waiter on fake time, polling without jitter."""
    return Waiter(
        clock=fake.clock, sleep=fake.sleep, progress=messages.append, delay=lambda e: poll_delay(e, lambda: 0)
    )


@pytest.mark.parametrize(
    ("timeline", "pending", "target", "expected_status"),
    [
        (
            [(0, {"EndpointStatus": "Creating"}), (42, {"EndpointStatus": "InService"})],
            {"Creating"},
            {"InService"},
            "InService",
        ),
        ([(0, {"EndpointStatus": "InService"})], {"Creating"}, {"InService"}, "InService"),
        (
            [
                (0, {"EndpointStatus": "Updating"}),
                (10, {"EndpointStatus": "RollingBack"}),
                (20, {"EndpointStatus": "InService"}),
            ],
            {"Updating", "RollingBack"},
            {"InService"},
            "InService",
        ),
        ([(0, {"EndpointStatus": "Deleting"}), (5, None)], {"Deleting"}, {None}, None),
    ],
)
def test_wait_reaches_target(timeline, pending, target, expected_status):
    fake = FakeTime()
    messages: list[str] = []
    described = make_waiter(fake, messages).wait(
        "Endpoint", endpoint_that(timeline, fake), "EndpointStatus", pending, target, 3600
    )
    assert (described or {}).get("EndpointStatus") == expected_status
    assert fake.now >= timeline[-1][0]


@pytest.mark.parametrize(
    ("final", "message"),
    [
        (
            {"EndpointStatus": "Failed", "FailureReason": "Failed to download model data"},
            "is Failed: Failed to download model data",
        ),
        ({"EndpointStatus": "UpdateRollbackFailed"}, "is UpdateRollbackFailed"),
        (None, "is gone"),
    ],
)
def test_wait_fails_on_unexpected_status(final, message):
    fake = FakeTime()
    messages: list[str] = []
    fetch = endpoint_that([(0, {"EndpointStatus": "Creating"}), (30, final)], fake)
    with pytest.raises(WaitError, match=message):
        make_waiter(fake, messages).wait("Endpoint", fetch, "EndpointStatus", {"Creating"}, {"InService"}, 3600)


def test_wait_times_out_with_advice():
    fake = FakeTime()
    messages: list[str] = []
    fetch = endpoint_that([(0, {"EndpointStatus": "Updating"})], fake)
    with pytest.raises(WaitError, match=r"still Updating after 2m00s \(timeout 2m00s\); raise `timeouts`"):
        make_waiter(fake, messages).wait("Endpoint", fetch, "EndpointStatus", {"Updating"}, {"InService"}, 120)
    assert fake.now == 120  # the last sleep is cut to the deadline


def test_progress_reports_changes_of_status_and_stage():
    fake = FakeTime()
    messages: list[str] = []
    stage = {
        "PendingDeploymentSummary": {
            "ProductionVariants": [{"VariantName": "primary", "VariantStatus": [{"Status": "Baking"}]}]
        }
    }
    fetch = endpoint_that(
        [
            (0, {"EndpointStatus": "Updating"}),
            (5, {"EndpointStatus": "Updating", **stage}),
            (9, {"EndpointStatus": "InService"}),
        ],
        fake,
    )
    make_waiter(fake, messages).wait('Endpoint "e"', fetch, "EndpointStatus", {"Updating"}, {"InService"}, 600)
    assert messages[0] == 'Endpoint "e": Updating, 0s elapsed'
    assert any("(primary: Baking)" in m for m in messages)


@pytest.mark.parametrize("elapsed", [0, 1, 5, 30, 60, 300, 3600])
@pytest.mark.parametrize("spread", [0.0, 0.5, 0.999])
def test_poll_delay_bounds(elapsed, spread):
    delay = poll_delay(elapsed, lambda: spread)
    assert 1.0 <= delay <= 20.0
    assert delay <= 1.0 + 0.1 * elapsed + 1e-9  # a finished endpoint is noticed within 10 % + 1 s
    assert delay >= 1.0 + 0.75 * min(19.0, 0.1 * elapsed) - 1e-9  # jitter takes at most a quarter


def test_polls_of_endpoints_waited_on_together_are_spread():
    delays = {round(poll_delay(50), 6) for _ in range(20)}  # backoff 5 s, shortened by up to a quarter
    assert len(delays) > 10 and min(delays) >= 4.75 and max(delays) <= 6.0


def test_first_polls_are_quick_then_back_off():
    fake = FakeTime()
    messages: list[str] = []
    fetch = endpoint_that([(0, {"EndpointStatus": "Creating"}), (600, {"EndpointStatus": "InService"})], fake)
    make_waiter(fake, messages).wait("Endpoint", fetch, "EndpointStatus", {"Creating"}, {"InService"}, 3600)
    assert fake.sleeps[0] == 1.0
    assert fake.sleeps == sorted(fake.sleeps)
    assert max(fake.sleeps) == 20.0
    assert len(fake.sleeps) < 60  # far fewer polls than one a second over ten minutes
