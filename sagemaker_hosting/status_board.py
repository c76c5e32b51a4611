"""Shared polling (issue 17): one status read per tick serves every endpoint the provider process
waits on in one account and region, so the reads per second do not grow with the number of
endpoints.

A `Board` runs a thread while anything is watched. Each tick it reads the watched endpoints at once
(the read is injected: `polling.EndpointStatusReader` lists the endpoints of the statuses they were
last seen in, or describes each when that is fewer calls, and lists the region's endpoints to tell
a fleet that left Deleting gone) and hands each `Watch` its endpoint's
`Seen`; a watch whose endpoint's status changed is woken, the others sleep on. A tick comes when a
watch's schedule says its endpoint is due a read (`waiting.poll_delay`: 1 s, then 10 % of the time
waited, counted from its last read) and serves every watch, so every waiter is read at least as
often as it would poll alone, and a finished operation is still noticed within 10 % of its time plus
1 s. As each tick reads every watch, the next comes on the youngest watch's schedule (or a new
watch's first read): the ticks do not multiply with watches started at different times; and soon
after a read that found a status change (`FOLLOW_UP`), as the rest of a fleet finishes with it. A read that fails
(throttling that outlasted botocore's retries, an outage) is handed to the watches as an error, and
the board goes on ticking. No AWS call of its own.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sagemaker_hosting import waiting

__all__ = ["GONE", "MOVED_ON", "Board", "Read", "Seen", "Watch"]

MOVED_ON = "(moved on)"
"""The status a read gives an endpoint that is no longer listed in the status it was last seen in:
its waiter describes it."""


@dataclass(frozen=True)
class Seen:
    """What a read tells of one endpoint: its status (None: not found), and its description when the
    read described it."""

    status: str | None
    description: Mapping[str, Any] | None = None
    described: bool = False

    @classmethod
    def of(cls, description: Mapping[str, Any] | None) -> Seen:
        """A DescribeEndpoint's answer (None: "Could not find")."""
        status = None if description is None else str(description.get("EndpointStatus"))
        return cls(status, description, described=True)


GONE = Seen(None, described=True)
"""What a read tells of an endpoint not found (and of one it does not answer for)."""


Read = Callable[[Mapping[str, str | None]], Mapping[str, Seen]]
"""Reads the watched endpoints, given the status each was last seen in (None: not seen, or not
found): a `Seen` of each."""


FIRST_READ = 0.25
"""Seconds from a watch's start to its first read: soon, as an operation may already be over when
its call returns, yet late enough that the watches a burst of calls starts share one read."""
FOLLOW_UP = waiting.poll_delay(0.0, lambda: 0.0)
"""Seconds from a read that found an endpoint's status changed to the next read of every other
watch (unless one is due sooner): the endpoints one `up` moves were started together and finish
together, so when one is seen done the others are read again as soon as the shortest poll interval
allows (a second: no endpoint is read more often) rather than a tick interval (up to 20 s) later. A
follow-up comes only after a read with news, so it costs at most a read per status change."""


def steady_delay(elapsed: float) -> float:
    """The tick interval for a watch `elapsed` seconds old: `waiting.poll_delay` without its jitter
    (one board polls for all, so there is no lockstep to break)."""
    return waiting.poll_delay(elapsed, lambda: 0.0)


