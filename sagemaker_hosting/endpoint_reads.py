"""What this process last read of each endpoint, so that a read made a moment ago can stand in for
another (part of the AWS layer; `aws.find_endpoint` reads and records, its `recent` asks).

The delete of a config asks each endpoint its records name whether it runs on the config
(`config_users.uses`). In a fleet's update or destroy that question comes right after the
endpoint's own wait described it on its new config, or found it gone: a hundred DescribeEndpoint
calls that tell nothing new (issue 17). A read stands in only when this process has not written to
the endpoint since it started (its clients report their writes through botocore's events) and it
started at most `RECENT_SECONDS` ago: within that window only another client (a person, another
tool) could have moved the endpoint, the same race a fresh read leaves open for the milliseconds
between it and the delete.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient

ENDPOINT_WRITES = frozenset(
    {"CreateEndpoint", "UpdateEndpoint", "DeleteEndpoint", "UpdateEndpointWeightsAndCapacities"}
)
"""The calls that change what DescribeEndpoint answers (besides SageMaker's own progress)."""
RECENT_SECONDS = 2.0
"""How old a read of this process's may be to stand in for a new one (`find_endpoint`'s `recent`)."""


_WRITTEN = "sagemaker_hosting.endpoint_written"
"""The key under which a write call's botocore request context carries its endpoint's name."""


class EndpointReads:
    """What this process last read of each endpoint (DescribeEndpoint, or not found) and when the
    read started, and when its last write to the endpoint ended (infinity while one is under way),
    by client (the client itself, not its id, which a later client may reuse) and name. Clients
    report their writes through botocore's events (`follow_writes`), so no call site can forget to."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.lock = threading.Lock()
        self.reads: dict[tuple[SageMakerClient, str], tuple[float, dict[str, Any] | None]] = {}
        self.writes: dict[tuple[SageMakerClient, str], float] = {}

    def follow_writes(self, client: SageMakerClient) -> None:
        """Have `client` report its writes to endpoints (`ENDPOINT_WRITES`): from the call's start
        (botocore's `before-parameter-build`, which has its parameters) to its answer or failure
        (`after-call`, `after-call-error`)."""
        events = client.meta.events
        events.register("before-parameter-build.sagemaker", functools.partial(self.write_started, client))
        events.register("after-call.sagemaker", functools.partial(self.write_ended, client))
        events.register("after-call-error.sagemaker", functools.partial(self.write_ended, client))

    def write_started(
        self, client: SageMakerClient, model: Any, params: Mapping[str, Any], context: Any, **_: Any
    ) -> None:
        """botocore's `before-parameter-build` handler."""
        if model.name in ENDPOINT_WRITES:
            context[_WRITTEN] = name = str(params.get("EndpointName"))
            with self.lock:
                self.writes[(client, name)] = float("inf")

    def write_ended(self, client: SageMakerClient, context: Any, **_: Any) -> None:
        """botocore's `after-call` and `after-call-error` handler."""
        name = context.get(_WRITTEN) if isinstance(context, Mapping) else None
        if name is not None:
            with self.lock:
                self.writes[(client, name)] = self.clock()

    def saw(self, client: SageMakerClient, name: str, started: float, described: Mapping[str, Any] | None) -> None:
        """Record a read of `name` started at `started` (None: not found)."""
        with self.lock:
            self.reads[(client, name)] = (started, None if described is None else dict(described))

    def recent(self, client: SageMakerClient, name: str, within: float) -> tuple[bool, dict[str, Any] | None]:
        """(True, the description, None if not found) of a read started within `within` seconds and
        after this process's last write to the endpoint ended; (False, None) if there is none."""
        with self.lock:
            started, described = self.reads.get((client, name), (None, None))
            if started is None or started <= self.writes.get((client, name), float("-inf")):
                return False, None
            if self.clock() - started > within:
                return False, None
            return True, None if described is None else dict(described)


READS = EndpointReads()
"""The provider process's reads of endpoints."""
