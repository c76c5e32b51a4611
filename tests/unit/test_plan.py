"""`diff` decisions: replace, update in place, or nothing."""

from __future__ import annotations

import pytest
from pulumi.runtime.rpc import UNKNOWN

from sagemaker_hosting import plan
from tests.unit.samples import VARIANT

CONFIG_OUTPUTS = {
    "name": "main-abc1234",
    "name_prefix": "main",
    "production_variants": [VARIANT],
    "tags": {"a": "1", "b": "2"},
    "arn": "arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/main-abc1234",
    "creation_time": "2024-01-01T00:00:00+00:00",
    "__provider": "pickled",
}


def config_inputs(**changes):
    """New inputs, as check returns them (with the region settled)."""
    inputs = {k: v for k, v in CONFIG_OUTPUTS.items() if k not in ("arn", "creation_time")}
    return inputs | {"region": "us-east-1"} | changes


@pytest.mark.parametrize(
    ("news", "replaces", "changed"),
    [
        (config_inputs(), [], []),
        (config_inputs(__provider="re-pickled"), [], []),
        (config_inputs(tags={"b": "2", "a": "1"}), [], []),  # tag order
        (  # values the API fills in or writes differently
            config_inputs(
                production_variants=[
                    {
                        "VariantName": "primary",
                        "ModelName": "m",
                        "InitialInstanceCount": 2.0,
                        "InstanceType": "ml.m5.large",
                    }
                ]
            ),
            [],
            [],
        ),
        (config_inputs(production_variants=[{**VARIANT, "initial_variant_weight": 1}]), [], []),
        (config_inputs(tags={"a": "1"}), [], ["tags"]),
        (config_inputs(tags=None), [], ["tags"]),
        (
            config_inputs(production_variants=[{**VARIANT, "instance_type": "ml.m5.xlarge"}]),
            ["production_variants"],
            ["production_variants"],
        ),
        (
            config_inputs(production_variants=[{**VARIANT, "model_name": UNKNOWN}]),
            ["production_variants"],
            ["production_variants"],
        ),
        (config_inputs(kms_key_id="alias/k", tags={}), ["kms_key_id"], ["kms_key_id", "tags"]),
        (config_inputs(name="main-new1234"), ["name"], ["name"]),
        (config_inputs(name_prefix="renamed"), [], []),  # a Pulumi rename (aliases) keeps the name
        (config_inputs(name="x", name_prefix="renamed"), ["name"], ["name"]),
        (config_inputs(region="us-west-2"), ["region"], ["region"]),  # region from the ARN of older state
        (config_inputs(region=UNKNOWN), ["region"], ["region"]),
        (config_inputs(__account="111111111111"), ["__account"], ["__account"]),  # aws:profile of another account
        (config_inputs(__account="123456789012"), [], []),
    ],
)
def test_plan_endpoint_config(news, replaces, changed):
    decision = plan.plan_endpoint_config(CONFIG_OUTPUTS, news)
    assert decision.replaces == replaces
    assert decision.changed == changed
    assert decision.changes is bool(changed)
    assert decision.delete_before_replace is False


ENDPOINT_OUTPUTS = {
    "name": "main-abc1234",
    "name_prefix": "main",
    "endpoint_config_name": "cfg-1",
    "tags": {},
    "timeouts": {"update": 5400},
    "arn": "arn:aws:sagemaker:us-east-1:123456789012:endpoint/main-abc1234",
    "status": "InService",
    "creation_time": "2024-01-01T00:00:00+00:00",
    "last_modified_time": "2024-01-01T00:00:00+00:00",
    "failure_reason": None,
    "production_variants": [{"variant_name": "primary", "current_weight": 1.0}],
    "__provider": "pickled",
}
CANARY = {
    "blue_green_update_policy": {
        "traffic_routing_configuration": {
            "type": "CANARY",
            "wait_interval_in_seconds": 300,
            "canary_size": {"type": "CAPACITY_PERCENT", "value": 10},
        }
    },
    "auto_rollback_configuration": {"alarms": [{"alarm_name": "errors"}]},
}


def endpoint_inputs(**changes):
    keys = ("name", "name_prefix", "endpoint_config_name", "tags", "timeouts")
    return {k: ENDPOINT_OUTPUTS[k] for k in keys} | {"region": "us-east-1"} | changes


