"""The shared poller (`status_board`), with a read that stands in for SageMaker: many waiters, one
read per tick; a status change wakes only its waiter; a waiter that leaves (timeout, cancellation,
error) does not disturb the others; a slow or failing read slows the ticks, not the correctness.
Real threads and a real clock, with ticks 10 ms apart; nothing is timed."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from contextlib import nullcontext

import pytest

from sagemaker_hosting import status_board
from sagemaker_hosting.status_board import Board, Seen

TICK = 0.01
PATIENCE = 10.0
"""Seconds a test waits for something that should happen within a few ticks, before failing."""


class Region:
    """Endpoints' statuses, as a read finds them; records each read's names."""

    def __init__(self, statuses: Mapping[str, str]) -> None:
        self.statuses = dict(statuses)
        self.reads: list[set[str]] = []
        self.lock = threading.Lock()
        self.slow = 0.0
        self.failures = 0
        self.after: tuple[str, dict[str, str]] | None = None
        """(name, changes): the changes made just after the first read that includes `name`."""
        self.changed_after = 0
        """How many reads there were when `after`'s changes were made."""

    def read(self, last: Mapping[str, str | None]) -> dict[str, Seen]:
        time.sleep(self.slow)
        with self.lock:
            self.reads.append(set(last))
            if self.failures:
                self.failures -= 1
                raise RuntimeError("ThrottlingException: Rate exceeded")
            found = {name: Seen(self.statuses.get(name)) for name in last}
            if self.after and self.after[0] in last:
                self.statuses.update(self.after[1])
                self.after, self.changed_after = None, len(self.reads)
            return found

    def set(self, name: str, status: str) -> None:
        with self.lock:
            self.statuses[name] = status


def until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert time.monotonic() < deadline, f"not within {PATIENCE} s: {what}"
        time.sleep(TICK / 2)


def board_of(region: Region) -> Board:
    return Board(region.read, interval=lambda age: TICK)


def wait_for(board: Board, name: str, status: str, seen: list[str], errors: list[Exception]) -> None:
    """A waiter: watches `name` until it is `status`, as the provider's waits do (latest, then a
    pause that ends early with news)."""
    with board.watch(name, "Updating") as watch:
        while True:
            try:
                latest = watch.latest()
            except RuntimeError as error:
                errors.append(error)
                continue
            if latest.status == status:
                seen.append(name)
                return
            watch.pause(PATIENCE)


def test_many_waiters_share_one_read_per_tick() -> None:
    names = [f"endpoint-{i}" for i in range(20)]
    region = Region(dict.fromkeys(names, "Updating"))
    board = board_of(region)
    done: list[str] = []
    threads = [threading.Thread(target=wait_for, args=(board, name, "InService", done, [])) for name in names]
    for thread in threads:
        thread.start()
    until(lambda: any(reads == set(names) for reads in region.reads), "a read of all twenty")
    first_full = next(i for i, reads in enumerate(region.reads) if reads == set(names))
    until(lambda: len(region.reads) >= first_full + 5, "five more ticks")
    steady = region.reads[first_full:]  # before any waiter is done and leaves (later reads name fewer)
    for name in names:
        region.set(name, "InService")
    for thread in threads:
        thread.join(PATIENCE)
    assert sorted(done) == sorted(names)
    # Every read after the last waiter came named all twenty: one read per tick served them all,
    # and no waiter read on its own (the board's reads are the only ones).
    assert len(steady) >= 5 and all(reads == set(names) for reads in steady)
    assert board.reads == len(region.reads)


def test_a_status_change_wakes_only_its_waiter() -> None:
    region = Region({"a": "Updating", "b": "Updating", "c": "Updating"})
    board = board_of(region)
    woken: dict[str, int] = {"a": 0, "b": 0, "c": 0}
    stop = threading.Event()

    def sleeper(name: str) -> None:
        with board.watch(name, "Updating") as watch:
            while not stop.is_set():
                watch.pause(PATIENCE)
                if watch.latest().status != "Updating":
                    woken[name] += 1
                    return

    threads = {name: threading.Thread(target=sleeper, args=(name,)) for name in woken}
    for thread in threads.values():
        thread.start()
    until(lambda: len(region.reads) >= 3, "three ticks")
    region.set("a", "InService")
    threads["a"].join(PATIENCE)
    ticks = len(region.reads)
    until(lambda: len(region.reads) >= ticks + 5, "five more ticks")
    assert woken == {"a": 1, "b": 0, "c": 0}
    assert threads["b"].is_alive() and threads["c"].is_alive()  # still asleep, many ticks later
    region.set("b", "InService")
    region.set("c", "Failed")
    for name in "bc":
        threads[name].join(PATIENCE)
    assert woken == {"a": 1, "b": 1, "c": 1}


