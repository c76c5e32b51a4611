"""Running a Pulumi program to completion under mocks, and reading what each resource was registered with."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.runtime.mocks import MockMonitor

Key = tuple[str, str]
"""A resource's type and name."""


class RecordingMonitor(MockMonitor):
    """The SDK's mock monitor, also recording what each resource depends on."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.dependencies: dict[str, list[str]] = {}

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        self.dependencies[response.urn] = list(request.dependencies)
        return response


def resource_key(urn: str) -> Key:
    """The type and name in a URN (the type unqualified by its parents' types)."""
    qualified_type, name = urn.split("::")[2:4]
    return qualified_type.rpartition("$")[2], name


@dataclass
class MockedRun:
    """A program run under mocks: every resource's state (inputs and outputs) and the resources it
    depends on (explicitly or through its inputs), by type and name."""

    states: dict[Key, dict[str, Any]]
    dependencies: dict[Key, set[Key]]

    def state(self, type_: str, name: str) -> dict[str, Any]:
        return self.states[type_, name]


def run_under_mocks(
    program: Callable[[], object],
    mocks: pulumi.runtime.Mocks,
    *,
    project: str,
    stack: str,
    config: Mapping[str, str] | None = None,
) -> MockedRun:
    """Run `program` (which constructs resources) under `mocks` until every resource is registered."""
    monitor = RecordingMonitor(mocks)
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=False, monitor=monitor)
    pulumi.runtime.set_all_config(dict(config or {}))
    pulumi.runtime.test(program)()
    return MockedRun(
        {resource_key(urn): registration.state for urn, registration in monitor.get_registered_resources().items()},
        {
            resource_key(urn): {resource_key(dependency) for dependency in urns}
            for urn, urns in monitor.dependencies.items()
        },
    )
