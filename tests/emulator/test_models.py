"""The hosting backend's state machine on an injected clock, with moto's real in-process S3 and
CloudWatch backends as the neighbouring services (no HTTP, no real time)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from sagemaker_hosting.emulator.operations import HostingBackend
from sagemaker_hosting.emulator.plans import Phase, batch_instances, capacity_share, rollback_seconds, update_phases
from sagemaker_hosting.emulator.resources import HostingError
from sagemaker_hosting.emulator.settings import Settings
from sagemaker_hosting.emulator.world import MotoWorld
from sagemaker_hosting.testing import put_alarm

REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/sagemaker"
SETTINGS = Settings(create_seconds=10, update_seconds=20, delete_seconds=5, time_scale=0.5, stage_seconds=1)
PLAIN_UPDATE = SETTINGS.update_seconds + 2 * SETTINGS.stage_seconds
"""An update without a DeploymentConfig: provision, shift traffic, terminate the old fleet."""


class ManualClock:
    """Time that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += seconds


# --- deployment plans ------------------------------------------------------------------------------

CANARY = {
    "BlueGreenUpdatePolicy": {
        "TrafficRoutingConfiguration": {
            "Type": "CANARY",
            "WaitIntervalInSeconds": 100,
            "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": 25},
        },
        "TerminationWaitInSeconds": 40,
    }
}


def linear(size: dict[str, Any]) -> dict[str, Any]:
    routing = {"Type": "LINEAR", "WaitIntervalInSeconds": 10, "LinearStepSize": size}
    return {"BlueGreenUpdatePolicy": {"TrafficRoutingConfiguration": routing}}


def rolling(size: dict[str, Any], rollback: dict[str, Any] | None = None) -> dict[str, Any]:
    policy: dict[str, Any] = {"MaximumBatchSize": size, "WaitIntervalInSeconds": 30}
    if rollback:
        policy["RollbackMaximumBatchSize"] = rollback
    return {"RollingUpdatePolicy": policy}


def steps(phases: list[Phase]) -> list[tuple[str, float, float, float]]:
    """Each phase's stage, seconds, and shares of traffic on the new fleet and of the old fleet retired."""
    return [(p.stage, p.seconds, round(p.traffic, 3), round(p.retired, 3)) for p in phases]


@pytest.mark.parametrize(
    ("deployment", "instances", "expected"),
    [
        (None, 2, [("Creating", 20, 0.0, 0.0), ("ActivatingTraffic", 1, 1.0, 0.0), ("Deleting", 1, 1.0, 1.0)]),
        (
            {
                "BlueGreenUpdatePolicy": {
                    "TrafficRoutingConfiguration": {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 0},
                    "TerminationWaitInSeconds": 60,
                }
            },
            2,
            [
                ("Creating", 20, 0.0, 0.0),
                ("ActivatingTraffic", 1, 1.0, 0.0),
                ("Baking", 30, 1.0, 0.0),
                ("Deleting", 1, 1.0, 1.0),
            ],
        ),
        (
            CANARY,
            4,
            [
                ("Creating", 20, 0.0, 0.0),
                ("ActivatingTraffic", 1, 0.25, 0.0),
                ("Baking", 50, 0.25, 0.0),
                ("ActivatingTraffic", 1, 1.0, 0.0),
                ("Baking", 20, 1.0, 0.0),
                ("Deleting", 1, 1.0, 1.0),
            ],
        ),
        (
            linear({"Type": "INSTANCE_COUNT", "Value": 1}),
            3,
            [
                ("Creating", 20, 0.0, 0.0),
                ("ActivatingTraffic", 1, 0.333, 0.0),
                ("Baking", 5, 0.333, 0.0),
                ("ActivatingTraffic", 1, 0.667, 0.0),
                ("Baking", 5, 0.667, 0.0),
                ("ActivatingTraffic", 1, 1.0, 0.0),
                ("Baking", 0, 1.0, 0.0),
                ("Deleting", 1, 1.0, 1.0),
            ],
        ),
        (
            rolling({"Type": "INSTANCE_COUNT", "Value": 2}),
            3,
            [  # batches of 2 of 3 instances, then the last one: shares follow the instances replaced
                ("Creating", 20, 0.0, 0.0),
                ("ActivatingTraffic", 1, 0.667, 0.0),
                ("Baking", 15, 0.667, 0.0),
                ("Deleting", 1, 0.667, 0.667),
                ("Creating", 20, 0.667, 0.667),
                ("ActivatingTraffic", 1, 1.0, 0.667),
                ("Baking", 15, 1.0, 0.667),
                ("Deleting", 1, 1.0, 1.0),
            ],
        ),
    ],
    ids=["none", "all-at-once", "canary", "linear-by-instances", "rolling"],
)
def test_update_phases(deployment, instances, expected) -> None:
    assert steps(update_phases(deployment, instances, SETTINGS)) == expected