@pytest.mark.parametrize("leaving", ["timeout", "error"])
def test_a_waiter_that_leaves_does_not_disturb_the_others(leaving: str) -> None:
    region = Region({"leaver": "Updating", "stayer": "Updating"})
    board = board_of(region)
    done: list[str] = []
    stayer = threading.Thread(target=wait_for, args=(board, "stayer", "InService", done, []))
    stayer.start()
    with (
        pytest.raises(RuntimeError) if leaving == "error" else nullcontext(),
        board.watch("leaver", "Updating") as watch,
    ):
        until(lambda: len(region.reads) >= 2, "two ticks")
        watch.pause(TICK)  # a timeout: the pause ends with no news, and the wait gives up
        if leaving == "error":
            raise RuntimeError("the waiter's own failure")
    left_at = len(region.reads)
    until(lambda: len(region.reads) >= left_at + 3, "three more ticks")
    assert all(reads == {"stayer"} for reads in region.reads[left_at + 1 :])  # the leaver is not read
    region.set("stayer", "InService")
    stayer.join(PATIENCE)
    assert done == ["stayer"]


def test_slow_and_failing_reads_slow_the_ticks_not_the_correctness() -> None:
    names = ["a", "b", "c"]
    region = Region(dict.fromkeys(names, "Updating"))
    region.slow = 5 * TICK  # botocore's retries of throttled reads: each read takes longer
    board = board_of(region)
    done: list[str] = []
    errors: list[Exception] = []
    threads = [threading.Thread(target=wait_for, args=(board, name, "InService", done, errors)) for name in names]
    for thread in threads:
        thread.start()
    until(lambda: len(region.reads) >= 2, "two ticks")
    region.failures = 2  # throttling that outlasted the retries, twice
    until(lambda: region.failures == 0, "the failed reads")
    for name in names:
        region.set(name, "InService")
    for thread in threads:
        thread.join(PATIENCE)
    assert sorted(done) == names
    # Each waiter was told of a failed read (two in a row may reach it as one), and the board read on.
    assert len(names) <= len(errors) <= 2 * len(names)


def test_the_board_stops_when_nothing_is_watched_and_starts_again() -> None:
    region = Region({"a": "Updating"})
    board = board_of(region)
    with board.watch("a", "Updating"):
        until(lambda: len(region.reads) >= 2, "two ticks")
    until(lambda: board._thread is None, "the board's thread to end")
    stopped = len(region.reads)
    time.sleep(5 * TICK)
    assert len(region.reads) == stopped  # nothing watched, nothing read
    region.set("a", "InService")
    done: list[str] = []
    wait_for(board, "a", "InService", done, [])
    assert done == ["a"]


@pytest.mark.parametrize("follow_up", [True, False])
def test_a_read_that_finds_one_done_reads_the_others_again_soon(
    follow_up: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fleet moved in one `up` finishes together: once a read sees one endpoint done, the others
    are read again `FOLLOW_UP` seconds later instead of on their own (here: never) schedule. The
    negative control sets the follow-up as far off as that schedule, and the last is not seen."""
    if not follow_up:
        monkeypatch.setattr(status_board, "FOLLOW_UP", 10 * PATIENCE)
    region = Region({"first": "InService", "rest": "Updating"})  # the first is done by its first read
    region.after = ("first", {"rest": "InService"})  # the rest is done just after that read
    board = Board(region.read, interval=lambda age: 10 * PATIENCE)
    done: list[str] = []
    first = threading.Thread(target=wait_for, args=(board, "first", "InService", done, []))
    rest = threading.Thread(target=wait_for, args=(board, "rest", "InService", done, []), daemon=True)
    rest.start()
    first.start()
    first.join(PATIENCE)
    assert done == ["first"]
    rest.join(2 * status_board.FOLLOW_UP + 1 if follow_up else 3.0)
    assert (done == ["first", "rest"]) is follow_up
    assert len(region.reads) - region.changed_after == (1 if follow_up else 0)


def test_a_read_without_news_brings_no_follow_up() -> None:
    region = Region({"a": "Updating", "b": "Updating"})
    board = Board(region.read, interval=lambda age: 10 * PATIENCE)
    with board.watch("a", "Updating"), board.watch("b", "Updating"):
        until(lambda: len(region.reads) == 1, "the first read")
        time.sleep(3 * status_board.FOLLOW_UP)
        assert len(region.reads) == 1  # nothing changed: the next read is on the schedule


def test_a_watch_that_comes_during_a_read_is_not_handed_that_read() -> None:
    """A read is handed only to the watches it was made for: one started while it is under way
    waits for the next, even of the same name (here a delete's watch is told its endpoint gone while
    a create of that name starts watching: the create must not hear it gone). The watch that was
    read is handed it (the control)."""
    entered, release = threading.Event(), threading.Event()
    reads: list[dict[str, str | None]] = []

    def read(last: Mapping[str, str | None]) -> dict[str, Seen]:
        reads.append(dict(last))
        if len(reads) == 1:
            entered.set()
            assert release.wait(PATIENCE)
            return {name: Seen(None, described=True) for name in last}
        return {name: Seen("Creating") for name in last}

    board = Board(read, interval=lambda age: 10 * PATIENCE)
    with board.watch("x", "Deleting") as deleted:
        assert entered.wait(PATIENCE)
        with board.watch("x", "Creating") as created:
            release.set()
            until(lambda: deleted.status is None, "the delete's watch told gone")
            assert created.status == "Creating"  # its first read is still to come (`FIRST_READ`)
            until(lambda: len(reads) == 2, "the create's first read")
    assert reads == [{"x": "Deleting"}, {"x": "Creating"}]
