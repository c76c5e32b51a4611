"""`autoscaling`: which variants a deployment must set aside (a table), and the round trip of what is
set aside through the calls that make it again and the tags that record it."""

from __future__ import annotations

import base64
import json
import zlib
from datetime import UTC, datetime
from typing import Any

import pytest

from sagemaker_hosting import autoscaling, tag_keys

M5, M5X = "ml.m5.large", "ml.m5.xlarge"


@pytest.mark.parametrize(
    ("live", "new", "registered", "expected"),
    [
        # a change of model only (same instance type): nothing, as AWS allows it
        ({"primary": M5}, {"primary": M5}, ["primary"], []),
        # another instance type on a registered variant: set aside
        ({"primary": M5}, {"primary": M5X}, ["primary"], ["primary"]),
        # another instance type, but not registered: nothing
        ({"primary": M5}, {"primary": M5X}, [], []),
        # two variants, only the registered one that changes
        ({"a": M5, "b": M5}, {"a": M5X, "b": M5}, ["a", "b"], ["a"]),
        ({"a": M5, "b": M5}, {"a": M5X, "b": M5X}, ["b"], ["b"]),
        # instance-based to serverless (no instance type) changes the type
        ({"primary": M5}, {"primary": None}, ["primary"], ["primary"]),
        # a variant new in the config has no live type: nothing to refuse
        ({"primary": M5}, {"primary": M5, "extra": M5X}, ["extra"], []),
        # a registered variant the new config drops is not ours to re-register
        ({"a": M5, "b": M5}, {"a": M5}, ["b"], []),
        # the running config cannot be read: every registered variant of the new config, to be safe
        (None, {"primary": M5}, ["primary"], ["primary"]),
        (None, {"primary": M5}, [], []),
    ],
)
def test_which_variants_are_set_aside(
    live: dict[str, str | None] | None, new: dict[str, str | None], registered: list[str], expected: list[str]
) -> None:
    assert autoscaling.to_set_aside(live, new, registered) == expected


def test_instance_types_of_a_config() -> None:
    variants: list[dict[str, Any]] = [
        {"VariantName": "a", "InstanceType": M5},
        {"VariantName": "b", "ServerlessConfig": {}},
    ]
    assert autoscaling.instance_types(variants) == {"a": M5, "b": None}


def test_resource_ids() -> None:
    assert autoscaling.resource_id("ep", "primary") == "endpoint/ep/variant/primary"
    assert autoscaling.variant_of("endpoint/EP/variant/primary", "ep") == "primary"
    assert autoscaling.variant_of("endpoint/ep-2/variant/primary", "ep") is None
    assert autoscaling.variant_of("table/ep", "ep") is None


TARGET: dict[str, Any] = {
    "ServiceNamespace": "sagemaker",
    "ResourceId": "endpoint/ep/variant/primary",
    "ScalableDimension": autoscaling.DIMENSION,
    "MinCapacity": 1,
    "MaxCapacity": 4,
    "RoleARN": "arn:aws:iam::123456789012:role/aws-service-role/sagemaker.application-autoscaling.amazonaws.com/"
    "AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint",
    "SuspendedState": {"DynamicScalingInSuspended": False, "DynamicScalingOutSuspended": True},
    "CreationTime": "2026-01-01T00:00:00Z",
    "ScalableTargetARN": "arn:aws:application-autoscaling:us-east-1:123456789012:scalable-target/x",
}
POLICY: dict[str, Any] = {
    "PolicyARN": "arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:x",
    "PolicyName": "invocations",
    "ServiceNamespace": "sagemaker",
    "ResourceId": "endpoint/ep/variant/primary",
    "ScalableDimension": autoscaling.DIMENSION,
    "PolicyType": "TargetTrackingScaling",
    "TargetTrackingScalingPolicyConfiguration": {
        "TargetValue": 70.0,
        "PredefinedMetricSpecification": {"PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"},
        "ScaleInCooldown": 300,
    },
    "Alarms": [{"AlarmName": "TargetTracking-endpoint/ep/variant/primary-AlarmHigh-x", "AlarmARN": "arn:x"}],
    "CreationTime": "2026-01-01T00:00:00Z",
}