@pytest.mark.parametrize("percent", [10, 20, 25, 30, 50])
def test_linear_percent_steps_reach_all_traffic_once(percent) -> None:
    phases = update_phases(linear({"Type": "CAPACITY_PERCENT", "Value": percent}), 5, SETTINGS)
    shifts = [p.traffic for p in phases if p.stage == "ActivatingTraffic"]
    assert shifts == sorted(shifts) and shifts[-1] == 1.0 and len(shifts) == math.ceil(100 / percent)


@pytest.mark.parametrize(
    ("size", "instances", "share", "batch"),
    [
        ({"Type": "CAPACITY_PERCENT", "Value": 25}, 4, 0.25, 1),
        ({"Type": "CAPACITY_PERCENT", "Value": 10}, 3, 0.1, 1),
        ({"Type": "CAPACITY_PERCENT", "Value": 50}, 5, 0.5, 3),
        ({"Type": "INSTANCE_COUNT", "Value": 1}, 4, 0.25, 1),
        ({"Type": "INSTANCE_COUNT", "Value": 6}, 4, 1.0, 4),
    ],
)
def test_capacity_sizes(size, instances, share, batch) -> None:
    assert capacity_share(size, instances) == share
    assert batch_instances(size, instances) == batch


@pytest.mark.parametrize(
    ("deployment", "instances", "provisioned", "seconds"),
    [
        (CANARY, 4, 1.0, 5),  # blue/green: tear the green fleet down
        (None, 4, 0.0, 5),
        (rolling({"Type": "INSTANCE_COUNT", "Value": 1}), 4, 0.5, 20),  # 2 replaced, rolled back at once
        (rolling({"Type": "INSTANCE_COUNT", "Value": 1}, {"Type": "INSTANCE_COUNT", "Value": 1}), 4, 0.5, 40),
        (rolling({"Type": "INSTANCE_COUNT", "Value": 1}, {"Type": "INSTANCE_COUNT", "Value": 2}), 4, 1.0, 40),
        (rolling({"Type": "INSTANCE_COUNT", "Value": 1}), 4, 0.0, 5),  # nothing replaced yet
    ],
)
def test_rollback_seconds(deployment, instances, provisioned, seconds) -> None:
    assert rollback_seconds(deployment, instances, provisioned, SETTINGS) == seconds


@pytest.mark.parametrize(
    ("values", "error"),
    [
        ({"create_seconds": 0.5, "throttle_rate": 1}, None),
        ({"creation_seconds": 1}, "unknown setting"),
        ({"create_seconds": "fast"}, "must be a number"),
        ({"create_seconds": True}, "must be a number"),
        ({"delete_seconds": -1}, ">= 0"),
        ({"throttle_rate": 1.5}, "between 0 and 1"),
        ({"time_scale": float("nan")}, "must be a number"),
    ],
)
def test_settings_updates(values, error) -> None:
    if error is None:
        assert Settings().updated(values).as_dict() == {**Settings().as_dict(), **values}
    else:
        with pytest.raises(ValueError, match=error):
            Settings().updated(values)


# --- the backend on a manual clock -----------------------------------------------------------------


