"""Configs that a killed `pulumi up` made and never recorded (part of the AWS layer): found by the
next run's diff of the config's entry, deleted by that run's update or create of it.

The engine records a create only when the provider returns from it. A run killed between
CreateEndpointConfig and that moment (a CI runner's hard timeout, an out-of-memory kill) leaves a
config that no state entry holds: the engine keeps the create only as a pending operation, which
`pulumi up` merely warns about, and a revert, or any later change, never names that config again.
Such a config carries the entry's owner tag with another instance (`ownership.left_behind`); it was
created after the entry's config (the killed run was replacing it); and no endpoint was ever put on
it (no record of users: an endpoint moves to a config only after the engine has recorded it). That
is what `find` looks for: one ListEndpointConfigs (by the name prefix and creation time) per config
entry, and one ListTags per config it returns.

The delete of an entry of a resource that the run does not declare (`pulumi destroy`, or the
resource removed from the program) looks too, and deletes what it finds: every config of that
resource goes then. The delete of a replaced entry does not (`ThisRun.declares`): the entry that
replaced it is a config of the resource made after it, which no endpoint may use yet.

A config created by a killed *first* create is not found here: the next `up` that declares it
again takes it over under the same name (`EndpointConfigProvider.create`).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from sagemaker_hosting import aws, config_users, naming, ownership
from sagemaker_hosting.errors import is_not_found
from sagemaker_hosting.tag_keys import OWNER_TAG

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient


class ThisRun:
    """What this process's diffs found, per resource (stack id and seed), for its update or create
    to delete (diff and the write that follows it run in the same provider process); and which
    resources this run declares (`Provider.check` notes each: a `pulumi up` checks every resource
    of the program before any delete of a replaced or removed one, and a `destroy` checks none)."""

    def __init__(self) -> None:
        self.guard = threading.Lock()
        self.names: dict[tuple[str | None, str | None], list[str]] = {}
        self.declared: set[tuple[str | None, str | None]] = set()

    def mark_declared(self, owner: ownership.Owner) -> None:
        with self.guard:
            self.declared.add((owner.stack_id, owner.seed))

    def declares(self, owner: ownership.Owner) -> bool:
        """Whether this run declares the resource: its delete is then that of a replaced entry (a config
        made after that entry's may be the entry that replaced it), never a `destroy`."""
        with self.guard:
            return (owner.stack_id, owner.seed) in self.declared

    def remember(self, owner: ownership.Owner, names: list[str]) -> None:
        with self.guard:
            self.names[(owner.stack_id, owner.seed)] = names

    def take(self, owner: ownership.Owner) -> list[str]:
        with self.guard:
            return self.names.pop((owner.stack_id, owner.seed), [])


THIS_RUN = ThisRun()
"""What the provider process knows of its run."""


def unrecorded(tags: Mapping[str, str], ours: ownership.Owner) -> bool:
    """Whether a config with `tags` is one the entry `ours` left behind, and no endpoint was put on."""
    on_it = bool(config_users.recorded_names(tags))
    return not on_it and ownership.left_behind(ownership.parse(tags.get(OWNER_TAG)), ours)


def find(client: SageMakerClient, props: Mapping[str, Any], ours: ownership.Owner) -> list[str]:
    """The configs that the entry whose outputs are `props` left behind (module docstring); none for
    an entry whose name was not generated from a prefix (an explicit `name` is taken over instead)."""
    name, prefix, created = props.get("name"), props.get("name_prefix"), props.get("creation_time")
    head = naming.sanitize_prefix(prefix) if isinstance(prefix, str) else ""
    if not head or not isinstance(name, str) or not name.startswith(f"{head}-") or not isinstance(created, str):
        return []
    since = datetime.fromisoformat(created)
    found = []
    for config in aws.list_endpoint_configs(client, name_contains=head, created_after=since):
        other = str(config["EndpointConfigName"])
        if other == name or not other.startswith(f"{head}-"):
            continue
        try:
            tags = aws.list_tags(client, str(config["EndpointConfigArn"]))
        except ClientError as error:
            if is_not_found(error):
                continue
            raise
        if unrecorded(tags, ours):
            found.append(other)
    return found


def delete(client: SageMakerClient, names: list[str], ours: ownership.Owner) -> list[str]:
    """Delete those of `names` that are still configs the entry `ours` left behind, with no endpoint
    put on them (read again: the create that takes one over under its name makes it `ours`); the
    names deleted."""
    deleted = []
    for name in names:
        described = aws.find_endpoint_config(client, name)
        if described is None or not unrecorded(aws.list_tags(client, described["EndpointConfigArn"]), ours):
            continue
        aws.delete_endpoint_config(client, name)
        deleted.append(name)
    return deleted