def test_set_aside_keeps_the_definition_and_drops_what_aws_assigns() -> None:
    other = {**POLICY, "ResourceId": "endpoint/ep/variant/other"}  # another target's: not ours
    item = autoscaling.set_aside(TARGET, [POLICY, other])
    assert item.target == {
        "ServiceNamespace": "sagemaker",
        "ResourceId": "endpoint/ep/variant/primary",
        "ScalableDimension": autoscaling.DIMENSION,
        "MinCapacity": 1,
        "MaxCapacity": 4,
        "SuspendedState": {"DynamicScalingInSuspended": False, "DynamicScalingOutSuspended": True},
    }  # the service-linked role is not passed: RegisterScalableTarget uses it by itself
    assert item.policies == (
        {
            "PolicyName": "invocations",
            "ServiceNamespace": "sagemaker",
            "ResourceId": "endpoint/ep/variant/primary",
            "ScalableDimension": autoscaling.DIMENSION,
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": POLICY["TargetTrackingScalingPolicyConfiguration"],
        },
    )


def test_a_role_of_its_own_is_kept() -> None:
    role = "arn:aws:iam::123456789012:role/scaling"
    assert autoscaling.set_aside({**TARGET, "RoleARN": role}, []).target["RoleARN"] == role


def test_the_record_round_trips_through_tags_within_sagemakers_limits() -> None:
    items = [
        autoscaling.set_aside(
            {**TARGET, "ResourceId": f"endpoint/ep/variant/v{i}"},
            [{**POLICY, "ResourceId": f"endpoint/ep/variant/v{i}"}],
        )
        for i in range(10)
    ]
    tags = autoscaling.record_tags(items)
    assert all(key.startswith(tag_keys.AUTOSCALING_TAG_PREFIX) and len(key) <= 128 for key in tags)
    assert all(0 < len(value) <= tag_keys.TAG_VALUE_LIMIT for value in tags.values())
    assert len(tags) <= 4  # ten variants' targets and policies, compressed
    assert autoscaling.read_record({**tags, "team": "ml", "sagemaker-hosting:owner": "x"}) == items
    assert autoscaling.read_record({"team": "ml"}) == []


def test_an_interrupted_runs_record_is_merged_first() -> None:
    earlier = autoscaling.set_aside(TARGET, [POLICY])
    now = autoscaling.set_aside({**TARGET, "MinCapacity": 2}, [])
    other = autoscaling.set_aside({**TARGET, "ResourceId": "endpoint/ep/variant/b"}, [])
    assert autoscaling.merged([earlier], [now, other]) == [other, earlier]


SCHEDULED: dict[str, Any] = {
    "ScheduledActionName": "nightly",
    "ScheduledActionARN": "arn:aws:autoscaling:us-east-1:123456789012:scheduledAction:x",
    "ServiceNamespace": "sagemaker",
    "Schedule": "cron(0 22 * * ? *)",
    "Timezone": "Europe/Berlin",
    "ResourceId": "endpoint/ep/variant/primary",
    "ScalableDimension": autoscaling.DIMENSION,
    "StartTime": datetime(2027, 1, 1, tzinfo=UTC),
    "ScalableTargetAction": {"MinCapacity": 1, "MaxCapacity": 2},
    "CreationTime": datetime(2026, 1, 1, tzinfo=UTC),
}


def test_scheduled_actions_are_set_aside_as_the_requests_that_put_them_again() -> None:
    """DeregisterScalableTarget deletes the target's scheduled actions too: they are kept as
    PutScheduledAction's requests (times as ISO 8601), another target's left out; a record written
    before scheduled actions were kept reads as none."""
    other = {**SCHEDULED, "ResourceId": "endpoint/ep/variant/other"}
    item = autoscaling.set_aside(TARGET, [POLICY], [SCHEDULED, other])
    assert item.scheduled == (
        {
            "ScheduledActionName": "nightly",
            "ServiceNamespace": "sagemaker",
            "Schedule": "cron(0 22 * * ? *)",
            "Timezone": "Europe/Berlin",
            "ResourceId": "endpoint/ep/variant/primary",
            "ScalableDimension": autoscaling.DIMENSION,
            "StartTime": "2027-01-01T00:00:00+00:00",
            "ScalableTargetAction": {"MinCapacity": 1, "MaxCapacity": 2},
        },
    )
    assert autoscaling.read_record(autoscaling.record_tags([item])) == [item]
    earlier = {"target": item.target, "policies": list(item.policies)}
    encoded = base64.b64encode(zlib.compress(json.dumps([earlier]).encode())).decode()
    assert autoscaling.read_record({f"{tag_keys.AUTOSCALING_TAG_PREFIX}0": encoded})[0].scheduled == ()
