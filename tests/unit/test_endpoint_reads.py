"""`endpoint_reads`: when a read this process made stands in for a new one. A table of sequences
on a fake clock: a read stands in within `within` seconds of its start, never once a write of this
process to the endpoint (through any of its clients) was under way or ended after it started, and
a read that found none never after this process's own create (the write's events are sent by
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


def run(steps: list[tuple[float, str]]) -> tuple[bool, dict[str, Any] | None]:
    """Steps at times, on endpoint "ep": "read" (described) or "gone" (a read that found none), by
    our client; "write" (an UpdateEndpoint started and answered), "write starts", "write ends", and
    "create" / "delete" (a CreateEndpoint / DeleteEndpoint), each through any client of this process;
    "describe" (a read's call, no write); then ask our client's, within 2 s."""
    clock = Clock()
    reads = EndpointReads(clock)
    contexts: list[dict[str, Any]] = []
    for at, step in steps:
        clock.now = at
        if step in ("read", "gone"):
            reads.saw("ours", "ep", at, DESCRIBED if step == "read" else None)  # type: ignore[arg-type]
        operation = {"create": "CreateEndpoint", "delete": "DeleteEndpoint", "describe": "DescribeEndpoint"}.get(
            step, "UpdateEndpoint"
        )
        if step in ("write", "write starts", "create", "delete", "describe"):
            contexts.append({})
            reads.write_started(SimpleNamespace(name=operation), {"EndpointName": "ep"}, contexts[-1])
        if step in ("write", "write ends", "create", "delete", "describe"):
            reads.write_ended(contexts.pop(0) if step == "write ends" else contexts.pop())
    return reads.recent("ours", "ep", 2.0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        ([], (False, None)),
        ([(0.0, "read"), (1.0, "ask")], (True, DESCRIBED)),
        ([(0.0, "gone"), (1.0, "ask")], (True, None)),
        ([(0.0, "read"), (2.5, "ask")], (False, None)),  # too old
        ([(0.0, "read"), (0.5, "write"), (1.0, "ask")], (False, None)),  # written since
        ([(0.0, "read"), (0.5, "write starts"), (1.0, "ask")], (False, None)),  # being written
        ([(0.0, "write starts"), (0.2, "read"), (0.5, "write ends"), (1.0, "ask")], (False, None)),
        ([(0.0, "write"), (0.2, "read"), (1.0, "ask")], (True, DESCRIBED)),  # read after the write
        ([(0.0, "read"), (0.5, "describe"), (1.0, "ask")], (True, DESCRIBED)),
        # two writes under way: the first one's end does not make a read during the second stand in
        (
            [(0.0, "write starts"), (0.1, "write starts"), (0.2, "write ends"), (0.3, "read"), (1.0, "ask")],
            (False, None),
        ),
        ([(0.0, "create"), (0.2, "gone"), (1.0, "ask")], (False, None)),  # a read may lag our create
        ([(0.0, "delete"), (0.2, "gone"), (1.0, "ask")], (True, None)),  # gone after our delete
    ],
)
def test_a_read_stands_in_only_when_recent_and_not_written_since(
    steps: list[tuple[float, str]], expected: tuple[bool, dict[str, Any] | None]
) -> None:
    assert run(steps) == expected
