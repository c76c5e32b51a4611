"""Moves of an endpoint to another config that SageMaker cannot make in place, refused by the
endpoint's `check` from the variant facts of both configs (hidden input `__config_variants`), and
everything around them that must pass: the possible neighbours, unknowns, state from before the
input existed, replacements. Also: the hidden input changes nothing by itself and is never sent."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from pulumi.runtime.rpc import UNKNOWN

from sagemaker_hosting import Endpoint, EndpointConfig, naming, plan, validate
from sagemaker_hosting.endpoint_config import variant_facts
from sagemaker_hosting.mocks import ENDPOINT_CONFIG_TYPE as CONFIG_TYPE
from sagemaker_hosting.mocks import ENDPOINT_TYPE, SageMakerMocks
from sagemaker_hosting.provider import Provider
from tests.examples.mocked import run_under_mocks

KEY = naming.CONFIG_VARIANTS_KEY
LAYOUT = [{"accelerator_partition_types": ["mig-3g.40gb", "mig-4g.40gb"]}]
BLUE_GREEN = {
    "blue_green_update_policy": {
        "traffic_routing_configuration": {"type": "ALL_AT_ONCE", "wait_interval_in_seconds": 0}
    }
}
ROLLING = {
    "rolling_update_policy": {
        "maximum_batch_size": {"type": "CAPACITY_PERCENT", "value": 50},
        "wait_interval_in_seconds": 0,
    }
}


def v(name: Any = "a", serverless: Any = False, layouts: Any = None) -> dict[str, Any]:
    facts = {"variant_name": name, "serverless": serverless}
    return facts if layouts is None else {**facts, "accelerator_partition_layouts": layouts}


def facts(config: str, *variants: Any) -> dict[str, Any]:
    return {"config_name": config, "variants": list(variants)}


def endpoint(config: str, variants: Any, **overrides: Any) -> dict[str, Any]:
    """Endpoint inputs as `check` stores them (olds) or receives them (news)."""
    inputs = {
        "name": "main-abcdefg",
        "name_prefix": "main",
        "region": "us-east-1",
        "endpoint_config_name": config,
        "tags": {},
        naming.ACCOUNT_KEY: "123456789012",
    }
    if variants is not None:
        inputs[KEY] = facts(config, *variants) if isinstance(variants, list) else variants
    return inputs | overrides


def errors(olds: dict[str, Any], news: dict[str, Any]) -> list[validate.InputError]:
    _, found = validate.check_endpoint(olds, news)
    return [error for error in found if not error.warning]


@pytest.mark.parametrize(
    ("old", "new", "overrides", "property_", "reason"),
    [
        # instance-based to serverless: refused (serverless-endpoints-update)
        pytest.param(
            [v()],
            [v(serverless=True)],
            {},
            "endpoint_config_name",
            "SageMaker cannot update an endpoint from instance-based to serverless",
            id="instance-to-serverless",
        ),
        pytest.param([v(serverless=True)], [v()], {}, None, None, id="serverless-to-instance-allowed"),
        pytest.param([v(serverless=True)], [v(serverless=True)], {}, None, None, id="serverless-to-serverless"),
        pytest.param([v()], [v(serverless=UNKNOWN)], {}, None, None, id="serverless-unknown-passes"),
        # variant names under blue/green or rolling (deployment-guardrails-exclusions)
        pytest.param(
            [v("a")],
            [v("b")],
            {"deployment_config": BLUE_GREEN},
            "endpoint_config_name",
            "a blue/green deployment needs the same variant names",
            id="rename-blue-green",
        ),
        pytest.param(
            [v("a")],
            [v("b")],
            {"deployment_config": ROLLING},
            "endpoint_config_name",
            "a rolling deployment needs the same variant names",
            id="rename-rolling",
        ),
        pytest.param(
            [v("a")],
            [v("a"), v("b")],
            {"deployment_config": BLUE_GREEN},
            "endpoint_config_name",
            "has production variants [a, b], and the endpoint runs [a]",
            id="variant-added-blue-green",
        ),
        pytest.param([v("a")], [v("b")], {}, None, None, id="rename-without-deployment-config"),
        pytest.param(
            [v("a"), v("b")], [v("b"), v("a")], {"deployment_config": BLUE_GREEN}, None, None, id="reordered-same-names"
        ),
        pytest.param([v("a")], [v(UNKNOWN)], {"deployment_config": BLUE_GREEN}, None, None, id="name-unknown-passes"),
        pytest.param(
            [v("a")], [v("b")], {"deployment_config": UNKNOWN}, None, None, id="deployment-config-unknown-passes"
        ),
        # rolling with serverless or several variants (same page)
        pytest.param(
            [v("a"), v("b")],
            [v("a"), v("b")],
            {"deployment_config": ROLLING},
            "deployment_config",
            "is multi-variant, and SageMaker does not deploy rolling updates",
            id="rolling-multi-variant",
        ),
        pytest.param(
            [v(serverless=True)],
            [v(serverless=True)],
            {"deployment_config": ROLLING},
            "deployment_config",
            "is serverless, and SageMaker does not deploy rolling updates",
            id="rolling-serverless",
        ),
        pytest.param(
            [v(serverless=True)],
            [v()],
            {"deployment_config": ROLLING},
            "deployment_config",
            'the endpoint\'s current config "old" is serverless',
            id="rolling-from-serverless",
        ),
        pytest.param([v()], [v()], {"deployment_config": ROLLING}, None, None, id="rolling-one-instance-variant"),
        pytest.param(
            [v("a"), v("b")], [v("a"), v("b")], {"deployment_config": BLUE_GREEN}, None, None, id="blue-green-multi"
        ),
        # accelerator partition layouts (botocore's AcceleratorPartitionLayout: "create a new endpoint")
        pytest.param(
            [v(layouts=LAYOUT)],
            [v(layouts=[{"accelerator_partition_types": ["mig-4g.40gb", "mig-3g.40gb"]}])],
            {},
            "endpoint_config_name",
            "can't change the layout of a running endpoint",
            id="layout-reordered",
        ),
        pytest.param(
            [v()], [v(layouts=LAYOUT)], {}, "endpoint_config_name", "runs none (whole accelerators)", id="layout-added"
        ),
        pytest.param(
            [v(layouts=LAYOUT)],
            [v()],
            {},
            "endpoint_config_name",
            "has the accelerator partition layout none",
            id="layout-removed",
        ),
        pytest.param(
            [v(layouts=LAYOUT)],
            [v(layouts=[{"AcceleratorPartitionTypes": ["mig-3g.40gb", "mig-4g.40gb"]}])],
            {},
            None,
            None,
            id="layout-same-in-pascal-case",
        ),
        pytest.param([v("a", layouts=LAYOUT)], [v("b")], {}, None, None, id="layout-of-a-new-variant"),
        pytest.param([v(layouts=LAYOUT)], [v(layouts=UNKNOWN)], {}, None, None, id="layout-unknown-passes"),
    ],
)
def test_moves_sagemaker_cannot_make_in_place(
    old: list[dict[str, Any]],
    new: list[dict[str, Any]],
    overrides: dict[str, Any],
    property_: str | None,
    reason: str | None,
) -> None:
    found = errors(endpoint("old", old, **overrides), endpoint("new", new, **overrides))
    if reason is None:
        assert found == []
    else:
        assert [(e.property, reason in e.reason) for e in found] == [(property_, True)], found


def test_each_refusal_names_its_source_and_what_to_do() -> None:
    serverless = errors(endpoint("old", [v()]), endpoint("new", [v(serverless=True)]))
    renamed = errors(
        endpoint("old", [v("a")], deployment_config=BLUE_GREEN), endpoint("new", [v("b")], deployment_config=BLUE_GREEN)
    )
    rolling = errors(
        endpoint("old", [v("a"), v("b")], deployment_config=ROLLING),
        endpoint("new", [v("a"), v("b")], deployment_config=ROLLING),
    )
    layout = errors(endpoint("old", [v(layouts=LAYOUT)]), endpoint("new", [v()]))
    for (error,), source, advice in (
        (serverless, "serverless-endpoints-update.html", "create a new Endpoint for it"),
        (renamed, "deployment-guardrails-exclusions.html", "without `deployment_config`"),
        (rolling, "deployment-guardrails-exclusions.html", "Use a `blue_green_update_policy` instead"),
        (layout, "AcceleratorPartitionLayout", "Keep the layout, or create a new Endpoint"),
    ):
        assert source in error.reason and advice in error.reason, error.reason


def test_retained_deployment_config_is_the_previous_one() -> None:
    olds = endpoint("old", [v("a")], deployment_config=BLUE_GREEN)
    assert errors(olds, endpoint("new", [v("b")], retain_deployment_config=True))
    assert errors(olds, endpoint("new", [v("b")])) == []


@pytest.mark.parametrize(
    ("olds", "news"),
    [
        pytest.param(endpoint("old", None), endpoint("new", [v(serverless=True)]), id="state-from-before"),
        pytest.param(endpoint("old", [v()]), endpoint("new", None), id="config-not-of-the-program"),
        pytest.param({}, endpoint("new", [v(serverless=True)]), id="create"),
        pytest.param(endpoint("old", [v()]), endpoint("old", [v(serverless=True)]), id="same-config"),
        pytest.param(
            endpoint("old", facts("older", v())), endpoint("new", [v(serverless=True)]), id="facts-of-another-config"
        ),
        pytest.param(
            endpoint("old", [v()]), endpoint("new", [v(serverless=True)], name="main-2"), id="replaced-by-new-name"
        ),
        pytest.param(
            endpoint("old", [v()]), endpoint("new", [v(serverless=True)], region="eu-west-1"), id="replaced-by-region"
        ),
        pytest.param(
            endpoint("old", [v()]),
            endpoint("new", [v(serverless=True)], **{naming.ACCOUNT_KEY: "210987654321"}),
            id="replaced-by-account",
        ),
        pytest.param(endpoint("old", [v()]), endpoint("new", facts("new", UNKNOWN)), id="variant-unknown"),
        pytest.param(endpoint("old", [v()]), endpoint("new", UNKNOWN), id="facts-unknown"),
        pytest.param(endpoint("old", [v()]), endpoint(UNKNOWN, [v(serverless=True)]), id="config-name-unknown"),
    ],
)
def test_nothing_is_refused_without_both_configs_facts(olds: dict[str, Any], news: dict[str, Any]) -> None:
    assert errors(olds, news) == []


def test_hidden_input_is_kept_but_no_change_and_never_sent() -> None:
    olds = endpoint("cfg", [v()])
    canonical, _ = validate.check_endpoint(olds, endpoint("cfg", [v("renamed", serverless=True)]))
    assert canonical[KEY] == facts("cfg", v("renamed", serverless=True))
    assert plan.plan_endpoint(olds, canonical) == plan.Plan(False, [], [])
    assert plan.plan_endpoint(endpoint("cfg", None), canonical) == plan.Plan(False, [], [])  # state from before
    request = Provider.request("UpdateEndpoint", canonical, EndpointName="main")
    assert KEY not in request and "ConfigVariants" not in request


def test_variant_facts_of_plain_inputs() -> None:
    variants = [
        {
            "variant_name": "a",
            "model_name": "m",
            "instance_type": "ml.g7.12xlarge",
            "accelerator_partition_layouts": LAYOUT,
        },
        {"VariantName": "b", "ModelName": "m", "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 1}},
        "not a variant",
    ]
    assert variant_facts(variants) == [v("a", layouts=LAYOUT), v("b", serverless=True), None]
    assert variant_facts(None) is None


def test_an_endpoint_on_a_config_of_the_program_carries_its_variant_facts() -> None:
    """`EndpointConfig` records its variants against its `name` output; an `Endpoint` put on that
    output carries them (outputs among them resolved), one on a plain name carries none."""

    def program() -> None:
        variants: list[Any] = [
            {
                "variant_name": pulumi.Output.from_input("a"),
                "model_name": "m",
                "instance_type": "ml.g7.12xlarge",
                "initial_instance_count": 1,
                "accelerator_partition_layouts": LAYOUT,
            },
            {
                "VariantName": "b",
                "ModelName": "m",
                "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 1},
            },
        ]  # the API's PascalCase keys are accepted too
        config = EndpointConfig("main", production_variants=variants)
        Endpoint("main", endpoint_config_name=config.name)
        Endpoint("other", endpoint_config_name="made-elsewhere")

    run = run_under_mocks(program, SageMakerMocks(), project="p", stack="s")
    config_name = run.state(CONFIG_TYPE, "main")["name"]
    assert run.state(ENDPOINT_TYPE, "main")[KEY] == facts(config_name, v("a", layouts=LAYOUT), v("b", serverless=True))
    assert KEY not in run.state(ENDPOINT_TYPE, "other")
