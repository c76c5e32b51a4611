"""AWS access in one place: the SageMaker client, and find / status / wait helpers.

Modelled on Terraform's SageMaker resources: *find* returns the resource or None, *wait* polls
with explicit pending and target statuses. Waiting takes an injected clock and sleep (as
botocore's waiters and retry handler do), so it is tested without real time.

The IAM actions the provider needs are `IAM_ACTIONS`, and no others.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import boto3
import botocore.config
from botocore.exceptions import BotoCoreError, ClientError

from sagemaker_hosting import endpoint_reads, ownership, read_budget
from sagemaker_hosting.errors import is_not_found
from sagemaker_hosting.tag_keys import OWNER_TAG, TAG_PREFIX

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient

LIST_PAGE_SIZE = 100
"""ListEndpoints' and ListEndpointConfigs' largest page (botocore's model: MaxResults 1-100)."""

USER_AGENT = "sagemaker-hosting/0.1"
"""Added to every request's User-Agent, so the provider's calls can be told apart in logs."""

IAM_ACTIONS = (
    "sagemaker:CreateEndpointConfig",
    "sagemaker:DescribeEndpointConfig",
    "sagemaker:DeleteEndpointConfig",
    "sagemaker:CreateEndpoint",
    "sagemaker:DescribeEndpoint",
    "sagemaker:UpdateEndpoint",
    "sagemaker:DeleteEndpoint",
    "sagemaker:DescribeModel",
    "sagemaker:ListEndpoints",
    "sagemaker:ListEndpointConfigs",
    "sagemaker:AddTags",
    "sagemaker:DeleteTags",
    "sagemaker:ListTags",
    "application-autoscaling:DescribeScalableTargets",
    "application-autoscaling:DescribeScalingPolicies",
    "application-autoscaling:DeleteScalingPolicy",
    "application-autoscaling:DeregisterScalableTarget",
    "application-autoscaling:RegisterScalableTarget",
    "application-autoscaling:PutScalingPolicy",
    "application-autoscaling:DescribeScheduledActions",
    "application-autoscaling:PutScheduledAction",
)
"""Every action the provider calls (README's IAM section lists them; the end-to-end tests check every
call the provider makes against this list). The Application Auto Scaling ones only when a deployment
changes the instance type of a variant (`autoscaling`): DescribeScalableTargets then, the others only
for a variant registered as a scalable target."""

CONDITIONAL_IAM_ACTIONS = {
    "iam:PassRole": "with `execution_role_arn`: CreateEndpointConfig passes the role to SageMaker; and when a "
    "scalable target registered with a role of its own (not the service-linked one) is registered again",
    "iam:CreateServiceLinkedRole": "RegisterScalableTarget, only if Application Auto Scaling's service-linked "
    "role for SageMaker endpoints no longer exists",
    "kms:CreateGrant": "with `kms_key_id`: SageMaker encrypts the instances' volumes with the key for the caller",
    "kms:DescribeKey": "with `kms_key_id`: the key is resolved and checked when the config is created",
}
"""Actions the provider never calls itself but AWS checks on its calls, only with some inputs."""

OPTIONAL_IAM_ACTIONS = {
    "cloudwatch:DescribeAlarms": "`pulumi preview` of an endpoint created or moved with rollback alarms: whether "
    "they exist; without it preview says the check was skipped",
    "servicequotas:ListServiceQuotas": "`pulumi preview` of an endpoint created or moved on instances: the "
    "account's endpoint quota of each instance type (with the region's endpoints, read by the required "
    "sagemaker:ListEndpoints, DescribeEndpoint and DescribeEndpointConfig); without it preview says the quota "
    "check was skipped",
    "servicequotas:ListAWSDefaultServiceQuotas": "the same, for an instance type whose applied quota "
    "ListServiceQuotas does not list",
}
"""Reads only preview makes, each for a check it skips (saying so) when the read is refused."""

MAX_ATTEMPTS = 10
"""Attempts per API call, throttling included (botocore's standard retry mode), unless the standard
configuration sets `max_attempts` (AWS_MAX_ATTEMPTS, or the profile's `max_attempts`)."""


@dataclass(frozen=True)
class AwsSettings:
    """Where to reach AWS: the stack's `aws:region` / `aws:profile`, else the standard configuration
    (environment, shared config files, `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_SAGEMAKER`)."""

    region: str | None = None
    profile: str | None = None

    def default_region(self) -> str | None:
        """The region of resources that name none: `aws:region`, else the standard configuration's
        (AWS_REGION, AWS_DEFAULT_REGION, the profile's `region`); no AWS call."""
        return self.region or _configured_region(self.profile)


@functools.cache
def _configured_region(profile: str | None) -> str | None:
    return boto3.session.Session(profile_name=profile).region_name


_accounts: dict[AwsSettings, str | None] = {}


def caller_account(settings: AwsSettings) -> str | None:
    """The account the credentials of `settings` act in (STS GetCallerIdentity, which needs no IAM
    permission), once per process; None when no credentials can be found or asked about (also
    remembered: every `check` of a preview without credentials would otherwise ask again, and the
    credential chain's lookups can take seconds)."""
    if settings not in _accounts:
        try:
            with _clients_lock:
                sts = _session(settings).client("sts", config=botocore.config.Config(user_agent_extra=USER_AGENT))
            _accounts[settings] = sts.get_caller_identity()["Account"]
        except (BotoCoreError, ClientError):
            _accounts[settings] = None
    return _accounts[settings]


def available(profile: str | None) -> bool:
    """Whether `profile` (None: the default chain) is configured on this machine."""
    return profile is None or profile in boto3.session.Session().available_profiles


_clients: dict[AwsSettings, SageMakerClient] = {}
_clients_lock = threading.Lock()
_companion_clients: dict[tuple[SageMakerClient, str], Any] = {}
"""Application Auto Scaling and CloudWatch clients, by the SageMaker client they go with (the client
itself, not its id, which a client made after another is gone may reuse) and their service."""


def sagemaker_client(settings: AwsSettings) -> SageMakerClient:
    """A SageMaker client for `settings`, one per process (boto3 clients are thread-safe).

    Throttling (ThrottlingException, "Rate exceeded") and transient errors are retried by
    botocore's standard retry mode (`MAX_ATTEMPTS`); endpoint URLs come from botocore's own configuration.
    """
    with _clients_lock:
        client = _clients.get(settings)
        if client is None:
            client = _new_client("sagemaker", settings)
            _clients[settings] = client
        return client


def autoscaling_client(sagemaker: SageMakerClient) -> Any:
    """The Application Auto Scaling client that goes with a SageMaker client (`companion_client`)."""
    return companion_client(sagemaker, "application-autoscaling")


def companion_client(sagemaker: SageMakerClient, service: str) -> Any:
    """The client of another service that goes with a SageMaker client of `sagemaker_client`: the
    same settings (profile, region, standard configuration, `AWS_ENDPOINT_URL`), retries and
    User-Agent; one per SageMaker client and service."""
    with _clients_lock:
        companion = _companion_clients.get((sagemaker, service))
        if companion is None:
            settings = next((s for s, c in _clients.items() if c is sagemaker), None)
            if settings is None:  # not one of ours: its region, the default profile
                settings = AwsSettings(region=sagemaker.meta.region_name)
            companion = _companion_clients[(sagemaker, service)] = _new_client(service, settings)
        return companion


_sessions: dict[AwsSettings, boto3.session.Session] = {}
"""One boto3 session per settings, so its clients share the loaded models and endpoint rules, and
resolve credentials once (each new session loads them again: about 50 ms per client)."""


def _session(settings: AwsSettings) -> boto3.session.Session:
    """The boto3 session of `settings`; called under `_clients_lock` (a session is not thread-safe)."""
    session = _sessions.get(settings)
    if session is None:
        session = _sessions[settings] = boto3.session.Session(
            profile_name=settings.profile, region_name=settings.region
        )
    return session


_read_rate = read_budget.READS_PER_SECOND


def set_read_rate(rate: float) -> None:
    """The read budget's rate (reads per second) for the SageMaker clients made from now on (the
    provider's `configure` sets it before any client is made)."""
    global _read_rate
    _read_rate = rate


MAX_POOL_CONNECTIONS = 128
"""Connections a client keeps open to its service, for the calls a fleet makes at once."""


def _new_client(service: str, settings: AwsSettings) -> Any:
    """A client of `service` for `settings`, with our retries and User-Agent, and for SageMaker the
    read budget (`read_budget`, on every attempt); under `_clients_lock`."""
    session = _session(settings)
    # boto3 exposes the standard configuration's values only through its botocore session.
    attempts = session._session.get_config_variable("max_attempts") or MAX_ATTEMPTS
    config = botocore.config.Config(
        retries={"mode": "standard", "total_max_attempts": int(attempts)},
        user_agent_extra=USER_AGENT,
        # A fleet's operations call at once (the engine runs up to `PULUMI_PARALLEL` of them): with
        # botocore's pool of 10, each call beyond the tenth opened a connection (on AWS, a TLS
        # handshake) and closed it after one call.
        max_pool_connections=MAX_POOL_CONNECTIONS,
    )
    client = session.client(service, config=config)  # type: ignore[call-overload]
    if service == "sagemaker":
        # Load the paginators' model now, once: botocore loads it on a client's first `can_paginate`
        # without a lock, so a fleet's first hundred concurrent list calls each loaded it again.
        client.can_paginate("list_endpoints")
        budget = read_budget.Budget(_read_rate)
        client.meta.events.register("before-send.sagemaker", budget.before_send)
        endpoint_reads.READS.follow_writes(client)
    return client


# --- the endpoint's state model ------------------------------------------------------------------
# Statuses (DescribeEndpoint's EndpointStatus) grouped as the provider waits on them, and the
# transitions it waits through (`wait_endpoint`):
#
#   (none) --CreateEndpoint--> Creating --> InService | Failed                       CREATED
#   InService --UpdateEndpoint--> Updating --> InService (new config, or old: rolled back)
#                                          \-> RollingBack --> InService (old) | UpdateRollbackFailed
#                                                                                    DEPLOYED
#   any settled, Failed --DeleteEndpoint--> Deleting --> (gone)                      DELETED
#
# SageMaker accepts UpdateEndpoint only from InService and DeleteEndpoint from any status but the
# in-progress ones (UPDATABLE and DELETABLE wait those out); a Failed endpoint can only be deleted.

CREATING = frozenset({"Creating"})
"""A create in progress."""
UPDATING = frozenset({"Updating", "SystemUpdating", "RollingBack"})
"""A deployment (or its rollback, or AWS maintenance) in progress."""
DELETING = frozenset({"Deleting"})
"""A delete in progress."""
IN_PROGRESS = CREATING | UPDATING | DELETING
"""Statuses in which SageMaker refuses UpdateEndpoint and DeleteEndpoint."""
SETTLED = frozenset({"InService", "Failed", "OutOfService", "UpdateRollbackFailed"})
"""Statuses no operation is running in."""
STUCK = frozenset({"Failed", "OutOfService", "UpdateRollbackFailed"})
"""Settled statuses SageMaker no longer updates an endpoint from: it can only be deleted (and made again)."""
SERVING = frozenset({"InService"})
"""The target of a create or an update."""
GONE: frozenset[str | None] = frozenset({None})
"""The target of a delete: DescribeEndpoint answers "Could not find"."""


@dataclass(frozen=True)
class Transition:
    """What a wait on an endpoint waits through (`pending`) and for (`target`); any other status
    ends the wait with an error."""

    pending: frozenset[str]
    target: frozenset[str | None]


CREATED = Transition(CREATING | UPDATING, SERVING)
"""After CreateEndpoint (an endpoint taken over may be mid-deployment already)."""
DEPLOYED = Transition(UPDATING, SERVING)
"""After UpdateEndpoint; InService on the old config means SageMaker rolled the deployment back."""
DELETED = Transition(DELETING, GONE)
"""After DeleteEndpoint, or when joining a delete already under way."""
UPDATABLE = Transition(CREATING | UPDATING, SETTLED)
"""Before UpdateEndpoint, when another operation is running: wait for it to end."""
DELETABLE = Transition(CREATING | UPDATING, SETTLED | DELETING | GONE)
"""Before DeleteEndpoint, when another operation is running."""


def _found(describe: Callable[[], Mapping[str, Any]]) -> dict[str, Any] | None:
    """A Describe* call's answer, or None when SageMaker says "Could not find"."""
    try:
        return dict(describe())
    except ClientError as error:
        if is_not_found(error):
            return None
        raise


def find_endpoint(client: SageMakerClient, name: str, recent: float = 0.0) -> dict[str, Any] | None:
    """DescribeEndpoint, or None when the endpoint does not exist. With `recent`, a read of this
    process's started at most that many seconds ago stands in for the call, when `endpoint_reads`
    allows it: no write of this process to the endpoint (through any of its clients) since, and no
    "not found" just after its own create."""
    if recent > 0:
        known, described = endpoint_reads.READS.recent(client, name, recent)
        if known:
            return described
    started = endpoint_reads.READS.clock()
    described = _found(lambda: client.describe_endpoint(EndpointName=name))
    endpoint_reads.READS.saw(client, name, started, described)
    return described


def find_model(client: SageMakerClient, name: str) -> dict[str, Any] | None:
    """DescribeModel, or None when the model does not exist."""
    return _found(lambda: client.describe_model(ModelName=name))


def find_endpoint_config(client: SageMakerClient, name: str) -> dict[str, Any] | None:
    """DescribeEndpointConfig, or None when the config does not exist."""
    return _found(lambda: client.describe_endpoint_config(EndpointConfigName=name))


_created_configs: dict[tuple[SageMakerClient, str], dict[str, Any]] = {}
"""Configs this process created, as reads first saw them, by SageMaker client (the client itself, not
its id, which a client made after another is gone may reuse) and name. A config
never changes, so an endpoint put on one in the same run needs no second read of it (issue 17);
one this process deletes is forgotten."""


def remember_created_config(client: SageMakerClient, description: Mapping[str, Any]) -> None:
    """Keep the description of a config this process created and has seen."""
    _created_configs[(client, str(description["EndpointConfigName"]))] = dict(description)


def created_config(client: SageMakerClient, name: str) -> dict[str, Any] | None:
    """The description of config `name` if this process created it (and has not deleted it)."""
    known = _created_configs.get((client, name))
    return None if known is None else dict(known)


def delete_endpoint_config(client: SageMakerClient, name: str) -> bool:
    """DeleteEndpointConfig; False when the config does not exist."""
    _created_configs.pop((client, name), None)
    return _found(lambda: client.delete_endpoint_config(EndpointConfigName=name)) is not None


def endpoint_config_pages(
    client: SageMakerClient, name_contains: str, created_after: datetime, created_before: datetime | None = None
) -> Iterator[tuple[list[dict[str, Any]], bool]]:
    """ListEndpointConfigs of the configs whose name contains `name_contains` (any name if it is
    empty), created at or after `created_after` (and before `created_before`): its pages, of
    `LIST_PAGE_SIZE` configs, each with whether another follows (asked for only when the iteration
    goes on)."""
    filters: dict[str, Any] = {"CreationTimeAfter": created_after, "PaginationConfig": {"PageSize": LIST_PAGE_SIZE}}
    if created_before is not None:
        filters["CreationTimeBefore"] = created_before
    if name_contains:
        filters["NameContains"] = name_contains
    for page in client.get_paginator("list_endpoint_configs").paginate(**filters):
        yield [dict(config) for config in page.get("EndpointConfigs", [])], bool(page.get("NextToken"))


def list_tags(client: SageMakerClient, arn: str) -> dict[str, str]:
    """All tags of a resource, the provider's own included, following pagination."""
    tags: dict[str, str] = {}
    for page in client.get_paginator("list_tags").paginate(ResourceArn=arn):
        for tag in page.get("Tags", []):
            tags[tag["Key"]] = tag.get("Value", "")
    return tags


def find_tags(client: SageMakerClient, arn: str) -> dict[str, str] | None:
    """`list_tags`, or None when the resource does not exist."""
    return _found(lambda: list_tags(client, arn))


def user_tags(tags: Mapping[str, str]) -> dict[str, str]:
    """`tags` without the provider's bookkeeping."""
    return {key: value for key, value in tags.items() if not key.startswith(TAG_PREFIX)}


def managed_tags(live: Mapping[str, str], managed: object) -> dict[str, str]:
    """Of a resource's `live` tags, those the stack manages: the keys of its recorded `tags`
    (`managed`). Tags others put there (an adopted endpoint's own, a tag added outside Pulumi) are
    never recorded, so no update deletes them; a managed tag removed outside shows as drift."""
    keys = managed.keys() if isinstance(managed, Mapping) else ()
    return {key: value for key, value in user_tags(live).items() if key in keys}


def owner(client: SageMakerClient, arn: str) -> ownership.Owner | None:
    """The owner the resource at `arn` is tagged with (`OWNER_TAG`), if any."""
    return ownership.parse(list_tags(client, arn).get(OWNER_TAG))


def update_tags(client: SageMakerClient, arn: str, old: Mapping[str, str], new: Mapping[str, str]) -> None:
    """Make the resource's tags `new`, given that they were `old`: AddTags overwrites, DeleteTags removes."""
    removed = sorted(set(old) - set(new))
    if removed:
        client.delete_tags(ResourceArn=arn, TagKeys=removed)
    changed = {key: value for key, value in new.items() if old.get(key) != value}
    if changed:
        client.add_tags(ResourceArn=arn, Tags=[{"Key": k, "Value": v} for k, v in sorted(changed.items())])
