"""Which endpoints use a config: the record the provider keeps on a config of the endpoints it puts
on it, and the question the config's delete asks them (part of the AWS layer).

A config carries one tag per stack that put endpoints on it, `sagemaker-hosting:users:<stack id>`
(`tag_keys.USERS_TAG_PREFIX`), whose value lists those endpoints' names, or `MANY` once they no
longer fit in a tag value: the delete then asks every endpoint of the region (ListEndpoints). So
the record takes one tag per stack, whatever the number of endpoints (issue 21 item 4), and the
user tags README promises fit. Names of endpoints that no longer use the config are dropped when
another is recorded.

Each stack writes only its own tag, and a stack runs one `pulumi up` at a time (the engine's lock),
in one provider process: there the read-modify-write of a tag is serialised per config, and the
names this process recorded are kept whatever a read returns (an eventually consistent ListTags may
lag behind the last AddTags) and never dropped (their endpoint may be about to move onto the
config). So no endpoint on its way to a config is ever left out of its record.

Configs tagged by earlier versions (`tag_keys.ENDPOINT_TAG_PREFIX`, one tag per endpoint) are read too.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from sagemaker_hosting import aws, endpoint_reads
from sagemaker_hosting.errors import ProviderError, error_text
from sagemaker_hosting.tag_keys import ENDPOINT_TAG_PREFIX, TAG_VALUE_LIMIT, USERS_TAG_PREFIX

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient

MANY = ":all"
"""A stack's record once its endpoints' names no longer fit: ask every endpoint of the region. No
endpoint name holds a ":", and tag values may (`TagValue`'s pattern)."""
NO_STACK = "no-stack"
"""The record's key for endpoints put on a config outside a Pulumi program (no stack id)."""


@dataclass(frozen=True)
class ConfigUser:
    """An endpoint that runs on a config, is moving to it, or may be moving off it."""

    name: str
    status: str
    tags: Mapping[str, str]

    def __str__(self) -> str:
        return f'"{self.name}" ({self.status})'


class Records:
    """What this process recorded on each config (by ARN), and one lock per config for the
    read-modify-write of a record (`record`)."""

    def __init__(self) -> None:
        self.guard = threading.Lock()
        self.locks: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)
        self.recorded: defaultdict[str, set[str]] = defaultdict(set)
        self.known: dict[tuple[SageMakerClient, str], str | None] = {}
        """The value of this stack's record tag on a config (by client and ARN) when this process
        knows it without a read: None on a config it created, then what it wrote (issue 17: no
        ListTags per endpoint put on a config of the same run). Only this stack writes its tag,
        one run at a time."""

    def lock(self, arn: str) -> threading.Lock:
        with self.guard:
            return self.locks[arn]


RECORDS = Records()
"""The provider process's records: process-wide by nature, as the lock they serialise on."""


def users_key(stack_id: str | None) -> str:
    """The tag holding the record of the stack `stack_id`."""
    return USERS_TAG_PREFIX + (stack_id or NO_STACK)


def created(client: SageMakerClient, arn: str) -> None:
    """Note that this process created the config `arn` (CreateEndpointConfig answered): it carries
    no record yet, so the first `record` on it needs no read."""
    RECORDS.known[(client, arn)] = None


def record(client: SageMakerClient, config: Mapping[str, Any], endpoint_name: str, stack_id: str | None) -> None:
    """Record on `config` that `endpoint_name` of the stack `stack_id` is put on it (before
    CreateEndpoint / UpdateEndpoint); names of the stack's endpoints that no longer use it are dropped."""
    arn, key = str(config["EndpointConfigArn"]), users_key(stack_id)
    with RECORDS.lock(arn):
        mine = RECORDS.recorded[arn]
        mine.add(endpoint_name)
        if (client, arn) in RECORDS.known and aws.created_config(client, str(config["EndpointConfigName"])):
            value = RECORDS.known[(client, arn)]  # not deleted since (`aws.delete_endpoint_config` forgets it)
        else:
            value = aws.list_tags(client, arn).get(key)
        names = set((value or "").split())
        if MANY in names:
            return
        others = names - mine
        kept = {name for name in others if uses(client, str(config["EndpointConfigName"]), name) is not None}
        joined = " ".join(sorted(kept | mine))
        new_value = joined if len(joined) <= TAG_VALUE_LIMIT else MANY
        if new_value == value:
            return
        try:
            client.add_tags(ResourceArn=arn, Tags=[{"Key": key, "Value": new_value}])
            RECORDS.known[(client, arn)] = new_value
        except ClientError as error:
            raise ProviderError(
                f'Endpoint "{endpoint_name}" was not put on config "{config["EndpointConfigName"]}": the record of '
                f"the endpoints this stack puts on it (tag `{key}`, which keeps the config from being deleted under "
                f"them) could not be written: {error_text(error)}. Nothing was changed, and the endpoint serves what "
                "it served before. SageMaker allows 50 tags per resource, and the provider keeps on a config its "
                "owner tag and one tag per stack that puts endpoints on it: remove a tag from the config (or grant "
                "`sagemaker:AddTags` on it), then run `pulumi up` again."
            ) from error


def uses(client: SageMakerClient, config_name: str, endpoint_name: str) -> dict[str, Any] | None:
    """DescribeEndpoint of `endpoint_name` if it runs on the config, is moving to it, or may be
    moving off it (a deployment in flight); None otherwise (or if it is gone or being deleted).
    This process's own read of it in the last `endpoint_reads.RECENT_SECONDS`, with no write of this
    process to it since, stands in (issue 17): the delete of a config replaced or destroyed comes
    right after its endpoint's wait saw it on the new config, or gone; `record` asks it too, of the
    names it may drop (never those this process puts on the config)."""
    described = aws.find_endpoint(client, endpoint_name, recent=endpoint_reads.RECENT_SECONDS)
    if described is None or described["EndpointStatus"] in aws.DELETING:  # a delete needs no config
        return None
    pending = (described.get("PendingDeploymentSummary") or {}).get("EndpointConfigName")
    moving = described["EndpointStatus"] in aws.UPDATING
    return described if moving or config_name in (described.get("EndpointConfigName"), pending) else None


def recorded_names(tags: Mapping[str, str]) -> set[str]:
    """The endpoint names (or `MANY`) that a config's records, among its `tags`, name: every stack's,
    and those of earlier versions."""
    names: set[str] = set()
    for key, value in tags.items():
        if key.startswith(USERS_TAG_PREFIX):
            names.update(value.split())
        elif key.startswith(ENDPOINT_TAG_PREFIX):
            names.add(key.removeprefix(ENDPOINT_TAG_PREFIX))
    return names


def config_users(client: SageMakerClient, config_name: str, config_tags: Mapping[str, str]) -> list[ConfigUser]:
    """The endpoints that run on a config, are moving to it, or may be moving off it, of those its
    records name (among the config's `config_tags`, which the caller has read: a few calls, no scan
    of the account, unless a record says `MANY`); with their tags."""
    names = recorded_names(config_tags)
    if MANY in names:
        names = (names - {MANY}) | {
            endpoint["EndpointName"]
            for page in client.get_paginator("list_endpoints").paginate()
            for endpoint in page.get("Endpoints", [])
        }
    users = []
    for name in sorted(names):
        described = uses(client, config_name, name)
        if described is not None:
            tags = aws.list_tags(client, described["EndpointArn"])
            users.append(ConfigUser(described["EndpointName"], described["EndpointStatus"], tags))
    return users
