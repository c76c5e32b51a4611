"""Moves of an endpoint to another config that SageMaker cannot make in place, and configs with a
shadow variant that SageMaker refuses to put an endpoint on, refused by the endpoint's `check` from
the variant facts of the configs (hidden input `__config_variants`, module `in_place`), and
everything around them that must pass: the possible neighbours, the bounds, unknowns, state from
before the input existed (or before a fact was recorded), replacements. Also: the hidden input
changes nothing by itself and is never sent."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from pulumi.runtime.rpc import UNKNOWN

from sagemaker_hosting import Endpoint, EndpointConfig, naming, plan, validate
from sagemaker_hosting.canonical import request as api_request
from sagemaker_hosting.mocks import ENDPOINT_CONFIG_TYPE as CONFIG_TYPE
from sagemaker_hosting.mocks import ENDPOINT_TYPE, SageMakerMocks
from sagemaker_hosting.variants import shadow_facts, variant_facts
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


def v(
    name: Any = "a",
    serverless: Any = False,
    layouts: Any = None,
    *,
    type_: Any = "ml.m5.large",
    count: Any = 2,
    accelerator: Any = None,
) -> dict[str, Any]:
    """One variant's facts as `variants.variant_facts` records them: what is not given (a
    serverless variant's instance type and count) is left out."""
    given = {
        "instance_type": None if serverless is True else type_,
        "initial_instance_count": None if serverless is True else count,
        "accelerator_type": accelerator,
        "accelerator_partition_layouts": layouts,
    }
    return {"variant_name": name, "serverless": serverless, **{k: x for k, x in given.items() if x is not None}}


def facts(
    config: str,
    *variants: Any,
    shadows: Any = (),
    async_inference: Any = False,
    data_capture: Any = False,
    region: str = "us-east-1",
) -> dict[str, Any]:
    return {
        "config_name": config,
        "region": region,
        "variants": list(variants),
        "shadow_variants": list(shadows) if isinstance(shadows, tuple) else shadows,
        "async_inference": async_inference,
        "data_capture": data_capture,
    }


def before_facts(variant: dict[str, Any]) -> dict[str, Any]:
    """A variant's facts as an earlier version recorded them: name, serverless, layouts."""
    keys = ("variant_name", "serverless", "accelerator_partition_layouts")
    return {key: value for key, value in variant.items() if key in keys}


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
    region = overrides.get("region", inputs["region"])  # the config's: an endpoint runs on a config of its region
    if variants is not None:
        inputs[KEY] = facts(config, *variants, region=region) if isinstance(variants, list) else variants
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
    sized = errors(
        endpoint("old", [v(count=2)], deployment_config=canary(2)),
        endpoint("new", [v(count=2)], deployment_config=canary(2)),
    )
    shadow = errors({}, endpoint("new", facts("new", v(), shadows=[SHADOW], async_inference=True)))
    for (error,), source, advice in (
        (serverless, "serverless-endpoints-update.html", "create a new Endpoint for it"),
        (renamed, "deployment-guardrails-exclusions.html", "without `deployment_config`"),
        (rolling, "deployment-guardrails-exclusions.html", "Use a `blue_green_update_policy` instead"),
        (layout, "AcceleratorPartitionLayout", "Keep the layout, or create a new Endpoint"),
        (sized, "CanarySize at most 50 %", "Give a size within those bounds"),
        (shadow, "shadow-tests-exclusions.html", "Remove the shadow variant from the config, or the features"),
    ):
        assert source in error.reason and advice in error.reason, error.reason


def canary(value: Any, kind: str = "INSTANCE_COUNT") -> dict[str, Any]:
    routing = {"type": "CANARY", "canary_size": {"type": kind, "value": value}, "wait_interval_in_seconds": 0}
    return {"blue_green_update_policy": {"traffic_routing_configuration": routing}}


def linear(value: Any) -> dict[str, Any]:
    size = {"type": "INSTANCE_COUNT", "value": value}
    routing = {"type": "LINEAR", "linear_step_size": size, "wait_interval_in_seconds": 0}
    return {"blue_green_update_policy": {"traffic_routing_configuration": routing}}


