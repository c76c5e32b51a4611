"""Conformance of the emulator with SageMaker hosting, through boto3 only (plus the admin API for
timings and the event log): each numbered behaviour of issue 2, failure and rollback paths
included. Written so that the same calls could be made against AWS."""

from __future__ import annotations

import itertools
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError, WaiterError

from sagemaker_hosting.emulator.testing import Emulator
from sagemaker_hosting.testing import client
from tests.emulator.helpers import IMAGE, ROLE, create_config, in_service, variant, wait_while

ARN = "arn:aws:sagemaker:us-east-1:123456789012"
PENDING = ("Creating", "Updating", "RollingBack", "Deleting")


def error_of(call: Any, **request: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call(**request)
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def stages(emulator: Emulator, since: float) -> list[str]:
    """The steps of the last update, from the event log."""
    return [e["stage"] for e in emulator.events() if "stage" in e and e["time"] >= since]


# --- 1. every request member stored and returned ---------------------------------------------------

MODEL: dict[str, Any] = {
    "ModelName": "full-model",
    "PrimaryContainer": {
        "ContainerHostname": "main",
        "Image": IMAGE,
        "ImageConfig": {"RepositoryAccessMode": "Platform"},
        "Mode": "SingleModel",
        "ModelDataUrl": "s3://models/good/model.tar.gz",
        "Environment": {"LOG_LEVEL": "info"},
    },
    "InferenceExecutionConfig": {"Mode": "Serial"},
    "ExecutionRoleArn": ROLE,
    "VpcConfig": {"SecurityGroupIds": ["sg-12345678"], "Subnets": ["subnet-12345678"]},
    "EnableNetworkIsolation": True,
}
CONFIG: dict[str, Any] = {
    "EndpointConfigName": "full-config",
    "ProductionVariants": [
        variant(
            "good",
            instances=2,
            InitialVariantWeight=0.5,
            VolumeSizeInGB=30,
            ModelDataDownloadTimeoutInSeconds=600,
            ContainerStartupHealthCheckTimeoutInSeconds=600,
            EnableSSMAccess=True,
            ManagedInstanceScaling={"Status": "ENABLED", "MinInstanceCount": 1, "MaxInstanceCount": 4},
            RoutingConfig={"RoutingStrategy": "LEAST_OUTSTANDING_REQUESTS"},
            CoreDumpConfig={"DestinationS3Uri": "s3://models/dumps"},
        )
    ],
    "ShadowProductionVariants": [variant("better", name="shadow")],
    "DataCaptureConfig": {
        "EnableCapture": True,
        "InitialSamplingPercentage": 50,
        "DestinationS3Uri": "s3://models/capture",
        "KmsKeyId": "alias/capture",
        "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
        "CaptureContentTypeHeader": {"JsonContentTypes": ["application/json"]},
    },
    "KmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/12345678-1234-1234-1234-1234567890ab",
    "AsyncInferenceConfig": {
        "ClientConfig": {"MaxConcurrentInvocationsPerInstance": 4},
        "OutputConfig": {"S3OutputPath": "s3://models/async", "S3FailurePath": "s3://models/async-failed"},
    },
    "ExplainerConfig": {
        "ClarifyExplainerConfig": {
            "ShapConfig": {"ShapBaselineConfig": {"MimeType": "text/csv", "ShapBaseline": "1,2"}}
        }
    },
    "ExecutionRoleArn": ROLE,
    "VpcConfig": {"SecurityGroupIds": ["sg-12345678"], "Subnets": ["subnet-12345678"]},
    "EnableNetworkIsolation": False,
    "MetricsConfig": {"EnableEnhancedMetrics": True, "MetricPublishFrequencyInSeconds": 60},
    "CrossRegionTrafficConfig": {"MaxInvocationsPerSecondPerInstance": 10, "MaxCrossRegionPercentPerEndpoint": 20},
}
DEPLOYMENT: dict[str, Any] = {
    "BlueGreenUpdatePolicy": {
        "TrafficRoutingConfiguration": {
            "Type": "CANARY",
            "WaitIntervalInSeconds": 300,
            "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": 25},
        },
        "TerminationWaitInSeconds": 120,
        "MaximumExecutionTimeoutInSeconds": 3600,
    },
    "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": "errors"}]},
}