@pytest.fixture
def aws() -> Iterator[dict[str, Any]]:
    """moto's in-process S3 and CloudWatch, seeded with one model artifact."""
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="models")
        s3.put_object(Bucket="models", Key="good/model.tar.gz", Body=b"weights")
        cloudwatch = boto3.client("cloudwatch", region_name=REGION)
        put_alarm(cloudwatch, "errors")
        yield {"s3": s3, "cloudwatch": cloudwatch}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def backend(aws, clock) -> HostingBackend:
    hosting = HostingBackend(MotoWorld(), clock, SETTINGS)
    for name, key in (("good", "good/model.tar.gz"), ("broken", "broken/model.tar.gz")):
        container = {"Image": "serve:1", "ModelDataUrl": f"s3://models/{key}"}
        hosting.create_model(REGION, {"ModelName": name, "ExecutionRoleArn": ROLE, "PrimaryContainer": container})
    hosting.create_model(REGION, {"ModelName": "image-only", "PrimaryContainer": {"Image": "serve:1"}})
    return hosting


def config(backend: HostingBackend, name: str, model: str = "good", instances: int = 1, **extra: Any) -> None:
    variant: dict[str, Any] = {"VariantName": "primary", "ModelName": model, "InstanceType": "ml.m5.large"}
    variant |= {"InitialInstanceCount": instances, "InitialVariantWeight": 1.0}
    backend.create_endpoint_config(REGION, {"EndpointConfigName": name, "ProductionVariants": [variant], **extra})


def describe(backend: HostingBackend, name: str = "ep") -> dict[str, Any]:
    return backend.describe_endpoint(REGION, name)


def in_service(backend: HostingBackend, clock: ManualClock, model: str = "good", **deployment: Any) -> None:
    config(backend, "blue", model)
    backend.create_endpoint(REGION, {"EndpointName": "ep", "EndpointConfigName": "blue", **deployment})
    clock.tick(SETTINGS.create_seconds)
    assert describe(backend)["EndpointStatus"] == "InService"


def history(backend: HostingBackend, start: float) -> list[tuple[float, str, str, str | None]]:
    """(seconds since start, status, config, stage) of every event."""
    return [
        (round(e["time"] - start, 6), e["status"], e["endpoint_config_name"], e.get("stage")) for e in backend.events
    ]


def test_create_takes_create_seconds(backend, clock) -> None:
    config(backend, "blue")
    start = clock.now
    backend.create_endpoint(REGION, {"EndpointName": "ep", "EndpointConfigName": "blue"})
    clock.tick(SETTINGS.create_seconds - 0.001)
    creating = describe(backend)
    assert creating["EndpointStatus"] == "Creating"
    assert creating["ProductionVariants"][0]["VariantStatus"][0]["Status"] == "Creating"
    assert "CurrentInstanceCount" not in creating["ProductionVariants"][0]
    clock.tick(0.001)
    live = describe(backend)
    assert live["EndpointStatus"] == "InService" and live["ProductionVariants"][0]["CurrentInstanceCount"] == 1
    assert history(backend, start) == [(0, "Creating", "blue", None), (10, "InService", "blue", None)]


def test_create_fails_without_model_data(backend, clock) -> None:
    config(backend, "bad", "broken")
    backend.create_endpoint(REGION, {"EndpointName": "ep", "EndpointConfigName": "bad"})
    clock.tick(SETTINGS.create_seconds)
    failed = describe(backend)
    assert failed["EndpointStatus"] == "Failed"
    assert failed["FailureReason"].startswith(
        'Failed to download model data for container "container_1" from URL: "s3://models/broken/model.tar.gz".'
    )
    with pytest.raises(HostingError, match=r"Cannot update endpoint .* in status Failed"):
        backend.update_endpoint(REGION, {"EndpointName": "ep", "EndpointConfigName": "bad"})
    backend.delete_endpoint(REGION, "ep")  # a failed endpoint can be deleted
    clock.tick(SETTINGS.delete_seconds)
    arn = "arn:aws:sagemaker:us-east-1:123456789012:endpoint/ep"
    with pytest.raises(HostingError, match=f'^Could not find endpoint "{arn}".$'):
        describe(backend)


def test_model_data_uploaded_while_creating_is_found(backend, clock, aws) -> None:
    config(backend, "late", "broken")
    backend.create_endpoint(REGION, {"EndpointName": "ep", "EndpointConfigName": "late"})
    aws["s3"].put_object(Bucket="models", Key="broken/model.tar.gz", Body=b"weights")
    clock.tick(SETTINGS.create_seconds)
    assert describe(backend)["EndpointStatus"] == "InService"


