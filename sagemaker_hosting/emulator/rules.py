"""The documented rules of CreateEndpoint, UpdateEndpoint and UpdateEndpointWeightsAndCapacities
that the service model cannot express (pure).

SageMaker documents these refusals in the Developer Guide but not their error codes or wording: each
is answered as ValidationException (what SageMaker answers for every other refused request) with
the emulator's own message, which is not AWS's. Where a page is unclear the emulator accepts.

The rules and their sources are `hosting_rules`' table, shared with the provider's preview checks
(`in_place`): one table, not an independent oracle, since a second copy of a documented rule would be
the same logic free to drift (the reason is in `hosting_rules`). This module applies them to fleets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sagemaker_hosting import cross_field, hosting_rules
from sagemaker_hosting.emulator.resources import (
    Fleet,
    HostingError,
    Variant,
    instance_counts,
    model_containers,
    validation_error,
)
from sagemaker_hosting.emulator.states import Endpoint


def is_serverless(variant: Variant) -> bool:
    return "ServerlessConfig" in variant.spec


def is_inf1(variant: Variant) -> bool:
    """Whether a variant runs on Inf1 (Inferentia) instances."""
    return hosting_rules.is_inf1(variant.spec.get("InstanceType"))


def check_serverless_one_way(live: Fleet | None, target: Fleet) -> None:
    """Refuse an UpdateEndpoint from an instance-based endpoint to a serverless config
    (`hosting_rules.SERVERLESS_ONE_WAY`). Serverless to instance-based is allowed."""
    if live is None or not hosting_rules.refuses_serverless_move(
        any(map(is_serverless, live.production)), any(map(is_serverless, target.production))
    ):
        return
    raise validation_error(
        f'Cannot update an instance-based endpoint to serverless endpoint configuration "{target.config_name}": '
        "updating a real-time endpoint to a serverless one is not supported. Create a new endpoint instead."
    )


def check_feature_exclusions(target: Fleet, models: Mapping[str, Mapping[str, Any]]) -> None:
    """The features an endpoint's config may not combine: with a shadow variant, with serverless, with tracing."""
    check_shadow_exclusions(target, models)
    check_serverless_exclusions(target, models)
    check_tracing_exclusions(target, models)


def check_fixed_layouts(live: Fleet | None, target: Fleet) -> None:
    """Refuse an UpdateEndpoint that changes the accelerator partition layouts of a variant the
    endpoint runs (`hosting_rules.FIXED_PARTITION_LAYOUT`: "You can't change the layout of a running
    endpoint. To use a different layout, create a new endpoint.")."""
    running = (
        {variant.name: variant.spec.get("AcceleratorPartitionLayouts") for variant in live.production} if live else {}
    )
    for variant in target.production:
        layouts = variant.spec.get("AcceleratorPartitionLayouts")
        if variant.name in running and hosting_rules.changes_layout(running[variant.name], layouts):
            raise validation_error(
                f'Variant "{variant.name}" of endpoint configuration "{target.config_name}" has another accelerator '
                "partition layout than the endpoint runs: the layout of a running endpoint cannot be changed. "
                "Create a new endpoint instead."
            )


def check_shadow_exclusions(target: Fleet, models: Mapping[str, Mapping[str, Any]]) -> None:
    """Refuse CreateEndpoint / UpdateEndpoint to a config with a shadow variant when the endpoint
    uses a feature shadow tests exclude (`hosting_rules.SHADOW_EXCLUSIONS`): serverless inference,
    asynchronous inference, Marketplace containers, multiple-container
    endpoints, multi-model endpoints, Inf1 instances, Elastic Inference. The page names the endpoint,
    not the config, so CreateEndpointConfig accepts such a config (never stricter than AWS); the
    endpoint that would use it is refused. Marketplace containers cannot be told apart from other
    model packages here and are not checked."""
    if not target.shadow:
        return
    variants = [*target.production, *target.shadow]
    features: list[str] = []
    if any(map(is_serverless, variants)):
        features.append(hosting_rules.SERVERLESS_INFERENCE)
    if "AsyncInferenceConfig" in target.config:
        features.append(hosting_rules.ASYNCHRONOUS_INFERENCE)
    containers = [model_containers(model) for name, model in models.items()]
    if any(len(found) > 1 for found in containers):
        features.append(hosting_rules.MULTI_CONTAINER_MODEL)
    if any(container.get("Mode") == "MultiModel" for found in containers for container in found):
        features.append(hosting_rules.MULTI_MODEL_ENDPOINT)
    if any(map(is_inf1, variants)):
        features.append(hosting_rules.INF1_INSTANCES)
    if any(v.spec.get("AcceleratorType") for v in variants):
        features.append(hosting_rules.ELASTIC_INFERENCE)
    if features:
        raise validation_error(
            f'Endpoint configuration "{target.config_name}" has a shadow variant, which cannot be used with '
            f"{', '.join(features)}."
        )


