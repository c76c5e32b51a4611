"""The example platform program (examples/platform) under `sagemaker_hosting.mocks`: its wiring.

The pulumi-aws provider plugin is not run here (nor anywhere in this project's tests): these tests
check what the program hands the engine, resource by resource.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import botocore.session
import pytest

from sagemaker_hosting.mocks import ENDPOINT_CONFIG_TYPE, ENDPOINT_TYPE, STACK_IDENTITY_TYPE, SageMakerMocks
from tests.examples.mocked import MockedRun, run_under_mocks

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:pulumi_aws")  # its deprecated types, on import

PROGRAM = Path(__file__).resolve().parents[2] / "examples" / "platform" / "__main__.py"
PROJECT, STACK = "sagemaker-platform", "dev"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/serve:1"
CONFIG = {f"{PROJECT}:image": IMAGE, f"{PROJECT}:team": "search", f"{PROJECT}:maxInstances": "6"}
TAGS = {"team": "search", "project": PROJECT, "stack": STACK}

ROLE, POLICY, ATTACHMENT = (
    "aws:iam/role:Role",
    "aws:iam/policy:Policy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
)
BUCKET, OBJECT = "aws:s3/bucket:Bucket", "aws:s3/bucketObjectv2:BucketObjectv2"
MODEL, ALARM = "aws:sagemaker/model:Model", "aws:cloudwatch/metricAlarm:MetricAlarm"
TARGET, SCALING_POLICY = "aws:appautoscaling/target:Target", "aws:appautoscaling/policy:Policy"
UNTAGGABLE = {ATTACHMENT, SCALING_POLICY, STACK_IDENTITY_TYPE}
"""Types that take no tags (the stack's identity is no AWS resource)."""


def load_program() -> ModuleType:
    """Execute the example's __main__.py as a fresh module (Pulumi's way: mocks set, then import)."""
    spec = importlib.util.spec_from_file_location("platform_program", PROGRAM)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def no_aws_client() -> Iterator[None]:
    """Nothing in the program may create an AWS client (under mocks, no provider runs)."""
    with pytest.MonkeyPatch.context() as patch:

        def refuse(*args: object, **kwargs: object) -> None:
            raise AssertionError("an AWS client was created under mocks")

        patch.setattr(botocore.session.Session, "create_client", refuse)
        yield


@pytest.fixture(scope="module")
def run(no_aws_client: None) -> MockedRun:
    """The example run once for this module: with its image, a team and an upper bound set in config."""
    return run_under_mocks(load_program, SageMakerMocks(), project=PROJECT, stack=STACK, config=CONFIG)


def test_the_model_is_made_of_the_role_and_the_artifact(run):
    role, obj, model = run.state(ROLE, "execution-role"), run.state(OBJECT, "model-artifact"), run.state(MODEL, "model")
    assert json.loads(role["assumeRolePolicy"])["Statement"] == [
        {"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ]
    attachment, policy = run.state(ATTACHMENT, "hosting"), run.state(POLICY, "hosting")
    assert (attachment["role"], attachment["policyArn"]) == (role["name"], policy["arn"])
    assert {"Effect": "Allow", "Action": "s3:GetObject", "Resource": obj["arn"]} in json.loads(policy["policy"])[
        "Statement"
    ]
    assert obj["bucket"] == run.state(BUCKET, "artifacts")["bucket"]
    assert model["executionRoleArn"] == role["arn"]
    assert model["primaryContainer"] == {"image": IMAGE, "modelDataUrl": f"s3://{obj['bucket']}/{obj['key']}"}


def test_the_config_serves_the_models_name(run):
    (variant,) = run.state(ENDPOINT_CONFIG_TYPE, "main")["production_variants"]
    assert variant["model_name"] == run.state(MODEL, "model")["name"]


def test_the_endpoint_runs_the_config(run):
    config, endpoint = run.state(ENDPOINT_CONFIG_TYPE, "main"), run.state(ENDPOINT_TYPE, "main")
    assert endpoint["endpoint_config_name"] == config["name"]
    assert endpoint["name"] == f"{PROJECT}-{STACK}"
    (live,) = endpoint["production_variants"]
    assert live["variant_name"] == config["production_variants"][0]["variant_name"]
    assert [image["specified_image"] for image in live["deployed_images"]] == [IMAGE]


def test_the_scalable_target_is_the_endpoints_variant(run):
    endpoint, target = run.state(ENDPOINT_TYPE, "main"), run.state(TARGET, "variant")
    (variant,) = run.state(ENDPOINT_CONFIG_TYPE, "main")["production_variants"]
    assert target["resourceId"] == f"endpoint/{endpoint['name']}/variant/{variant['variant_name']}"
    assert (target["serviceNamespace"], target["scalableDimension"]) == (
        "sagemaker",
        "sagemaker:variant:DesiredInstanceCount",
    )
    assert (target["minCapacity"], target["maxCapacity"]) == (variant["initial_instance_count"], 6)
    policy = run.state(SCALING_POLICY, "invocations-per-instance")
    assert {key: policy[key] for key in ("resourceId", "serviceNamespace", "scalableDimension")} == {
        key: target[key] for key in ("resourceId", "serviceNamespace", "scalableDimension")
    }
    tracking = policy["targetTrackingScalingPolicyConfiguration"]
    assert policy["policyType"] == "TargetTrackingScaling"
    assert tracking["predefinedMetricSpecification"]["predefinedMetricType"] == "SageMakerVariantInvocationsPerInstance"


def test_the_rollback_alarm_is_the_one_created_and_watches_the_endpoint(run):
    endpoint, alarm = run.state(ENDPOINT_TYPE, "main"), run.state(ALARM, "endpoint-5xx")
    assert endpoint["deployment_config"]["auto_rollback_configuration"] == {"alarms": [{"alarm_name": alarm["name"]}]}
    (variant,) = endpoint["production_variants"]
    assert alarm["dimensions"] == {"EndpointName": endpoint["name"], "VariantName": variant["variant_name"]}
    assert (alarm["namespace"], alarm["metricName"]) == ("AWS/SageMaker", "Invocation5XXErrors")


def test_tags_flow_to_every_resource(run):
    types = {type_ for type_, _ in run.states}
    assert types == {ROLE, POLICY, ATTACHMENT, BUCKET, OBJECT, MODEL, ALARM, TARGET, SCALING_POLICY} | {
        ENDPOINT_CONFIG_TYPE,
        ENDPOINT_TYPE,
        STACK_IDENTITY_TYPE,
    }
    untagged = {key for key, state in run.states.items() if state.get("tags") != TAGS and key[0] not in UNTAGGABLE}
    assert not untagged


def test_each_resource_waits_for_what_it_needs(run):
    """The engine creates a resource after those it depends on: AWS refuses a scalable target for a
    variant that does not exist yet, and an endpoint's containers need the role's permissions."""
    assert (ENDPOINT_TYPE, "main") in run.dependencies[TARGET, "variant"]
    assert (TARGET, "variant") in run.dependencies[SCALING_POLICY, "invocations-per-instance"]
    assert (ATTACHMENT, "hosting") in run.dependencies[MODEL, "model"]
    assert {(ENDPOINT_CONFIG_TYPE, "main"), (ALARM, "endpoint-5xx")} <= run.dependencies[ENDPOINT_TYPE, "main"]
