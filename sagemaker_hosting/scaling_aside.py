"""Application Auto Scaling set aside around a deployment, and put back: the calls, and the order
AWS's procedure gives them ("Update endpoints that use auto scaling": delete the scaling policies,
deregister the target, update, wait for InService, register again and put the policies back).
What to set aside and how it is recorded on the endpoint is decided in `autoscaling` (pure)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from sagemaker_hosting import autoscaling, aws, tag_keys
from sagemaker_hosting.errors import ProviderError, api_failure, error_code, error_text

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient


def scalable_targets(scaling: Any, endpoint: str, variants: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Variant -> its scalable target (DescribeScalableTargets), of those of `variants` registered."""
    ids = {autoscaling.resource_id(endpoint, variant): variant for variant in variants}
    found: dict[str, dict[str, Any]] = {}
    if not ids:
        return found
    pages = scaling.get_paginator("describe_scalable_targets").paginate(
        ServiceNamespace=autoscaling.NAMESPACE, ResourceIds=sorted(ids), ScalableDimension=autoscaling.DIMENSION
    )
    for page in pages:
        for target in page.get("ScalableTargets", []):
            if target.get("ResourceId") in ids:
                found[ids[target["ResourceId"]]] = dict(target)
    return found


def describe_set_aside(scaling: Any, target: Mapping[str, Any]) -> autoscaling.SetAside:
    """A scalable target, its scaling policies (DescribeScalingPolicies) and its scheduled actions
    (DescribeScheduledActions), as the requests that make them again."""
    where = {key: target[key] for key in ("ServiceNamespace", "ResourceId", "ScalableDimension")}
    found: dict[str, list[dict[str, Any]]] = {"ScalingPolicies": [], "ScheduledActions": []}
    for operation, key in (
        ("describe_scaling_policies", "ScalingPolicies"),
        ("describe_scheduled_actions", "ScheduledActions"),
    ):
        for page in scaling.get_paginator(operation).paginate(**where):
            found[key].extend(page.get(key, []))
    return autoscaling.set_aside(target, found["ScalingPolicies"], found["ScheduledActions"])


def deregister(scaling: Any, item: autoscaling.SetAside) -> None:
    """Delete the target's scaling policies, then deregister it (what AWS's procedure asks before an
    UpdateEndpoint that changes the instance type); one already gone is fine."""
    where = {key: item.target[key] for key in ("ServiceNamespace", "ResourceId", "ScalableDimension")}
    for policy in item.policies:
        _unless_gone(scaling.delete_scaling_policy, PolicyName=policy["PolicyName"], **where)
    _unless_gone(scaling.deregister_scalable_target, **where)


def register(scaling: Any, item: autoscaling.SetAside) -> None:
    """Register the target and put its policies and scheduled actions again (each call creates or
    overwrites)."""
    scaling.register_scalable_target(**item.target)
    for policy in item.policies:
        scaling.put_scaling_policy(**policy)
    for action in item.scheduled:
        scaling.put_scheduled_action(**action)


def _unless_gone(call: Callable[..., object], **request: Any) -> None:
    try:
        call(**request)
    except ClientError as error:
        if error_code(error) != "ObjectNotFoundException":
            raise


