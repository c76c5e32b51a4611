"""The one wait loop (`Waiter.poll`: an attempt, a backoff, a limit, on an injected clock and sleep,
as botocore's waiters and retry handler take theirs), the status wait built on it (`Waiter.wait`:
poll a description until its status is a target one, raising `WaitError` with the last
description), and the backoff. No AWS call of its own: the attempts make them (module `aws`)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from sagemaker_hosting.errors import error_text

T = TypeVar("T")


class WaitError(Exception):
    """A wait ended in a status that is neither pending nor the target, or ran out of time."""

    def __init__(self, message: str, last: Mapping[str, Any] | None) -> None:
        super().__init__(message)
        self.last = last


PROGRESS_EVERY = 30.0
"""Seconds between progress lines while nothing changes."""


def poll_delay(elapsed: float, spread: Callable[[], float] = random.random) -> float:
    """Seconds to the next poll after `elapsed` seconds of waiting.

    Quick at first (1 s), then backing off in proportion to the time already waited, so that a
    finished deployment is noticed within about 10 % of its duration plus a second, without
    flooding the API during long rollouts; never more than 20 s apart. The backoff is shortened by
    up to a quarter at random (`spread` in [0, 1)), so endpoints waited on together do not poll in
    lockstep; jitter only shortens a delay, so the promise holds.
    """
    backoff = min(19.0, 0.1 * elapsed)
    return 1.0 + backoff * (1.0 - 0.25 * spread())


@dataclass
class Waiter:
    """The one loop (`poll`) and the status wait built on it (`wait`); clock, sleep, backoff and
    progress are injectable."""

    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    delay: Callable[[float], float] = poll_delay
    progress: Callable[[str], None] = field(default=lambda message: print(message, flush=True))

    def poll(
        self,
        attempt: Callable[[float], T | None],
        limit: float,
        pause: Callable[[float], None] | None = None,
        delay: Callable[[float], float] | None = None,
    ) -> T | None:
        """Call `attempt(elapsed)` until it returns something, backing off between calls (`delay`,
        never past `limit`), for at most `limit` seconds; None if it never does. `attempt` ends the
        loop early by raising. `pause` and `delay` replace the waiter's own `sleep` and `delay` for
        this loop (a shared poller's pause ends early with news)."""
        pause, delay = pause or self.sleep, delay or self.delay
        start = self.clock()
        while True:
            elapsed = self.clock() - start
            outcome = attempt(elapsed)
            if outcome is not None:
                return outcome
            elapsed = self.clock() - start
            if elapsed >= limit:
                return None
            pause(min(delay(elapsed), max(0.0, limit - elapsed)))

    def wait(
        self,
        what: str,
        fetch: Callable[[], Mapping[str, Any] | None],
        status_key: str,
        pending: Collection[str],
        target: Collection[str | None],
        timeout: float,
        pause: Callable[[float], None] | None = None,
        delay: Callable[[float], float] | None = None,
    ) -> Mapping[str, Any] | None:
        """Poll until the status is in `target` (None in `target` means "gone") and return the last
        description. Raise WaitError on any other status, or when `timeout` seconds pass. `pause`
        and `delay` as `poll` takes them."""
        last: dict[str, Any] = {}
        reported: dict[str, Any] = {"at": self.clock(), "seen": None}

        def attempt(elapsed: float) -> tuple[Mapping[str, Any] | None] | None:
            try:
                described = fetch()
            except (ClientError, BotoCoreError) as error:  # what outlasted botocore's retries
                raise WaitError(f"{what} could not be read: {error_text(error)}", None) from error
            status = None if described is None else str(described.get(status_key))
            if status in target:
                return (described,)
            if status is None or status not in pending:
                reason = "" if described is None else str(described.get("FailureReason") or "").rstrip(".")
                shown = "gone" if status is None else status
                raise WaitError(f"{what} is {shown}" + (f": {reason}" if reason else ""), described)
            stage, now = _pending_stage(described), self.clock()
            if (status, stage) != reported["seen"] or now - reported["at"] >= PROGRESS_EVERY:
                stage_text = f" ({stage})" if stage else ""
                self.progress(f"{what}: {status}{stage_text}, {_format_elapsed(elapsed)} elapsed")
                reported.update(seen=(status, stage), at=now)
            last.update(described=described, status=status, elapsed=elapsed)
            return None

        outcome = self.poll(attempt, timeout, pause, delay)
        if outcome is None:
            raise WaitError(
                f"{what} is still {last['status']} after {_format_elapsed(last['elapsed'])} "
                f"(timeout {_format_elapsed(timeout)}); raise `timeouts` if the deployment needs longer",
                last["described"],
            )
        return outcome[0]


def _pending_stage(described: Mapping[str, Any] | None) -> str | None:
    """The blue/green stage of a pending deployment, e.g. "primary: Baking"."""
    if not described:
        return None
    summary = described.get("PendingDeploymentSummary") or {}
    stages = []
    for variant in summary.get("ProductionVariants", []):
        statuses = variant.get("VariantStatus") or []
        if statuses:
            stages.append(f"{variant.get('VariantName')}: {statuses[-1].get('Status')}")
    return ", ".join(stages) or None


def _format_elapsed(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"
