"""Request validation as SageMaker does it: the service model's constraints (through
`sagemaker_hosting.schema`, the project's one validator) and the cross-field rules the model
cannot express, which the service documents in the API reference. Pure: no state, no I/O.

The messages of the cross-field rules are not published; they are written in the service's style
(one ValidationException, the member and the rule named).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sagemaker_hosting import schema

Request = Mapping[str, Any]


def model_violations(operation: str, request: Request) -> str | None:
    """The service's "N validation errors detected: ..." message for the model's constraints, or
    None. Unknown members are let through: a newer SDK may send members this model lacks."""
    violations = [
        v
        for v in schema.constraint_violations(schema.input_shape(operation), request)
        if v.rule != schema.UNKNOWN_MEMBER
    ]
    return schema.aws_validation_message(violations) if violations else None


def _variants(request: Request) -> list[Mapping[str, Any]]:
    return [*request.get("ProductionVariants", []), *request.get("ShadowProductionVariants", [])]


def endpoint_config_rules(request: Request) -> str | None:
    """CreateEndpointConfig: variant names unique across production and shadow variants; shadow
    variants only as one production plus one shadow; serverless variants without instances and
    instance variants with a type and a count; no KmsKeyId with local-storage instance types."""
    names = [v["VariantName"] for v in _variants(request)]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        return f"Variant names must be unique within an endpoint configuration; duplicated: {duplicates}."
    shadows = request.get("ShadowProductionVariants") or []
    if shadows and (len(request["ProductionVariants"]) != 1 or len(shadows) != 1):
        return (
            "ShadowProductionVariants require exactly one production variant and one shadow variant; "
            f"got {len(request['ProductionVariants'])} production and {len(shadows)} shadow variants."
        )
    for variant in _variants(request):
        name = variant["VariantName"]
        if "ServerlessConfig" in variant:
            if "InstanceType" in variant or "InitialInstanceCount" in variant:
                return f'Variant "{name}" has a ServerlessConfig: it cannot set InstanceType or InitialInstanceCount.'
        elif "InstanceType" not in variant or "InitialInstanceCount" not in variant:
            return f'Variant "{name}" needs a ServerlessConfig or both InstanceType and InitialInstanceCount.'
    if request.get("KmsKeyId"):
        types = {v.get("InstanceType", "") for v in _variants(request)}
        local = sorted(t for t in types if schema.has_local_storage(t))
        if local:
            return (
                f"KmsKeyId is not supported for instance types with local storage {local}: "
                "their volumes are encrypted by the instance's hardware module."
            )
    return None


def _size_rule(size: Mapping[str, Any] | None, what: str, low: int, high: int) -> str | None:
    if size and size["Type"] == "CAPACITY_PERCENT" and not low <= size["Value"] <= high:
        return f"{what} of type CAPACITY_PERCENT must be between {low} and {high}; got {size['Value']}."
    return None


def deployment_rules(deployment: Mapping[str, Any] | None) -> str | None:
    """DeploymentConfig: blue/green and rolling are mutually exclusive; canary needs CanarySize
    (at most 50 %), linear needs LinearStepSize (10-50 %); rolling batches of 5-50 %."""
    if not deployment:
        return None
    blue_green, rolling = deployment.get("BlueGreenUpdatePolicy"), deployment.get("RollingUpdatePolicy")
    if blue_green and rolling:
        return "DeploymentConfig cannot have both BlueGreenUpdatePolicy and RollingUpdatePolicy."
    if blue_green:
        routing = blue_green["TrafficRoutingConfiguration"]
        kind = routing["Type"]
        for member, needed_by in (("CanarySize", "CANARY"), ("LinearStepSize", "LINEAR")):
            if (member in routing) != (kind == needed_by):
                verb = "requires" if kind == needed_by else "does not take"
                return f"TrafficRoutingConfiguration of Type {kind} {verb} {member}."
        return _size_rule(routing.get("CanarySize"), "CanarySize", 1, 50) or _size_rule(
            routing.get("LinearStepSize"), "LinearStepSize", 10, 50
        )
    if rolling:
        return _size_rule(rolling["MaximumBatchSize"], "MaximumBatchSize", 5, 50) or _size_rule(
            rolling.get("RollbackMaximumBatchSize"), "RollbackMaximumBatchSize", 5, 100
        )
    return None


def create_endpoint_rules(request: Request) -> str | None:
    return deployment_rules(request.get("DeploymentConfig"))


def update_endpoint_rules(request: Request) -> str | None:
    """UpdateEndpoint: ExcludeRetainedVariantProperties only with RetainAllVariantProperties;
    RetainDeploymentConfig and a new DeploymentConfig are exclusive."""
    if request.get("ExcludeRetainedVariantProperties") and not request.get("RetainAllVariantProperties"):
        return "ExcludeRetainedVariantProperties can only be given with RetainAllVariantProperties set to true."
    if request.get("RetainDeploymentConfig") and request.get("DeploymentConfig"):
        return "RetainDeploymentConfig cannot be true when a DeploymentConfig is given."
    return deployment_rules(request.get("DeploymentConfig"))


CROSS_FIELD_RULES: Mapping[str, Callable[[Request], str | None]] = {
    "CreateEndpointConfig": endpoint_config_rules,
    "CreateEndpoint": create_endpoint_rules,
    "UpdateEndpoint": update_endpoint_rules,
}


def violation(operation: str, request: Request) -> str | None:
    """The ValidationException message for `request`, or None when the service would accept it:
    model constraints first (all of them in one message), then the first cross-field rule broken."""
    found = model_violations(operation, request)
    if found is None and operation in CROSS_FIELD_RULES:
        found = CROSS_FIELD_RULES[operation](request)
    return found
