"""The emulator refuses what AWS documents as refused, and falls back where AWS documents a fallback
(issue 10 item 1), through boto3 against the emulator's server. Each test's docstring cites its
source. Where AWS documents a refusal but not its wording, only the error code is asserted (and the
emulator's message is its own); where the documentation is unclear, the emulator accepts, and the
test shows that too."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sagemaker_hosting.emulator.testing import Emulator
from tests.emulator.helpers import FAST, IMAGE, ROLE, Aws, create_config, in_service, variant
from tests.emulator.test_protocol_fuzz import post

PENDING = ("Creating", "Updating", "RollingBack", "Deleting")
SERVERLESS = {"MemorySizeInMB": 2048, "MaxConcurrency": 5}


def error_of(call: Any, **request: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call(**request)
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def refused(call: Any, **request: Any) -> str:
    """The message of a ValidationException `call` answers."""
    code, message = error_of(call, **request)
    assert code == "ValidationException", message
    return message


def wait(aws: Aws, name: str = "ep") -> dict[str, Any]:
    aws.sagemaker.get_waiter("endpoint_in_service").wait(EndpointName=name, WaiterConfig={"Delay": 0.1})
    described: dict[str, Any] = aws.sagemaker.describe_endpoint(EndpointName=name)
    return described


def blue_green(kind: str = "ALL_AT_ONCE", **routing: Any) -> dict[str, Any]:
    return {
        "BlueGreenUpdatePolicy": {
            "TrafficRoutingConfiguration": {"Type": kind, "WaitIntervalInSeconds": 100, **routing},
            "TerminationWaitInSeconds": 100,
        }
    }


def rolling(batch: dict[str, Any]) -> dict[str, Any]:
    return {"RollingUpdatePolicy": {"MaximumBatchSize": batch, "WaitIntervalInSeconds": 100}}


def count(value: int) -> dict[str, Any]:
    return {"Type": "INSTANCE_COUNT", "Value": value}


def serverless_config(aws: Aws, name: str, variant_name: str = "primary") -> None:
    aws.sagemaker.create_endpoint_config(
        EndpointConfigName=name,
        ProductionVariants=[{"VariantName": variant_name, "ModelName": "good", "ServerlessConfig": SERVERLESS}],
    )


def stages(emulator: Emulator, since: float) -> list[str]:
    return [e["stage"] for e in emulator.events() if "stage" in e and e["time"] >= since]


# --- deployment guardrails -------------------------------------------------------------------------


@pytest.mark.parametrize("deployment", [blue_green(), rolling(count(1))], ids=["blue-green", "rolling"])
def test_guardrails_need_the_same_variant_names(aws, deployment) -> None:
    """Developer Guide, deployment guardrails "Exclusions" (deployment-guardrails-exclusions): "When
    doing a blue/green or rolling deployment, your new endpoint configuration must have the same
    variant name as the old endpoint configuration." The page gives no wording. Without a
    DeploymentConfig the update is allowed."""
    in_service(aws)
    aws.sagemaker.create_endpoint_config(
        EndpointConfigName="renamed", ProductionVariants=[variant("better", name="other", instances=2)]
    )
    request = {"EndpointName": "ep", "EndpointConfigName": "renamed"}
    assert "same variant names" in refused(aws.sagemaker.update_endpoint, **request, DeploymentConfig=deployment)
    assert aws.sagemaker.describe_endpoint(EndpointName="ep")["EndpointStatus"] == "InService"
    aws.sagemaker.update_endpoint(**request)
    described = wait(aws)
    assert described["EndpointConfigName"] == "renamed"
    assert described["ProductionVariants"][0]["VariantName"] == "other"


def test_no_rolling_update_of_a_multi_variant_endpoint(aws) -> None:
    """Developer Guide, deployment guardrails "Exclusions": "If you're doing a rolling deployment,
    there are additional feature-based exclusions: ... Multi-variant inference endpoints." A
    blue/green deployment of the same endpoint is allowed."""
    two = [variant(name="a", instances=2), variant(name="b", instances=2)]
    aws.sagemaker.create_endpoint_config(EndpointConfigName="blue", ProductionVariants=two)
    aws.sagemaker.create_endpoint(EndpointName="ep", EndpointConfigName="blue")
    wait(aws)
    aws.sagemaker.create_endpoint_config(
        EndpointConfigName="green", ProductionVariants=[{**v, "ModelName": "better"} for v in two]
    )
    request = {"EndpointName": "ep", "EndpointConfigName": "green"}
    assert "multi-variant" in refused(aws.sagemaker.update_endpoint, **request, DeploymentConfig=rolling(count(1)))
    aws.sagemaker.update_endpoint(**request, DeploymentConfig=blue_green())
    assert wait(aws)["EndpointConfigName"] == "green"


def test_no_rolling_update_of_a_serverless_endpoint(aws) -> None:
    """Developer Guide, deployment guardrails "Exclusions": "If you're doing a rolling deployment,
    there are additional feature-based exclusions: Serverless inference endpoints ..."."""
    serverless_config(aws, "blue")
    aws.sagemaker.create_endpoint(EndpointName="ep", EndpointConfigName="blue")
    wait(aws)
    serverless_config(aws, "green")
    message = refused(
        aws.sagemaker.update_endpoint,
        EndpointName="ep",
        EndpointConfigName="green",
        DeploymentConfig=rolling({"Type": "CAPACITY_PERCENT", "Value": 50}),
    )
    assert "serverless" in message


