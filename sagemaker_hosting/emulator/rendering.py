"""Views of the emulator's state (pure): DescribeEndpoint with its variant summaries
and pending deployment, the List* pages, and which fleets serve an endpoint's traffic (`serving_of`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sagemaker_hosting.emulator import plans
from sagemaker_hosting.emulator.plans import Task
from sagemaker_hosting.emulator.resources import Route, Serving, Variant, fleet_routes, validation_error
from sagemaker_hosting.emulator.states import Endpoint


def describe_endpoint(endpoint: Endpoint) -> dict[str, Any]:
    task = endpoint.task
    described: dict[str, Any] = {
        "EndpointName": endpoint.name,
        "EndpointArn": endpoint.arn,
        "EndpointConfigName": endpoint.config_name,
        "EndpointStatus": endpoint.status,
        "CreationTime": endpoint.created,
        "LastModifiedTime": endpoint.modified,
    }
    creating = task is not None and task.kind == "create"
    fleet = task.target if creating and task is not None else endpoint.live
    if fleet is not None:
        capacity = task.capacity if task is not None else {}
        stage = [{"Status": task.phase.stage, "StartTime": task.phase_started}] if task and creating else None
        # While a deployment shifts traffic and retires the old fleet, the old fleet's weights and
        # counts move down as the new fleet's (PendingDeploymentSummary) move up.
        live: LiveShare | None = None if creating else LiveShare()
        if task is not None and task.kind == "update":
            live = LiveShare(1.0 - task.shifted, task.retired)
        described["ProductionVariants"] = [
            variant_summary(v, live, desired=capacity.get(v.name), status=stage) for v in fleet.production
        ]
        if fleet.shadow:
            described["ShadowProductionVariants"] = [
                variant_summary(v, live, desired=None, status=stage) for v in fleet.shadow
            ]
        if fleet.data_capture:
            described["DataCaptureConfig"] = data_capture_summary(fleet.data_capture)
        # The config's members DescribeEndpoint returns too (botocore's DescribeEndpointOutput).
        for key in (
            "AsyncInferenceConfig",
            "ExplainerConfig",
            "MetricsConfig",
            "TracingConfig",
            "CrossRegionTrafficConfig",
        ):
            if key in fleet.config:
                described[key] = fleet.config[key]
    if endpoint.failure_reason:
        described["FailureReason"] = endpoint.failure_reason
    if endpoint.deployment_config:
        described["LastDeploymentConfig"] = endpoint.deployment_config
    if task is not None and task.kind == "update" and task.target is not None:
        described["PendingDeploymentSummary"] = pending_summary(task)
    return described


def list_resources(
    resources: Iterable[Any], request: Mapping[str, Any], key: str, name_key: str, arn_key: str
) -> dict[str, Any]:
    """A List* response: the resources matching the request's filters, sorted, one page."""
    contains = (request.get("NameContains") or "").lower()
    bounds: dict[str, Callable[[Any, Any], bool]] = {
        "CreationTimeBefore": lambda r, t: r.created < t,
        # "a creation time greater than or equal to the specified time" (botocore's model, of
        # ListEndpoints, ListEndpointConfigs and ListModels); the other bounds are strict there
        "CreationTimeAfter": lambda r, t: r.created >= t,
        "LastModifiedTimeBefore": lambda r, t: r.modified < t,
        "LastModifiedTimeAfter": lambda r, t: r.modified > t,
        "StatusEquals": lambda r, status: r.status == status,
    }
    selected = [
        r
        for r in resources
        if contains in r.name.lower() and all(test(r, request[b]) for b, test in bounds.items() if b in request)
    ]
    sort_key: Callable[[Any], Any] = {
        "Name": lambda r: r.name,
        "Status": lambda r: r.status,
    }.get(request.get("SortBy", "CreationTime"), lambda r: r.created)
    selected.sort(key=sort_key, reverse=request.get("SortOrder", "Descending") == "Descending")
    summaries = []
    for r in selected:
        summary = {name_key: r.name, arn_key: r.arn, "CreationTime": r.created}
        if isinstance(r, Endpoint):
            summary |= {"LastModifiedTime": r.modified, "EndpointStatus": r.status}
        summaries.append(summary)
    page, token = paginate(summaries, request, default_size=10)
    return {key: page, **({"NextToken": token} if token else {})}


def paginate(items: list[Any], request: Mapping[str, Any], default_size: int) -> tuple[list[Any], str | None]:
    """One page of `items` from the request's NextToken (an offset) and MaxResults."""
    token = request.get("NextToken")
    try:
        start = int(token) if token else 0
    except ValueError:
        raise validation_error(f"Invalid pagination token: {token}") from None
    end = start + int(request.get("MaxResults") or default_size)
    return items[start:end], (str(end) if end < len(items) else None)