def rolling(value: Any, rollback: Any = None) -> dict[str, Any]:
    policy: dict[str, Any] = {"maximum_batch_size": {"type": "INSTANCE_COUNT", "value": value}}
    if rollback is not None:
        policy["rollback_maximum_batch_size"] = {"type": "INSTANCE_COUNT", "value": rollback}
    return {"rolling_update_policy": {**policy, "wait_interval_in_seconds": 0}}


CANARY_PATH = "deployment_config.blue_green_update_policy.traffic_routing_configuration.canary_size.value"
LINEAR_PATH = "deployment_config.blue_green_update_policy.traffic_routing_configuration.linear_step_size.value"
BATCH_PATH = "deployment_config.rolling_update_policy.maximum_batch_size.value"


@pytest.mark.parametrize(
    ("old", "new", "deployment", "path", "reason"),
    [
        # CanarySize: at most 50 % of the new config's instance count
        pytest.param([v(count=2)], [v(count=2)], canary(1), None, None, id="canary-1-of-2-is-50-percent"),
        pytest.param(
            [v(count=2)],
            [v(count=2)],
            canary(2),
            CANARY_PATH,
            "canary_size must be 1-50 % of the variant's 2 instances (got 2)",
            id="canary-2-of-2-refused",
        ),
        pytest.param(
            [v(count=4)],
            [v(count=1)],
            canary(1),
            CANARY_PATH,
            "the variant's 1 instances (got 1)",
            id="canary-of-a-1-instance-fleet-refused",
        ),
        pytest.param([v(count=1)], [v(count=4)], canary(2), None, None, id="new-count-applies-not-old"),
        pytest.param([v(count=2.0)], [v(count=2.0)], canary(2), CANARY_PATH, "2 instances", id="count-as-a-double"),
        pytest.param(  # below the model's minimum of 1: the usual check's error, not one more
            [v(count=4)], [v(count=4)], canary(0), CANARY_PATH, "greater than or equal to 1 (got 0)", id="canary-0"
        ),
        # LinearStepSize: 10-50 %
        pytest.param([v(count=10)], [v(count=10)], linear(1), None, None, id="linear-1-of-10-is-10-percent"),
        pytest.param([v(count=10)], [v(count=10)], linear(5), None, None, id="linear-5-of-10-is-50-percent"),
        pytest.param([v(count=10)], [v(count=11)], linear(1), LINEAR_PATH, "10-50 %", id="linear-1-of-11-refused"),
        pytest.param([v(count=10)], [v(count=10)], linear(6), LINEAR_PATH, "(got 6)", id="linear-6-of-10-refused"),
        # MaximumBatchSize: 5-50 % (and RollbackMaximumBatchSize 1-100 %)
        pytest.param([v(count=20)], [v(count=20)], rolling(1), None, None, id="batch-1-of-20-is-5-percent"),
        pytest.param([v(count=20)], [v(count=21)], rolling(1), BATCH_PATH, "5-50 %", id="batch-1-of-21-refused"),
        pytest.param([v(count=4)], [v(count=4)], rolling(2), None, None, id="batch-2-of-4"),
        pytest.param([v(count=4)], [v(count=4)], rolling(3), BATCH_PATH, "(got 3)", id="batch-3-of-4-refused"),
        pytest.param([v(count=4)], [v(count=4)], rolling(2, rollback=4), None, None, id="rollback-all-4"),
        pytest.param(
            [v(count=4)],
            [v(count=4)],
            rolling(2, rollback=5),
            "deployment_config.rolling_update_policy.rollback_maximum_batch_size.value",
            "rollback_maximum_batch_size must be 1-100 %",
            id="rollback-5-of-4-refused",
        ),
        # where the count that applies is not the config's, or not known: passed
        pytest.param(
            [v("a"), v("b")], [v("a", count=2), v("b", count=2)], canary(2), None, None, id="multi-variant-undocumented"
        ),
        pytest.param([v(count=2)], [v(count=UNKNOWN)], canary(2), None, None, id="count-unknown-passes"),
        pytest.param([v(count=2)], [v(count=None)], canary(2), None, None, id="count-not-given-passes"),
        pytest.param([v(count=2)], [v(count=2)], canary(UNKNOWN), None, None, id="size-unknown-passes"),
        pytest.param([v(count=2)], [v(count=2)], UNKNOWN, None, None, id="whole-deployment-unknown-passes"),
        pytest.param([v(count=2)], [v(type_=UNKNOWN, count=2)], canary(2), None, None, id="type-unknown-passes"),
        pytest.param([v(count=2)], [v(type_=None, count=2)], canary(2), None, None, id="instance-pools-pass"),
        # Inf1 anywhere: SageMaker falls back to all at once, and no size applies
        pytest.param([v(count=2)], [v(type_="ml.inf1.xlarge", count=2)], canary(2), None, None, id="inf1-new"),
        pytest.param([v(type_="ml.inf1.xlarge", count=2)], [v(count=2)], canary(2), None, None, id="inf1-old"),
        # with CAPACITY_PERCENT, the usual check reports a bad size once; INSTANCE_COUNT ignores it
        pytest.param(
            [v(count=2)],
            [v(count=2)],
            canary(60, "CAPACITY_PERCENT"),
            CANARY_PATH,
            "must be 1-50 % of capacity (got 60)",
            id="capacity-percent-reported-once",
        ),
        pytest.param([v(count=1)], [v(count=1)], canary(50, "CAPACITY_PERCENT"), None, None, id="capacity-percent"),
    ],
)
def test_instance_count_sizes_against_the_new_config(
    old: list[dict[str, Any]], new: list[dict[str, Any]], deployment: Any, path: str | None, reason: str | None
) -> None:
    found = errors(
        endpoint("old", old, deployment_config=deployment), endpoint("new", new, deployment_config=deployment)
    )
    if reason is None:
        assert found == []
    else:
        assert [(e.property, e.path, reason in e.reason) for e in found] == [("deployment_config", path, True)], found