@pytest.mark.parametrize(
    ("deployment", "allowed"),
    [
        (blue_green("CANARY", CanarySize=count(1)), True),  # 1 of 2 instances: 50 %
        (blue_green("CANARY", CanarySize=count(2)), False),  # 100 %
        (blue_green("LINEAR", LinearStepSize=count(1)), True),
        (blue_green("LINEAR", LinearStepSize=count(2)), False),
        (rolling(count(1)), True),
        (rolling(count(2)), False),
    ],
    ids=["canary-1", "canary-2", "linear-1", "linear-2", "rolling-1", "rolling-2"],
)
def test_instance_count_sizes_within_their_share_of_the_fleet(aws, deployment, allowed) -> None:
    """botocore's model documentation (API reference, TrafficRoutingConfig and RollingUpdatePolicy):
    CanarySize "must be less than or equal to 50% of the variant's total instance count",
    LinearStepSize "must be 10-50% of the variant's total instance count", MaximumBatchSize "must be
    between 5% to 50% of the variant's total instance count" -- in the INSTANCE_COUNT form too,
    measured against the new fleet (2 instances here)."""
    in_service(aws)
    create_config(aws.sagemaker, "green", "better", instances=2)
    request = {"EndpointName": "ep", "EndpointConfigName": "green", "DeploymentConfig": deployment}
    if allowed:
        aws.sagemaker.update_endpoint(**request)
        assert wait(aws)["EndpointConfigName"] == "green"
    else:
        assert "of the variant's 2 instances (got 2)" in refused(aws.sagemaker.update_endpoint, **request)


def test_inf1_falls_back_to_all_at_once_without_a_final_bake(aws, emulator) -> None:
    """Developer Guide, deployment guardrails "Exclusions": with "Endpoints that use Inf1
    (Inferentia-based) instances ... your endpoint will fall back to using a blue/green deployment
    with all at once traffic shifting and no final baking period" -- a fallback, not a refusal. The
    canary requested here runs as one shift, with no Baking stage; the endpoint still reports the
    DeploymentConfig it was given."""
    aws.sagemaker.create_endpoint_config(
        EndpointConfigName="blue", ProductionVariants=[variant(instances=2, InstanceType="ml.inf1.xlarge")]
    )
    aws.sagemaker.create_endpoint(EndpointName="ep", EndpointConfigName="blue")
    since = wait(aws)["LastModifiedTime"].timestamp()
    aws.sagemaker.create_endpoint_config(
        EndpointConfigName="green", ProductionVariants=[variant("better", instances=2, InstanceType="ml.inf1.xlarge")]
    )
    canary = blue_green("CANARY", CanarySize={"Type": "CAPACITY_PERCENT", "Value": 50})
    aws.sagemaker.update_endpoint(EndpointName="ep", EndpointConfigName="green", DeploymentConfig=canary)
    described = wait(aws)
    assert described["EndpointConfigName"] == "green" and described["LastDeploymentConfig"] == canary
    assert stages(emulator, since) == ["Creating", "ActivatingTraffic", "Deleting"]


