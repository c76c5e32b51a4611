"""The checks `pulumi preview` makes of an endpoint's rollout plan (issue 20), with their reads:
rollback alarms that do not exist (CloudWatch DescribeAlarms), autoscaling that the deployment sets
aside (Application Auto Scaling DescribeScalableTargets), and a deployment that the account's
instance quota would refuse (Service Quotas, and the region's endpoints as SageMaker describes them).
Reads only; each check is optional: a refused read skips that check, and the warning says so
(`aws.OPTIONAL_IAM_ACTIONS`). What the checks decide is pure (`capacity`, `rollout`).

The quotas and the region's usage are read once per provider process (one `pulumi preview`), then
shared by every endpoint it checks; each deployment's instances are added to what the later ones see,
so a run that moves many endpoints is judged as a whole.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from sagemaker_hosting import aws, capacity, known_facts, normalize, rollout, scaling_aside

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient

__all__ = ["warnings"]

READERS = 8
"""Reads of the region's endpoints made at once (botocore's standard retry mode takes throttling)."""

_lock = threading.Lock()
_quotas: dict[Any, tuple[dict[str, int], bool]] = {}
"""Per SageMaker client (an account and region): the endpoint quotas read so far, and whether the
default ones were read too."""
_usage: dict[Any, dict[str, int]] = {}
"""Per SageMaker client: instances per type the region's endpoints ran when first read."""
_planned: dict[Any, dict[str, int]] = {}
"""Per SageMaker client: instances per type the deployments checked so far need beside them."""


def warnings(
    sagemaker: SageMakerClient, endpoint: object, plan: rollout.Rollout, alarms: list[str], place: str
) -> list[str]:
    """The lines preview prints after the plan of endpoint `endpoint` (its name, maybe unknown) in
    `place` ("account A, region R"): a warning per missing rollback alarm and per instance type whose
    quota the deployment would exceed, whose autoscaling is set aside, or a note that a check was
    skipped because its read was refused."""
    name = known_facts.shown(endpoint)
    checks: list[tuple[str, Callable[[], list[str]]]] = [
        ("Whether the rollback alarms exist", lambda: _alarm_warnings(sagemaker, name, alarms, place)),
        ("Whether autoscaling is set aside", lambda: _autoscaling_lines(sagemaker, endpoint, name, plan)),
        (
            "The account's endpoint instance quotas, or the instances its endpoints run,",
            lambda: _quota_warnings(sagemaker, name, plan, place),
        ),
    ]
    lines: list[str] = []
    for read, check in checks:
        try:
            lines.extend(check())
        except (BotoCoreError, ClientError) as error:
            lines.append(f"{read} could not be read, so that check was skipped: {error}")
    return lines


def _alarm_warnings(sagemaker: SageMakerClient, name: str, alarms: list[str], place: str) -> list[str]:
    named = [alarm for alarm in alarms if alarm != rollout.LATER]
    missing = missing_alarms(sagemaker, named) if named else []
    if not missing:
        return []
    return [
        f"warning: Endpoint {name}: rollback alarm(s) {', '.join(missing)} of "
        f"`deployment_config.auto_rollback_configuration` do not exist in {place}, so they cannot roll "
        "a deployment back. Create them there, or fix the names."
    ]


def _autoscaling_lines(sagemaker: SageMakerClient, endpoint: object, name: str, plan: rollout.Rollout) -> list[str]:
    if not plan.retyped or not isinstance(endpoint, str) or normalize.is_unknown(endpoint):
        return []
    scaled = scaling_aside.scalable_targets(aws.autoscaling_client(sagemaker), endpoint, plan.retyped)
    if not scaled:
        return []
    return [
        f"Endpoint {name}: autoscaling of {', '.join(sorted(scaled))} (registered scalable targets) is set aside "
        "during the deployment, its policies and scheduled actions recorded, and put back after"
    ]