def test_instance_count_sizes_only_where_the_count_is_known() -> None:
    olds = endpoint("old", [v(count=2)], deployment_config=canary(2))
    refused = errors(olds, endpoint("new", [v(count=2)], deployment_config=canary(2)))
    assert [e.path for e in refused] == [CANARY_PATH]
    # retained variant properties keep the live count (autoscaling may have changed it): not known
    retained = {"retain_all_variant_properties": True}
    assert errors(olds, endpoint("new", [v(count=2)], deployment_config=canary(2), **retained)) == []
    unknown = {"retain_all_variant_properties": UNKNOWN}
    assert errors(olds, endpoint("new", [v(count=2)], deployment_config=canary(2), **unknown)) == []
    excluded = {**retained, "exclude_retained_variant_properties": [{"variant_property_type": "DesiredInstanceCount"}]}
    assert [e.path for e in errors(olds, endpoint("new", [v(count=2)], deployment_config=canary(2), **excluded))] == [
        CANARY_PATH
    ]
    weights = {**retained, "exclude_retained_variant_properties": [{"variant_property_type": "DesiredWeight"}]}
    assert errors(olds, endpoint("new", [v(count=2)], deployment_config=canary(2), **weights)) == []
    # not at create: CreateEndpoint only records the DeploymentConfig (the emulator accepts it)
    assert errors({}, endpoint("new", [v(count=2)], deployment_config=canary(2))) == []
    # Inf1 in a shadow variant also makes SageMaker deploy all at once (the shadow is refused anyway)
    inf1_shadow = facts("new", v(count=2), shadows=[v("s", type_="ml.inf1.xlarge", count=1)])
    shadow_only = errors(olds, endpoint("new", inf1_shadow, deployment_config=canary(2)))
    assert [e.path for e in shadow_only] == ["endpoint_config_name"] and "shadow" in shadow_only[0].reason
    # state from an earlier version: the old config's instance types were not recorded
    before = endpoint(
        "old", {"config_name": "old", "variants": [before_facts(v(count=2))]}, deployment_config=canary(2)
    )
    assert errors(before, endpoint("new", [v(count=2)], deployment_config=canary(2))) == []
    # a rename under the same policy: that refusal only (SageMaker's first), without the policy the size is moot
    renamed = errors(olds, endpoint("new", [v("b", count=2)], deployment_config=canary(2)))
    assert [e.path for e in renamed] == ["endpoint_config_name"]