def test_other_instance_types_keep_their_guardrails(aws, emulator) -> None:
    """The same canary on ml.m5 instances bakes after each shift (the fallback is Inf1's only)."""
    in_service(aws)
    since = aws.sagemaker.describe_endpoint(EndpointName="ep")["LastModifiedTime"].timestamp()
    create_config(aws.sagemaker, "green", "better", instances=2)
    canary = blue_green("CANARY", CanarySize={"Type": "CAPACITY_PERCENT", "Value": 50})
    aws.sagemaker.update_endpoint(EndpointName="ep", EndpointConfigName="green", DeploymentConfig=canary)
    wait(aws)
    assert stages(emulator, since) == [
        "Creating",
        "ActivatingTraffic",
        "Baking",
        "ActivatingTraffic",
        "Baking",
        "Deleting",
    ]


# --- serverless ------------------------------------------------------------------------------------


def test_instance_based_to_serverless_is_refused_the_reverse_allowed(aws) -> None:
    """Developer Guide, "Update a serverless endpoint" (serverless-endpoints-update): "Updating a
    real-time inference endpoint to an on-demand serverless endpoint or a serverless endpoint with
    Provisioned Concurrency is currently not supported." No wording is documented. A serverless
    endpoint can be updated to an instance-based config."""
    in_service(aws)
    serverless_config(aws, "serverless")
    refused(aws.sagemaker.update_endpoint, EndpointName="ep", EndpointConfigName="serverless")
    assert aws.sagemaker.describe_endpoint(EndpointName="ep")["EndpointConfigName"] == "blue"

    aws.sagemaker.create_endpoint(EndpointName="sls", EndpointConfigName="serverless")
    wait(aws, "sls")
    aws.sagemaker.update_endpoint(EndpointName="sls", EndpointConfigName="blue")
    described = wait(aws, "sls")
    assert described["EndpointConfigName"] == "blue"
    assert described["ProductionVariants"][0]["CurrentInstanceCount"] == 1


def test_the_partition_layout_of_a_running_endpoint_is_fixed(aws) -> None:
    """botocore's service model, ProductionVariant AcceleratorPartitionLayouts: "You can't change the
    layout of a running endpoint. To use a different layout, create a new endpoint." The same
    profiles in another order are another layout; a new model on the same layout deploys (negative
    control), and a new endpoint may take the other layout."""

    def layout(*profiles: str) -> dict[str, Any]:
        return variant(
            "good",
            InstanceType="ml.g7.12xlarge",
            AcceleratorPartitionLayouts=[{"AcceleratorPartitionTypes": list(profiles)}],
        )

    split = ("mig-3g.40gb", "mig-4g.40gb")
    aws.sagemaker.create_endpoint_config(EndpointConfigName="split", ProductionVariants=[layout(*split)])
    aws.sagemaker.create_endpoint(EndpointName="ep", EndpointConfigName="split")
    wait(aws)
    for name, profiles in (("reordered", split[::-1]), ("whole", ())):
        new = layout(*profiles) if profiles else variant("good", InstanceType="ml.g7.12xlarge")
        aws.sagemaker.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[new])
        message = refused(aws.sagemaker.update_endpoint, EndpointName="ep", EndpointConfigName=name)
        assert "layout of a running endpoint cannot be changed" in message
    aws.sagemaker.create_endpoint_config(
        EndpointConfigName="same", ProductionVariants=[{**layout(*split), "ModelName": "better"}]
    )
    aws.sagemaker.update_endpoint(EndpointName="ep", EndpointConfigName="same")
    assert wait(aws)["EndpointConfigName"] == "same"
    aws.sagemaker.create_endpoint(EndpointName="other", EndpointConfigName="reordered")
    assert wait(aws, "other")["EndpointStatus"] == "InService"


# --- shadow variants -------------------------------------------------------------------------------


def shadow_config(aws: Aws, name: str, model: str = "good", **extra: Any) -> None:
    aws.sagemaker.create_endpoint_config(
        EndpointConfigName=name,
        ProductionVariants=[variant(model)],
        ShadowProductionVariants=[variant("better", name="shadow")],
        **extra,
    )


