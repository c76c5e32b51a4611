"""Each field group of the seed pages, end to end through the engine: create, no-op preview and
refresh (normalisation round-trips what SageMaker returns), a blue/green update per deployment
type, destroy."""

from __future__ import annotations

from typing import Any

from sagemaker_hosting.testing import client, create_models, make_project

PROGRAM = """
import pulumi
from sagemaker_hosting import Endpoint, EndpointConfig

config = pulumi.Config()
count = config.require_int("instances")

def variant(name, model, weight=None, **extra):
    spec = {"variant_name": name, "model_name": model, "instance_type": "ml.m5.large", "initial_instance_count": count}
    if weight is not None:
        spec["initial_variant_weight"] = weight
    return {**spec, **extra}

configs = {
    # Two models, weights 2:1 as in the seed page.
    "weighted": EndpointConfig("weighted",
        production_variants=[variant("a", "model-a", 2), variant("b", "model-b", 1)]),
    "serverless": EndpointConfig("serverless", production_variants=[
        {"variant_name": "main", "model_name": "model-a",
         "serverless_config": {"memory_size_in_mb": 2048, "max_concurrency": 5 + count}}]),
    "async": EndpointConfig("async", production_variants=[variant("main", "model-a")],
        async_inference_config={"ClientConfig": {"MaxConcurrentInvocationsPerInstance": 4},
                                "OutputConfig": {"S3OutputPath": "s3://models/async/"}}),
    "capture": EndpointConfig("capture", production_variants=[variant("main", "model-a")],
        data_capture_config={"enable_capture": True, "initial_sampling_percentage": 50,
                             "destination_s3_uri": "s3://models/capture",
                             "capture_options": [{"capture_mode": "Input"}, {"capture_mode": "Output"}],
                             "capture_content_type_header": {"json_content_types": ["application/json"]}}),
    "explainer": EndpointConfig("explainer", production_variants=[variant("main", "model-a")],
        explainer_config={"clarify_explainer_config": {
            "enable_explanations": "`true`",
            "inference_config": {"content_template": '{"features":$features}'},
            "shap_config": {"shap_baseline_config": {"mime_type": "text/csv", "shap_baseline": "1,2,3"},
                            "number_of_samples": 100, "use_logit": False, "seed": 7}}}),
    "shadow": EndpointConfig("shadow", production_variants=[variant("live", "model-a")],
        shadow_production_variants=[variant("shadow", "model-b")]),
    "kms": EndpointConfig("kms", production_variants=[variant("main", "model-a")],
        kms_key_id="arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
    "network": EndpointConfig("network", production_variants=[variant("main", "model-a")],
        execution_role_arn="arn:aws:iam::123456789012:role/endpoint",
        vpc_config={"security_group_ids": ["sg-0123456789abcdef0"], "subnets": ["subnet-0123", "subnet-4567"]},
        enable_network_isolation=True,
        metrics_config={"enable_enhanced_metrics": True, "metric_publish_frequency_in_seconds": 60}),
    # Members botocore 1.44 added: accelerator partitions, prefix-aware routing, detailed
    # observability, the cross-Region traffic cap; 1.44.18's tracing.
    "newest": EndpointConfig("newest", production_variants=[variant("main", "model-a",
            instance_type="ml.g7.12xlarge",
            accelerator_partition_layouts=[{"accelerator_partition_types": ["mig-3g.40gb", "mig-4g.40gb"]}],
            routing_config={"routing_strategy": "PREFIX_AWARE",
                            "prefix_aware_routing_config": {"prefix_length": 2048, "concurrency_threshold": 8}})],
        metrics_config={"enable_enhanced_metrics": True, "enable_detailed_observability": True},
        cross_region_traffic_config={"max_invocations_per_second_per_instance": 10,
                                     "max_cross_region_percent_per_endpoint": 20},
        tracing_config={"enable_tracing": True, "initial_sampling_percentage": 10,
                        "large_payload_delivery_s3_uri": "s3://models/traces", "kms_key_id": "alias/traces"}),
}

size = {"type": "INSTANCE_COUNT", "value": 1}
deployments = {
    "canary": {"blue_green_update_policy": {"traffic_routing_configuration": {
        "type": "CANARY", "canary_size": size, "wait_interval_in_seconds": 60}, "termination_wait_in_seconds": 30}},
    "linear": {"blue_green_update_policy": {"traffic_routing_configuration": {
        "type": "LINEAR", "linear_step_size": {"type": "CAPACITY_PERCENT", "value": 50},
        "wait_interval_in_seconds": 60}}},
    "rolling": {"rolling_update_policy": {"maximum_batch_size": size, "wait_interval_in_seconds": 60}},
}
for group, endpoint_config in configs.items():
    endpoint = Endpoint(group, endpoint_config_name=endpoint_config.name, tags={"group": group})
    pulumi.export(group, endpoint.name)
for kind, deployment in deployments.items():
    endpoint_config = EndpointConfig(kind, production_variants=[variant("main", "model-a")])
    endpoint = Endpoint(kind, endpoint_config_name=endpoint_config.name, deployment_config=deployment)
    pulumi.export(kind, endpoint.name)
"""