def test_a_retained_deployment_config_is_sized_against_the_new_config() -> None:
    olds = endpoint("old", [v(count=4)], deployment_config=canary(2))
    assert errors(olds, endpoint("new", [v(count=4)], retain_deployment_config=True)) == []
    (error,) = errors(olds, endpoint("new", [v(count=2)], retain_deployment_config=True))
    assert error.path == CANARY_PATH and "the retained `deployment_config` (`retain_deployment_config`" in error.reason


SHADOW = v("s", count=1)


@pytest.mark.parametrize(
    ("config", "features"),
    [
        pytest.param(facts("new", v(), shadows=[SHADOW]), None, id="plain-shadow"),
        pytest.param(facts("new", v(), async_inference=True), None, id="async-without-shadow"),
        pytest.param(facts("new", v(type_="ml.inf1.xlarge")), None, id="inf1-without-shadow"),
        pytest.param(facts("new", v(serverless=True)), None, id="serverless-without-shadow"),
        pytest.param(
            facts("new", v(), shadows=[SHADOW], async_inference=True),
            ["asynchronous inference (`async_inference_config`)"],
            id="async",
        ),
        pytest.param(
            facts("new", v(serverless=True), shadows=[SHADOW]),
            ["serverless inference (`production_variants[0].serverless_config`)"],
            id="serverless-production",
        ),
        pytest.param(
            facts("new", v(), shadows=[v("s", serverless=True)]),
            ["serverless inference (`shadow_production_variants[0].serverless_config`)"],
            id="serverless-shadow",
        ),
        pytest.param(
            facts("new", v(type_="ml.inf1.xlarge"), shadows=[SHADOW]),
            ["Inf1 instances (`production_variants[0].instance_type`)"],
            id="inf1-production",
        ),
        pytest.param(
            facts("new", v(), shadows=[v("s", type_="ml.inf1.6xlarge")]),
            ["Inf1 instances (`shadow_production_variants[0].instance_type`)"],
            id="inf1-shadow",
        ),
        pytest.param(facts("new", v(type_="ml.inf2.xlarge"), shadows=[SHADOW]), None, id="inf2-is-not-inf1"),
        pytest.param(
            facts("new", v(accelerator="ml.eia2.medium"), shadows=[SHADOW]),
            ["Elastic Inference (`production_variants[0].accelerator_type`)"],
            id="elastic-inference",
        ),
        pytest.param(
            facts("new", v(type_="ml.inf1.xlarge"), shadows=[SHADOW], async_inference=True),
            ["asynchronous inference", "and Inf1 instances"],
            id="several-features-one-error",
        ),
        # unknown at preview: passed
        pytest.param(facts("new", v(), shadows=[SHADOW], async_inference=UNKNOWN), None, id="async-unknown"),
        pytest.param(facts("new", v(), shadows=UNKNOWN, async_inference=True), None, id="shadows-unknown"),
        pytest.param(facts("new", v(type_=UNKNOWN), shadows=[SHADOW]), None, id="type-unknown"),
        pytest.param(facts("new", v(serverless=UNKNOWN), shadows=[SHADOW]), None, id="serverless-unknown"),
        pytest.param(facts("new", v(accelerator=UNKNOWN), shadows=[SHADOW]), None, id="accelerator-unknown"),
        pytest.param(
            facts("new", UNKNOWN, shadows=[UNKNOWN], async_inference=True),
            ["asynchronous inference"],
            id="a-shadow-of-unknown-content-is-a-shadow",
        ),
        pytest.param(
            {"config_name": "new", "variants": [v()], "async_inference": True}, None, id="facts-of-an-earlier-version"
        ),
    ],
)
@pytest.mark.parametrize("olds", [{}, endpoint("old", [v(serverless=True)])], ids=["create", "move"])
def test_shadow_exclusions(olds: dict[str, Any], config: dict[str, Any], features: list[str] | None) -> None:
    found = errors(olds, endpoint("new", config))
    if features is None:
        assert found == []
    else:
        assert [e.path for e in found] == ["endpoint_config_name"], found
        assert 'the config "new" has a shadow variant (`shadow_production_variants`) and uses' in found[0].reason
        for feature in features:
            assert feature in found[0].reason


