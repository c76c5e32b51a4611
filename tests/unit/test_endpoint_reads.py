"""`endpoint_reads`: when a read this process made stands in for a new one. A table of sequences
on a fake clock: a read stands in within `within` seconds of its start, and never once this
process has begun to write to the endpoint after it started (the write's own events are sent by
botocore; `tests/provider/test_operations.py` shows them through a real client)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from sagemaker_hosting.endpoint_reads import EndpointReads

DESCRIBED = {"EndpointName": "ep", "EndpointStatus": "InService", "EndpointConfigName": "blue"}


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def run(steps: list[tuple[float, str]], client: Any = "ours") -> tuple[bool, dict[str, Any] | None]:
    """Steps at times: "read" (described), "gone" (a read that found none), "write" (started and
    answered), "write starts", "write ends" (of `client`'s, on endpoint "ep"); then ask, within 2 s."""
    clock = Clock()
    reads = EndpointReads(clock)
    context: dict[str, Any] = {}
    for at, step in steps:
        clock.now = at
        if step in ("read", "gone"):
            reads.saw("ours", "ep", at, DESCRIBED if step == "read" else None)  # type: ignore[arg-type]
        if step in ("write", "write starts"):
            model = SimpleNamespace(name="UpdateEndpoint")
            reads.write_started(client, model, {"EndpointName": "ep"}, context)
        if step in ("write", "write ends"):
            reads.write_ended(client, context)
        if step == "describe":  # a read's call, not a write: nothing to note
            reads.write_started(client, SimpleNamespace(name="DescribeEndpoint"), {"EndpointName": "ep"}, {})
    return reads.recent("ours", "ep", 2.0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("steps", "client", "expected"),
    [
        ([], "ours", (False, None)),
        ([(0.0, "read"), (1.0, "ask")], "ours", (True, DESCRIBED)),
        ([(0.0, "gone"), (1.0, "ask")], "ours", (True, None)),
        ([(0.0, "read"), (2.5, "ask")], "ours", (False, None)),  # too old
        ([(0.0, "read"), (0.5, "write"), (1.0, "ask")], "ours", (False, None)),  # written since
        ([(0.0, "read"), (0.5, "write starts"), (1.0, "ask")], "ours", (False, None)),  # being written
        ([(0.0, "write starts"), (0.2, "read"), (0.5, "write ends"), (1.0, "ask")], "ours", (False, None)),
        ([(0.0, "write"), (0.2, "read"), (1.0, "ask")], "ours", (True, DESCRIBED)),  # read after the write
        ([(0.0, "read"), (0.5, "write"), (1.0, "ask")], "another client", (True, DESCRIBED)),
        ([(0.0, "read"), (0.5, "describe"), (1.0, "ask")], "ours", (True, DESCRIBED)),
    ],
)
def test_a_read_stands_in_only_when_recent_and_not_written_since(
    steps: list[tuple[float, str]], client: str, expected: tuple[bool, dict[str, Any] | None]
) -> None:
    assert run(steps, client) == expected
