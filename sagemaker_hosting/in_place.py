"""Endpoint changes SageMaker would refuse mid-`up`, refused by the endpoint's `check` at preview.

They need the variants of the configs involved, which an `Endpoint` carries in its hidden input
`naming.CONFIG_VARIANTS_KEY` when `endpoint_config_name` is an `EndpointConfig`'s `name` of the same
program (module `variants`; read by `known_facts`): `{"config_name", "variants", "shadow_variants",
"async_inference", "data_capture"}`,
each variant `{"variant_name", "serverless", "instance_type", "initial_instance_count",
"accelerator_type"?, "accelerator_partition_layouts"?}`. In the old inputs
it describes the config the endpoint runs on; state written by an earlier version may lack any of
these keys, and a missing fact is an unknown one. Every rule passes what it cannot know (a fact
missing, or unknown at preview: checked by SageMaker at `up`), so nothing here is stricter than AWS.
The rules and their sources are `hosting_rules`' one table, shared with the emulator (`emulator/rules.py`),
not an independent oracle: a second copy of a rule would be the same logic free to drift (the reason
in full is in `hosting_rules`). Pure logic: no AWS call.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sagemaker_hosting import cross_field, hosting_rules, known_facts, naming, normalize, plan, schema
from sagemaker_hosting.normalize import InputError

__all__ = ["in_place_errors"]

_FRESH = (
    "create a new Endpoint for it (another resource name, or a new `name`, which replaces this endpoint: "
    "the new one is created first, then this one deleted), move clients to it, then remove the old one"
)


def in_place_errors(olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[InputError]:
    """Moves of an endpoint to another config that SageMaker cannot make by UpdateEndpoint, refused
    at preview (before any call) with what to do instead. Nothing is refused when the facts of
    either config are missing (state written before the input existed, a config name not from an
    `EndpointConfig` of the program) or describe another config than `endpoint_config_name` (a
    refresh found the endpoint elsewhere), when a fact is unknown at preview (checked again at
    `up`), or when the change replaces the endpoint anyway (a new `name`, `region` or account: a new
    endpoint is created on the config).

    - instance-based to serverless: "currently not supported" (`hosting_rules.SERVERLESS_ONE_WAY`);
      the reverse is allowed;
    - under a blue/green or rolling `deployment_config` (the one given, or with
      `retain_deployment_config` the previous one), the new config "must have the same variant name
      as the old endpoint configuration" (`hosting_rules.SAME_VARIANT_NAMES`); without one a rename is allowed;
    - a rolling deployment of a serverless or multi-variant endpoint (same page);
    - a variant whose accelerator partition layout changes: "You can't change the layout of a
      running endpoint. To use a different layout, create a new endpoint." (`hosting_rules.FIXED_PARTITION_LAYOUT`; the
      same profiles in another order count as another layout);
    - an INSTANCE_COUNT size of that blue/green or rolling deployment outside its share of the new
      config's instance count (`_size_errors`, `hosting_rules.CAPACITY_SIZES`).
    """
    old_name, new_name = olds.get("endpoint_config_name"), news.get("endpoint_config_name")
    old_facts = known_facts.facts_of(olds.get(naming.CONFIG_VARIANTS_KEY), old_name)
    new_facts = known_facts.facts_of(news.get(naming.CONFIG_VARIANTS_KEY), new_name)
    if old_facts is None or new_facts is None or old_name == new_name or plan.replaces_endpoint(olds, news):
        return []
    # A new config whose name is unknown at preview (it hashes inputs that are) may turn out to be the
    # one the endpoint runs. Rules comparing the two configs cannot fire then (the facts would be
    # equal); the rules on the new config alone apply when the facts already show it is another one.
    moving = not normalize.is_unknown(new_name) or known_facts.differs(old_facts, new_facts)
    old, new = known_facts.variants(old_facts), known_facts.variants(new_facts)
    if old is None or new is None:
        return []
    shown = known_facts.shown(new_name)
    errors: list[InputError] = []
    old_serverless, new_serverless = _serverless(old), _serverless(new)
    if hosting_rules.refuses_serverless_move(old_serverless, new_serverless):
        errors.append(
            known_facts.config_error(
                f"the new config {shown} is serverless, and the endpoint runs the instance-based config "
                f'"{old_name}": SageMaker cannot update an endpoint from instance-based to serverless ("currently '
                f'not supported", Developer Guide, {hosting_rules.SERVERLESS_ONE_WAY.source}; '
                "serverless to instance-based is allowed). "
                f"To serve the serverless config, {_FRESH}."
            )
        )
    deployment = news.get("deployment_config")
    retained = deployment is None and news.get("retain_deployment_config") is True
    if retained:
        deployment = olds.get("deployment_config")
    policies = deployment if isinstance(deployment, Mapping) and not normalize.is_unknown(deployment) else {}
    rolling = bool(policies.get("rolling_update_policy"))
    guarded = rolling or bool(policies.get("blue_green_update_policy"))
    guard_errors: list[InputError] = []
    old_names, new_names = _names(old), _names(new)
    if (
        guarded
        and old_names is not None
        and new_names is not None
        and not hosting_rules.same_variant_names(old_names, new_names)
    ):
        kind = "rolling" if rolling else "blue/green"
        guard_errors.append(
            known_facts.config_error(
                f"the new config {shown} has production variants {_listed(new_names)}, and the endpoint runs "
                f'{_listed(old_names)} (config "{old_name}"): a {kind} deployment needs the same variant names '
                f'("your new endpoint configuration must have the same variant name as the old endpoint '
                f'configuration", Developer Guide, {hosting_rules.GUARDRAILS_EXCLUSIONS}). '
                "Keep the variant names, or deploy "
                "this change without `deployment_config` (all at once, no guardrails), then restore it."
            )
        )
    if rolling and moving:
        for facts, which in (
            (old, f'the endpoint\'s current config "{old_name}"'),
            (new, f"the new config {shown}"),
        ):
            fleet = hosting_rules.rolling_exclusion(_serverless(facts) is True, len(facts))
            if fleet is not None:
                guard_errors.append(
                    InputError(
                        "deployment_config",
                        "deployment_config.rolling_update_policy",
                        f"`deployment_config.rolling_update_policy`: {which} is {fleet}, and SageMaker does not "
                        f"deploy rolling updates to serverless or multi-variant endpoints (Developer Guide, "
                        f"{hosting_rules.GUARDRAILS_EXCLUSIONS}). Use a `blue_green_update_policy` instead.",
                    )
                )
                break
    errors.extend(guard_errors)
    if guarded and moving and not guard_errors:  # SageMaker refuses those first; without a policy, no sizes
        errors.extend(_size_errors(news, policies, retained, old_facts, new_facts))
    old_layouts = {
        v["variant_name"]: _snake_keys(v.get("accelerator_partition_layouts"))
        for v in old
        if isinstance(v.get("variant_name"), str) and not normalize.is_unknown(v["variant_name"])
    }
    for variant in new:
        name, layouts = variant.get("variant_name"), variant.get("accelerator_partition_layouts")
        if not isinstance(name, str) or name not in old_layouts or normalize.is_unknown(layouts):
            continue
        before, after = old_layouts[name], _snake_keys(layouts)
        if normalize.is_unknown(before) or not hosting_rules.changes_layout(before, after):
            continue
        errors.append(
            known_facts.config_error(
                f'variant "{name}" of the new config {shown} has the accelerator partition layout '
                f'{_layouts(after)}, and the endpoint runs {_layouts(before)} (config "{old_name}"): SageMaker '
                "\"can't change the layout of a running endpoint. To use a different layout, create a new "
                f'endpoint" ({hosting_rules.FIXED_PARTITION_LAYOUT.source}; '
                "the same profiles in another order count as another layout). "
                f"Keep the layout, or {_FRESH}."
            )
        )
    return errors


def _size_errors(
    news: Mapping[str, Any],
    policies: Mapping[str, Any],
    retained: bool,
    old_facts: Mapping[str, Any],
    new_facts: Mapping[str, Any],
) -> list[InputError]:
    """INSTANCE_COUNT sizes of a blue/green or rolling deployment (CanarySize, LinearStepSize,
    MaximumBatchSize, RollbackMaximumBatchSize) outside their share of the variant's instance count,
    by `cross_field.endpoint_violations` (the rule the emulator's UpdateEndpoint applies too). Checked
    where the count that applies is known, as SageMaker documents it: the new config has one
    production variant, instance-based, and its `initial_instance_count` is what the new fleet runs
    (not with `retain_all_variant_properties`, which keeps the live count, unless
    DesiredInstanceCount is excluded from it). With several variants, which count applies is not
    documented: passed. An endpoint with Inf1 instances in either config "will fall back to using
    a blue/green deployment with all at once traffic shifting" (`hosting_rules.INF1_FALLBACK`), so its sizes
    are not used: passed, as is any config whose instance types are not all known. Not at create
    either: CreateEndpoint only records the DeploymentConfig for later updates, and whether it
    checks the sizes against the first config is not documented (the emulator accepts them); a
    later update that retains it is checked here."""
    new = known_facts.variants(new_facts)
    if new is None or len(new) != 1 or new[0].get("serverless") is not False:
        return []
    count = _whole(new[0].get("initial_instance_count"))
    if count is None or _retains_instance_count(news) or _may_fall_back(old_facts, new_facts):
        return []
    shape = schema.resource_shape("Endpoint")
    request = {"DeploymentConfig": normalize.to_api(shape, {"deployment_config": policies}).get("DeploymentConfig")}
    without_count = cross_field.endpoint_violations(request, schema.snake)  # reported by the usual check if given
    given = (
        "the retained `deployment_config` (`retain_deployment_config`, from the previous update)"
        if retained
        else "`deployment_config`"
    )
    errors = []
    for violation in cross_field.endpoint_violations(request, schema.snake, instance_count=count):
        if violation.path[-1:] != ("Value",) or violation in without_count or normalize.is_unknown(violation.value):
            continue
        path = ".".join(schema.snake(str(part)) for part in violation.path)
        errors.append(
            InputError(
                "deployment_config",
                path,
                f"`{path}`: {violation.rule}: an INSTANCE_COUNT size counts instances of the variant, and the new "
                f"config {known_facts.shown(news.get('endpoint_config_name'))} runs variant "
                f'"{new[0].get("variant_name")}" on '
                f"{count}, so SageMaker would refuse the UpdateEndpoint of {given} ("
                f"{hosting_rules.CAPACITY_SIZES.source}). Give a size "
                "within those bounds (or `type` CAPACITY_PERCENT), more instances in the config, or deploy this "
                "change without `deployment_config`.",
            )
        )
    return errors


def _whole(value: object) -> int | None:
    """A known whole number (Pulumi sends every number as a double, so 2 may arrive as 2.0)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not float(value).is_integer():
        return None
    return int(value)


def _retains_instance_count(news: Mapping[str, Any]) -> bool:
    """Whether the update keeps the live instance count (RetainAllVariantProperties without
    DesiredInstanceCount excluded), or might (unknown at preview)."""
    retain = news.get("retain_all_variant_properties")
    if retain is None or retain is False:
        return False
    excluded = news.get("exclude_retained_variant_properties")
    if retain is not True or normalize.is_unknown(excluded):
        return True
    kinds = [item.get("variant_property_type") for item in excluded or [] if isinstance(item, Mapping)]
    return "DesiredInstanceCount" not in kinds


def _may_fall_back(*configs: Mapping[str, Any]) -> bool:
    """Whether a config has a variant (production or shadow) on Inf1 instances, which makes
    SageMaker deploy all at once, or one whose instance type is not known."""
    for facts in configs:
        variants, shadows = known_facts.variants(facts), facts.get("shadow_variants")
        if variants is None or not isinstance(shadows, list):
            return True
        for variant in [*variants, *shadows]:
            if not isinstance(variant, Mapping) or variant.get("serverless") is True:
                continue  # a serverless variant has no instances; a malformed one is the config's to report
            kind = variant.get("instance_type")
            if variant.get("serverless") is not False or not isinstance(kind, str) or normalize.is_unknown(kind):
                return True
            if hosting_rules.is_inf1(kind):
                return True
    return False


def _serverless(variants: list[Mapping[str, Any]]) -> bool | None:
    """Whether a config is serverless (a variant with a ServerlessConfig); None when unknown."""
    flags = [v.get("serverless") for v in variants]
    if any(flag is True for flag in flags):
        return True
    return False if all(flag is False for flag in flags) else None


def _names(variants: list[Mapping[str, Any]]) -> list[str] | None:
    names = [v.get("variant_name") for v in variants]
    return (
        [n for n in names if isinstance(n, str)]
        if all(isinstance(n, str) and not normalize.is_unknown(n) for n in names)
        else None
    )


def _listed(names: list[str]) -> str:
    return "[" + ", ".join(sorted(names)) + "]"


def _snake_keys(value: Any) -> Any:
    """`value` with structure keys in snake_case (layouts may be written in the API's PascalCase)."""
    if isinstance(value, Mapping):
        return {schema.snake(key) if key[:1].isupper() else key: _snake_keys(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_snake_keys(item) for item in value]
    return value


def _layouts(layouts: Any) -> str:
    if not layouts:
        return "none (whole accelerators)"
    types = [layout.get("accelerator_partition_types") if isinstance(layout, Mapping) else layout for layout in layouts]
    return ", ".join(repr(t) for t in types)