@dataclass(frozen=True)
class LiveShare:
    """How much of a live fleet is still serving: its share of the traffic and of its instances
    already terminated (both move during a deployment)."""

    traffic: float = 1.0
    retired: float = 0.0


def variant_summary(
    variant: Variant,
    live: LiveShare | None,
    desired: tuple[int | None, float] | None,
    status: list[dict[str, Any]] | None,
) -> dict[str, Any]:
    """A ProductionVariantSummary: live capacity (Current*; None while the endpoint is being created)
    and what it is moving to (Desired*)."""
    instances, weight = desired or (variant.instances, variant.weight)
    summary: dict[str, Any] = {"VariantName": variant.name}
    if live is not None:
        summary["DeployedImages"] = variant.images
        summary["CurrentWeight"] = variant.weight * live.traffic
    summary["DesiredWeight"] = weight
    if "ServerlessConfig" in variant.spec:
        if live is not None:
            summary["CurrentServerlessConfig"] = variant.spec["ServerlessConfig"]
        summary["DesiredServerlessConfig"] = variant.spec["ServerlessConfig"]
    else:
        if live is not None and variant.instances is not None:
            summary["CurrentInstanceCount"] = variant.instances - round(variant.instances * live.retired)
        summary["DesiredInstanceCount"] = instances
    for key in ("ManagedInstanceScaling", "RoutingConfig"):
        if key in variant.spec:
            summary[key] = variant.spec[key]
    if desired is not None:
        summary["VariantStatus"] = [{"Status": plans.UPDATING}]
    elif status:
        summary["VariantStatus"] = status
    return summary


def pending_summary(task: Task) -> dict[str, Any]:
    """PendingDeploymentSummary of an update: the new config and its variants' progress."""
    assert task.target is not None
    status = [{"Status": task.phase.stage, "StartTime": task.phase_started}]

    def pending(variant: Variant) -> dict[str, Any]:
        summary: dict[str, Any] = {
            "VariantName": variant.name,
            "DeployedImages": variant.images,
            "CurrentWeight": variant.weight * task.shifted,
            "DesiredWeight": variant.weight,
            "VariantStatus": status,
        }
        if variant.instances is not None:
            summary["CurrentInstanceCount"] = round(variant.instances * task.provisioned)
            summary["DesiredInstanceCount"] = variant.instances
        for key in ("InstanceType", "AcceleratorType", "ManagedInstanceScaling", "RoutingConfig"):
            if key in variant.spec:
                summary[key] = variant.spec[key]
        if "ServerlessConfig" in variant.spec:
            summary["DesiredServerlessConfig"] = variant.spec["ServerlessConfig"]
        return summary

    summary: dict[str, Any] = {
        "EndpointConfigName": task.target.config_name,
        "StartTime": task.started,
        "ProductionVariants": [pending(v) for v in task.target.production],
    }
    if task.target.shadow:
        summary["ShadowProductionVariants"] = [pending(v) for v in task.target.shadow]
    return summary


def data_capture_summary(config: Mapping[str, Any]) -> dict[str, Any]:
    enabled = config.get("EnableCapture", True)
    summary = {
        "EnableCapture": enabled,
        "CaptureStatus": "Started" if enabled else "Stopped",
        "CurrentSamplingPercentage": config["InitialSamplingPercentage"],
        "DestinationS3Uri": config["DestinationS3Uri"],
    }
    # KmsKeyId is a required member of DataCaptureConfigSummary in botocore's output shape. What AWS
    # returns when the config set none is not documented (moto's DescribeEndpoint echoes the config's
    # DataCaptureConfig as given, so it has none either); the emulator returns an empty string, the
    # least it can send for a required string member.
    summary["KmsKeyId"] = config.get("KmsKeyId", "")
    return summary


def serving_of(endpoint: Endpoint) -> Serving:
    """The endpoint's status and the variants taking its traffic. The fleet it runs (blue) serves;
    during a deployment the new (green) fleet takes the share the last finished phase shifted to
    it; on rollback everything is back on blue. A create in progress has no fleet yet."""
    task = endpoint.task
    routes: list[Route] = []
    if endpoint.live is not None:
        green, target = 0.0, None
        if task is not None and task.kind == "update" and task.target is not None and task.shifted:
            green, target = task.shifted, task.target
        elif endpoint.stranded is not None and (task is None or task.kind != "update"):
            target, green = endpoint.stranded
        if green < 1:
            routes += fleet_routes("blue", endpoint.live, 1.0 - green)
        if green > 0 and target is not None:
            routes += fleet_routes("green", target, green)
    return Serving(endpoint.arn, endpoint.status, tuple(routes))
