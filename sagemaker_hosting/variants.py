"""What an `Endpoint` learns of its config's variants, and how the facts travel from one to the other.

`EndpointConfig` records, for each of its production and shadow variants, what decides whether
SageMaker can put an endpoint on it (`in_place`), and an `Endpoint` carries those facts in its hidden
input `naming.CONFIG_VARIANTS_KEY`. Users write `Endpoint(endpoint_config_name=config.name)`, so the
facts travel on that value itself: `EndpointConfig.name` is a `ConfigName`, an `Output[str]` like any
other (same value, dependencies, secrecy) that also holds the facts, and `Endpoint` reads them from
the value it is given (`facts_of`). Nothing is kept beside the two resources (no registry keyed by
output objects), the user's API stays `config.name`, and a name from anywhere else (a plain string,
another resource's output, `config.name.apply(...)`) carries no facts: SageMaker checks it at `up`.
Imports no resource module, so the two resource files stand side by side on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from sagemaker_hosting import hosting_rules

__all__ = ["ConfigName", "config_facts", "facts_of", "instance_of", "shadow_facts", "variant_facts"]


class ConfigName(pulumi.Output[str]):
    """An `EndpointConfig`'s `name` output that carries the config's variant facts (`config_facts`)
    to an `Endpoint` put on it."""

    facts: dict[str, Any]
    """`config_facts` of the config: what the endpoint's hidden input `naming.CONFIG_VARIANTS_KEY` holds."""
    instance: pulumi.Output[str]
    """The config's instance id: what the endpoint's hidden input `naming.CONFIG_INSTANCE_KEY` holds."""

    @classmethod
    def of(cls, name: pulumi.Output[str], facts: dict[str, Any], instance: pulumi.Output[str]) -> ConfigName:
        """`name` itself, carrying `facts` and `instance`: it shares the output's state (value,
        dependencies, secrecy) rather than waiting on it, so it is resolved exactly when `name` is."""
        carrier = object.__new__(cls)
        carrier.__dict__.update(vars(name))
        carrier.facts = facts
        carrier.instance = instance
        return carrier


def config_facts(name: pulumi.Output[str], args: Mapping[str, Any], region: pulumi.Output[str]) -> dict[str, Any]:
    """The facts of a config named `name` in `region` with the arguments `args` (their shape: `in_place`)."""
    return {
        "config_name": name,
        "region": region,
        "variants": variant_facts(args.get("production_variants")),
        "shadow_variants": shadow_facts(args.get("shadow_production_variants")),
        "async_inference": _given(args.get("async_inference_config")),
        "data_capture": _capturing(args.get("data_capture_config")),
    }


def facts_of(endpoint_config_name: object) -> dict[str, Any] | None:
    """The variant facts that `endpoint_config_name` carries when it is an `EndpointConfig`'s `name`;
    None for anything else (a plain string, another resource's output)."""
    return endpoint_config_name.facts if isinstance(endpoint_config_name, ConfigName) else None


def instance_of(endpoint_config_name: object) -> pulumi.Output[str] | None:
    """The instance id of the config whose `name` `endpoint_config_name` is; None for anything else."""
    return endpoint_config_name.instance if isinstance(endpoint_config_name, ConfigName) else None


def _given(value: Any) -> Any:
    """Whether an input is given (an output: once it resolves)."""
    if isinstance(value, pulumi.Output):
        return value.apply(lambda resolved: resolved is not None)
    return value is not None


def _capturing(data_capture_config: Any) -> Any:
    """Whether a config captures data: a `data_capture_config` given without `enable_capture: false`
    (an output, or a value in it: once it resolves)."""
    if isinstance(data_capture_config, pulumi.Output):
        return data_capture_config.apply(lambda resolved: pulumi.Output.from_input(_capturing(resolved)))
    if not isinstance(data_capture_config, Mapping):
        return data_capture_config is not None
    enabled = data_capture_config.get("enable_capture", data_capture_config.get("EnableCapture"))
    if isinstance(enabled, pulumi.Output):
        return enabled.apply(lambda resolved: hosting_rules.captures_data({"EnableCapture": resolved}))
    return hosting_rules.captures_data({"EnableCapture": enabled})


def shadow_facts(shadow_variants: Any) -> Any:
    """`variant_facts` of the shadow variants; none given is an empty list (a known fact)."""
    if isinstance(shadow_variants, pulumi.Output):
        return shadow_variants.apply(lambda resolved: pulumi.Output.from_input(shadow_facts(resolved)))
    return [] if shadow_variants is None else variant_facts(shadow_variants)


def variant_facts(production_variants: Any) -> Any:
    """What decides whether SageMaker can put an endpoint on a config (`in_place`), per production
    or shadow variant: its name, whether it is serverless, and when given its instance type and
    initial count, its Elastic Inference accelerator and its accelerator partition layouts.
    Values may be outputs (unknown at preview, where the rules they feed are skipped); anything
    malformed is left to the config's own validation."""
    if isinstance(production_variants, pulumi.Output):
        return production_variants.apply(lambda resolved: pulumi.Output.from_input(variant_facts(resolved)))
    if not isinstance(production_variants, list | tuple):
        return None
    return [_one_variant(variant) for variant in production_variants]


def _one_variant(variant: Any) -> Any:
    if isinstance(variant, pulumi.Output):
        return variant.apply(lambda resolved: pulumi.Output.from_input(_one_variant(resolved)))
    if not isinstance(variant, Mapping):
        return None

    def member(snake: str, pascal: str) -> Any:
        return variant.get(snake, variant.get(pascal))

    facts = {
        "variant_name": member("variant_name", "VariantName"),
        "serverless": _given(member("serverless_config", "ServerlessConfig")),
    }
    for snake, pascal in (  # only when given: Pulumi drops None values from the hidden input anyway
        ("instance_type", "InstanceType"),
        ("initial_instance_count", "InitialInstanceCount"),
        ("accelerator_type", "AcceleratorType"),
        ("accelerator_partition_layouts", "AcceleratorPartitionLayouts"),
    ):
        if member(snake, pascal) is not None:
            facts[snake] = member(snake, pascal)
    return facts