SERVERLESS_PAIR = (v(serverless=True), v("b", serverless=True))


@pytest.mark.parametrize(
    ("config", "features"),
    [
        pytest.param(facts("new", v(serverless=True)), None, id="plain-serverless"),
        pytest.param(facts("new", v(), v("b")), None, id="several-instance-based-variants"),
        pytest.param(facts("new", v(), data_capture=True), None, id="instance-based-capture"),
        pytest.param(
            facts("new", *SERVERLESS_PAIR),
            ["multiple production variants (`production_variants`)"],
            id="several-serverless-variants",
        ),
        pytest.param(facts("new", v(serverless=True), v("b")), ["multiple production variants"], id="mixed"),
        pytest.param(
            facts("new", v(serverless=True), data_capture=True), ["data capture (`data_capture_config`)"], id="capture"
        ),
        pytest.param(
            facts("new", *SERVERLESS_PAIR, data_capture=True),
            ["multiple production variants", "and data capture"],
            id="both-in-one-error",
        ),
        # unknown at preview, or not recorded by an earlier version: passed
        pytest.param(facts("new", v(serverless=True), data_capture=UNKNOWN), None, id="capture-unknown"),
        pytest.param(facts("new", v(serverless=UNKNOWN), v("b")), None, id="serverless-unknown"),
        pytest.param(facts("new", UNKNOWN, data_capture=True), None, id="variants-unknown"),
        pytest.param({"config_name": "new", "variants": [v(serverless=True)]}, None, id="facts-of-an-earlier-version"),
    ],
)
@pytest.mark.parametrize("olds", [{}, endpoint("old", [v(serverless=True)])], ids=["create", "move"])
def test_serverless_exclusions(olds: dict[str, Any], config: dict[str, Any], features: list[str] | None) -> None:
    """Developer Guide, Serverless Inference, "Feature exclusions": multiple production variants and
    data capture, the two a config shows (`exclusions.serverless_exclusion_errors`)."""
    found = errors(olds, endpoint("new", config))
    if features is None:
        assert found == []
    else:
        assert [e.path for e in found] == ["endpoint_config_name"], found
        assert 'the config "new" is serverless and uses' in found[0].reason
        assert "serverless-endpoints.html" in found[0].reason
        for feature in features:
            assert feature in found[0].reason


def test_serverless_exclusions_only_when_sagemaker_is_asked() -> None:
    """An endpoint that stays on the config it runs makes no request: nothing is refused (state from
    before the rule, or a config that changed outside Pulumi, is SageMaker's to judge at the next move)."""
    excluded = facts("cfg", *SERVERLESS_PAIR)
    assert errors(endpoint("cfg", excluded), endpoint("cfg", excluded)) == []
    assert errors({}, endpoint("cfg", excluded)) != []


def test_shadow_exclusions_only_when_sagemaker_is_asked() -> None:
    excluded = facts("cfg", v(), shadows=[SHADOW], async_inference=True)
    runs = endpoint("cfg", excluded)
    assert errors(runs, endpoint("cfg", excluded)) == []  # it already runs that config: no request
    assert errors(endpoint("cfg", None), endpoint("cfg", excluded)) == []  # state from before, same config
    assert errors(runs, endpoint("cfg", excluded, name="main-2"))  # a replacement creates an endpoint on it
    assert errors({}, endpoint("cfg", facts("other", v(), shadows=[SHADOW], async_inference=True))) == []
    assert errors({}, endpoint(UNKNOWN, excluded)) == []
    assert errors({}, endpoint("cfg", None)) == []  # a config not of the program: SageMaker decides at `up`


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
    ],
)
def test_nothing_is_refused_without_both_configs_facts(olds: dict[str, Any], news: dict[str, Any]) -> None:
    assert errors(olds, news) == []