def _quota_warnings(sagemaker: SageMakerClient, name: str, plan: rollout.Rollout, place: str) -> list[str]:
    needed = {kind: count for kind, count in (plan.extra or {}).items() if count}
    if not needed:
        return []
    quotas = endpoint_quotas(sagemaker, set(needed))
    running = region_usage(sagemaker) if quotas.keys() & needed.keys() else {}
    with _lock:
        planned = _planned.setdefault(sagemaker, {})
        found = capacity.shortfalls(needed, running, planned, quotas)
        capacity.add(planned, needed)
    return [
        f"warning: Endpoint {name}: {shortfall.words()} in {place}, so SageMaker would refuse the deployment "
        "(ResourceLimitExceeded). Request a quota increase in Service Quotas first, or use fewer or other "
        "instances (a rolling deployment needs one batch beside the old fleet, blue/green the whole new fleet)."
        for shortfall in found
    ]


def missing_alarms(sagemaker: SageMakerClient, names: list[str]) -> list[str]:
    """Which of the CloudWatch alarms `names` do not exist in the SageMaker client's account and
    region (one DescribeAlarms of metric and composite alarms; at most 100 names, the model's limit)."""
    cloudwatch = aws.companion_client(sagemaker, "cloudwatch")
    found = cloudwatch.describe_alarms(AlarmNames=names[:100], AlarmTypes=["MetricAlarm", "CompositeAlarm"])
    existing = {alarm["AlarmName"] for key in ("MetricAlarms", "CompositeAlarms") for alarm in found.get(key, [])}
    return [name for name in names if name not in existing]


def endpoint_quotas(sagemaker: SageMakerClient, instance_types: set[str]) -> dict[str, int]:
    """The account's endpoint quota per instance type in the client's region: the applied values
    (ListServiceQuotas), and for a type not among them the default (ListAWSDefaultServiceQuotas:
    "If the applied quota value is not available for a quota, the quota is not retrieved").
    Each list is read once per process; a type in neither has no quota to judge by."""
    quotas = aws.companion_client(sagemaker, "service-quotas")
    with _lock:
        known, with_defaults = _quotas.get(sagemaker) or (
            capacity.quota_values(_pages(quotas, "list_service_quotas")),
            False,
        )
        if instance_types - known.keys() and not with_defaults:
            defaults = capacity.quota_values(_pages(quotas, "list_aws_default_service_quotas"))
            known, with_defaults = defaults | known, True
        _quotas[sagemaker] = known, with_defaults
        return {kind: value for kind, value in known.items() if kind in instance_types}


def region_usage(sagemaker: SageMakerClient) -> dict[str, int]:
    """Instances per type that the region's endpoints run or are deploying (`capacity.endpoint_usage`),
    read once per process: ListEndpoints, a DescribeEndpoint of each, a DescribeEndpointConfig of each
    config they name. An endpoint or config deleted meanwhile counts as nothing."""
    with _lock:
        if sagemaker in _usage:
            return _usage[sagemaker]
        names = [
            summary["EndpointName"]
            for page in sagemaker.get_paginator("list_endpoints").paginate(
                PaginationConfig={"PageSize": aws.LIST_PAGE_SIZE}
            )
            for summary in page["Endpoints"]
        ]

        with ThreadPoolExecutor(READERS) as readers:  # reads, not a wait: the region's endpoints at once
            described = readers.map(lambda name: aws.find_endpoint(sagemaker, name), names)
            endpoints = [found for found in described if found is not None]
            config_names = sorted({found.get("EndpointConfigName", "") for found in endpoints})
            found_configs = readers.map(lambda name: aws.find_endpoint_config(sagemaker, name), config_names)
            configs = dict(zip(config_names, found_configs, strict=True))
        total: dict[str, int] = {}
        for found in endpoints:
            capacity.add(total, capacity.endpoint_usage(found, configs[found.get("EndpointConfigName", "")]))
        _usage[sagemaker] = total
        return total


def _pages(client: Any, operation: str) -> list[dict[str, Any]]:
    """Every quota of SageMaker that a paginated Service Quotas list operation returns."""
    paginator = client.get_paginator(operation)
    pages = paginator.paginate(ServiceCode="sagemaker", PaginationConfig={"PageSize": 100})
    return [quota for page in pages for quota in page.get("Quotas", [])]
