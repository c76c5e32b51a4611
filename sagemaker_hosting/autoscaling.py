"""Autoscaled variants across deployments: what to set aside, and how to put it back. Pure: no AWS
calls (they are in `aws`).

SageMaker refuses an UpdateEndpoint that would change the instance type of a production variant
registered as an Application Auto Scaling scalable target; a change of model only is allowed
(Developer Guide, "Update endpoints that use auto scaling"). Its procedure, which `EndpointProvider.deploy`
follows for the variants `to_set_aside` names: remember the target and its scaling policies, delete
the policies, deregister the target, update and wait, then register the same target and put the
same policies again, on the new fleet or, when the deployment failed or rolled back, on the old one.

What was set aside is written first on the endpoint itself, as tags (`record_tags`), so that an `up`
killed after the target was deregistered leaves the definitions where the next `up` finds them
(`read_record`) and puts them back.
"""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sagemaker_hosting import tag_keys

NAMESPACE = "sagemaker"
DIMENSION = "sagemaker:variant:DesiredInstanceCount"
"""The scalable dimension of a production variant's instance count."""

_TARGET_KEYS = ("ServiceNamespace", "ResourceId", "ScalableDimension", "MinCapacity", "MaxCapacity", "SuspendedState")
_POLICY_KEYS = (
    "PolicyName",
    "ServiceNamespace",
    "ResourceId",
    "ScalableDimension",
    "PolicyType",
    "StepScalingPolicyConfiguration",
    "TargetTrackingScalingPolicyConfiguration",
    "PredictiveScalingPolicyConfiguration",
)
_SCHEDULED_KEYS = (
    "ServiceNamespace",
    "Schedule",
    "Timezone",
    "ScheduledActionName",
    "ResourceId",
    "ScalableDimension",
    "StartTime",
    "EndTime",
    "ScalableTargetAction",
)
_SERVICE_LINKED = ":role/aws-service-role/"


def resource_id(endpoint: str, variant: str) -> str:
    """The scalable target's resource id of an endpoint's variant."""
    return f"endpoint/{endpoint}/variant/{variant}"


def variant_of(resource: str, endpoint: str) -> str | None:
    """The variant a resource id names, when it is one of `endpoint`'s (names are case-insensitive)."""
    kind, _, rest = resource.partition("/")
    name, _, variant = rest.partition("/variant/")
    return variant if kind == "endpoint" and name.lower() == endpoint.lower() and variant else None


def instance_types(variants: Iterable[Mapping[str, Any]]) -> dict[str, str | None]:
    """Variant name -> instance type (None: serverless) of a config's ProductionVariants."""
    return {str(v["VariantName"]): v.get("InstanceType") for v in variants}


def to_set_aside(
    live: Mapping[str, str | None] | None, new: Mapping[str, str | None], registered: Iterable[str]
) -> list[str]:
    """The variants whose scalable target must be set aside for an UpdateEndpoint from the config
    whose instance types are `live` to one whose are `new`: those registered whose instance type
    changes. `live` None (the running config cannot be read) counts every registered variant of
    the new config as changing: setting a target aside and back is always allowed."""
    changing = [name for name in registered if name in new and (live is None or live.get(name, new[name]) != new[name])]
    return sorted(set(changing))


@dataclass(frozen=True)
class SetAside:
    """A variant's scalable target, its scaling policies and its scheduled actions, as the calls that
    make them again."""

    target: dict[str, Any]
    """RegisterScalableTarget's request."""
    policies: tuple[dict[str, Any], ...]
    """PutScalingPolicy's requests, in the order described."""
    scheduled: tuple[dict[str, Any], ...] = ()
    """PutScheduledAction's requests (DeregisterScalableTarget deletes them too), times as ISO 8601."""

    @property
    def resource_id(self) -> str:
        return str(self.target["ResourceId"])


def set_aside(
    target: Mapping[str, Any], policies: Sequence[Mapping[str, Any]], scheduled: Sequence[Mapping[str, Any]] = ()
) -> SetAside:
    """What DescribeScalableTargets, DescribeScalingPolicies and DescribeScheduledActions answered,
    as the requests that register the same target and put the same policies and scheduled actions
    (ARNs, times of creation and the alarms Application Auto Scaling makes for target tracking are
    its own, not part of the definition). A role is kept only when it is not the service-linked
    role, which RegisterScalableTarget uses by itself for SageMaker."""
    request = {key: target[key] for key in _TARGET_KEYS if target.get(key) is not None}
    role = target.get("RoleARN")
    if role and _SERVICE_LINKED not in role:
        request["RoleARN"] = role

    def same_target(item: Mapping[str, Any]) -> bool:
        return bool(
            item.get("ResourceId") == target.get("ResourceId")
            and item.get("ScalableDimension") == target.get("ScalableDimension")
        )

    puts = tuple(
        {key: policy[key] for key in _POLICY_KEYS if policy.get(key) is not None}
        for policy in policies
        if same_target(policy)
    )
    actions = tuple(
        {key: _iso(action[key]) for key in _SCHEDULED_KEYS if action.get(key) is not None}
        for action in scheduled
        if same_target(action)
    )
    return SetAside(request, puts, actions)


def _iso(value: Any) -> Any:
    """A Describe* timestamp as ISO 8601 (which the record's JSON and boto3 both take)."""
    return value.isoformat() if isinstance(value, datetime) else value


def record_tags(items: Sequence[SetAside]) -> dict[str, str]:
    """`items` as endpoint tags: zlib-compressed JSON, base64 (tag-value safe), in chunks of 256."""
    payload = json.dumps(
        [{"target": item.target, "policies": list(item.policies), "scheduled": list(item.scheduled)} for item in items],
        sort_keys=True,
    )
    encoded = base64.b64encode(zlib.compress(payload.encode(), 9)).decode()
    size = tag_keys.TAG_VALUE_LIMIT
    chunks = [encoded[i : i + size] for i in range(0, len(encoded), size)] or [""]
    return {f"{tag_keys.AUTOSCALING_TAG_PREFIX}{index}": chunk for index, chunk in enumerate(chunks)}


def read_record(tags: Mapping[str, str]) -> list[SetAside]:
    """What `record_tags` wrote, from the endpoint's tags (none: nothing is set aside)."""
    prefix = tag_keys.AUTOSCALING_TAG_PREFIX
    chunks = sorted(
        (int(key.removeprefix(prefix)), value)
        for key, value in tags.items()
        if key.startswith(prefix) and key.removeprefix(prefix).isdigit()
    )
    if not chunks:
        return []
    encoded = "".join(value for _, value in chunks)
    entries = json.loads(zlib.decompress(base64.b64decode(encoded)).decode())
    return [
        SetAside(
            dict(entry["target"]),
            tuple(dict(p) for p in entry["policies"]),
            tuple(dict(a) for a in entry.get("scheduled", [])),  # records of earlier versions have none
        )
        for entry in entries
    ]


def merged(earlier: Sequence[SetAside], now: Sequence[SetAside]) -> list[SetAside]:
    """What is set aside: an interrupted run's record and this run's, one per target (the earlier
    record wins: a target set aside then is no longer registered, so `now` cannot have it)."""
    by_id = {item.resource_id: item for item in now}
    by_id.update({item.resource_id: item for item in earlier})
    return [by_id[key] for key in sorted(by_id)]