def check_serverless_exclusions(target: Fleet, models: Mapping[str, Mapping[str, Any]]) -> None:
    """Refuse CreateEndpoint / UpdateEndpoint to a serverless config that uses a feature Serverless
    Inference does not support (`hosting_rules.SERVERLESS_EXCLUSIONS`): multiple production variants,
    data capture, and models with a VPC configuration, network isolation, a private Docker registry,
    multi-model mode or several containers (an inference pipeline). Like the shadow exclusions, the
    page speaks of the endpoint, so CreateEndpointConfig accepts such a config and the endpoint that
    would use it is refused (an assumption about where: the page says "not supported", not when)."""
    if not any(map(is_serverless, target.production)):
        return
    features = hosting_rules.serverless_config_exclusions(
        len(target.production), hosting_rules.captures_data(target.config.get("DataCaptureConfig"))
    )
    serverless_models = [models[v.spec["ModelName"]] for v in target.production if v.spec.get("ModelName") in models]
    containers = [container for model in serverless_models for container in model_containers(model)]
    for feature, used in (
        (hosting_rules.VPC_CONFIGURATION, any(model.get("VpcConfig") for model in serverless_models)),
        (hosting_rules.NETWORK_ISOLATION, any(model.get("EnableNetworkIsolation") for model in serverless_models)),
        (
            hosting_rules.PRIVATE_REGISTRY,
            any((c.get("ImageConfig") or {}).get("RepositoryAccessMode") == "Vpc" for c in containers),
        ),
        (hosting_rules.MULTI_MODEL_ENDPOINT, any(c.get("Mode") == "MultiModel" for c in containers)),
        (hosting_rules.MULTI_CONTAINER_MODEL, any(len(model_containers(m)) > 1 for m in serverless_models)),
    ):
        if used:
            features.append(feature)
    if features:
        raise validation_error(
            f'Endpoint configuration "{target.config_name}" is serverless, which cannot be used with '
            f"{', '.join(features)}."
        )


def check_tracing_exclusions(target: Fleet, models: Mapping[str, Mapping[str, Any]]) -> None:
    """Refuse CreateEndpoint / UpdateEndpoint to a config that enables tracing when a model it serves
    is multi-model (`hosting_rules.TRACING_EXCLUSIONS`). A config names its models only, so
    CreateEndpointConfig cannot tell (the config's own exclusions are `cross_field`'s): the endpoint
    that would run it is refused, as for shadow tests."""
    tracing = target.config.get("TracingConfig") or {}
    if tracing.get("EnableTracing") is not True:
        return
    multi_model = sorted(
        name for name, model in models.items() if any(c.get("Mode") == "MultiModel" for c in model_containers(model))
    )
    if multi_model:
        raise validation_error(
            f'Endpoint configuration "{target.config_name}" enables tracing (TracingConfig), which cannot be used '
            f"with a multi-model endpoint (model(s) [{', '.join(multi_model)}] in MultiModel mode)."
        )


def guarded_deployment(
    deployment: Mapping[str, Any] | None, live: Fleet | None, target: Fleet
) -> dict[str, Any] | None:
    """The DeploymentConfig an UpdateEndpoint runs with, after the documented rules of deployment
    guardrails (`hosting_rules`):

    - SAME_VARIANT_NAMES: refused otherwise.
    - INF1_FALLBACK: endpoints with Inf1 instances (and Marketplace containers, which the emulator
      cannot tell) update as without a DeploymentConfig (provision, shift all, terminate; no bake,
      no alarms).
    - ROLLING_EXCLUSIONS: refused. (The page does not say whether these fail or fall back; the
      emulator reads "exclusions" as refusals, as the project's reference does -- an assumption,
      not a documented fact.)
    - CAPACITY_SIZES: INSTANCE_COUNT sizes within their documented share of the new fleet's
      instances when it has one instance-based variant (with several, which variant's count applies
      is not documented, and the emulator accepts).
    """
    policies = dict(deployment or {})
    if not live or not (policies.get("BlueGreenUpdatePolicy") or policies.get("RollingUpdatePolicy")):
        return dict(deployment) if deployment else None
    old_names = sorted(v.name for v in live.production)
    new_names = sorted(v.name for v in target.production)
    if not hosting_rules.same_variant_names(old_names, new_names):
        raise validation_error(
            f'Endpoint configuration "{target.config_name}" has production variant(s) [{", ".join(new_names)}] '
            f"but the endpoint runs [{', '.join(old_names)}]: a blue/green or rolling deployment needs the same "
            "variant names. Update without a DeploymentConfig or create a new endpoint."
        )
    if any(map(is_inf1, [*live.production, *live.shadow, *target.production, *target.shadow])):
        return None
    if policies.get("RollingUpdatePolicy"):
        for fleet in (live, target):
            kind = hosting_rules.rolling_exclusion(any(map(is_serverless, fleet.production)), len(fleet.production))
            if kind is not None:
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
    scalable target (`registered`): `hosting_rules.SCALED_INSTANCE_TYPE` ("If you are trying to update
    the endpoint by calling the UpdateEndpoint API, the call fails"); a change of model alone is allowed. Our own
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


def check_quota(endpoints: Iterable[Endpoint], region: str, quota: int, requested: Mapping[str, int]) -> None:
    """ResourceLimitExceeded when `requested` more instances of a type would exceed the account's
    `quota` per instance type (0: none): every endpoint's running fleet counts, and so does a green
    fleet being deployed (blue/green runs both until the old one is terminated)."""
    if not quota:
        return
    used: dict[str, int] = {}
    for endpoint in endpoints:
        if endpoint.region != region:
            continue
        fleets = [endpoint.live, endpoint.task.target if endpoint.task else None]
        for fleet in filter(None, fleets):
            for instance_type, count in instance_counts(fleet).items():
                used[instance_type] = used.get(instance_type, 0) + count
    for instance_type, delta in sorted(requested.items()):
        if used.get(instance_type, 0) + delta > quota:
            raise HostingError(
                "ResourceLimitExceeded",
                f"The account-level service limit '{hosting_rules.endpoint_quota_name(instance_type)}' is {quota} "
                "Instances, "
                f"with current utilization of {used.get(instance_type, 0)} Instances and a request delta of "
                f"{delta} Instances. Please use AWS Service Quotas to request an increase for this quota. If AWS "
                "Service Quotas is not available, contact AWS support to request an increase for this quota.",
            )