def test_shadow_variants_exclude_asynchronous_inference(aws) -> None:
    """Developer Guide, shadow tests "Exclusions" (shadow-tests-exclusions): "If your endpoint uses any
    of the following features you cannot use shadow tests on your endpoint, and your request to setup
    shadow tests will lead to validation errors: Serverless inference, Asynchronous inference, ...,
    Multiple-containers endpoints, Multi-model endpoints, Endpoints that use Inf1 ...". The page
    speaks of the endpoint, so the config is accepted and CreateEndpoint / UpdateEndpoint refused."""
    async_config = {"OutputConfig": {"S3OutputPath": "s3://models/async"}}
    shadow_config(aws, "shadow-async", AsyncInferenceConfig=async_config)
    message = refused(aws.sagemaker.create_endpoint, EndpointName="new", EndpointConfigName="shadow-async")
    assert "asynchronous inference" in message
    in_service(aws)
    refused(aws.sagemaker.update_endpoint, EndpointName="ep", EndpointConfigName="shadow-async")
    shadow_config(aws, "shadow")  # without it, the same shadow test is fine
    aws.sagemaker.update_endpoint(EndpointName="ep", EndpointConfigName="shadow")
    assert wait(aws)["ShadowProductionVariants"][0]["VariantName"] == "shadow"


def test_shadow_variants_exclude_serverless(aws) -> None:
    """Developer Guide, shadow tests "Exclusions": "Serverless inference"."""
    aws.sagemaker.create_endpoint_config(
        EndpointConfigName="shadow-serverless",
        ProductionVariants=[{"VariantName": "primary", "ModelName": "good", "ServerlessConfig": SERVERLESS}],
        ShadowProductionVariants=[variant("better", name="shadow")],
    )
    message = refused(aws.sagemaker.create_endpoint, EndpointName="ep", EndpointConfigName="shadow-serverless")
    assert "serverless inference" in message


def test_shadow_variants_exclude_multi_container_models(aws) -> None:
    """Developer Guide, shadow tests "Exclusions": "Multiple-containers endpoints"."""
    containers = [{"Image": IMAGE, "ContainerHostname": f"c{i}"} for i in (1, 2)]
    aws.sagemaker.create_model(ModelName="pipeline", ExecutionRoleArn=ROLE, Containers=containers)
    shadow_config(aws, "shadow-pipeline", model="pipeline")
    message = refused(aws.sagemaker.create_endpoint, EndpointName="ep", EndpointConfigName="shadow-pipeline")
    assert "multi-container" in message


@pytest.mark.parametrize(
    ("production", "shadow", "feature"),
    [
        ({"InstanceType": "ml.inf1.xlarge"}, {}, "Inf1 instances"),
        ({}, {"InstanceType": "ml.inf1.xlarge"}, "Inf1 instances"),
        ({"AcceleratorType": "ml.eia2.medium"}, {}, "Elastic Inference"),
    ],
    ids=["inf1-production", "inf1-shadow", "elastic-inference"],
)
def test_shadow_variants_exclude_inf1_and_elastic_inference(aws, production, shadow, feature) -> None:
    """Developer Guide, shadow tests "Exclusions": "Endpoints that use Inf1 (Inferentia-based)
    instances", "Endpoints that use Amazon Elastic Inference", in either variant."""
    aws.sagemaker.create_endpoint_config(
        EndpointConfigName="shadow-excluded",
        ProductionVariants=[variant("good", **production)],
        ShadowProductionVariants=[variant("better", name="shadow", **shadow)],
    )
    message = refused(aws.sagemaker.create_endpoint, EndpointName="ep", EndpointConfigName="shadow-excluded")
    assert feature in message


def test_shadow_variants_exclude_multi_model_endpoints(aws) -> None:
    """Developer Guide, shadow tests "Exclusions": "Multi-model endpoints"."""
    container = {"Image": IMAGE, "Mode": "MultiModel", "ModelDataUrl": "s3://models/"}
    aws.sagemaker.create_model(ModelName="many", ExecutionRoleArn=ROLE, PrimaryContainer=container)
    shadow_config(aws, "shadow-many", model="many")
    message = refused(aws.sagemaker.create_endpoint, EndpointName="ep", EndpointConfigName="shadow-many")
    assert "multi-model" in message