def test_model_returns_every_member(aws) -> None:
    arn = aws.sagemaker.create_model(**MODEL, Tags=[{"Key": "team", "Value": "ml"}])["ModelArn"]
    assert arn == f"{ARN}:model/full-model"
    described = aws.sagemaker.describe_model(ModelName="full-model")
    assert {key: described[key] for key in MODEL} == MODEL
    containers = [{"Image": IMAGE, "ContainerHostname": f"c{i}"} for i in (1, 2)]
    aws.sagemaker.create_model(ModelName="pipeline", ExecutionRoleArn=ROLE, Containers=containers)
    assert aws.sagemaker.describe_model(ModelName="pipeline")["Containers"] == containers


def test_endpoint_config_returns_every_member_with_defaults(aws) -> None:
    arn = aws.sagemaker.create_endpoint_config(**CONFIG, Tags=[{"Key": "team", "Value": "ml"}])["EndpointConfigArn"]
    assert arn == f"{ARN}:endpoint-config/full-config"
    described = aws.sagemaker.describe_endpoint_config(EndpointConfigName="full-config")
    shadow_with_default = [{**CONFIG["ShadowProductionVariants"][0], "InitialVariantWeight": 1.0}]
    assert {key: described[key] for key in CONFIG} == {**CONFIG, "ShadowProductionVariants": shadow_with_default}
    assert described["EndpointConfigArn"] == arn and "CreationTime" in described

    capture = {key: value for key, value in CONFIG["DataCaptureConfig"].items() if key != "EnableCapture"}
    create_config(aws.sagemaker, "defaults", DataCaptureConfig=capture)
    defaults = aws.sagemaker.describe_endpoint_config(EndpointConfigName="defaults")
    assert defaults["ProductionVariants"][0]["InitialVariantWeight"] == 1.0
    assert defaults["DataCaptureConfig"]["EnableCapture"] is True


def test_endpoint_reports_its_config_and_deployment_config(aws) -> None:
    # Without AsyncInferenceConfig: an endpoint cannot have a shadow variant with asynchronous inference
    # (Developer Guide, shadow tests "Exclusions"; see test_strictness.py).
    served = {key: value for key, value in CONFIG.items() if key != "AsyncInferenceConfig"}
    aws.sagemaker.create_endpoint_config(**served)
    aws.sagemaker.create_endpoint(EndpointName="full", EndpointConfigName="full-config", DeploymentConfig=DEPLOYMENT)
    aws.sagemaker.get_waiter("endpoint_in_service").wait(EndpointName="full", WaiterConfig={"Delay": 0.1})
    described = aws.sagemaker.describe_endpoint(EndpointName="full")
    assert described["EndpointArn"] == f"{ARN}:endpoint/full"
    assert described["LastDeploymentConfig"] == DEPLOYMENT
    assert "AsyncInferenceConfig" not in described
    for key in ("ExplainerConfig", "MetricsConfig", "CrossRegionTrafficConfig"):
        assert described[key] == CONFIG[key]
    primary = described["ProductionVariants"][0]
    assert (primary["VariantName"], primary["CurrentInstanceCount"], primary["CurrentWeight"]) == ("primary", 2, 0.5)
    assert primary["ManagedInstanceScaling"] == CONFIG["ProductionVariants"][0]["ManagedInstanceScaling"]
    assert primary["DeployedImages"][0]["SpecifiedImage"] == IMAGE
    assert described["ShadowProductionVariants"][0]["VariantName"] == "shadow"
    capture = described["DataCaptureConfig"]
    assert capture == {
        "EnableCapture": True,
        "CaptureStatus": "Started",
        "CurrentSamplingPercentage": 50,
        "DestinationS3Uri": "s3://models/capture",
        "KmsKeyId": "alias/capture",
    }


def test_a_time_read_and_sent_back_is_the_same_time(aws) -> None:
    """A config's CreationTime sent back as CreationTimeAfter ("greater than or equal") lists it,
    whatever its last digits (botocore parses a time to the microsecond)."""
    for number in range(20):
        name = f"t{number}"
        create_config(aws.sagemaker, name)
        created = aws.sagemaker.describe_endpoint_config(EndpointConfigName=name)["CreationTime"]
        listed = aws.sagemaker.list_endpoint_configs(NameContains=name, CreationTimeAfter=created)
        assert name in [c["EndpointConfigName"] for c in listed["EndpointConfigs"]]