@pytest.mark.parametrize(
    ("olds", "news", "reason"),
    [
        # rules comparing the two configs: equal facts cannot fire them, so they always apply
        pytest.param(
            endpoint("old", [v()]),
            endpoint(UNKNOWN, [v(serverless=True)]),
            "the new config (named at `up`) is serverless",
            id="to-serverless",
        ),
        pytest.param(
            endpoint("old", [v("a")]),
            endpoint(UNKNOWN, [v("b")], deployment_config=BLUE_GREEN),
            "the new config (named at `up`) has production variants [b]",
            id="rename",
        ),
        # rules on the new config alone: only when its facts show it is another config
        pytest.param(
            endpoint("old", [v(count=2)]),
            endpoint(UNKNOWN, [v(count=4)], deployment_config=canary(3)),
            'the new config (named at `up`) runs variant "a" on 4',
            id="size-of-another-config",
        ),
        pytest.param(
            endpoint("old", [v(count=4)]),
            endpoint(UNKNOWN, [v(count=4)], deployment_config=canary(3)),
            None,
            id="size-of-maybe-the-same-config",
        ),
        pytest.param(
            endpoint("old", [v("a"), v("b", count=1)]),
            endpoint(UNKNOWN, [v("a"), v("b")], deployment_config=ROLLING),
            "is multi-variant",
            id="rolling-multi-variant-of-another-config",
        ),
        pytest.param(
            endpoint("old", [v("a"), v("b")]),
            endpoint(UNKNOWN, [v("a"), v("b")], deployment_config=ROLLING),
            None,
            id="rolling-multi-variant-maybe-the-same-config",
        ),
        pytest.param(
            endpoint("old", [v()]),
            endpoint(UNKNOWN, facts(UNKNOWN, v(), shadows=[SHADOW], async_inference=True)),
            "the config (named at `up`) has a shadow variant",
            id="shadow-on-another-config",
        ),
        pytest.param(
            endpoint("old", facts("old", v(), shadows=[SHADOW], async_inference=True)),
            endpoint(UNKNOWN, facts(UNKNOWN, v(), shadows=[SHADOW], async_inference=True)),
            None,
            id="shadow-maybe-the-config-it-runs",
        ),
        pytest.param(
            {},
            endpoint(UNKNOWN, facts(UNKNOWN, v(), shadows=[SHADOW], async_inference=True)),
            "the config (named at `up`) has a shadow variant",
            id="shadow-on-create",
        ),
        pytest.param(
            endpoint("old", [v()]),
            endpoint(UNKNOWN, facts("other", v(serverless=True))),
            None,
            id="facts-of-another-name",
        ),
    ],
)
def test_a_config_named_only_at_up(olds: dict[str, Any], news: dict[str, Any], reason: str | None) -> None:
    """A config whose name is unknown at preview (it hashes an input another resource gives) is
    still checked from its facts, known at preview, without refusing a move that may not happen."""
    found = errors(olds, news)
    if reason is None:
        assert found == []
    else:
        assert len(found) == 1 and reason in found[0].reason, found


def test_hidden_input_is_kept_but_no_change_and_never_sent() -> None:
    olds = endpoint("cfg", [v()])
    canonical, _ = validate.check_endpoint(olds, endpoint("cfg", [v("renamed", serverless=True)]))
    assert canonical[KEY] == facts("cfg", v("renamed", serverless=True))
    assert plan.plan_endpoint(olds, canonical) == plan.Plan(False, [], [])
    assert plan.plan_endpoint(endpoint("cfg", None), canonical) == plan.Plan(False, [], [])  # state from before
    request = api_request("UpdateEndpoint", canonical, EndpointName="main")
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
    assert variant_facts(variants) == [
        v("a", layouts=LAYOUT, type_="ml.g7.12xlarge", count=None),
        v("b", serverless=True),
        None,
    ]
    inf1 = [{"VariantName": "c", "InstanceType": "ml.inf1.xlarge", "AcceleratorType": "ml.eia2.medium"}]
    assert variant_facts(inf1) == [v("c", type_="ml.inf1.xlarge", count=None, accelerator="ml.eia2.medium")]
    assert variant_facts(None) is None
    assert shadow_facts(None) == [] and shadow_facts([variants[1]]) == [v("b", serverless=True)]