# --- serverless feature exclusions -----------------------------------------------------------------

SERVERLESS_VARIANT = {"VariantName": "primary", "ModelName": "good", "ServerlessConfig": SERVERLESS}
VPC = {"SecurityGroupIds": ["sg-0123456789abcdef0"], "Subnets": ["subnet-0123456789abcdef0"]}


@pytest.mark.parametrize(
    ("config", "model", "feature"),
    [
        (
            {"ProductionVariants": [SERVERLESS_VARIANT, {**SERVERLESS_VARIANT, "VariantName": "second"}]},
            {},
            "multiple production variants",
        ),
        (
            {
                "DataCaptureConfig": {
                    "InitialSamplingPercentage": 10,
                    "DestinationS3Uri": "s3://models/capture",
                    "CaptureOptions": [{"CaptureMode": "Input"}],
                }
            },
            {},
            "data capture",
        ),
        ({}, {"VpcConfig": VPC}, "VPC configuration"),
        ({}, {"EnableNetworkIsolation": True}, "network isolation"),
        (
            {},
            {"PrimaryContainer": {"Image": IMAGE, "ImageConfig": {"RepositoryAccessMode": "Vpc"}}, "VpcConfig": VPC},
            "a private Docker registry",
        ),
        (
            {},
            {"PrimaryContainer": {"Image": IMAGE, "Mode": "MultiModel", "ModelDataUrl": "s3://models/"}},
            "a multi-model endpoint",
        ),
        (
            {},
            {"Containers": [{"Image": IMAGE, "ContainerHostname": f"c{i}"} for i in (1, 2)]},
            "a multi-container model",
        ),
    ],
    ids=["variants", "data-capture", "vpc", "network-isolation", "private-registry", "multi-model", "pipeline"],
)
def test_serverless_excludes_features_of_real_time_inference(aws, config, model, feature) -> None:
    """Developer Guide, Serverless Inference, "Feature exclusions" (serverless-endpoints): "Some of
    the features currently available for SageMaker AI Real-time Inference are not supported for
    Serverless Inference, including GPUs, AWS marketplace model packages, private Docker registries,
    Multi-Model Endpoints, VPC configuration, network isolation, data capture, multiple production
    variants, Model Monitor, and inference pipelines." No wording is documented; as with shadow
    tests, the config is accepted and CreateEndpoint / UpdateEndpoint refused. The same endpoint
    without the feature is created (negative control)."""
    if model:
        default = {"PrimaryContainer": {"Image": IMAGE, "ModelDataUrl": "s3://models/good/model.tar.gz"}}
        request = model if {"PrimaryContainer", "Containers"} & set(model) else {**default, **model}
        aws.sagemaker.create_model(ModelName="special", ExecutionRoleArn=ROLE, **request)
    chosen = {**SERVERLESS_VARIANT, "ModelName": "special" if model else "good"}
    aws.sagemaker.create_endpoint_config(EndpointConfigName="excluded", **{"ProductionVariants": [chosen], **config})
    message = refused(aws.sagemaker.create_endpoint, EndpointName="ep", EndpointConfigName="excluded")
    assert "is serverless, which cannot be used with" in message and feature in message
    serverless_config(aws, "plain")
    aws.sagemaker.create_endpoint(EndpointName="ep", EndpointConfigName="plain")
    wait(aws)
    refused(aws.sagemaker.update_endpoint, EndpointName="ep", EndpointConfigName="excluded")
    assert wait(aws)["EndpointConfigName"] == "plain"


def test_serverless_data_capture_turned_off_is_accepted(aws) -> None:
    """The feature excluded is data capture: a DataCaptureConfig with EnableCapture false captures
    nothing, and the emulator accepts it (never stricter than the page)."""
    capture = {
        "EnableCapture": False,
        "InitialSamplingPercentage": 10,
        "DestinationS3Uri": "s3://models/capture",
        "CaptureOptions": [{"CaptureMode": "Input"}],
    }
    aws.sagemaker.create_endpoint_config(
        EndpointConfigName="off", ProductionVariants=[SERVERLESS_VARIANT], DataCaptureConfig=capture
    )
    aws.sagemaker.create_endpoint(EndpointName="ep", EndpointConfigName="off")
    assert wait(aws)["EndpointStatus"] == "InService"