def test_lists(aws) -> None:
    for name in ("alpha", "beta", "gamma"):
        create_config(aws.sagemaker, name)
    listed = aws.sagemaker.list_endpoint_configs(SortBy="Name", SortOrder="Ascending", MaxResults=2)
    assert [c["EndpointConfigName"] for c in listed["EndpointConfigs"]] == ["alpha", "beta"]
    pages = aws.sagemaker.get_paginator("list_endpoint_configs").paginate(
        NameContains="a", PaginationConfig={"PageSize": 1}
    )
    assert sorted(c["EndpointConfigName"] for page in pages for c in page["EndpointConfigs"]) == [
        "alpha",
        "beta",
        "gamma",
    ]
    # CreationTimeAfter is "greater than or equal", CreationTimeBefore "before" (botocore's model)
    created = aws.sagemaker.describe_endpoint_config(EndpointConfigName="beta")["CreationTime"]
    after = aws.sagemaker.list_endpoint_configs(CreationTimeAfter=created, SortBy="Name", SortOrder="Ascending")
    before = aws.sagemaker.list_endpoint_configs(CreationTimeBefore=created)
    assert [c["EndpointConfigName"] for c in after["EndpointConfigs"]] == ["beta", "gamma"]
    assert [c["EndpointConfigName"] for c in before["EndpointConfigs"]] == ["alpha"]
    models = [m["ModelName"] for m in aws.sagemaker.list_models(SortBy="Name", SortOrder="Ascending")["Models"]]
    assert models == ["better", "broken", "good", "image-only"]
    in_service(aws, "listed")
    endpoints = aws.sagemaker.list_endpoints(StatusEquals="InService")["Endpoints"]
    assert [(e["EndpointName"], e["EndpointStatus"]) for e in endpoints] == [("listed", "InService")]
    assert aws.sagemaker.list_endpoints(StatusEquals="Failed")["Endpoints"] == []


# --- 2. request validation, with AWS's codes and message shapes ------------------------------------


@pytest.mark.parametrize(
    ("operation", "request_", "message"),
    [
        (
            "describe_endpoint",
            {"EndpointName": "bad_name"},
            "1 validation error detected: Value 'bad_name' at 'endpointName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: ",
        ),
        ("describe_endpoint", {"EndpointName": "x" * 64}, "2 validation errors detected: "),
        (
            "create_endpoint_config",
            {"EndpointConfigName": "c", "ProductionVariants": [variant(instances=0, VolumeSizeInGB=513)]},
            "2 validation errors detected: Value '0' at 'productionVariants.1.member.initialInstanceCount' failed to "
            "satisfy constraint: Member must have value greater than or equal to 1; Value '513' at "
            "'productionVariants.1.member.volumeSizeInGB' failed to satisfy constraint: Member must have value "
            "less than or equal to 512",
        ),
        (
            "create_endpoint_config",
            {"EndpointConfigName": "c", "ProductionVariants": [variant(InstanceType="ml.nope")]},
            "at 'productionVariants.1.member.instanceType' failed to satisfy constraint: Member must satisfy "
            "enum value set: [",
        ),
        (
            "create_endpoint_config",
            {"EndpointConfigName": "c", "ProductionVariants": [variant(name=f"v{i}") for i in range(11)]},
            "Member must have length less than or equal to 10",
        ),
        (
            "create_endpoint",
            {"EndpointName": "ep"},
            "Value null at 'endpointConfigName' failed to satisfy constraint: Member must not be null",
        ),
        (
            "create_endpoint_config",
            {"EndpointConfigName": "c", "ProductionVariants": [variant(name="a"), variant(name="a")]},
            "VariantName must be unique",
        ),
        (
            "create_endpoint_config",
            {
                "EndpointConfigName": "c",
                "ProductionVariants": [variant(name="a"), variant(name="b")],
                "ShadowProductionVariants": [variant(name="s")],
            },
            "needs exactly one production variant and one shadow variant",
        ),
        (
            "create_endpoint_config",
            {
                "EndpointConfigName": "c",
                "ProductionVariants": [variant(InstanceType="ml.g4dn.xlarge")],
                "KmsKeyId": "k",
            },
            "local storage",
        ),
        (
            "create_endpoint",
            {
                "EndpointName": "ep",
                "EndpointConfigName": "c",
                "DeploymentConfig": {
                    "RollingUpdatePolicy": {
                        "MaximumBatchSize": {"Type": "INSTANCE_COUNT", "Value": 1},
                        "WaitIntervalInSeconds": 0,
                    },
                    "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": f"a{i}"} for i in range(11)]},
                },
            },
            "at 'deploymentConfig.autoRollbackConfiguration.alarms' failed to satisfy constraint: Member must have "
            "length less than or equal to 10",
        ),
        (
            "create_endpoint",
            {
                "EndpointName": "ep",
                "EndpointConfigName": "c",
                "DeploymentConfig": {
                    "BlueGreenUpdatePolicy": {
                        "TrafficRoutingConfiguration": {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 0}
                    },
                    "RollingUpdatePolicy": {
                        "MaximumBatchSize": {"Type": "INSTANCE_COUNT", "Value": 1},
                        "WaitIntervalInSeconds": 0,
                    },
                },
            },
            "mutually exclusive",
        ),
    ],
)
def test_validation_errors(aws, operation, request_, message) -> None:
    code, text = error_of(getattr(aws.raw, operation), **request_)
    assert code == "ValidationException" and message in text
    assert aws.sagemaker.list_endpoint_configs()["EndpointConfigs"] == []  # nothing was created


