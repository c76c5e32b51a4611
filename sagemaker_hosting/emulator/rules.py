"""The documented rules of CreateEndpoint, UpdateEndpoint and UpdateEndpointWeightsAndCapacities
that the service model cannot express (pure).

SageMaker documents these refusals in the Developer Guide but not their error codes or wording: each
is answered as ValidationException (what SageMaker answers for every other refused request) with
the emulator's own message, which is not AWS's. Where a page is unclear the emulator accepts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sagemaker_hosting import cross_field
from sagemaker_hosting.emulator.resources import Fleet, Variant, model_containers, validation_error

GUARDRAILS_EXCLUSIONS = "https://docs.aws.amazon.com/sagemaker/latest/dg/deployment-guardrails-exclusions.html"
SERVERLESS_UPDATE = "https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints-update.html"
SHADOW_EXCLUSIONS = "https://docs.aws.amazon.com/sagemaker/latest/dg/shadow-tests-exclusions.html"


def is_serverless(variant: Variant) -> bool:
    return "ServerlessConfig" in variant.spec


def is_inf1(variant: Variant) -> bool:
    """Whether a variant runs on Inf1 (Inferentia) instances, e.g. "ml.inf1.xlarge"."""
    return str(variant.spec.get("InstanceType", "")).startswith("ml.inf1.")


def check_serverless_one_way(live: Fleet | None, target: Fleet) -> None:
    """Refuse an UpdateEndpoint from an instance-based endpoint to a serverless config. Developer
    Guide, "Update a serverless endpoint" (SERVERLESS_UPDATE): "Updating a real-time inference
    endpoint to an on-demand serverless endpoint or a serverless endpoint with Provisioned
    Concurrency is currently not supported." Serverless to instance-based is allowed."""
    if live is None or any(map(is_serverless, live.production)) or not any(map(is_serverless, target.production)):
        return
    raise validation_error(
        f'Cannot update an instance-based endpoint to serverless endpoint configuration "{target.config_name}": '
        "updating a real-time endpoint to a serverless one is not supported. Create a new endpoint instead."
    )


def check_shadow_exclusions(target: Fleet, models: Mapping[str, Mapping[str, Any]]) -> None:
    """Refuse CreateEndpoint / UpdateEndpoint to a config with a shadow variant when the endpoint
    uses a feature shadow tests exclude. Developer Guide, "Exclusions" of shadow tests
    (SHADOW_EXCLUSIONS): "If your endpoint uses any of the following features you cannot use shadow
    tests on your endpoint, and your request to setup shadow tests will lead to validation errors":
    serverless inference, asynchronous inference, Marketplace containers, multiple-container
    endpoints, multi-model endpoints, Inf1 instances, Elastic Inference. The page names the endpoint,
    not the config, so CreateEndpointConfig accepts such a config (never stricter than AWS); the
    endpoint that would use it is refused. Marketplace containers cannot be told apart from other
    model packages here and are not checked."""
    if not target.shadow:
        return
    variants = [*target.production, *target.shadow]
    features: list[str] = []
    if any(map(is_serverless, variants)):
        features.append("serverless inference")
    if "AsyncInferenceConfig" in target.config:
        features.append("asynchronous inference")
    containers = [model_containers(model) for name, model in models.items()]
    if any(len(found) > 1 for found in containers):
        features.append("a multi-container model")
    if any(container.get("Mode") == "MultiModel" for found in containers for container in found):
        features.append("a multi-model endpoint")
    if any(map(is_inf1, variants)):
        features.append("Inf1 instances")
    if any(v.spec.get("AcceleratorType") for v in variants):
        features.append("Elastic Inference")
    if features:
        raise validation_error(
            f'Endpoint configuration "{target.config_name}" has a shadow variant, which cannot be used with '
            f"{', '.join(features)}."
        )


