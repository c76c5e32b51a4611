"""SageMaker's eventually consistent reads, in the AWS layer: what a create, a refresh or a call
that refers to another resource waits for, each composed from the one loop (`waiting.Waiter.poll`).

The API reference advises retrying a call whose "Could not find" may be a read not yet consistent
(`call_while_not_found`); a resource just created may not be visible to Describe* for a while
(`await_config`, `find_created`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from botocore.exceptions import ClientError

from sagemaker_hosting import aws
from sagemaker_hosting.errors import ProviderError, api_failure, error_message, is_not_found
from sagemaker_hosting.waiting import Waiter

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient

T = TypeVar("T")

VISIBILITY_SECONDS = 120.0
"""How long a resource that certainly exists (this provider created it, or DescribeModel finds it) may
stay invisible to another call's eventually consistent read."""

CONSISTENCY_SECONDS = 15.0
"""How long a resource created moments earlier may stay invisible to reads before it is taken not to
exist: a model or config a create refers to (by this program or a pipeline), or a resource that a
refresh reads right after its create. Short, so that a misspelt name fails in seconds."""


def await_config(waiter: Waiter, client: SageMakerClient, name: str, limit: float) -> dict[str, Any]:
    """DescribeEndpointConfig until reads see the config (no read for one this process created and
    saw: `aws.created_config`); WaitError after `limit` seconds."""
    found = aws.created_config(client, name) or {}
    if found:
        return found

    def fetch() -> Mapping[str, Any]:
        found.update(aws.find_endpoint_config(client, name) or {})
        return {"Visibility": "visible" if found else "not yet visible"}

    waiter.wait(f'Endpoint config "{name}"', fetch, "Visibility", {"not yet visible"}, {"visible"}, limit)
    return found


def find_created(waiter: Waiter, find: Callable[[], T | None], creation_time: object) -> T | None:
    """`find()` for a refresh; while it finds nothing and the resource is younger than
    `CONSISTENCY_SECONDS` (by its recorded `creation_time`), it may not be visible yet: look again."""
    try:
        age = (datetime.now(UTC) - datetime.fromisoformat(str(creation_time))).total_seconds()
    except ValueError:  # none recorded
        age = CONSISTENCY_SECONDS
    return waiter.poll(lambda elapsed: find(), max(0.0, CONSISTENCY_SECONDS - age))


def call_while_not_found(waiter: Waiter, client: SageMakerClient, action: str, what: str, call: Callable[[], T]) -> T:
    """Make a create/update call, retrying while SageMaker's eventually consistent read of a
    resource it refers to still answers "Could not find ..." (the API reference advises
    retrying): for `CONSISTENCY_SECONDS`, or up to `VISIBILITY_SECONDS` for a model that
    DescribeModel finds, saying what it waits for."""
    announced: list[str] = []

    def attempt(elapsed: float) -> tuple[T] | None:
        try:
            return (call(),)
        except ClientError as error:
            if not is_not_found(error):
                raise api_failure(action, what, error) from error
            missing = error_message(error).removeprefix("Could not find ").rstrip(".")
            limit = VISIBILITY_SECONDS if model_exists(client, missing) else CONSISTENCY_SECONDS
            if elapsed >= limit:
                raise ProviderError(
                    f"{action} failed for {what}: SageMaker could not find {missing} in region "
                    f"{client.meta.region_name}, where it looked: it does not exist there (or was not visible after "
                    f"{elapsed:.0f}s): create it first, or fix the name or the region."
                ) from error
            if not announced:
                announced.append(missing)
                waiter.progress(f"{action} for {what}: {missing} is not visible yet; retrying for up to {limit:.0f}s")
            return None

    outcome = waiter.poll(attempt, float("inf"))  # each attempt knows its limit, and raises past it
    assert outcome is not None
    return outcome[0]


def model_exists(client: SageMakerClient, missing: str) -> bool:
    """Whether `missing` (as SageMaker's "Could not find" names it) is a model DescribeModel finds."""
    if not missing.startswith("model "):
        return False
    name = missing.removeprefix("model ").strip('"').rpartition("/")[2]
    return aws.find_model(client, name) is not None
