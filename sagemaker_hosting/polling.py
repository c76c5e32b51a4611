"""Waiting on endpoints, in the AWS layer: `wait_endpoint` waits through one of `aws`'s transitions
on the shared poller of the client's account and region (`status_board.Board`), whose read is
`EndpointStatusReader` (issue 17: reads that do not grow with the number of endpoints)."""

from __future__ import annotations

import threading
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

from sagemaker_hosting import aws, endpoint_reads, read_budget, status_board, waiting

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient


def wait_endpoint(
    waiter: waiting.Waiter,
    client: SageMakerClient,
    name: str,
    transition: aws.Transition,
    timeout: float,
    invisible_for: float = 0.0,
    *,
    seen: str,
) -> Mapping[str, Any] | None:
    """Wait through `transition` on the account and region's shared poller (`status_board`); the
    last description (None: gone). `seen`: the status the caller knows the endpoint is in (the one
    its call just started), so that the first read need not describe it. The endpoint is described
    when the poller sees its status change, and on its way out of the transition; between, the wait
    sleeps until the poller brings news, waking every `waiting.PROGRESS_EVERY` seconds for a
    progress line; its last look, at the timeout, is a DescribeEndpoint of its own. An endpoint not
    found in its first `invisible_for` seconds counts as pending (reads lag a create)."""
    start = waiter.clock()
    with endpoint_board(client).watch(name, seen) as watch:
        shown: list[str | None] = [seen]

        def fetch() -> Mapping[str, Any] | None:
            latest, elapsed = watch.latest(), waiter.clock() - start
            moved = not latest.described and (latest.status not in transition.pending or latest.status != shown[0])
            if moved or elapsed >= timeout:  # the last look before a timeout is a read of its own, not a tick's
                latest = watch.saw(aws.find_endpoint(client, name))
            shown[0] = latest.status
            if latest.status is None and elapsed < invisible_for:
                return {"EndpointStatus": next(iter(transition.pending))}
            if latest.status is None:
                return None
            return latest.description if latest.described else {"EndpointName": name, "EndpointStatus": latest.status}

        return waiter.wait(
            f'Endpoint "{name}"',
            fetch,
            "EndpointStatus",
            transition.pending,
            transition.target,
            timeout,
            pause=watch.pause,
            delay=lambda elapsed: waiting.PROGRESS_EVERY,
        )


_boards: dict[SageMakerClient, status_board.Board] = {}
_boards_lock = threading.Lock()


def endpoint_board(client: SageMakerClient) -> status_board.Board:
    """The shared poller of the SageMaker client's account and region, one per process."""
    with _boards_lock:
        board = _boards.get(client)
        if board is None:
            board = _boards[client] = status_board.Board(EndpointStatusReader(client))
        return board


ALL = "(all)"
"""`EndpointStatusReader.pages`' key for ListEndpoints unfiltered."""