def test_field_groups(tmp_path, emulator) -> None:
    emulator.reset()
    create_models(emulator, "model-a", "model-b")
    project = make_project(tmp_path, emulator, PROGRAM)
    sagemaker = client(emulator, "sagemaker")

    project.set_config(instances="2")
    project.up()
    names = project.outputs()

    def described_config(group: str) -> Any:
        endpoint = sagemaker.describe_endpoint(EndpointName=names[group])
        assert endpoint["EndpointStatus"] == "InService"
        return sagemaker.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])

    weights = {v["VariantName"]: v["InitialVariantWeight"] for v in described_config("weighted")["ProductionVariants"]}
    assert weights == {"a": 2.0, "b": 1.0}
    assert described_config("serverless")["ProductionVariants"][0]["ServerlessConfig"]["MemorySizeInMB"] == 2048
    assert described_config("async")["AsyncInferenceConfig"]["OutputConfig"]["S3OutputPath"] == "s3://models/async/"
    assert described_config("capture")["DataCaptureConfig"]["InitialSamplingPercentage"] == 50
    shap = described_config("explainer")["ExplainerConfig"]["ClarifyExplainerConfig"]["ShapConfig"]
    assert shap["ShapBaselineConfig"]["ShapBaseline"] == "1,2,3"
    assert described_config("shadow")["ShadowProductionVariants"][0]["VariantName"] == "shadow"
    assert described_config("kms")["KmsKeyId"].endswith("1234567890ab")
    network = described_config("network")
    assert network["ExecutionRoleArn"].endswith(":role/endpoint") and network["EnableNetworkIsolation"] is True
    assert network["VpcConfig"] == {
        "SecurityGroupIds": ["sg-0123456789abcdef0"],
        "Subnets": ["subnet-0123", "subnet-4567"],
    }
    assert network["MetricsConfig"] == {"EnableEnhancedMetrics": True, "MetricPublishFrequencyInSeconds": 60}
    newest = described_config("newest")
    assert newest["CrossRegionTrafficConfig"] == {
        "MaxInvocationsPerSecondPerInstance": 10,
        "MaxCrossRegionPercentPerEndpoint": 20,
    }
    assert newest["MetricsConfig"]["EnableDetailedObservability"] is True
    tracing = {
        "EnableTracing": True,
        "InitialSamplingPercentage": 10,
        "LargePayloadDeliveryS3Uri": "s3://models/traces",
        "KmsKeyId": "alias/traces",
    }
    assert newest["TracingConfig"] == tracing
    assert sagemaker.describe_endpoint(EndpointName=names["newest"])["TracingConfig"] == tracing
    variant = newest["ProductionVariants"][0]
    assert variant["AcceleratorPartitionLayouts"] == [{"AcceleratorPartitionTypes": ["mig-3g.40gb", "mig-4g.40gb"]}]
    assert variant["RoutingConfig"]["PrefixAwareRoutingConfig"] == {"PrefixLength": 2048, "ConcurrencyThreshold": 8}

    # What SageMaker filled in or reordered never shows as a change.
    project.preview(expect_no_changes=True)
    project.refresh(expect_no_changes=True)

    # A change to every config: each endpoint moves blue/green per its deployment type.
    emulator.clear_calls()
    project.set_config(instances="3")
    project.up()
    calls = [c["action"] for c in emulator.calls()]
    assert (
        calls.count("CreateEndpointConfig")
        == calls.count("UpdateEndpoint")
        == calls.count("DeleteEndpointConfig")
        == 12
    )
    for kind in ("canary", "linear", "rolling"):
        endpoint = sagemaker.describe_endpoint(EndpointName=names[kind])
        assert endpoint["EndpointStatus"] == "InService"
        assert endpoint["ProductionVariants"][0]["CurrentInstanceCount"] == 3
        policy = "RollingUpdatePolicy" if kind == "rolling" else "BlueGreenUpdatePolicy"
        assert policy in endpoint["LastDeploymentConfig"]
    stages = {event.get("stage") for event in emulator.events()}
    assert "Baking" in str(stages)  # canary/linear/rolling steps baked

    project.destroy()
    assert sagemaker.list_endpoints()["Endpoints"] == []
    assert sagemaker.list_endpoint_configs()["EndpointConfigs"] == []
