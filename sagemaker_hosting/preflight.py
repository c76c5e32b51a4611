"""The checks `pulumi preview` makes of an endpoint's rollout plan (issue 20), with their reads:
rollback alarms that do not exist (CloudWatch DescribeAlarms), and a deployment that the account's
instance quota would refuse (Service Quotas, and the region's endpoints as SageMaker describes them).
Reads only; each check is optional: a refused read skips that check, and the warning says so
(`aws.OPTIONAL_IAM_ACTIONS`). What the checks decide is pure (`capacity`, `rollout`).

The quotas and the region's usage are read once per provider process (one `pulumi preview`), then
shared by every endpoint it checks; each deployment's instances are added to what the later ones see,
so a run that moves many endpoints is judged as a whole.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from sagemaker_hosting import aws, capacity, rollout
from sagemaker_hosting.errors import is_not_found

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient

__all__ = ["warnings"]

_lock = threading.Lock()
_quotas: dict[Any, dict[str, int]] = {}
"""Per SageMaker client (an account and region): the endpoint quotas read so far."""
_with_defaults: set[Any] = set()
"""SageMaker clients whose default quotas were read too."""
_usage: dict[Any, dict[str, int]] = {}
"""Per SageMaker client: instances per type the region's endpoints ran when first read."""
_planned: dict[Any, dict[str, int]] = {}
"""Per SageMaker client: instances per type the deployments checked so far need beside them."""


def warnings(sagemaker: SageMakerClient, name: str, plan: rollout.Rollout, alarms: list[str], place: str) -> list[str]:
    """The lines preview prints after the plan of endpoint `name` in `place` ("account A, region R"):
    a warning per missing rollback alarm and per instance type whose quota the deployment would
    exceed, or a note that a check was skipped because its read was refused."""
    lines: list[str] = []
    named = [alarm for alarm in alarms if alarm != rollout.LATER]
    if named:
        try:
            missing = missing_alarms(sagemaker, named)
        except (BotoCoreError, ClientError) as error:
            lines.append(f"Whether the rollback alarms exist could not be read, so that check was skipped: {error}")
        else:
            if missing:
                lines.append(
                    f"warning: Endpoint {name}: rollback alarm(s) {', '.join(missing)} of "
                    f"`deployment_config.auto_rollback_configuration` do not exist in {place}, so they cannot roll "
                    "a deployment back. Create them there, or fix the names."
                )
    needed = {kind: count for kind, count in (plan.extra or {}).items() if count}
    if not needed:
        return lines
    try:
        quotas = endpoint_quotas(sagemaker, set(needed))
        running = region_usage(sagemaker) if quotas.keys() & needed.keys() else {}
    except (BotoCoreError, ClientError) as error:
        lines.append(
            "The account's endpoint instance quotas, or the instances its endpoints run, could not be read, "
            f"so the quota check was skipped: {error}"
        )
        return lines
    with _lock:
        planned = _planned.setdefault(sagemaker, {})
        found = capacity.shortfalls(needed, running, planned, quotas)
        capacity.add(planned, needed)
    lines.extend(
        f"warning: Endpoint {name}: {shortfall.words()} in {place}, so SageMaker would refuse the deployment "
        "(ResourceLimitExceeded). Request a quota increase in Service Quotas first, or use fewer or other "
        "instances (a rolling deployment needs one batch beside the old fleet, blue/green the whole new fleet)."
        for shortfall in found
    )
    return lines


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
        known = _quotas.get(sagemaker)
        if known is None:
            known = _quotas[sagemaker] = capacity.quota_values(_pages(quotas, "list_service_quotas"))
        if instance_types - known.keys() and sagemaker not in _with_defaults:
            _with_defaults.add(sagemaker)
            defaults = capacity.quota_values(_pages(quotas, "list_aws_default_service_quotas"))
            known.update({kind: value for kind, value in defaults.items() if kind not in known})
        return {kind: value for kind, value in known.items() if kind in instance_types}


def region_usage(sagemaker: SageMakerClient) -> dict[str, int]:
    """Instances per type that the region's endpoints run or are deploying (`capacity.endpoint_usage`),
    read once per process: ListEndpoints, a DescribeEndpoint of each, a DescribeEndpointConfig of each
    config they name. An endpoint or config deleted meanwhile counts as nothing."""
    with _lock:
        if sagemaker in _usage:
            return _usage[sagemaker]
        total: dict[str, int] = {}
        configs: dict[str, dict[str, Any] | None] = {}
        for page in sagemaker.get_paginator("list_endpoints").paginate(PaginationConfig={"PageSize": 100}):
            for summary in page["Endpoints"]:
                endpoint = _described(sagemaker.describe_endpoint, EndpointName=summary["EndpointName"])
                if endpoint is None:
                    continue
                named = endpoint.get("EndpointConfigName", "")
                if named not in configs:
                    configs[named] = _described(sagemaker.describe_endpoint_config, EndpointConfigName=named)
                capacity.add(total, capacity.endpoint_usage(endpoint, configs[named]))
        _usage[sagemaker] = total
        return total


def _described(read: Any, **request: str) -> dict[str, Any] | None:
    """`read(**request)`, or None for a resource that is gone."""
    try:
        found: dict[str, Any] = read(**request)
    except ClientError as error:
        if is_not_found(error):
            return None
        raise
    return found


def _pages(client: Any, operation: str) -> list[dict[str, Any]]:
    """Every quota of SageMaker that a paginated Service Quotas list operation returns."""
    paginator = client.get_paginator(operation)
    return [quota for page in paginator.paginate(ServiceCode="sagemaker") for quota in page.get("Quotas", [])]