def test_image_only_model_needs_no_model_data(backend, clock) -> None:
    in_service(backend, clock, "image-only")


def test_canary_update_steps(backend, clock) -> None:
    in_service(backend, clock)
    config(backend, "green", instances=4)
    start = clock.now
    backend.update_endpoint(REGION, {"EndpointName": "ep", "EndpointConfigName": "green", "DeploymentConfig": CANARY})
    updating = describe(backend)
    assert updating["EndpointStatus"] == "Updating" and updating["EndpointConfigName"] == "green"
    assert updating["ProductionVariants"][0]["CurrentInstanceCount"] == 1  # still the blue fleet
    pending = updating["PendingDeploymentSummary"]
    assert pending["EndpointConfigName"] == "green" and pending["StartTime"] == start
    assert pending["ProductionVariants"][0]["VariantStatus"][0]["Status"] == "Creating"
    assert pending["ProductionVariants"][0]["DesiredInstanceCount"] == 4
    clock.tick(SETTINGS.update_seconds + 1)
    baking = describe(backend)["PendingDeploymentSummary"]["ProductionVariants"][0]
    assert baking["VariantStatus"][0]["Status"] == "Baking"
    assert baking["CurrentInstanceCount"] == 4 and baking["CurrentWeight"] == 0.25
    clock.tick(100)
    done = describe(backend)
    assert done["EndpointStatus"] == "InService" and "PendingDeploymentSummary" not in done
    assert done["ProductionVariants"][0]["CurrentInstanceCount"] == 4
    assert done["LastDeploymentConfig"] == CANARY
    assert history(backend, start)[2:] == [
        (0, "Updating", "green", None),
        (0, "Updating", "green", "Creating"),
        (20, "Updating", "green", "ActivatingTraffic"),
        (21, "Updating", "green", "Baking"),
        (71, "Updating", "green", "ActivatingTraffic"),
        (72, "Updating", "green", "Baking"),
        (92, "Updating", "green", "Deleting"),
        (93, "InService", "green", None),
    ]


def test_alarm_during_baking_rolls_back(backend, clock, aws) -> None:
    deployment = {**CANARY, "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": "errors"}]}}
    in_service(backend, clock, DeploymentConfig=deployment)
    config(backend, "green")
    start = clock.now
    backend.update_endpoint(
        REGION, {"EndpointName": "ep", "EndpointConfigName": "green", "RetainDeploymentConfig": True}
    )
    clock.tick(SETTINGS.update_seconds + 10)
    pending = describe(backend)["PendingDeploymentSummary"]
    assert pending["ProductionVariants"][0]["VariantStatus"][0]["Status"] == "Baking"
    aws["cloudwatch"].set_alarm_state(AlarmName="errors", StateValue="ALARM", StateReason="test")
    clock.tick(1)
    rolling_back = describe(backend)
    assert (rolling_back["EndpointStatus"], rolling_back["EndpointConfigName"]) == ("Updating", "blue")
    assert "PendingDeploymentSummary" not in rolling_back and "errors" in rolling_back["FailureReason"]
    clock.tick(SETTINGS.delete_seconds)
    rolled_back = describe(backend)
    assert rolled_back["EndpointStatus"] == "InService" and rolled_back["EndpointConfigName"] == "blue"
    assert "errors" in rolled_back["FailureReason"] and "ALARM" in rolled_back["FailureReason"]
    assert history(backend, start)[-2:] == [(31, "Updating", "blue", "RollingBack"), (36, "InService", "blue", None)]


def test_alarm_already_firing_rolls_back_a_zero_second_bake(backend, clock, aws) -> None:
    aws["cloudwatch"].set_alarm_state(AlarmName="errors", StateValue="ALARM", StateReason="test")
    in_service(backend, clock)
    config(backend, "green")
    routing = {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 0}
    deployment = {
        "BlueGreenUpdatePolicy": {"TrafficRoutingConfiguration": routing},
        "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": "errors"}]},
    }
    backend.update_endpoint(
        REGION, {"EndpointName": "ep", "EndpointConfigName": "green", "DeploymentConfig": deployment}
    )
    clock.tick(SETTINGS.update_seconds + SETTINGS.delete_seconds)
    assert describe(backend)["EndpointConfigName"] == "blue"