def plain(**changes: Any) -> Any:
    """An instance-based variant as a program writes it."""
    return {
        "variant_name": "a",
        "model_name": "m",
        "instance_type": "ml.m5.large",
        "initial_instance_count": 1,
    } | changes


def test_an_endpoint_on_a_config_of_the_program_carries_its_variant_facts() -> None:
    """`EndpointConfig`'s `name` output carries its variant facts; an `Endpoint` put on that
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
            {"VariantName": "b", "ModelName": "m", "InstanceType": "ml.m5.large", "InitialInstanceCount": 2},
        ]  # the API's PascalCase keys are accepted too
        config = EndpointConfig("main", production_variants=variants)
        Endpoint("main", endpoint_config_name=config.name)
        serverless: Any = {
            "VariantName": "s",
            "ModelName": "m",
            "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 1},
        }
        capture: Any = {
            "destination_s3_uri": "s3://b/c",
            "initial_sampling_percentage": 5,
            "capture_options": [{"capture_mode": "Input"}],
        }
        sls = EndpointConfig(
            "sls",
            production_variants=[serverless],
            data_capture_config=capture | {"enable_capture": pulumi.Output.from_input(False)},
        )
        Endpoint("sls", endpoint_config_name=sls.name)
        Endpoint("other", endpoint_config_name="made-elsewhere")
        shadowed = EndpointConfig(
            "shadowed",
            production_variants=[plain()],
            shadow_production_variants=[plain(variant_name="s", instance_type=pulumi.Output.from_input("x"))],
        )
        Endpoint("shadowed", endpoint_config_name=shadowed.name)
        no_shadow: Any = pulumi.Output.from_input(None)  # resolves to none given: no shadow, a known fact
        asynchronous = EndpointConfig(
            "async",
            production_variants=[plain()],
            shadow_production_variants=no_shadow,
            async_inference_config=pulumi.Output.from_input({"output_config": {"s3_output_path": "s3://b/o"}}),
            data_capture_config=capture,
        )
        Endpoint("async", endpoint_config_name=asynchronous.name)

    run = run_under_mocks(program, SageMakerMocks(), project="p", stack="s")
    config_name = run.state(CONFIG_TYPE, "main")["name"]
    assert run.state(ENDPOINT_TYPE, "main")[KEY] == facts(
        config_name, v("a", layouts=LAYOUT, type_="ml.g7.12xlarge", count=1), v("b", type_="ml.m5.large", count=2)
    )
    assert run.state(ENDPOINT_TYPE, "sls")[KEY] == facts(run.state(CONFIG_TYPE, "sls")["name"], v("s", serverless=True))
    assert KEY not in run.state(ENDPOINT_TYPE, "other")
    assert run.state(ENDPOINT_TYPE, "shadowed")[KEY] == facts(
        run.state(CONFIG_TYPE, "shadowed")["name"], v("a", count=1), shadows=[v("s", type_="x", count=1)]
    )
    assert run.state(ENDPOINT_TYPE, "async")[KEY] == facts(
        run.state(CONFIG_TYPE, "async")["name"], v("a", count=1), async_inference=True, data_capture=True
    )


def test_a_program_with_an_excluded_shadow_fails_under_mocks_too() -> None:
    """Users' unit tests of their programs (`SageMakerMocks`) see the refusal as `pulumi preview` does."""

    def program() -> None:
        config = EndpointConfig(
            "main",
            production_variants=[plain()],
            shadow_production_variants=[plain(variant_name="s", instance_type="ml.inf1.xlarge")],
        )
        Endpoint("main", endpoint_config_name=config.name)

    with pytest.raises(Exception, match=r"Inf1 instances \(`shadow_production_variants\[0\].instance_type`\)"):
        run_under_mocks(program, SageMakerMocks(), project="p", stack="s")