# --- 3. name rules ---------------------------------------------------------------------------------


def test_duplicates_and_missing_resources(aws) -> None:
    in_service(aws, "My-Endpoint")
    assert error_of(aws.sagemaker.create_model, **{**MODEL, "ModelName": "good"}) == (
        "ValidationException",
        f'Cannot create already existing model "{ARN}:model/good".',
    )
    assert error_of(
        aws.sagemaker.create_endpoint_config, EndpointConfigName="blue", ProductionVariants=[variant()]
    ) == (
        "ValidationException",
        f'Cannot create already existing endpoint configuration "{ARN}:endpoint-config/blue".',
    )
    assert error_of(aws.sagemaker.create_endpoint, EndpointName="my-endpoint", EndpointConfigName="blue") == (
        "ValidationException",
        f'Cannot create already existing endpoint "{ARN}:endpoint/my-endpoint".',
    )
    assert aws.sagemaker.describe_endpoint(EndpointName="my-endpoint")["EndpointName"] == "My-Endpoint"
    cases: list[tuple[Any, dict[str, Any], str]] = [
        (aws.sagemaker.describe_endpoint, {"EndpointName": "nope"}, f'Could not find endpoint "{ARN}:endpoint/nope".'),
        (aws.sagemaker.delete_endpoint, {"EndpointName": "nope"}, f'Could not find endpoint "{ARN}:endpoint/nope".'),
        (
            aws.sagemaker.describe_endpoint_config,
            {"EndpointConfigName": "Nope"},
            f'Could not find endpoint configuration "{ARN}:endpoint-config/nope".',
        ),
        (
            aws.sagemaker.delete_endpoint_config,
            {"EndpointConfigName": "nope"},
            f'Could not find endpoint configuration "{ARN}:endpoint-config/nope".',
        ),
        (
            aws.sagemaker.create_endpoint,
            {"EndpointName": "new", "EndpointConfigName": "nope"},
            f'Could not find endpoint configuration "{ARN}:endpoint-config/nope".',
        ),
        (aws.sagemaker.describe_model, {"ModelName": "nope"}, f'Could not find model "{ARN}:model/nope".'),
        (aws.sagemaker.delete_model, {"ModelName": "nope"}, f'Could not find model "{ARN}:model/nope".'),
        (
            aws.sagemaker.create_endpoint_config,
            {"EndpointConfigName": "orphan", "ProductionVariants": [variant("nope")]},
            f'Could not find model "{ARN}:model/nope".',
        ),
    ]
    for call, request, message in cases:
        assert error_of(call, **request) == ("ValidationException", message)


# --- 4. the endpoint state machine -----------------------------------------------------------------