def test_update_without_model_data_rolls_back_to_the_old_config(backend, clock) -> None:
    in_service(backend, clock)
    config(backend, "bad", "broken")
    backend.update_endpoint(REGION, {"EndpointName": "ep", "EndpointConfigName": "bad"})
    clock.tick(SETTINGS.update_seconds)
    assert (describe(backend)["EndpointStatus"], describe(backend)["EndpointConfigName"]) == ("Updating", "blue")
    clock.tick(SETTINGS.delete_seconds)
    described = describe(backend)
    assert described["EndpointStatus"] == "InService" and described["EndpointConfigName"] == "blue"
    assert described["FailureReason"].startswith("Failed to download model data")
    # the next successful update clears the reason
    config(backend, "green")
    backend.update_endpoint(REGION, {"EndpointName": "ep", "EndpointConfigName": "green"})
    clock.tick(PLAIN_UPDATE)
    assert "FailureReason" not in describe(backend)


def test_maximum_execution_timeout_rolls_back(backend, clock) -> None:
    in_service(backend, clock)
    config(backend, "green", instances=2)  # a canary of 1 instance is at most 50 % of the fleet
    slow = {"BlueGreenUpdatePolicy": {**CANARY["BlueGreenUpdatePolicy"], "MaximumExecutionTimeoutInSeconds": 600}}
    slow["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"] = {
        "Type": "CANARY",
        "WaitIntervalInSeconds": 3600,
        "CanarySize": {"Type": "INSTANCE_COUNT", "Value": 1},
    }
    start = clock.now
    backend.update_endpoint(REGION, {"EndpointName": "ep", "EndpointConfigName": "green", "DeploymentConfig": slow})
    clock.tick(1000)
    described = describe(backend)
    assert described["EndpointStatus"] == "InService" and described["EndpointConfigName"] == "blue"
    assert "MaximumExecutionTimeoutInSeconds (600 seconds)" in described["FailureReason"]
    assert (300, "Updating", "blue", "RollingBack") in history(backend, start)  # 600 s x time_scale 0.5


def timeline(backend: HostingBackend, clock: ManualClock, seconds: int) -> list[tuple[Any, ...]]:
    """What a poller of DescribeEndpoint sees each second of a deployment, repeats dropped: the stage,
    the old fleet's CurrentInstanceCount and CurrentWeight, then the new fleet's (pending)."""
    seen: list[tuple[Any, ...]] = []
    for _ in range(seconds):
        described = describe(backend)
        old = described["ProductionVariants"][0]
        pending = described.get("PendingDeploymentSummary", {"ProductionVariants": [{}]})["ProductionVariants"][0]
        stage = pending.get("VariantStatus", [{"Status": described["EndpointStatus"]}])[0]["Status"]
        weight = pending.get("CurrentWeight")
        row: tuple[Any, ...] = (stage, old["CurrentInstanceCount"], round(old["CurrentWeight"], 3))
        row += (pending.get("CurrentInstanceCount"), None if weight is None else round(weight, 3))
        if not seen or seen[-1] != row:
            seen.append(row)
        clock.tick(1)
    return seen


def test_rolling_update_in_batches(backend, clock) -> None:
    """Each batch comes up, takes its share of the traffic, bakes, and only then retires as many old
    instances: the old fleet's count and weight fall as the new one's rise."""
    config(backend, "blue", instances=4)
    backend.create_endpoint(REGION, {"EndpointName": "ep", "EndpointConfigName": "blue"})
    clock.tick(SETTINGS.create_seconds)
    config(backend, "green", instances=4)
    policy = rolling({"Type": "INSTANCE_COUNT", "Value": 2})
    backend.update_endpoint(REGION, {"EndpointName": "ep", "EndpointConfigName": "green", "DeploymentConfig": policy})
    # 2 batches: provision 20 s, shift 1 s, bake 15 s, retire 1 s
    assert timeline(backend, clock, 80) == [
        ("Creating", 4, 1.0, 0, 0.0),
        ("ActivatingTraffic", 4, 1.0, 2, 0.0),
        ("Baking", 4, 0.5, 2, 0.5),
        ("Deleting", 4, 0.5, 2, 0.5),
        ("Creating", 2, 0.5, 2, 0.5),
        ("ActivatingTraffic", 2, 0.5, 4, 0.5),
        ("Baking", 2, 0.0, 4, 1.0),
        ("Deleting", 2, 0.0, 4, 1.0),
        ("InService", 4, 1.0, None, None),  # the new fleet is the endpoint's now
    ]