def set_aside(
    client: SageMakerClient,
    current: Mapping[str, Any],
    config: Mapping[str, Any],
    tags: Mapping[str, str] | None = None,
    live: Mapping[str, str | None] | None = None,
) -> list[autoscaling.SetAside]:
    """Before an UpdateEndpoint that changes the instance type of variants registered as
    scalable targets (SageMaker refuses it otherwise): record their targets, scaling policies and scheduled actions
    on the endpoint (tags), then delete the policies and deregister the targets. Returns what is
    set aside, a record left by an interrupted run included (in the endpoint's `tags`, read here
    unless given). `live`: the instance types of the config the endpoint runs, when the stack knows
    them (`known_facts.recorded_instance_types`); read otherwise. No Application Auto Scaling call
    unless an instance type changes."""
    name, arn = current["EndpointName"], current["EndpointArn"]
    if tags is None:
        tags = aws.list_tags(client, arn)
    earlier = autoscaling.read_record(tags)
    fresh: list[autoscaling.SetAside] = []
    new = autoscaling.instance_types(config.get("ProductionVariants", []))
    if current.get("EndpointConfigName") != config.get("EndpointConfigName"):
        if live is None:
            live_config = aws.find_endpoint_config(client, current["EndpointConfigName"])
            live = autoscaling.instance_types(live_config["ProductionVariants"]) if live_config else None
        changing = autoscaling.to_set_aside(live, new, new)
        scaling = aws.autoscaling_client(client) if changing else None
        targets = scalable_targets(scaling, name, changing) if changing else {}
        fresh = [describe_set_aside(scaling, targets[v]) for v in autoscaling.to_set_aside(live, new, targets)]
    aside = autoscaling.merged(earlier, fresh)
    if not fresh:
        return aside
    record = {key: value for key, value in tags.items() if key.startswith(tag_keys.AUTOSCALING_TAG_PREFIX)}
    try:
        aws.update_tags(client, arn, record, autoscaling.record_tags(aside))
        for item in fresh:
            deregister(scaling, item)
    except ClientError as error:
        raise api_failure("setting Application Auto Scaling aside", f'endpoint "{name}"', error) from error
    variants = ", ".join(item.resource_id.rpartition("/")[2] for item in fresh)
    print(
        f'Endpoint "{name}": variant(s) {variants} change instance type while registered with Application Auto '
        "Scaling, which SageMaker refuses; their scalable targets, scaling policies and scheduled actions are set "
        "aside for the deployment (recorded on the endpoint) and registered again after it.",
        flush=True,
    )
    return aside


def put_back(client: SageMakerClient, name: str, aside: list[autoscaling.SetAside], failed: bool) -> str:
    """Register the targets set aside and put their policies again (on the new fleet, or on the
    old one after a failed or rolled-back deployment), then drop the record; what was done, for
    a failure's message. While the deployment still runs (a timeout), nothing: the record stays
    for the next `pulumi up`. A failure to register raises (or, after a failed deployment, is told)."""
    if not aside:
        return ""
    variants = ", ".join(item.resource_id.rpartition("/")[2] for item in aside)
    stay = (
        f"The Application Auto Scaling targets, policies and scheduled actions of variant(s) {variants} stay set "
        "aside (recorded "
        f"on the endpoint as tags {tag_keys.AUTOSCALING_TAG_PREFIX}*, not registered now)"
    )
    try:
        described = aws.find_endpoint(client, name)
    except (BotoCoreError, ClientError) as error:
        message = (
            f"{stay}: the endpoint could not be read ({error_text(error)}); the next `pulumi up` registers them again"
        )
        if failed:
            return message
        raise ProviderError(f'Endpoint "{name}": {message}.') from error
    if described is None or described["EndpointStatus"] in aws.IN_PROGRESS:
        return f"{stay} until the deployment ends: the next `pulumi up` registers them again"
    scaling = aws.autoscaling_client(client)
    try:
        for item in aside:
            register(scaling, item)
        tags = aws.list_tags(client, described["EndpointArn"])
        record = {key: value for key, value in tags.items() if key.startswith(tag_keys.AUTOSCALING_TAG_PREFIX)}
        aws.update_tags(client, described["EndpointArn"], record, {})
    except (BotoCoreError, ClientError) as error:
        message = (
            f"The Application Auto Scaling targets, policies and scheduled actions of variant(s) {variants} could "
            "not be registered "
            f"again ({error_text(error)}); they stay recorded on the endpoint "
            f"(tags {tag_keys.AUTOSCALING_TAG_PREFIX}*) and the next `pulumi up` tries again"
        )
        if failed:
            return message
        raise ProviderError(f'Endpoint "{name}": {message}.') from error
    fleet = "the old fleet" if failed else "the new fleet"
    return (
        f"The Application Auto Scaling targets, policies and scheduled actions of variant(s) {variants} are "
        f"registered on {fleet}"
    )
