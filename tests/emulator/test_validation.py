"""Request validation as the service does it, without a server: the model's constraints in AWS's
message shape, and the cross-field rules, each case a row."""

from __future__ import annotations

from typing import Any

import pytest

from sagemaker_hosting.emulator.validation import violation


def variant(name: str = "primary", **extra: Any) -> dict[str, Any]:
    return {"VariantName": name, "ModelName": "m", "InstanceType": "ml.m5.large", "InitialInstanceCount": 1, **extra}


def config(*variants: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"EndpointConfigName": "cfg", "ProductionVariants": list(variants) or [variant()], **extra}


def blue_green(kind: str, **routing: Any) -> dict[str, Any]:
    return {
        "BlueGreenUpdatePolicy": {"TrafficRoutingConfiguration": {"Type": kind, "WaitIntervalInSeconds": 60, **routing}}
    }


ROLLING = {
    "RollingUpdatePolicy": {"MaximumBatchSize": {"Type": "INSTANCE_COUNT", "Value": 1}, "WaitIntervalInSeconds": 0}
}
PERCENT = {"Type": "CAPACITY_PERCENT"}


@pytest.mark.parametrize(
    ("operation", "request_", "expected"),
    [
        # the model's constraints, every violation in one message
        ("DescribeEndpoint", {"EndpointName": "my-endpoint-1"}, None),
        (
            "DescribeEndpoint",
            {"EndpointName": "-bad"},
            "1 validation error detected: Value '-bad' at 'endpointName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: ",
        ),
        ("DescribeEndpoint", {"EndpointName": "a" * 64}, "2 validation errors detected: "),
        ("DescribeEndpoint", {}, "Value null at 'endpointName' failed to satisfy constraint: Member must not be null"),
        (
            "CreateEndpointConfig",
            config(variant(InitialInstanceCount=0)),
            "Value '0' at 'productionVariants.1.member.initialInstanceCount' failed to satisfy constraint: "
            "Member must have value greater than or equal to 1",
        ),
        (
            "CreateEndpointConfig",
            config(variant(InstanceType="ml.huge")),
            "at 'productionVariants.1.member.instanceType' failed to satisfy constraint: "
            "Member must satisfy enum value set: [",
        ),
        (
            "CreateEndpointConfig",
            config(*[variant(f"v{i}") for i in range(11)]),
            "at 'productionVariants' failed to satisfy constraint: Member must have length less than or equal to 10",
        ),
        (
            "CreateEndpointConfig",
            config(variant(VolumeSizeInGB=513)),
            "Member must have value less than or equal to 512",
        ),
        (
            "CreateEndpoint",
            {
                "EndpointName": "ep",
                "EndpointConfigName": "cfg",
                "DeploymentConfig": {
                    **ROLLING,
                    "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": f"a{i}"} for i in range(11)]},
                },
            },
            "at 'deploymentConfig.autoRollbackConfiguration.alarms' failed to satisfy constraint: "
            "Member must have length less than or equal to 10",
        ),
        (
            "AddTags",
            {
                "ResourceArn": "arn:aws:sagemaker:us-east-1:123456789012:endpoint/ep",
                "Tags": [{"Key": f"k{i}", "Value": ""} for i in range(51)],
            },
            "at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50",
        ),
        ("DescribeEndpoint", {"EndpointName": "ep", "FromANewerModel": 1}, None),  # unknown members pass
        # cross-field rules (schema's, tested there): wired to each operation, the rules named
        ("CreateEndpointConfig", config(variant("a"), ShadowProductionVariants=[variant("s")]), None),
        (
            "CreateEndpointConfig",
            config(variant("a"), variant("b"), ShadowProductionVariants=[variant("a")]),
            "ShadowProductionVariants needs exactly one production variant and one shadow variant (got 2 and 1).; "
            "VariantName must be unique",
        ),
        ("CreateEndpointConfig", config(variant(InstanceType="ml.m5d.large"), KmsKeyId="alias/key"), "KmsKeyId"),
        (
            "CreateEndpoint",
            {
                "EndpointName": "ep",
                "EndpointConfigName": "c",
                "DeploymentConfig": {**blue_green("ALL_AT_ONCE"), **ROLLING},
            },
            "BlueGreenUpdatePolicy and RollingUpdatePolicy are mutually exclusive.",
        ),
        ("CreateEndpoint", {"EndpointName": "ep", "EndpointConfigName": "c", "DeploymentConfig": ROLLING}, None),
        (
            "UpdateEndpoint",
            {
                "EndpointName": "ep",
                "EndpointConfigName": "c",
                "DeploymentConfig": blue_green("CANARY", CanarySize={**PERCENT, "Value": 60}),
            },
            "CanarySize must be 1-50 % of capacity (got 60).",
        ),
        (
            "UpdateEndpoint",
            {
                "EndpointName": "ep",
                "EndpointConfigName": "c",
                "RetainDeploymentConfig": True,
                "DeploymentConfig": ROLLING,
            },
            "RetainDeploymentConfig reuses the last deployment configuration",
        ),
        ("UpdateEndpoint", {"EndpointName": "ep", "EndpointConfigName": "c", "RetainDeploymentConfig": True}, None),
    ],
)
def test_violation(operation, request_, expected) -> None:
    found = violation(operation, request_)
    if expected is None:
        assert found is None
    else:
        assert found is not None and expected in found
