"""The rollout plan (`rollout.py`, issue 20 item 1) from a table of deployment configs and config
facts: the steps, the fleet beside the old one, and what preview cannot know."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.runtime.rpc import UNKNOWN

from sagemaker_hosting import naming, rollout
from sagemaker_hosting.rollout import Shift

FACTS = {
    "config_name": "new",
    "variants": [
        {"variant_name": "a", "serverless": False, "instance_type": "ml.g5.12xlarge", "initial_instance_count": 4.0}
    ],
}


def routing(kind: str, wait: int = 60, **sizes: Any) -> dict[str, Any]:
    return {
        "blue_green_update_policy": {
            "traffic_routing_configuration": {"type": kind, "wait_interval_in_seconds": wait, **sizes},
            "termination_wait_in_seconds": 30,
        }
    }


def percent(value: int) -> dict[str, Any]:
    return {"type": "CAPACITY_PERCENT", "value": value}


def count(value: int) -> dict[str, Any]:
    return {"type": "INSTANCE_COUNT", "value": value}


@pytest.mark.parametrize(
    ("deployment", "kind", "shifts", "extra"),
    [
        (None, "all at once", [Shift(1.0, 0)], {"ml.g5.12xlarge": 4}),
        (routing("ALL_AT_ONCE"), "blue/green all at once", [Shift(1.0, 30)], {"ml.g5.12xlarge": 4}),
        (routing("CANARY", canary_size=percent(10)), "canary", [Shift(0.1, 60), Shift(1.0, 30)], {"ml.g5.12xlarge": 4}),
        (routing("CANARY", canary_size=count(1)), "canary", [Shift(0.25, 60), Shift(1.0, 30)], {"ml.g5.12xlarge": 4}),
        (
            routing("LINEAR", linear_step_size=percent(50)),
            "linear",
            [Shift(0.5, 60), Shift(1.0, 30)],
            {"ml.g5.12xlarge": 4},
        ),
        (
            routing("LINEAR", linear_step_size=count(1)),
            "linear",
            [Shift(0.25, 60), Shift(0.5, 60), Shift(0.75, 60), Shift(1.0, 30)],
            {"ml.g5.12xlarge": 4},
        ),
        (
            {"rolling_update_policy": {"maximum_batch_size": count(3), "wait_interval_in_seconds": 5}},
            "rolling",
            [Shift(0.75, 5), Shift(1.0, 5)],
            {"ml.g5.12xlarge": 3},
        ),
        (
            {"rolling_update_policy": {"maximum_batch_size": percent(25), "wait_interval_in_seconds": 5}},
            "rolling",
            [Shift(0.25, 5), Shift(0.5, 5), Shift(0.75, 5), Shift(1.0, 5)],
            {"ml.g5.12xlarge": 1},
        ),
    ],
)
def test_steps_and_extra_capacity_of_each_deployment(deployment, kind, shifts, extra) -> None:
    planned = rollout.plan_update({"deployment_config": deployment}, FACTS)
    assert (planned.kind, list(planned.shifts), planned.extra, planned.unknown) == (kind, shifts, extra, ())


def test_alarms_and_the_execution_timeout_are_named() -> None:
    deployment = routing("ALL_AT_ONCE")
    deployment["blue_green_update_policy"]["maximum_execution_timeout_in_seconds"] = 7200
    deployment["auto_rollback_configuration"] = {"alarms": [{"alarm_name": "5xx"}, {"alarm_name": "latency"}]}
    lines = rollout.plan_update({"deployment_config": deployment}, FACTS).lines('"ep"', "new")
    assert "  at most 7200 s (maximum_execution_timeout_in_seconds)" in lines
    assert "  rolled back by alarms: 5xx, latency" in lines


@pytest.mark.parametrize(
    ("inputs", "facts", "unknown"),
    [
        ({"deployment_config": None}, None, "the new config's fleet"),
        ({"deployment_config": routing("CANARY", canary_size=count(1))}, None, "the traffic steps"),
        ({"deployment_config": UNKNOWN}, FACTS, "the deployment_config"),
        ({"retain_deployment_config": True}, FACTS, "retain_deployment_config"),
        (
            {"deployment_config": None},
            {
                **FACTS,
                "variants": [
                    {
                        "variant_name": "a",
                        "serverless": False,
                        "instance_type": "ml.m5.large",
                        "initial_instance_count": UNKNOWN,
                    }
                ],
            },
            "the new config's fleet",
        ),
    ],
)
def test_what_preview_cannot_know_is_said(inputs, facts, unknown) -> None:
    planned = rollout.plan_update(inputs, facts)
    assert any(unknown in what for what in planned.unknown), planned.unknown


def test_a_config_percentage_canary_is_known_without_the_fleet() -> None:
    planned = rollout.plan_update({"deployment_config": routing("CANARY", canary_size=percent(25))}, None)
    assert list(planned.shifts) == [Shift(0.25, 60), Shift(1.0, 30)]


@pytest.mark.parametrize(
    ("olds", "creates", "first"),
    [
        ({}, True, 'Endpoint "ep": rollout plan (create) on config "new":'),
        ({"endpoint_config_name": "old"}, False, 'Endpoint "ep": rollout plan (all at once) to config "new":'),
        ({"endpoint_config_name": "new"}, False, None),  # stays on its config: no plan
    ],
)
def test_preview_lines_only_for_a_create_or_a_move(olds, creates, first) -> None:
    news = {"name": "ep", "endpoint_config_name": "new", naming.CONFIG_VARIANTS_KEY: FACTS}
    planned = rollout.planned(olds, news, creates)
    lines = rollout.preview_lines(olds, news, planned) if planned else []
    assert (lines[0] if lines else None) == first
    if first and not creates:
        assert lines[-1].startswith("  the provider waits at least ")


def facts(*variants: tuple[str, Any]) -> dict[str, Any]:
    return {"variants": [{"variant_name": name, "serverless": False, "instance_type": kind} for name, kind in variants]}


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (facts(("a", "ml.m5.large")), facts(("a", "ml.m5.xlarge")), {"a": ("ml.m5.large", "ml.m5.xlarge")}),
        (facts(("a", "ml.m5.large")), facts(("a", "ml.m5.large")), {}),  # the same type
        (facts(("a", "ml.m5.large")), facts(("b", "ml.m5.xlarge")), {}),  # another variant
        (facts(("a", "ml.m5.large")), facts(("a", UNKNOWN)), {}),  # not known at preview
        (None, facts(("a", "ml.m5.xlarge")), {}),  # the old config's facts not known
    ],
)
def test_instance_type_changes(old, new, expected) -> None:
    assert rollout.instance_type_changes(old, new) == expected


def test_a_move_that_changes_an_instance_type_says_autoscaling_is_set_aside() -> None:
    old_facts = {**facts(("a", "ml.m5.large")), "config_name": "old"}
    olds = {"endpoint_config_name": "old", naming.CONFIG_VARIANTS_KEY: old_facts}
    news = {
        "name": "ep",
        "endpoint_config_name": "new",
        naming.CONFIG_VARIANTS_KEY: {**facts(("a", "ml.m5.xlarge")), "config_name": "new"},
    }
    planned = rollout.planned(olds, news, False)
    assert planned is not None and planned.retyped == {"a": ("ml.m5.large", "ml.m5.xlarge")}
    said = "  instance type changes: a (ml.m5.large -> ml.m5.xlarge); "
    assert any(line.startswith(said) for line in planned.lines("ep", "new"))