@pytest.mark.parametrize(
    ("news", "replaces", "changed", "delete_first"),
    [
        (endpoint_inputs(), [], [], False),
        (endpoint_inputs(endpoint_config_name="cfg-2"), [], ["endpoint_config_name"], False),
        (endpoint_inputs(endpoint_config_name=UNKNOWN), [], ["endpoint_config_name"], False),
        (endpoint_inputs(deployment_config=CANARY), [], ["deployment_config"], False),
        (endpoint_inputs(retain_all_variant_properties=True), [], ["retain_all_variant_properties"], False),
        (endpoint_inputs(retain_deployment_config=True), [], ["retain_deployment_config"], False),
        (endpoint_inputs(tags={"team": "ml"}), [], ["tags"], False),
        (endpoint_inputs(timeouts={"update": 7200}), [], ["timeouts"], False),
        (endpoint_inputs(adopt_existing=True), [], ["adopt_existing"], False),  # in place, no call
        (endpoint_inputs(name="other"), ["name"], ["name"], False),
        (endpoint_inputs(name="Main-ABC1234"), ["name"], ["name"], True),  # unique case-insensitively
        (endpoint_inputs(name=UNKNOWN), ["name"], ["name"], False),
        (endpoint_inputs(name_prefix="renamed"), [], [], False),  # a Pulumi rename (aliases) keeps the name
        (endpoint_inputs(region="eu-west-1"), ["region"], ["region"], False),
        (endpoint_inputs(region="eu-west-1", name="Main-ABC1234"), ["name", "region"], ["name", "region"], False),
        (endpoint_inputs(__account="111111111111"), ["__account"], ["__account"], False),
        (endpoint_inputs(__account="123456789012", __profile="renamed"), [], [], False),
    ],
)
def test_plan_endpoint(news, replaces, changed, delete_first):
    decision = plan.plan_endpoint(ENDPOINT_OUTPUTS, news)
    assert (decision.replaces, decision.changed, decision.delete_before_replace) == (replaces, changed, delete_first)
    assert decision.changes is bool(changed)


RECORDED = {**ENDPOINT_OUTPUTS, "__config_instance": "c0"}


@pytest.mark.parametrize(
    ("old", "news", "changed", "moves"),
    [
        (RECORDED, endpoint_inputs(__config_instance="c0"), [], False),  # the same config resource
        (RECORDED, endpoint_inputs(__config_instance="c1"), ["__config_instance"], True),  # a revert's
        (RECORDED, endpoint_inputs(__config_instance=UNKNOWN), ["__config_instance"], True),  # replaced at preview
        (RECORDED, endpoint_inputs(), [], False),  # a name from elsewhere carries no instance
        (ENDPOINT_OUTPUTS, endpoint_inputs(__config_instance="c1"), [], False),  # state from before instances
        (
            RECORDED,
            endpoint_inputs(endpoint_config_name="cfg-2", __config_instance="c1"),
            ["endpoint_config_name"],
            True,
        ),
        ({**RECORDED, "__pending": "set aside"}, endpoint_inputs(__config_instance="c0"), ["__pending"], True),
    ],
)
def test_a_config_replaced_under_the_same_name_moves_the_endpoint(old, news, changed, moves):
    """The revert after an update that did not see its end (issue 21 item 2): a change of the config
    resource that keeps its name is a change of the endpoint, whose update deploys."""
    decision = plan.plan_endpoint(old, news)
    assert (decision.changed, decision.changes) == (changed, bool(changed))
    assert plan.moves_endpoint(old, news) is moves
    assert ("replaced by a new one of the same name" in decision.note) is (changed == ["__config_instance"])


@pytest.mark.parametrize(
    ("outputs", "region"),
    [
        ({"region": "eu-west-1", "arn": "arn:aws:sagemaker:us-east-1:1:endpoint/x"}, "eu-west-1"),
        ({"arn": "arn:aws:sagemaker:ap-south-1:1:endpoint/x"}, "ap-south-1"),
        ({"arn": "not-an-arn"}, None),
        ({}, None),
    ],
)
def test_old_region(outputs, region):
    assert plan.old_region(outputs) == region


def test_deployment_settings_written_in_api_case_are_no_change():
    old = ENDPOINT_OUTPUTS | {"deployment_config": CANARY}
    new = endpoint_inputs(
        deployment_config={
            "BlueGreenUpdatePolicy": {
                "TrafficRoutingConfiguration": {
                    "Type": "CANARY",
                    "WaitIntervalInSeconds": 300.0,
                    "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": 10},
                }
            },
            "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": "errors"}]},
        }
    )
    assert plan.plan_endpoint(old, new).changes is False