def test_linear_shift_moves_the_weights(backend, clock) -> None:
    """Blue/green keeps the old fleet whole until the end while the weights move a step at a time."""
    in_service(backend, clock)
    config(backend, "green", instances=3)
    deployment = linear({"Type": "INSTANCE_COUNT", "Value": 1})
    backend.update_endpoint(
        REGION, {"EndpointName": "ep", "EndpointConfigName": "green", "DeploymentConfig": deployment}
    )
    # provision 20 s, then shift 1 s and bake 5 s per step, shift the rest, retire 1 s
    assert timeline(backend, clock, 60) == [
        ("Creating", 1, 1.0, 0, 0.0),
        ("ActivatingTraffic", 1, 1.0, 3, 0.0),
        ("Baking", 1, 0.667, 3, 0.333),
        ("ActivatingTraffic", 1, 0.667, 3, 0.333),
        ("Baking", 1, 0.333, 3, 0.667),
        ("ActivatingTraffic", 1, 0.333, 3, 0.667),
        ("Deleting", 1, 0.0, 3, 1.0),  # TerminationWaitInSeconds 0: no bake to see
        ("InService", 3, 1.0, None, None),
    ]


def test_rolling_rollback_fails_when_the_old_config_is_gone(backend, clock, aws) -> None:
    deployment = {
        **rolling({"Type": "INSTANCE_COUNT", "Value": 1}),
        "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": "errors"}]},
    }
    in_service(backend, clock)
    config(backend, "green", instances=2)
    backend.update_endpoint(
        REGION, {"EndpointName": "ep", "EndpointConfigName": "green", "DeploymentConfig": deployment}
    )
    backend.delete_endpoint_config(REGION, "blue")
    clock.tick(SETTINGS.update_seconds + 1)
    aws["cloudwatch"].set_alarm_state(AlarmName="errors", StateValue="ALARM", StateReason="test")
    clock.tick(SETTINGS.update_seconds * 2)
    described = describe(backend)
    assert described["EndpointStatus"] == "UpdateRollbackFailed" and "errors" in described["FailureReason"]


@pytest.mark.parametrize(
    ("update", "instances", "weight"),
    [
        ({}, 1, 1.0),
        ({"RetainAllVariantProperties": True}, 3, 0.5),
        (
            {
                "RetainAllVariantProperties": True,
                "ExcludeRetainedVariantProperties": [{"VariantPropertyType": "DesiredInstanceCount"}],
            },
            1,
            0.5,
        ),
        (
            {
                "RetainAllVariantProperties": True,
                "ExcludeRetainedVariantProperties": [{"VariantPropertyType": "DesiredWeight"}],
            },
            3,
            1.0,
        ),
    ],
    ids=["reset", "retain", "exclude-count", "exclude-weight"],
)
def test_retained_variant_properties(backend, clock, update, instances, weight) -> None:
    in_service(backend, clock)
    wanted = [{"VariantName": "primary", "DesiredInstanceCount": 3, "DesiredWeight": 0.5}]
    backend.update_endpoint_weights_and_capacities(
        REGION, {"EndpointName": "ep", "DesiredWeightsAndCapacities": wanted}
    )
    scaling = describe(backend)
    assert scaling["EndpointStatus"] == "Updating"
    assert scaling["ProductionVariants"][0]["CurrentInstanceCount"] == 1
    assert scaling["ProductionVariants"][0]["DesiredInstanceCount"] == 3
    clock.tick(SETTINGS.update_seconds)
    assert describe(backend)["ProductionVariants"][0]["CurrentInstanceCount"] == 3
    config(backend, "green")
    backend.update_endpoint(REGION, {"EndpointName": "ep", "EndpointConfigName": "green", **update})
    clock.tick(PLAIN_UPDATE)
    variant = describe(backend)["ProductionVariants"][0]
    assert (variant["CurrentInstanceCount"], variant["CurrentWeight"]) == (instances, weight)


