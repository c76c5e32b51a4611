"""What this process last read of each endpoint, so that a read made a moment ago can stand in for
another (part of the AWS layer; `aws.find_endpoint` reads and records, its `recent` asks; the shared
poller records the endpoints its ListEndpoints finds gone after their delete).

The delete of a config asks each endpoint its records name whether it runs on the config
(`config_users.uses`). In a fleet's update or destroy that question comes right after the
endpoint's own wait described it on its new config, or found it gone: a hundred DescribeEndpoint
calls that tell nothing new (issue 17). A read stands in only when it started at most
`RECENT_SECONDS` ago and no write of this process to an endpoint of that name (through any of its
clients: each reports its writes through botocore's events) was under way or ended since it
started; and a read that found none never stands in after this process created the endpoint (a
read may lag a create). Within that window only another client (a person, another tool) could have
moved the endpoint: the same race a fresh read leaves open for the milliseconds between it and the
delete. A write that fails before it is sent (botocore's parameter validation) leaves its mark
under way for good: that endpoint is then always read afresh.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
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
    read started, by client (the client itself, not its id, which a later client may reuse) and
    name; and, by name alone (whatever the client: a config's delete may use another client than
    the endpoint's moves), its writes under way and when the last one ended and what it was."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.lock = threading.Lock()
        self.reads: dict[tuple[SageMakerClient, str], tuple[float, dict[str, Any] | None]] = {}
        self.under_way: Counter[str] = Counter()
        self.last_write: dict[str, tuple[float, str]] = {}
        """The end and operation name of the last write to each endpoint name."""

    def follow_writes(self, client: SageMakerClient) -> None:
        """Have `client` report its writes to endpoints (`ENDPOINT_WRITES`): from the call's start
        (botocore's `before-parameter-build`, which has its parameters) to its answer or failure
        (`after-call`, `after-call-error`)."""
        events = client.meta.events
        events.register("before-parameter-build.sagemaker", self.write_started)
        events.register("after-call.sagemaker", self.write_ended)
        events.register("after-call-error.sagemaker", self.write_ended)

    def write_started(self, model: Any, params: Mapping[str, Any], context: Any, **_: Any) -> None:
        """botocore's `before-parameter-build` handler."""
        if model.name in ENDPOINT_WRITES:
            name = str(params.get("EndpointName"))
            context[_WRITTEN] = (name, model.name)
            with self.lock:
                self.under_way[name] += 1

    def write_ended(self, context: Any, **_: Any) -> None:
        """botocore's `after-call` and `after-call-error` handler."""
        written = context.get(_WRITTEN) if isinstance(context, Mapping) else None
        if written is not None:
            name, operation = written
            with self.lock:
                self.under_way[name] -= 1
                self.last_write[name] = (self.clock(), operation)

    def saw(self, client: SageMakerClient, name: str, started: float, described: Mapping[str, Any] | None) -> None:
        """Record a read of `name` started at `started` (None: not found)."""
        with self.lock:
            self.reads[(client, name)] = (started, None if described is None else dict(described))

    def recent(self, client: SageMakerClient, name: str, within: float) -> tuple[bool, dict[str, Any] | None]:
        """(True, the description, None if not found) of a read that may stand in (the module's
        docstring) for one made now, within `within` seconds; (False, None) if there is none."""
        with self.lock:
            started, described = self.reads.get((client, name), (None, None))
            ended, operation = self.last_write.get(name, (float("-inf"), ""))
            if started is None or self.under_way[name] > 0 or started <= ended:
                return False, None
            if self.clock() - started > within or (described is None and operation == "CreateEndpoint"):
                return False, None
            return True, None if described is None else dict(described)


READS = EndpointReads()
"""The provider process's reads of endpoints."""
