"""The fleet simulation (`bench.simulate`, issue 17 item 5): what it shows holds, and each claim has a
run that would show it false (no read budget)."""

from __future__ import annotations

import pytest

from bench import simulate
from sagemaker_hosting import read_budget

CAP = read_budget.allowed(1.0)


@pytest.fixture(scope="module")
def runs() -> dict[tuple[int, str], simulate.Outcome]:
    return {
        (n, budget): simulate.simulate(n, reads_per_second=rate)
        for n in (1, 100, 1000)
        for budget, rate in simulate.BUDGETS.items()
    }


def test_reads_per_endpoint_do_not_grow_with_the_fleet(runs) -> None:
    """At most 8 for an update of 100 (issue 17's target), and a thousand no more than 10 % above."""
    per_endpoint = {n: runs[(n, "default")].reads / n for n in (100, 1000)}
    assert per_endpoint[100] <= 8
    assert per_endpoint[1000] <= 1.1 * per_endpoint[100]


def test_a_thousand_wait_for_the_provider_threads() -> None:
    """The provider process serves `process.PROVIDER_THREADS` operations at once: more threads, fewer waves."""
    waves = simulate.simulate(1000, threads=256).wall
    one_wave = simulate.simulate(1000, threads=1000).wall
    assert one_wave < waves / 2


def test_the_budget_keeps_every_second_under_its_cap_and_the_account_unthrottled(runs) -> None:
    for n in (100, 1000):
        limited = runs[(n, "default")]
        assert limited.peak_reads_per_second <= CAP
        assert limited.throttled == 0 and limited.failed == 0
    # negative control: without the budget a fleet of 1,000 is throttled, and botocore's retry quota
    # runs out, failing endpoints
    unlimited = runs[(1000, "none")]
    assert unlimited.throttled > 0 and unlimited.failed > 0


def test_one_endpoint_is_noticed_within_its_promise(runs) -> None:
    """A finish is seen within 10 % of the deployment's length plus a second."""
    assert runs[(1, "default")].latest_notice <= 0.1 * 480 + 1


def test_a_thousand_at_once_are_noticed_within_their_promise() -> None:
    """A thousand endpoints moving at once (a thread each) keep the read budget busy for minutes, yet
    each finish is seen within its promise: the poller has its own lane of the budget
    (`read_budget.POLL_SHARE`). Negative control: with its reads queued behind the others', it is not."""
    promise = 0.1 * 480 + 1
    assert simulate.simulate(1000, threads=1000).latest_notice <= promise
    assert simulate.simulate(1000, threads=1000, poll_lane=False).latest_notice > promise


def test_the_table_has_a_row_per_size_and_budget() -> None:
    rows = simulate.table(deploy_seconds=60.0, sizes=(1, 10))
    assert [(row[0], row[1]) for row in rows] == [
        ("1", "default"),
        ("10", "default"),
        ("1", "none"),
        ("10", "none"),
        ("10, a thread each", "default"),
    ]
    assert all(len(row) == len(simulate.HEADER) for row in rows)