class EndpointStatusReader:
    """The shared poller's read (`status_board.Read`): the fewest calls that tell the status of every
    endpoint waited on. An endpoint last seen in an operation's status (`IN_PROGRESS`) is looked for
    in ListEndpoints of that status (StatusEquals, pages of 100: the region's endpoints in that
    status, whatever their number and ours); one no longer in it has moved on, and its waiter
    describes it (it is not read here again meanwhile). One not yet seen, or settled, is described
    here. When describing every endpoint waited on is no more calls than that, each is described.

    Endpoints that left Deleting are gone, or Failed: when they are several, and the region's
    endpoints fit in one page (as far as known), ListEndpoints unfiltered tells which (a fleet's
    destroy: one call, not a DescribeEndpoint each). One not in it is gone, and recorded so in
    `endpoint_reads` (as a DescribeEndpoint that found none would be: the deletes of its configs
    ask it nothing again); one in it shows its status, and its waiter describes it (the reason of a
    Failed delete). A list of several pages may skip a row that a delete between its pages moved
    up: from its first page only those listed are told, the others' waiters describe them, and the
    process lists the region's endpoints no more (ListEndpoints is eventually consistent, as
    DescribeEndpoint is: one that a lagging list still shows is read again). One told
    gone is not read again while its watch has no status (its waiter was woken, and leaves; a new
    watch of the name starts with the status its call began)."""

    def __init__(self, client: SageMakerClient) -> None:
        self.client = client
        self.pages: dict[str, int] = {}
        """Pages each status's list (`ALL`: the unfiltered list) took when last read."""
        self.told_gone: set[str] = set()
        """The endpoints a read told gone (`gone_or_listed`), kept while each later read still finds
        them watched with no status (their waiters leaving)."""

    def __call__(self, last: Mapping[str, str | None]) -> dict[str, status_board.Seen]:
        with read_budget.polling():  # the poller's lane of the read budget
            return self._read(last)

    def _read(self, last: Mapping[str, str | None]) -> dict[str, status_board.Seen]:
        moved_on = status_board.Seen(status_board.MOVED_ON)
        # One that a read saw move on is its waiter's to describe, and one it told gone its waiter's
        # to take (each was woken to): not read again here, where it would cost a read of the
        # poller's lane each (a second each, at the default budget), and hold up the tick.
        self.told_gone = {name for name, status in last.items() if status is None and name in self.told_gone}
        seen = {name: moved_on for name, status in last.items() if status == status_board.MOVED_ON}
        seen.update(dict.fromkeys(self.told_gone, status_board.GONE))
        wanted = {name: status for name, status in last.items() if name not in seen}
        listed = {status for status in wanted.values() if status in aws.IN_PROGRESS}
        unlisted = [name for name, status in wanted.items() if status not in aws.IN_PROGRESS]
        if len(wanted) <= sum(self.pages.get(status, 1) for status in listed) + len(unlisted):
            return {**seen, **{name: self.describe(name) for name in wanted}}
        found: dict[str, status_board.Seen] = {}
        for status in sorted(listed):
            found.update(self.list_endpoints(status, wanted, StatusEquals=status))
        left_deleting = {name for name, status in wanted.items() if status in aws.DELETING and name not in found}
        if len(left_deleting) > 1 and self.pages.get(ALL, 1) == 1:
            found.update(self.gone_or_listed(left_deleting))
        return {
            **seen,
            **{name: self.describe(name) if name in unlisted else found.get(name, moved_on) for name in wanted},
        }

    def list_endpoints(
        self, key: str, names: Collection[str], most: int | None = None, **filters: Any
    ) -> dict[str, status_board.Seen]:
        """ListEndpoints (pages of `aws.LIST_PAGE_SIZE`) with `filters`, counting its pages under
        `key`: the status of each of `names` listed. `most`: the pages read at most (the count is
        one more when another would follow)."""
        pages = self.client.get_paginator("list_endpoints").paginate(
            **filters, PaginationConfig={"PageSize": aws.LIST_PAGE_SIZE}
        )
        found: dict[str, status_board.Seen] = {}
        count = 0
        for page in pages:
            count += 1
            for summary in page.get("Endpoints", []):
                if summary["EndpointName"] in names:
                    found[summary["EndpointName"]] = status_board.Seen(str(summary["EndpointStatus"]))
            if most is not None and count >= most and page.get("NextToken"):
                count += 1
                break
        self.pages[key] = count  # a failed list leaves the last count
        return found

    def gone_or_listed(self, names: Collection[str]) -> dict[str, status_board.Seen]:
        """Of endpoints that left Deleting, by ListEndpoints unfiltered: those listed as listed, and
        if it was one page, the others gone (recorded so in `endpoint_reads`)."""
        started = endpoint_reads.READS.clock()
        listed = self.list_endpoints(ALL, names, most=1)
        if self.pages[ALL] > 1:  # a row may have been skipped: the others' waiters describe them
            return listed
        gone = set(names) - set(listed)
        for name in gone:
            endpoint_reads.READS.saw(self.client, name, started, None)
        self.told_gone |= gone
        return {name: listed.get(name, status_board.GONE) for name in names}

    def describe(self, name: str) -> status_board.Seen:
        """DescribeEndpoint of `name`, as the poller records it."""
        return status_board.Seen.of(aws.find_endpoint(self.client, name))