# --- tracing ---------------------------------------------------------------------------------------

TRACING = {"EnableTracing": True, "InitialSamplingPercentage": 20}


def test_tracing_is_stored_echoed_and_excludes_what_the_model_says(aws) -> None:
    """TracingConfig (botocore 1.44.18's model): DescribeEndpointConfig and DescribeEndpoint return
    it; "You can't enable tracing together with data capture (EnableCapture set to True in
    DataCaptureConfig), with serverless variants, or with multi-model endpoints"; "If you specify a
    key, you also need to specify LargePayloadDeliveryS3Uri". The first two and the key are the
    config's own members, refused by CreateEndpointConfig; a multi-model model is refused on the
    endpoint (the config only names it), as shadow tests' exclusions are. Tracing switched off goes
    with all three."""
    create_config(aws.sagemaker, "traced", TracingConfig=TRACING)
    assert aws.sagemaker.describe_endpoint_config(EndpointConfigName="traced")["TracingConfig"] == TRACING
    aws.sagemaker.create_endpoint(EndpointName="ep", EndpointConfigName="traced")
    assert wait(aws)["TracingConfig"] == TRACING

    capture = {"InitialSamplingPercentage": 50, "DestinationS3Uri": "s3://models/capture",
               "CaptureOptions": [{"CaptureMode": "Input"}]}  # fmt: skip
    serverless = [{"VariantName": "primary", "ModelName": "good", "ServerlessConfig": SERVERLESS}]
    key_alone = {"EnableTracing": False, "InitialSamplingPercentage": 0, "KmsKeyId": "alias/k"}
    for config, message in (
        ({"TracingConfig": TRACING, "DataCaptureConfig": capture}, "EnableTracing cannot be true with data capture"),
        ({"TracingConfig": TRACING, "ProductionVariants": serverless}, "EnableTracing cannot be true with serverless"),
        ({"TracingConfig": key_alone}, "KmsKeyId needs LargePayloadDeliveryS3Uri"),
    ):
        request = {"EndpointConfigName": "refused", "ProductionVariants": [variant()], **config}
        assert message in refused(aws.raw.create_endpoint_config, **request)
    off = {"EnableTracing": False, "InitialSamplingPercentage": 0}
    create_config(aws.sagemaker, "capture-untraced", TracingConfig=off, DataCaptureConfig=capture)

    multi_model = {"Image": IMAGE, "Mode": "MultiModel", "ModelDataUrl": "s3://models/"}
    aws.sagemaker.create_model(ModelName="many", ExecutionRoleArn=ROLE, PrimaryContainer=multi_model)
    create_config(aws.sagemaker, "traced-many", model="many", TracingConfig=TRACING)
    message = refused(aws.sagemaker.create_endpoint, EndpointName="new", EndpointConfigName="traced-many")
    assert "multi-model" in message and "[many]" in message
    refused(aws.sagemaker.update_endpoint, EndpointName="ep", EndpointConfigName="traced-many")
    create_config(aws.sagemaker, "untraced-many", model="many", TracingConfig=off)
    aws.sagemaker.create_endpoint(EndpointName="new", EndpointConfigName="untraced-many")


# --- UpdateEndpointWeightsAndCapacities ------------------------------------------------------------


