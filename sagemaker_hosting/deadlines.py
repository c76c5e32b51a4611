"""How long an endpoint operation may legitimately take, derived from its DeploymentConfig.

Pure logic on canonical (snake_case) inputs. Terraform caps every create and update at 60 minutes,
which a long CANARY or LINEAR rollout exceeds; here the limit grows with the waits the deployment
configuration implies, and a user's `timeouts` always wins.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

PROVISIONING_SECONDS = 3600
"""Time SageMaker may take to provision a fleet when no variant says otherwise; a failing create can
take up to an hour."""

ROLLBACK_SECONDS = 1800
"""Time to shift traffic back to the blue fleet and settle after a failed deployment."""

DELETE_SECONDS = 1800
"""Time to delete an endpoint."""


def fleet_seconds(variants: Sequence[Mapping[str, Any]]) -> int:
    """Time to bring up a config's fleet: for the slowest production variant (API form), its
    instance-provision timeout (or `PROVISIONING_SECONDS`), plus its model-download and
    container-startup health-check timeouts, each up to an hour."""
    slowest = PROVISIONING_SECONDS
    for variant in variants:
        provision = _int(variant.get("VariantInstanceProvisionTimeoutInSeconds")) or PROVISIONING_SECONDS
        download = _int(variant.get("ModelDataDownloadTimeoutInSeconds"))
        startup = _int(variant.get("ContainerStartupHealthCheckTimeoutInSeconds"))
        slowest = max(slowest, provision + download + startup)
    return slowest


def create_seconds(variants: Sequence[Mapping[str, Any]]) -> int:
    """CreateEndpoint: the fleet is provisioned once; the DeploymentConfig only applies to updates."""
    return fleet_seconds(variants)


def delete_seconds() -> int:
    return DELETE_SECONDS


def update_seconds(deployment_config: Mapping[str, Any] | None, variants: Sequence[Mapping[str, Any]]) -> int:
    """UpdateEndpoint: provisioning, every bake the deployment takes, and a rollback allowance.

    `variants` are the new config's production variants (API form): their instance counts decide the
    number of linear steps and rolling batches, their timeouts the time to bring up a fleet.
    MaximumExecutionTimeoutInSeconds caps the rollout; a rolling rollback takes its own batches.
    """
    fleet = fleet_seconds(variants)
    if not deployment_config:
        return fleet + ROLLBACK_SECONDS
    instances = max(1, sum(_int(v.get("InitialInstanceCount")) or 1 for v in variants))
    blue_green = deployment_config.get("blue_green_update_policy")
    rolling = deployment_config.get("rolling_update_policy")
    rollback = ROLLBACK_SECONDS
    if blue_green:
        routing = blue_green.get("traffic_routing_configuration") or {}
        bake = _int(routing.get("wait_interval_in_seconds"))
        steps = 1
        if routing.get("type") == "CANARY":
            steps = 2
        elif routing.get("type") == "LINEAR":
            steps = _steps(routing.get("linear_step_size"), instances)
        rollout = fleet + steps * bake + _int(blue_green.get("termination_wait_in_seconds"))
        cap = blue_green.get("maximum_execution_timeout_in_seconds")
    elif rolling:
        batches = _steps(rolling.get("maximum_batch_size"), instances)
        rollout = batches * (fleet + _int(rolling.get("wait_interval_in_seconds")))
        cap = rolling.get("maximum_execution_timeout_in_seconds")
        if rolling.get("rollback_maximum_batch_size"):
            rollback = max(rollback, _steps(rolling.get("rollback_maximum_batch_size"), instances) * fleet)
    else:
        rollout, cap = fleet, None
    if isinstance(cap, int | float):
        rollout = min(rollout, int(cap))
    return rollout + rollback


def _int(value: object) -> int:
    return int(value) if isinstance(value, int | float) else 0


def _steps(size: Mapping[str, Any] | None, instances: int) -> int:
    """Steps of a capacity size ({type: INSTANCE_COUNT | CAPACITY_PERCENT, value}) to cover the fleet."""
    if not size or not isinstance(size.get("value"), int | float) or size["value"] <= 0:
        return 1
    value = float(size["value"])
    if size.get("type") == "CAPACITY_PERCENT":
        return math.ceil(100.0 / value)
    return math.ceil(instances / value)