class Watch:
    """One waiter's view of the board: the latest `Seen` of its endpoint, and a pause that ends early
    when a read brings news of it (a changed status, or an error)."""

    def __init__(self, board: Board, name: str, status: str | None, start: float, due: float) -> None:
        self.name, self.start, self.due = name, start, due
        self._lock = board.lock
        self._woken = threading.Condition(board.lock)  # only this watch's waiter sleeps on it
        self._latest = Seen(status)
        self._error: Exception | None = None
        self._news = False

    @property
    def status(self) -> str | None:
        """The status the endpoint was last seen in."""
        return self._latest.status

    def latest(self) -> Seen:
        """The endpoint as last seen; raises the last read's error instead, once, if it failed."""
        with self._lock:
            self._news = False
            if self._error is not None:
                error, self._error = self._error, None
                raise error
            return self._latest

    def saw(self, description: Mapping[str, Any] | None) -> Seen:
        """Record what the waiter's own DescribeEndpoint found (None: not found), for the board's next
        read to start from."""
        with self._lock:
            self._latest = Seen.of(description)
            return self._latest

    def pause(self, seconds: float) -> None:
        """Sleep up to `seconds`, ending early when a read brings news of this endpoint."""
        with self._lock:
            self._woken.wait_for(lambda: self._news, timeout=max(0.0, seconds))

    def deliver(self, seen: Seen, error: Exception | None) -> bool:
        """Record a read's `seen`, or its `error`, and wake the waiter if it is news (the board calls
        this under its lock); whether a status it was known to be in changed."""
        if error is not None:
            self._error = error
            changed_from_known = False
        else:
            before, self._latest = self._latest.status, seen
            if seen.status == before:
                return False
            changed_from_known = before is not None
        self._news = True
        self._woken.notify()
        return changed_from_known


class Board:
    """The shared poller of one account and region (see the module's docstring)."""

    def __init__(
        self,
        read: Read,
        clock: Callable[[], float] = time.monotonic,
        interval: Callable[[float], float] = steady_delay,
    ) -> None:
        self._read, self._clock, self._interval = read, clock, interval
        self.lock = threading.Lock()
        self._tick_due = threading.Condition(self.lock)  # the board's thread sleeps on it
        self._watches: list[Watch] = []
        self._thread: threading.Thread | None = None
        self.reads = 0
        """Reads made so far."""

    @contextmanager
    def watch(self, name: str, status: str | None = None) -> Iterator[Watch]:
        """Watch endpoint `name`, known to be in `status` (None: not known), until the block ends,
        however it ends (the wait's success, timeout or error); its first read comes `FIRST_READ`
        seconds after."""
        with self.lock:
            now = self._clock()
            watch = Watch(self, name, status, now, now + FIRST_READ)
            self._watches.append(watch)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="sagemaker-status-board", daemon=True)
                self._thread.start()
            else:
                self._tick_due.notify()
        try:
            yield watch
        finally:
            with self.lock:
                self._watches.remove(watch)

    def _run(self) -> None:
        """The board's thread: a read per tick while anything is watched. Should it ever fail, every
        waiter is told, and the next watch starts another thread."""
        try:
            self._tick_while_watched()
        except Exception as failure:
            with self.lock:
                self._thread = None
                for watch in self._watches:
                    watch.deliver(Seen(None), failure)
            raise

    def _tick_while_watched(self) -> None:
        while True:
            with self.lock:
                while self._watches and self._clock() < min(watch.due for watch in self._watches):
                    self._tick_due.wait(min(watch.due for watch in self._watches) - self._clock())
                if not self._watches:  # decided under the lock: a watch that comes next starts a thread
                    self._thread = None
                    return
                read = set(self._watches)
                last: dict[str, str | None] = {}
                for watch in self._watches:  # of two watches of one name, a known status counts
                    if watch.status is not None or watch.name not in last:
                        last[watch.name] = watch.status
            found: Mapping[str, Seen] = {}
            error: Exception | None = None
            try:
                found = self._read(last)
            except Exception as failure:
                error = failure
            with self.lock:
                self.reads += 1
                now = self._clock()
                changed = False
                for watch in self._watches:
                    if watch not in read:  # one that came during the read (even of the same name) waits for the next
                        continue
                    changed |= watch.deliver(found.get(watch.name, GONE), error)
                    watch.due = now + self._interval(now - watch.start)  # read now: its next read from now
                if changed:  # the others were likely started with it, and finish with it
                    for watch in self._watches:
                        watch.due = min(watch.due, now + FOLLOW_UP)
