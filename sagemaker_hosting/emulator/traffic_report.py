"""What a traffic probe saw (`probe.Probe`), or the emulator's call log (`samples_of`): each request
as a `Sample`, and the `Report` that measures them (failures, shares per endpoint config and variant,
when traffic shifted, a table over time).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Sample:
    """One request: when it was sent and answered (epoch seconds, the emulator's clock on the same
    machine), and who served it or the error it met."""

    started: float
    finished: float
    config: str | None = None
    """The endpoint config that served it (None when it failed)."""
    variant: str | None = None
    fleet: str | None = None
    """"blue" or "green" at the time it was served (relative: see the module's docstring)."""
    error: str | None = None
    """The error code (AWS's, e.g. ValidationError, or botocore's exception name); None on success."""

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class Bucket:
    """The requests of one time slice (by send time, relative to the probe's start)."""

    start: float
    end: float
    requests: int
    failed: int
    served: dict[str, int]
    """Successful requests per endpoint config."""

    def share(self, config: str) -> float:
        total = sum(self.served.values())
        return self.served.get(config, 0) / total if total else 0.0


@dataclass
class Report:
    """What a probe saw: every request, in the order answered."""

    endpoint: str
    started: float
    finished: float
    samples: list[Sample] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return len(self.samples)

    @property
    def failed(self) -> int:
        return sum(1 for s in self.samples if not s.ok)

    def failures(self) -> dict[str, int]:
        """Failed requests per error code."""
        return dict(Counter(s.error for s in self.samples if s.error is not None))

    def configs(self) -> list[str]:
        """The endpoint configs that served, in the order first seen."""
        return list(dict.fromkeys(s.config for s in sorted(self.samples, key=_start) if s.config is not None))

    def window(self, start: float | None = None, end: float | None = None) -> list[Sample]:
        """The requests sent at or after `start` and answered at or before `end` (epoch seconds),
        so that each was served inside the window."""
        low = float("-inf") if start is None else start
        high = float("inf") if end is None else end
        return [s for s in self.samples if s.started >= low and s.finished <= high]

    def served(self, start: float | None = None, end: float | None = None) -> Counter[str]:
        """Successful requests per endpoint config inside the window."""
        return Counter(s.config for s in self.window(start, end) if s.config is not None)

    def shares(self, start: float | None = None, end: float | None = None) -> dict[str, float]:
        """The share of the successful requests inside the window served by each endpoint config."""
        counts = self.served(start, end)
        total = sum(counts.values())
        return {config: count / total for config, count in counts.items()} if total else {}

    def variant_shares(self, start: float | None = None, end: float | None = None) -> dict[tuple[str, str], float]:
        """The same per (endpoint config, variant)."""
        counts = Counter((s.config, s.variant) for s in self.window(start, end) if s.config and s.variant)
        total = sum(counts.values())
        return {key: count / total for key, count in counts.items()} if total else {}

    def last_served(self, config: str) -> Sample | None:
        """The latest-answered request `config` served."""
        return max((s for s in self.samples if s.config == config), key=_finish, default=None)

    def shifted_at(self, config: str) -> float | None:
        """When traffic had fully moved to `config`: the answer time of the last request that
        anything else served, or None if `config` never served alone afterwards."""
        others = [s.finished for s in self.samples if s.ok and s.config != config]
        last_other = max(others, default=float("-inf"))
        if not any(s.config == config and s.started >= last_other for s in self.samples):
            return None
        return last_other if others else self.started

    def buckets(self, seconds: float) -> list[Bucket]:
        """The requests in consecutive slices of `seconds`, by send time from the probe's start."""
        if seconds <= 0:
            raise ValueError("a bucket lasts more than 0 s")
        count = max(1, int((self.finished - self.started) // seconds) + 1)
        requests, failed = [0] * count, [0] * count
        served: list[Counter[str]] = [Counter() for _ in range(count)]
        for sample in self.samples:
            index = min(count - 1, max(0, int((sample.started - self.started) // seconds)))
            requests[index] += 1
            if not sample.ok:
                failed[index] += 1
            elif sample.config is not None:
                served[index][sample.config] += 1
        return [
            Bucket(i * seconds, (i + 1) * seconds, requests[i], failed[i], dict(served[i]))
            for i in range(count)
            if requests[i]
        ]

    def table(self, seconds: float = 5.0) -> str:
        """A plain-text table: requests, failures and the share per config in slices of `seconds`,
        then the totals, the share per config and variant, and the failures by code."""
        configs = self.configs()
        header = ["t s", "requests", "failed", *configs]
        rows = [
            [
                f"{b.start:g}-{b.end:g}",
                str(b.requests),
                str(b.failed),
                *(f"{100 * b.share(c):.1f} %" for c in configs),
            ]
            for b in self.buckets(seconds)
        ]
        widths = [max(len(line[i]) for line in [header, *rows]) for i in range(len(header))]
        lines = [
            "  ".join(cell.rjust(width) for cell, width in zip(line, widths, strict=True)) for line in [header, *rows]
        ]
        took = self.finished - self.started
        lines.append("")
        lines.append(f"{self.requests} requests in {took:.1f} s to {self.endpoint}, {self.failed} failed")
        for (config, variant), share in sorted(self.variant_shares().items()):
            lines.append(f"  {config} / {variant}: {100 * share:.1f} %")
        for code, count in sorted(self.failures().items()):
            lines.append(f"  failed with {code}: {count}")
        return "\n".join(lines)


def _start(sample: Sample) -> float:
    return sample.started


def _finish(sample: Sample) -> float:
    return sample.finished


def samples_of(calls: Iterable[dict[str, Any]], endpoint: str) -> list[Sample]:
    """The emulator's call log (`Emulator.calls()`) of InvokeEndpoint on `endpoint` as samples (send
    and answer time both the time received), e.g. to compare with a probe's view."""
    return [
        Sample(
            c["time"],
            c["time"],
            config=c.get("endpoint_config_name") if c.get("status") == 200 else None,
            variant=c.get("variant"),
            fleet=c.get("fleet"),
            error=c.get("error") if c.get("status") != 200 else None,
        )
        for c in calls
        if c["action"] == "InvokeEndpoint" and c.get("name") == endpoint and not c.get("shadow")
    ]