def test_create_update_delete_with_boto3_waiters(aws, emulator) -> None:
    emulator.settings(update_seconds=1.0)
    described = in_service(aws)
    assert described["EndpointStatus"] == "InService" and described["EndpointConfigName"] == "blue"
    create_config(aws.sagemaker, "green", "better", instances=2)
    aws.sagemaker.update_endpoint(EndpointName="ep", EndpointConfigName="green")
    updating = aws.sagemaker.describe_endpoint(EndpointName="ep")
    assert updating["EndpointStatus"] == "Updating" and updating["EndpointConfigName"] == "green"
    assert updating["ProductionVariants"][0]["CurrentInstanceCount"] == 1  # the old fleet still serves
    pending = updating["PendingDeploymentSummary"]
    assert pending["EndpointConfigName"] == "green"
    assert pending["ProductionVariants"][0]["DesiredInstanceCount"] == 2
    assert pending["ProductionVariants"][0]["VariantStatus"][0]["Status"] == "Creating"
    in_progress = f'Cannot update in-progress endpoint "{ARN}:endpoint/ep".'
    assert error_of(aws.sagemaker.update_endpoint, EndpointName="ep", EndpointConfigName="blue")[1] == in_progress
    assert error_of(aws.sagemaker.delete_endpoint, EndpointName="ep")[1].startswith("Cannot delete in-progress")
    aws.sagemaker.get_waiter("endpoint_in_service").wait(EndpointName="ep", WaiterConfig={"Delay": 0.1})
    done = aws.sagemaker.describe_endpoint(EndpointName="ep")
    assert done["ProductionVariants"][0]["CurrentInstanceCount"] == 2 and "PendingDeploymentSummary" not in done
    aws.sagemaker.delete_endpoint(EndpointName="ep")
    assert aws.sagemaker.describe_endpoint(EndpointName="ep")["EndpointStatus"] == "Deleting"
    aws.sagemaker.get_waiter("endpoint_deleted").wait(EndpointName="ep", WaiterConfig={"Delay": 0.1})
    assert aws.sagemaker.list_endpoints()["Endpoints"] == []
    statuses = [(e["status"], e["endpoint_config_name"]) for e in emulator.events() if "stage" not in e]
    assert statuses == [
        ("Creating", "blue"),
        ("InService", "blue"),
        ("Updating", "green"),
        ("InService", "green"),
        ("Deleting", "green"),
        ("Deleted", "green"),
    ]


def test_failed_create_ends_the_waiter_and_can_only_be_deleted(aws) -> None:
    create_config(aws.sagemaker, "bad", "broken")
    aws.sagemaker.create_endpoint(EndpointName="ep", EndpointConfigName="bad")
    with pytest.raises(WaiterError, match="terminal failure"):
        aws.sagemaker.get_waiter("endpoint_in_service").wait(EndpointName="ep", WaiterConfig={"Delay": 0.1})
    failed = aws.sagemaker.describe_endpoint(EndpointName="ep")
    assert failed["EndpointStatus"] == "Failed"
    assert failed["FailureReason"] == (
        'Failed to download model data for container "container_1" from URL: "s3://models/broken/model.tar.gz". '
        "Please ensure that there is an object located at the URL and that the role passed to CreateModel has "
        "permissions to download the object."
    )
    code, _ = error_of(aws.sagemaker.update_endpoint, EndpointName="ep", EndpointConfigName="bad")
    assert code == "ValidationException"
    aws.sagemaker.delete_endpoint(EndpointName="ep")
    aws.sagemaker.get_waiter("endpoint_deleted").wait(EndpointName="ep", WaiterConfig={"Delay": 0.1})


def test_image_only_model_serves(aws) -> None:
    assert in_service(aws, model="image-only")["EndpointStatus"] == "InService"


# --- 5. blue/green and rolling deployments ---------------------------------------------------------


def canary(percent: int = 50, wait: int = 100) -> dict[str, Any]:
    routing = {
        "Type": "CANARY",
        "WaitIntervalInSeconds": wait,
        "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": percent},
    }
    return {"BlueGreenUpdatePolicy": {"TrafficRoutingConfiguration": routing, "TerminationWaitInSeconds": 50}}


DEPLOYMENTS = [
    (None, ["Creating", "ActivatingTraffic", "Deleting"]),
    (
        {
            "BlueGreenUpdatePolicy": {
                "TrafficRoutingConfiguration": {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 0},
                "TerminationWaitInSeconds": 100,
            }
        },
        ["Creating", "ActivatingTraffic", "Baking", "Deleting"],
    ),
    (canary(), ["Creating", "ActivatingTraffic", "Baking", "ActivatingTraffic", "Baking", "Deleting"]),
    (
        {
            "BlueGreenUpdatePolicy": {
                "TrafficRoutingConfiguration": {
                    "Type": "LINEAR",
                    "WaitIntervalInSeconds": 100,
                    "LinearStepSize": {"Type": "CAPACITY_PERCENT", "Value": 50},
                },
                "TerminationWaitInSeconds": 100,  # a bake of 0 s would be an instant, unseen by a poller
            }
        },
        ["Creating", "ActivatingTraffic", "Baking", "ActivatingTraffic", "Baking", "Deleting"],
    ),
    (
        {
            "RollingUpdatePolicy": {
                "MaximumBatchSize": {"Type": "INSTANCE_COUNT", "Value": 1},
                "WaitIntervalInSeconds": 100,
            }
        },
        ["Creating", "ActivatingTraffic", "Baking", "Deleting"] * 2,
    ),
]
"""Each kind of deployment and the stages of its new fleet, in order."""
DEPLOYMENT_IDS = ["none", "all-at-once", "canary", "linear", "rolling"]