def guarded_deployment(
    deployment: Mapping[str, Any] | None, live: Fleet | None, target: Fleet
) -> dict[str, Any] | None:
    """The DeploymentConfig an UpdateEndpoint runs with, after the documented rules of deployment
    guardrails (Developer Guide, "Exclusions", GUARDRAILS_EXCLUSIONS):

    - "When doing a blue/green or rolling deployment, your new endpoint configuration must have the
      same variant name as the old endpoint configuration": refused otherwise.
    - Endpoints with Inf1 instances (and Marketplace containers, which the emulator cannot tell)
      "will fall back to using a blue/green deployment with all at once traffic shifting and no final
      baking period": the update runs as one without a DeploymentConfig (provision, shift all,
      terminate; no bake, no alarms).
    - "If you're doing a rolling deployment, there are additional feature-based exclusions:
      Serverless inference endpoints, Multi-variant inference endpoints": refused. (The page does not
      say whether these fail or fall back; the emulator reads "exclusions" as refusals, as the
      project's reference does -- an assumption, not a documented fact.)
    - INSTANCE_COUNT sizes within their documented share of "the variant's total instance count"
      (botocore's documentation of CanarySize, LinearStepSize, MaximumBatchSize: at most 50 %,
      10-50 %, 5-50 %), checked against the new fleet when it has one instance-based variant (with
      several, which variant's count applies is not documented, and the emulator accepts).
    """
    policies = dict(deployment or {})
    if not live or not (policies.get("BlueGreenUpdatePolicy") or policies.get("RollingUpdatePolicy")):
        return dict(deployment) if deployment else None
    old_names = sorted(v.name for v in live.production)
    new_names = sorted(v.name for v in target.production)
    if old_names != new_names:
        raise validation_error(
            f'Endpoint configuration "{target.config_name}" has production variant(s) [{", ".join(new_names)}] '
            f"but the endpoint runs [{', '.join(old_names)}]: a blue/green or rolling deployment needs the same "
            "variant names. Update without a DeploymentConfig or create a new endpoint."
        )
    if any(map(is_inf1, [*live.production, *live.shadow, *target.production, *target.shadow])):
        return None
    if policies.get("RollingUpdatePolicy"):
        for fleet in (live, target):
            if any(map(is_serverless, fleet.production)) or len(fleet.production) > 1:
                kind = "serverless" if any(map(is_serverless, fleet.production)) else "multi-variant"
                raise validation_error(
                    f'A rolling deployment cannot update a {kind} endpoint (configuration "{fleet.config_name}"). '
                    "Use a BlueGreenUpdatePolicy instead."
                )
    if len(target.production) == 1 and target.production[0].instances:
        count = target.production[0].instances
        broken = [  # only the sizes: the rest of the DeploymentConfig was checked when it was given
            v
            for v in cross_field.endpoint_violations({"DeploymentConfig": policies}, instance_count=count)
            if v.path[-1:] == ("Value",)
        ]
        if broken:
            raise validation_error("; ".join(f"{v.rule}." for v in broken))
    return policies


def instance_type_changes(live: Fleet, config: Mapping[str, Any]) -> list[str]:
    """The production variants whose instance type a config changes, by name."""
    old = {variant.name: variant.spec.get("InstanceType") for variant in live.production}
    new = {spec["VariantName"]: spec.get("InstanceType") for spec in config["ProductionVariants"]}
    return sorted(name for name in old.keys() & new.keys() if old[name] != new[name])


def check_scaled_instance_types(endpoint_arn: str, changed: list[str], registered: set[str]) -> None:
    """Refuse an update that changes the instance type (`changed`) of a variant registered as a
    scalable target (`registered`). Developer Guide, "Update endpoints that use auto scaling"
    (endpoint-scaling-update): "If the update would change the instance type for any model that is a
    target for auto scaling, the update fails ... If you are trying to update the endpoint by calling
    the UpdateEndpoint API, the call fails", except that a change of model alone is allowed. Our own
    message names the variant and the procedure."""
    scaled = [name for name in changed if name in registered]
    if scaled:
        raise validation_error(
            f'Cannot update the instance type of variant(s) [{", ".join(scaled)}] of endpoint "{endpoint_arn}": '
            "they are registered as Application Auto Scaling scalable targets. Delete their scaling policies "
            "and deregister them (DeregisterScalableTarget) before the update, and register them again after it."
        )


def desired_capacity(
    endpoint_arn: str, live: Fleet, wanted: list[Mapping[str, Any]]
) -> dict[str, tuple[int | None, float]]:
    """The DesiredInstanceCount and DesiredWeight per variant an UpdateEndpointWeightsAndCapacities
    asks for, after its rules: each variant named once and present in the endpoint."""
    variants = {v.name: v for v in live.production}
    names = [item["VariantName"] for item in wanted]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        # A variant named twice is refused by moto with this wording (moto/sagemaker/models.py,
        # update_endpoint_weights_and_capacities); AWS documents neither the refusal nor its
        # wording, so both are moto's.
        raise validation_error(f'The variant name "{repeated[0]}" was non-unique within the request.')
    unknown = [name for name in names if name not in variants]
    if unknown:
        raise validation_error(
            f'The variant name(s) [{", ".join(unknown)}] is/are not present in endpoint "{endpoint_arn}".'
        )
    # A request with neither DesiredWeight nor DesiredInstanceCount, or a DesiredInstanceCount for a
    # serverless variant, is accepted: AWS documents no refusal of either (API reference,
    # DesiredWeightAndCapacity: every member but VariantName optional), and the emulator is never
    # stricter than AWS. A serverless variant keeps no instance count.
    return {
        item["VariantName"]: (
            None
            if is_serverless(variants[item["VariantName"]])
            else item.get("DesiredInstanceCount", variants[item["VariantName"]].instances),
            float(item.get("DesiredWeight", variants[item["VariantName"]].weight)),
        )
        for item in wanted
    }
