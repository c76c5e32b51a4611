"""Wait limits derived from the DeploymentConfig."""

from __future__ import annotations

import pytest

from sagemaker_hosting.deadlines import PROVISIONING_SECONDS as P
from sagemaker_hosting.deadlines import ROLLBACK_SECONDS as R
from sagemaker_hosting.deadlines import create_seconds, update_seconds
from sagemaker_hosting.endpoint import EndpointProvider


def fleet(*counts: int, **timeouts: int) -> list[dict[str, int | str]]:
    """Production variants (API form) with these instance counts and timeouts."""
    return [{"VariantName": f"v{i}", "InitialInstanceCount": count, **timeouts} for i, count in enumerate(counts)]


def blue_green(kind: str, wait: int, termination: int = 0, maximum: int | None = None, **routing):
    policy = {
        "traffic_routing_configuration": {"type": kind, "wait_interval_in_seconds": wait, **routing},
        "termination_wait_in_seconds": termination,
    }
    if maximum is not None:
        policy["maximum_execution_timeout_in_seconds"] = maximum
    return {"blue_green_update_policy": policy}


@pytest.mark.parametrize(
    ("deployment_config", "counts", "expected"),
    [
        (None, [2], P + R),
        (blue_green("ALL_AT_ONCE", 600, 300), [2], P + 600 + 300 + R),
        (
            blue_green("CANARY", 1800, 600, canary_size={"type": "CAPACITY_PERCENT", "value": 10}),
            [4],
            P + 2 * 1800 + 600 + R,
        ),
        (
            blue_green("LINEAR", 900, 0, linear_step_size={"type": "CAPACITY_PERCENT", "value": 20}),
            [10],
            P + 5 * 900 + R,
        ),
        (blue_green("LINEAR", 900, 0, linear_step_size={"type": "INSTANCE_COUNT", "value": 3}), [10], P + 4 * 900 + R),
        (
            blue_green("CANARY", 3600, 3600, maximum=7200, canary_size={"type": "INSTANCE_COUNT", "value": 1}),
            [4],
            7200 + R,
        ),
        (
            {
                "rolling_update_policy": {
                    "maximum_batch_size": {"type": "INSTANCE_COUNT", "value": 2},
                    "wait_interval_in_seconds": 300,
                }
            },
            [6],
            3 * (P + 300) + R,
        ),
    ],
)
def test_update_seconds(deployment_config, counts, expected):
    assert update_seconds(deployment_config, fleet(*counts)) == expected


def test_long_linear_rollout_exceeds_terraforms_hour():
    config = blue_green("LINEAR", 3600, 3600, linear_step_size={"type": "CAPACITY_PERCENT", "value": 10})
    assert update_seconds(config, fleet(10)) > 10 * 3600


@pytest.mark.parametrize(
    ("variants", "expected"),
    [
        ([], P),
        (fleet(1), P),
        (fleet(1, ModelDataDownloadTimeoutInSeconds=3600, ContainerStartupHealthCheckTimeoutInSeconds=1800), P + 5400),
        (fleet(1, VariantInstanceProvisionTimeoutInSeconds=600, ModelDataDownloadTimeoutInSeconds=600), P),
        (fleet(1, VariantInstanceProvisionTimeoutInSeconds=3600, ModelDataDownloadTimeoutInSeconds=600), P + 600),
        (  # the slowest variant decides
            [{"ModelDataDownloadTimeoutInSeconds": 60}, {"ContainerStartupHealthCheckTimeoutInSeconds": 3600}],
            P + 3600,
        ),
    ],
)
def test_create_counts_the_variants_timeouts(variants, expected):
    assert create_seconds(variants) == expected


def test_rolling_rollback_counts_its_batches():
    policy = {"maximum_batch_size": {"type": "INSTANCE_COUNT", "value": 5}, "wait_interval_in_seconds": 0}
    one_batch = update_seconds({"rolling_update_policy": policy}, fleet(10))
    rollback = {"rollback_maximum_batch_size": {"type": "INSTANCE_COUNT", "value": 1}}
    assert update_seconds({"rolling_update_policy": policy | rollback}, fleet(10)) == one_batch - R + 10 * P


def test_retained_deployment_config_sets_the_update_limit() -> None:
    """With `retain_deployment_config`, the limit comes from the endpoint's LastDeploymentConfig."""
    last = {
        "BlueGreenUpdatePolicy": {
            "TrafficRoutingConfiguration": {
                "Type": "CANARY",
                "WaitIntervalInSeconds": 3600,
                "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": 10},
            },
            "TerminationWaitInSeconds": 1800,
        }
    }
    config = {"ProductionVariants": fleet(2)}
    current = {"EndpointName": "e", "LastDeploymentConfig": last}
    retained = EndpointProvider.update_limit({"retain_deployment_config": True}, current, config)
    assert retained == P + 2 * 3600 + 1800 + R
    assert EndpointProvider.update_limit({}, current, config) == P + R  # no deployment config of its own