@pytest.mark.parametrize(("deployment", "expected"), DEPLOYMENTS, ids=DEPLOYMENT_IDS)
def test_deployment_types(aws, emulator, deployment, expected) -> None:
    in_service(aws)
    create_config(aws.sagemaker, "green", "better", instances=2)
    since = aws.sagemaker.describe_endpoint(EndpointName="ep")["LastModifiedTime"].timestamp()
    extra = {"DeploymentConfig": deployment} if deployment else {}
    aws.sagemaker.update_endpoint(EndpointName="ep", EndpointConfigName="green", **extra)
    aws.sagemaker.get_waiter("endpoint_in_service").wait(EndpointName="ep", WaiterConfig={"Delay": 0.1})
    described = aws.sagemaker.describe_endpoint(EndpointName="ep")
    assert described["EndpointConfigName"] == "green" and "FailureReason" not in described
    assert described["ProductionVariants"][0]["CurrentInstanceCount"] == 2
    assert described.get("LastDeploymentConfig") == deployment
    assert stages(emulator, since) == expected


def polled_stages(aws: Any, deployment: dict[str, Any] | None) -> list[str]:
    """The stages a poller sees: DescribeEndpoint every 50 ms through an update to "green", each
    change of (status, pending stage) once."""
    in_service(aws)
    create_config(aws.sagemaker, "green", "better", instances=2)
    extra = {"DeploymentConfig": deployment} if deployment else {}
    aws.sagemaker.update_endpoint(EndpointName="ep", EndpointConfigName="green", **extra)
    seen: list[str] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        described = aws.sagemaker.describe_endpoint(EndpointName="ep")
        if described["EndpointStatus"] != "Updating":
            break
        stage = described["PendingDeploymentSummary"]["ProductionVariants"][0]["VariantStatus"][0]["Status"]
        if not seen or stage != seen[-1]:
            seen.append(stage)
        time.sleep(0.05)
    return seen


@pytest.mark.parametrize(("deployment", "expected"), DEPLOYMENTS, ids=DEPLOYMENT_IDS)
def test_a_poller_sees_every_stage(aws, emulator, deployment, expected) -> None:
    """Shifting traffic and retiring instances take `stage_seconds` (here 0.3 s; bakes of 100 s take
    0.5 s at time_scale 0.005), so a poller every 50 ms sees each stage of the plan in order."""
    emulator.settings(stage_seconds=0.3, time_scale=0.005)
    assert polled_stages(aws, deployment) == expected


def test_instant_stages_are_missed_by_a_poller(aws, emulator) -> None:
    """Negative control: with instant stages the same poller misses the traffic shifts and the
    termination, so the test above can fail."""
    emulator.settings(stage_seconds=0.0, time_scale=0.005)
    assert polled_stages(aws, canary()) == ["Creating", "Baking"]


def test_deployment_waits_follow_the_config(aws, emulator) -> None:
    """Canary: 100 s bake, then 50 s termination wait, at time_scale 0.001, as the event log shows."""
    in_service(aws)
    create_config(aws.sagemaker, "green")
    aws.sagemaker.update_endpoint(EndpointName="ep", EndpointConfigName="green", DeploymentConfig=canary(wait=100))
    aws.sagemaker.get_waiter("endpoint_in_service").wait(EndpointName="ep", WaiterConfig={"Delay": 0.1})
    steps = [(e["stage"], e["time"]) for e in emulator.events() if "stage" in e]
    bakes = [later - start for (stage, start), (_, later) in itertools.pairwise(steps) if stage == "Baking"]
    assert bakes == pytest.approx([0.1, 0.05])


def test_maximum_execution_timeout_rolls_back(aws, emulator) -> None:
    """600 s at time_scale 0.001 is 0.6 s, less than the 1 s the green fleet takes to provision."""
    in_service(aws)
    emulator.settings(update_seconds=1.0)
    create_config(aws.sagemaker, "green")
    slow = canary(wait=100)
    slow["BlueGreenUpdatePolicy"]["MaximumExecutionTimeoutInSeconds"] = 600
    aws.sagemaker.update_endpoint(EndpointName="ep", EndpointConfigName="green", DeploymentConfig=slow)
    described = wait_while(aws.sagemaker, "ep", PENDING)
    assert described["EndpointStatus"] == "InService" and described["EndpointConfigName"] == "blue"
    assert "MaximumExecutionTimeoutInSeconds (600 seconds)" in described["FailureReason"]