def test_weights_and_capacities_name_each_variant_once(aws) -> None:
    """A variant named twice in one UpdateEndpointWeightsAndCapacities is refused with the wording
    moto uses (moto/sagemaker/models.py); AWS's API reference documents neither the refusal nor a
    wording. Neither DesiredWeight nor DesiredInstanceCount, or a DesiredInstanceCount for a serverless
    variant, is accepted: the API reference (DesiredWeightAndCapacity) makes every member but
    VariantName optional and documents no refusal, and the emulator is never stricter than AWS."""
    in_service(aws)
    twice = [{"VariantName": "primary", "DesiredWeight": 1.0}, {"VariantName": "primary", "DesiredWeight": 2.0}]
    assert (
        refused(
            aws.sagemaker.update_endpoint_weights_and_capacities, EndpointName="ep", DesiredWeightsAndCapacities=twice
        )
        == 'The variant name "primary" was non-unique within the request.'
    )
    aws.sagemaker.update_endpoint_weights_and_capacities(
        EndpointName="ep", DesiredWeightsAndCapacities=[{"VariantName": "primary"}]
    )
    assert wait(aws)["ProductionVariants"][0]["CurrentInstanceCount"] == 1

    serverless_config(aws, "serverless")
    aws.sagemaker.create_endpoint(EndpointName="sls", EndpointConfigName="serverless")
    wait(aws, "sls")
    aws.sagemaker.update_endpoint_weights_and_capacities(
        EndpointName="sls", DesiredWeightsAndCapacities=[{"VariantName": "primary", "DesiredInstanceCount": 3}]
    )
    summary = wait(aws, "sls")["ProductionVariants"][0]
    assert "CurrentInstanceCount" not in summary and summary["CurrentServerlessConfig"] == SERVERLESS


def test_nan_weight_is_refused(aws) -> None:
    """NaN and infinite weights. botocore sends them as the strings "NaN" / "Infinity" (its
    JSONSerializer._handle_float, the JSON protocols' encoding of special floats); the emulator refuses
    such a weight with ValidationException ("Member must be of type number"; what AWS answers, code
    and wording, is not documented, and a weight that is not a number is meaningless). A bare `NaN`
    token is not JSON at all (RFC 8259, section 6: "Numeric values that cannot be represented in
    the grammar below (such as Infinity and NaN) are not permitted"), though Python's parser reads it: that body cannot
    be read, SerializationException as for any unreadable body."""
    in_service(aws)
    for weight in (float("nan"), float("inf")):
        code, _ = error_of(
            aws.raw.update_endpoint_weights_and_capacities,
            EndpointName="ep",
            DesiredWeightsAndCapacities=[{"VariantName": "primary", "DesiredWeight": weight}],
        )
        assert code == "ValidationException"
    for token in (b"NaN", b"Infinity", b"-Infinity"):
        body = b'{"EndpointName": "ep", "DesiredWeightsAndCapacities": [{"VariantName": "primary", "DesiredWeight": '
        status, answer = post(aws.url, "SageMaker.UpdateEndpointWeightsAndCapacities", body + token + b"}]}")
        assert (status, json.loads(answer)["__type"]) == (400, "SerializationException")
    assert aws.sagemaker.describe_endpoint(EndpointName="ep")["EndpointStatus"] == "InService"


def test_integers_beyond_their_width(aws) -> None:
    """The model's `integer` is a 32-bit signed integer (Smithy's simple types; botocore keeps the
    model's types): 2**31 instances cannot be read into it, so the request fails before validation
    (SerializationException; AWS documents no wording). 2**31 - 1 is read and then validated."""
    code, message = error_of(
        aws.raw.create_endpoint_config,
        EndpointConfigName="huge",
        ProductionVariants=[variant(instances=2**31)],
    )
    assert code == "SerializationException" and "productionVariants.1.member.initialInstanceCount" in message
    aws.sagemaker.create_endpoint_config(EndpointConfigName="large", ProductionVariants=[variant(instances=2**31 - 1)])
    assert aws.sagemaker.list_endpoint_configs(NameContains="huge")["EndpointConfigs"] == []


# --- tags ------------------------------------------------------------------------------------------