def test_weights_and_capacities_name_unknown_variants(backend, clock) -> None:
    in_service(backend, clock)
    with pytest.raises(HostingError, match=r"\[nope\] is/are not present"):
        backend.update_endpoint_weights_and_capacities(
            REGION, {"EndpointName": "ep", "DesiredWeightsAndCapacities": [{"VariantName": "nope"}]}
        )


@pytest.mark.parametrize("status_after", [0.0, 5.0])
def test_in_progress_endpoints_refuse_updates_and_deletes(backend, clock, status_after) -> None:
    config(backend, "blue")
    backend.create_endpoint(REGION, {"EndpointName": "ep", "EndpointConfigName": "blue"})
    clock.tick(status_after)
    arn = "arn:aws:sagemaker:us-east-1:123456789012:endpoint/ep"
    with pytest.raises(HostingError, match=f'^Cannot update in-progress endpoint "{arn}".$'):
        backend.update_endpoint(REGION, {"EndpointName": "ep", "EndpointConfigName": "blue"})
    with pytest.raises(HostingError, match=f'^Cannot delete in-progress endpoint "{arn}".$'):
        backend.delete_endpoint(REGION, "ep")


def test_consistency_delay_hides_new_resources(aws, clock) -> None:
    backend = HostingBackend(MotoWorld(), clock, Settings(consistency_delay_seconds=2))
    backend.create_model(REGION, {"ModelName": "m", "PrimaryContainer": {"Image": "serve:1"}})
    with pytest.raises(HostingError, match=r'^Could not find model "'):
        backend.describe_model(REGION, "m")
    clock.tick(2)
    config(backend, "cfg", "m")
    with pytest.raises(HostingError, match=r"^Could not find endpoint configuration"):
        backend.create_endpoint(REGION, {"EndpointName": "ep", "EndpointConfigName": "cfg"})
    with pytest.raises(HostingError, match=r"^Cannot create already existing endpoint configuration"):
        config(backend, "CFG", "m")  # writes are not eventually consistent
    clock.tick(2)
    backend.create_endpoint(REGION, {"EndpointName": "ep", "EndpointConfigName": "cfg"})
    assert backend.list_endpoints(REGION, {})["Endpoints"][0]["EndpointName"] == "ep"  # lists are


def test_next_due_follows_phases_and_alarm_polls(backend, clock) -> None:
    assert backend.next_due() is None
    deployment = {**CANARY, "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": "errors"}]}}
    in_service(backend, clock, DeploymentConfig=deployment)
    backend.update_endpoint(
        REGION, {"EndpointName": "ep", "EndpointConfigName": "blue", "RetainDeploymentConfig": True}
    )
    assert backend.next_due() == clock.now + SETTINGS.update_seconds
    clock.tick(SETTINGS.update_seconds)
    backend.advance()
    assert backend.next_due() == pytest.approx(clock.now + 0.05)  # baking with alarms: poll them


def test_lists_filter_sort_and_page(backend, clock) -> None:
    for name in ("b-one", "a-two", "c-three"):
        config(backend, name)
        clock.tick(1)
    names = [c["EndpointConfigName"] for c in backend.list_endpoint_configs(REGION, {})["EndpointConfigs"]]
    assert names == ["c-three", "a-two", "b-one"]  # newest first
    by_name = backend.list_endpoint_configs(REGION, {"SortBy": "Name", "SortOrder": "Ascending", "MaxResults": 2})
    assert [c["EndpointConfigName"] for c in by_name["EndpointConfigs"]] == ["a-two", "b-one"]
    rest = backend.list_endpoint_configs(
        REGION, {"SortBy": "Name", "SortOrder": "Ascending", "NextToken": by_name["NextToken"]}
    )
    assert [c["EndpointConfigName"] for c in rest["EndpointConfigs"]] == ["c-three"] and "NextToken" not in rest
    assert len(backend.list_endpoint_configs(REGION, {"NameContains": "T"})["EndpointConfigs"]) == 2
    with pytest.raises(HostingError, match="Invalid pagination token"):
        backend.list_endpoint_configs(REGION, {"NextToken": "x"})
    assert backend.list_endpoint_configs("eu-west-1", {})["EndpointConfigs"] == []  # regions are apart