# --- 6. failures and rollbacks without magic names -------------------------------------------------


def test_update_without_model_data_rolls_back_to_the_old_config(aws, emulator) -> None:
    in_service(aws)
    create_config(aws.sagemaker, "bad", "broken")
    aws.sagemaker.update_endpoint(EndpointName="ep", EndpointConfigName="bad")
    # boto3's waiter keeps polling through the rollback and succeeds on InService, as against AWS
    aws.sagemaker.get_waiter("endpoint_in_service").wait(EndpointName="ep", WaiterConfig={"Delay": 0.1})
    described = aws.sagemaker.describe_endpoint(EndpointName="ep")
    assert described["EndpointConfigName"] == "blue"
    assert described["FailureReason"].startswith("Failed to download model data for container")
    rollback = [(e["status"], e["endpoint_config_name"]) for e in emulator.events() if e.get("stage") == "RollingBack"]
    assert rollback == [("Updating", "blue")]
    # RollingBack is a status only of a failed UpdateEndpointWeightsAndCapacities (EndpointStatus docs)
    assert "RollingBack" not in [e["status"] for e in emulator.events()]


def test_alarm_during_canary_baking_rolls_back(aws, emulator) -> None:
    deployment = {**canary(wait=3600), "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": "errors"}]}}
    in_service(aws, DeploymentConfig=deployment)
    create_config(aws.sagemaker, "green", "better")
    aws.sagemaker.update_endpoint(EndpointName="ep", EndpointConfigName="green", RetainDeploymentConfig=True)
    while "Baking" not in stages(emulator, 0):
        assert aws.sagemaker.describe_endpoint(EndpointName="ep")["EndpointStatus"] == "Updating"
    aws.cloudwatch.set_alarm_state(AlarmName="errors", StateValue="ALARM", StateReason="5XX errors")
    described = wait_while(aws.sagemaker, "ep", PENDING)
    assert described["EndpointStatus"] == "InService" and described["EndpointConfigName"] == "blue"
    assert "errors" in described["FailureReason"]


# --- 7. retained variant properties ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("retain", "count"),
    [
        ({}, 1),
        ({"RetainAllVariantProperties": True}, 3),
        (
            {
                "RetainAllVariantProperties": True,
                "ExcludeRetainedVariantProperties": [{"VariantPropertyType": "DesiredInstanceCount"}],
            },
            1,
        ),
    ],
    ids=["reset-to-config", "retain", "exclude"],
)
def test_retain_flags_against_scaled_capacity(aws, retain, count) -> None:
    in_service(aws)
    aws.sagemaker.update_endpoint_weights_and_capacities(
        EndpointName="ep", DesiredWeightsAndCapacities=[{"VariantName": "primary", "DesiredInstanceCount": 3}]
    )
    scaling = aws.sagemaker.describe_endpoint(EndpointName="ep")
    assert scaling["EndpointStatus"] == "Updating" and scaling["ProductionVariants"][0]["DesiredInstanceCount"] == 3
    aws.sagemaker.get_waiter("endpoint_in_service").wait(EndpointName="ep", WaiterConfig={"Delay": 0.1})
    assert aws.sagemaker.describe_endpoint(EndpointName="ep")["ProductionVariants"][0]["CurrentInstanceCount"] == 3
    create_config(aws.sagemaker, "green", "better")
    aws.sagemaker.update_endpoint(EndpointName="ep", EndpointConfigName="green", **retain)
    aws.sagemaker.get_waiter("endpoint_in_service").wait(EndpointName="ep", WaiterConfig={"Delay": 0.1})
    assert aws.sagemaker.describe_endpoint(EndpointName="ep")["ProductionVariants"][0]["CurrentInstanceCount"] == count