def test_tag_keys_are_not_reserved_and_unique(aws) -> None:
    """AWS's tagging rules ("Tagging AWS resources", which the model's Tag documentation refers to):
    keys beginning with `aws:` (any case) are reserved for AWS; and "Tag keys must be unique per
    resource" (the model's documentation of Tag.Key and AddTags), so one request cannot give a key
    twice. SageMaker documents no wording. A value may begin with `aws:`."""
    in_service(aws)
    endpoint_arn = aws.sagemaker.describe_endpoint(EndpointName="ep")["EndpointArn"]
    for tags in ([{"Key": "aws:team", "Value": "x"}], [{"Key": "AWS:Team", "Value": "x"}]):
        assert "reserved prefix" in refused(aws.sagemaker.add_tags, ResourceArn=endpoint_arn, Tags=tags)
        assert "reserved prefix" in refused(
            aws.sagemaker.create_model,
            ModelName="m",
            ExecutionRoleArn=ROLE,
            PrimaryContainer={"Image": IMAGE},
            Tags=tags,
        )
    twice = [{"Key": "team", "Value": "a"}, {"Key": "team", "Value": "b"}]
    assert "unique" in refused(aws.sagemaker.add_tags, ResourceArn=endpoint_arn, Tags=twice)
    assert "unique" in refused(
        aws.sagemaker.create_endpoint_config, EndpointConfigName="c", ProductionVariants=[variant()], Tags=twice
    )
    assert "unique" in refused(aws.sagemaker.create_endpoint, EndpointName="ep2", EndpointConfigName="blue", Tags=twice)
    assert aws.sagemaker.list_tags(ResourceArn=endpoint_arn)["Tags"] == []
    aws.sagemaker.add_tags(ResourceArn=endpoint_arn, Tags=[{"Key": "source", "Value": "aws:marketplace"}])
    assert aws.sagemaker.list_tags(ResourceArn=endpoint_arn)["Tags"] == [{"Key": "source", "Value": "aws:marketplace"}]


# --- what DescribeEndpoint shows -------------------------------------------------------------------


def test_failure_reason_from_the_moment_a_rollback_begins(aws, emulator) -> None:
    """Issue 10 item 7: FailureReason is in DescribeEndpoint while the endpoint rolls back, not
    only once it is back InService (the SDK's waiter reports it; AWS's DescribeEndpoint documents
    FailureReason as "If the status of the endpoint is Failed, or the status is InService but update
    operation fails, this provides the reason why it failed"). The endpoint stays Updating, back on
    its old config: RollingBack "only applies to an endpoint that has autoscaling enabled and is
    undergoing variant weight or capacity changes as part of an UpdateEndpointWeightsAndCapacities
    call" (DescribeEndpoint, EndpointStatus)."""
    emulator.settings(**{**FAST, "delete_seconds": 2.0})
    in_service(aws)
    create_config(aws.sagemaker, "broken-config", "broken")
    aws.sagemaker.update_endpoint(EndpointName="ep", EndpointConfigName="broken-config", DeploymentConfig=blue_green())
    deadline = time.monotonic() + 30
    described = aws.sagemaker.describe_endpoint(EndpointName="ep")
    while "FailureReason" not in described and time.monotonic() < deadline:
        time.sleep(0.05)
        described = aws.sagemaker.describe_endpoint(EndpointName="ep")
    assert (described["EndpointStatus"], described["EndpointConfigName"]) == ("Updating", "blue")
    assert "PendingDeploymentSummary" not in described
    assert "Failed to download model data" in described["FailureReason"]
    described = wait(aws)
    assert described["EndpointConfigName"] == "blue" and "Failed to download model data" in described["FailureReason"]


def test_data_capture_summary_has_a_kms_key_id(aws) -> None:
    """botocore's output shape DataCaptureConfigSummary lists KmsKeyId as required. What AWS returns
    when the config set none is undocumented; the emulator returns an empty string."""
    capture = {
        "InitialSamplingPercentage": 10,
        "DestinationS3Uri": "s3://models/capture",
        "CaptureOptions": [{"CaptureMode": "Input"}],
    }
    create_config(aws.sagemaker, "captured", DataCaptureConfig=capture)
    aws.sagemaker.create_endpoint(EndpointName="ep", EndpointConfigName="captured")
    assert wait(aws)["DataCaptureConfig"]["KmsKeyId"] == ""


def test_rules_cost_no_time(aws) -> None:
    """A refused update leaves no trace: the endpoint stays InService on its config at once."""
    in_service(aws)
    serverless_config(aws, "serverless")
    start = time.monotonic()
    refused(aws.sagemaker.update_endpoint, EndpointName="ep", EndpointConfigName="serverless")
    assert time.monotonic() - start < 5
    described = aws.sagemaker.describe_endpoint(EndpointName="ep")
    assert described["EndpointStatus"] == "InService" and "PendingDeploymentSummary" not in described
    assert described["EndpointStatus"] not in PENDING
