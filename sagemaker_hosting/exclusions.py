"""Features an endpoint's config may not combine, refused by the endpoint's `check` at preview: a
shadow variant with serverless, asynchronous inference, Inf1 or Elastic Inference
(`hosting_rules.SHADOW_EXCLUSIONS`); serverless with several production variants or data capture
(`hosting_rules.SERVERLESS_EXCLUSIONS`).

Checked on the Endpoint, not in the EndpointConfig's own check. The pages name the endpoint, and
CreateEndpointConfig accepts such a config (as the emulator does): refusing the config would be
stricter than AWS (a config no endpoint uses, or one kept for later, would fail `up`), and the
config's check cannot know whether an endpoint will use it. The endpoint's CreateEndpoint or
UpdateEndpoint is the request SageMaker refuses, so that is the change refused at preview, on
`endpoint_config_name`, naming the config's members to change; only when the endpoint makes that
request (on create or replacement, and on a move to the config), from the facts it carries of the
config (`known_facts`). What the models decide (their containers, VPC, network isolation, registry)
the endpoint's inputs only name: SageMaker, and the emulator, refuse those at `up`. The rules and
their sources are `hosting_rules`' one table, shared with the emulator. Pure: no AWS call.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sagemaker_hosting import hosting_rules, known_facts, naming, normalize, plan
from sagemaker_hosting.normalize import InputError


def exclusion_errors(olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[InputError]:
    """Every refusal of this module for an endpoint's `check`."""
    name, facts = requested_facts(olds, news)
    if facts is None:
        return []
    return [*shadow_exclusion_errors(name, facts), *serverless_exclusion_errors(name, facts)]


def requested_facts(olds: Mapping[str, Any], news: Mapping[str, Any]) -> tuple[object, Mapping[str, Any] | None]:
    """The config the endpoint asks SageMaker to run, by CreateEndpoint or UpdateEndpoint, and its
    facts; None when it makes no such request (it stays on the config it runs) or the facts are not
    known."""
    name = news.get("endpoint_config_name")
    facts = known_facts.facts_of(news.get(naming.CONFIG_VARIANTS_KEY), name)
    if facts is None:
        return name, None
    if not plan.replaces_endpoint(olds, news):
        if olds.get("endpoint_config_name") == name:
            return name, None  # no CreateEndpoint or UpdateEndpoint: it already runs this config
        old_facts = known_facts.facts_of(olds.get(naming.CONFIG_VARIANTS_KEY), olds.get("endpoint_config_name"))
        if normalize.is_unknown(name) and (old_facts is None or not known_facts.differs(old_facts, facts)):
            return name, None  # a name unknown at preview: it may stay on the config it runs
    return name, facts


def shadow_exclusion_errors(name: object, facts: Mapping[str, Any]) -> list[InputError]:
    """An endpoint created on, or moved to, a config with a shadow variant that uses a feature
    shadow tests exclude (Developer Guide, shadow tests "Exclusions", `hosting_rules.SHADOW_EXCLUSIONS`: "If your
    endpoint uses any of the following features you cannot use shadow tests on your endpoint, and
    your request to setup shadow tests will lead to validation errors"): serverless inference,
    asynchronous inference (`async_inference_config`), Inf1 instances, Elastic Inference
    (`accelerator_type`), in any production or shadow variant.

    Not checked: multi-container models, multi-model endpoints and AWS Marketplace containers, also
    excluded by the page. They are properties of the models (`aws.sagemaker.Model` or models made
    elsewhere), which the endpoint's inputs only name: the provider cannot see them at preview, and
    SageMaker refuses them at `up`.
    """
    production, shadows = facts.get("variants"), facts.get("shadow_variants")
    if not isinstance(shadows, list) or not shadows:
        return []  # no shadow variant, or not known whether there is one
    production = production if isinstance(production, list) else []
    features: list[str] = []
    listed = [
        (f"{key}[{index}]", variant)
        for key, variants in (("production_variants", production), ("shadow_production_variants", shadows))
        for index, variant in enumerate(variants)
        if isinstance(variant, Mapping)
    ]
    serverless = [path for path, variant in listed if variant.get("serverless") is True]
    if serverless:
        features.append(
            f"{hosting_rules.SERVERLESS_INFERENCE} ({known_facts.members(serverless, 'serverless_config')})"
        )
    if facts.get("async_inference") is True:
        features.append(f"{hosting_rules.ASYNCHRONOUS_INFERENCE} (`async_inference_config`)")
    inf1 = [path for path, variant in listed if hosting_rules.is_inf1(variant.get("instance_type"))]
    if inf1:
        features.append(f"{hosting_rules.INF1_INSTANCES} ({known_facts.members(inf1, 'instance_type')})")
    accelerated = [
        path
        for path, variant in listed
        if variant.get("accelerator_type") and not normalize.is_unknown(variant.get("accelerator_type"))
    ]
    if accelerated:
        features.append(f"{hosting_rules.ELASTIC_INFERENCE} ({known_facts.members(accelerated, 'accelerator_type')})")
    if not features:
        return []
    return [
        known_facts.config_error(
            f"the config {known_facts.shown(name)} has a shadow variant (`shadow_production_variants`) and uses "
            f"{known_facts.and_(features)}: SageMaker does not run shadow tests on an endpoint that uses serverless "
            "inference, asynchronous inference, Inf1 instances or Elastic Inference, and refuses to create or "
            f'update the endpoint ("your request to setup shadow tests will lead to validation errors", '
            f'Developer Guide, shadow tests "Exclusions", {hosting_rules.SHADOW_EXCLUSIONS.source}). '
            "Remove the shadow variant "
            "from the config, or the features above."
        )
    ]


def serverless_exclusion_errors(name: object, facts: Mapping[str, Any]) -> list[InputError]:
    """An endpoint created on, or moved to, a serverless config that uses a feature Serverless
    Inference does not support (Developer Guide, Serverless Inference, "Feature exclusions",
    `hosting_rules.SERVERLESS_EXCLUSIONS`) that the config shows: several production variants, or
    data capture (`data_capture_config` without `enable_capture: false`). Unknowns pass."""
    production = known_facts.variants(facts)
    if production is None or not any(variant.get("serverless") is True for variant in production):
        return []
    given = {
        hosting_rules.MULTIPLE_PRODUCTION_VARIANTS: "production_variants",
        hosting_rules.DATA_CAPTURE: "data_capture_config",
    }
    features = [
        f"{feature} (`{given[feature]}`)"
        for feature in hosting_rules.serverless_config_exclusions(len(production), facts.get("data_capture"))
    ]
    if not features:
        return []
    return [
        known_facts.config_error(
            f"the config {known_facts.shown(name)} is serverless and uses {known_facts.and_(features)}, which "
            "Serverless Inference does not support, so SageMaker refuses to create or update the endpoint on it "
            f"(Developer Guide, {hosting_rules.SERVERLESS_EXCLUSIONS.source}). "
            "Use an instance-based variant, or remove the features above."
        )
    ]