def test_instance_quota_counts_running_and_green_fleets(aws, emulator) -> None:
    emulator.settings(instance_quota=3)
    in_service(aws, "first")  # 1 instance of ml.m5.large
    create_config(aws.sagemaker, "pair", instances=2)
    aws.sagemaker.create_endpoint(EndpointName="second", EndpointConfigName="pair")  # 3 of 3
    code, message = error_of(aws.sagemaker.create_endpoint, EndpointName="third", EndpointConfigName="blue")
    assert code == "ResourceLimitExceeded"
    assert message.startswith(
        "The account-level service limit 'ml.m5.large for endpoint usage' is 3 Instances, with current "
        "utilization of 3 Instances and a request delta of 1 Instances."
    )
    assert error_of(aws.sagemaker.describe_endpoint, EndpointName="third")[1].startswith("Could not find endpoint")
    # Blue/green runs the green fleet beside the blue one, so even a same-size update needs room.
    aws.sagemaker.get_waiter("endpoint_in_service").wait(EndpointName="second", WaiterConfig={"Delay": 0.1})
    create_config(aws.sagemaker, "green")
    code, _ = error_of(aws.sagemaker.update_endpoint, EndpointName="first", EndpointConfigName="green")
    assert code == "ResourceLimitExceeded"
    assert aws.sagemaker.describe_endpoint(EndpointName="first")["EndpointStatus"] == "InService"
    emulator.settings(instance_quota=4)
    aws.sagemaker.update_endpoint(EndpointName="first", EndpointConfigName="green")
    assert aws.sagemaker.describe_endpoint(EndpointName="first")["EndpointStatus"] == "Updating"


def test_service_quotas_serves_the_endpoint_quotas_it_enforces(aws, emulator) -> None:
    """The quota `instance_quota` sets is listed by Service Quotas as AWS names it, one per instance
    type of the model, paged; GetServiceQuota finds it by its code; other services stay moto's.
    With no limit set, no endpoint quota is listed (nothing for preview to judge by)."""
    quotas = client(emulator, "service-quotas")
    emulator.settings(instance_quota=0)
    assert quotas.list_service_quotas(ServiceCode="sagemaker")["Quotas"] == []
    emulator.settings(instance_quota=3)
    listed = [
        quota
        for page in quotas.get_paginator("list_service_quotas").paginate(
            ServiceCode="sagemaker", PaginationConfig={"PageSize": 40}
        )
        for quota in page["Quotas"]
    ]
    names = {quota["QuotaName"]: quota for quota in listed}
    assert len(names) == len(listed) > 100  # every instance type once, over several pages
    large = names["ml.m5.large for endpoint usage"]
    assert large["Value"] == 3.0 and large["QuotaCode"].startswith("L-")
    assert quotas.get_service_quota(ServiceCode="sagemaker", QuotaCode=large["QuotaCode"])["Quota"] == large
    defaults = quotas.list_aws_default_service_quotas(ServiceCode="sagemaker", MaxResults=100)
    assert len(defaults["Quotas"]) == 100 and "NextToken" in defaults
    with pytest.raises(ClientError, match="NoSuchResourceException"):
        quotas.get_service_quota(ServiceCode="sagemaker", QuotaCode="L-00000000")
    with pytest.raises(ClientError, match="ValidationException"):  # the model's bounds, before moto
        quotas.list_service_quotas(ServiceCode="sagemaker", MaxResults=101)
    assert quotas.list_aws_default_service_quotas(ServiceCode="vpc")["Quotas"]  # moto's own


# --- 8. tags -----------------------------------------------------------------------------------------


def test_tags(aws) -> None:
    create_config(aws.sagemaker, "tagged", Tags=[{"Key": "team", "Value": "ml"}, {"Key": "tier", "Value": "1"}])
    arn = f"{ARN}:endpoint-config/tagged"
    aws.sagemaker.add_tags(ResourceArn=arn, Tags=[{"Key": "team", "Value": "ops"}, {"Key": "cost", "Value": "42"}])
    tags = {t["Key"]: t["Value"] for t in aws.sagemaker.list_tags(ResourceArn=arn)["Tags"]}
    assert tags == {"team": "ops", "tier": "1", "cost": "42"}
    aws.sagemaker.delete_tags(ResourceArn=arn, TagKeys=["tier", "absent"])
    assert {t["Key"] for t in aws.sagemaker.list_tags(ResourceArn=arn)["Tags"]} == {"team", "cost"}
    aws.sagemaker.add_tags(ResourceArn=arn, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(48)])
    code, message = error_of(aws.sagemaker.add_tags, ResourceArn=arn, Tags=[{"Key": "one-more", "Value": "v"}])
    assert code == "ValidationException" and "at most 50" in message
    assert len(aws.sagemaker.list_tags(ResourceArn=arn)["Tags"]) == 50
    missing = f"{ARN}:endpoint/nope"
    assert error_of(aws.sagemaker.list_tags, ResourceArn=missing)[1] == f'Could not find endpoint "{missing}".'
    in_service(aws, Tags=[{"Key": "team", "Value": "ml"}])
    assert aws.sagemaker.list_tags(ResourceArn=f"{ARN}:endpoint/ep")["Tags"] == [{"Key": "team", "Value": "ml"}]
