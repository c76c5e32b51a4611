"""An autoscaled variant moved to another instance type through the real CLI (issue 12, item 2): the
scalable target and its target-tracking policy, registered with boto3 against the emulator's
Application Auto Scaling (moto's) as a pulumi-aws `Target` / `Policy` would make them, are the same
after `pulumi up` (compared without the times and ARNs Application Auto Scaling assigns anew); the same
after a deployment an alarm rolls back, on the old fleet; after an `up` interrupted once the target was
deregistered; and a change of model only makes no Application Auto Scaling call at all. The negative
control: the emulator refuses the same UpdateEndpoint made directly (Developer Guide, "Update
endpoints that use auto scaling"), so without the provider's handling `up` would fail."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from pulumi import automation as auto

from sagemaker_hosting import autoscaling, aws, tag_keys
from sagemaker_hosting.emulator.testing import Emulator
from sagemaker_hosting.testing import Project, client, create_alarm, create_models, make_project, set_alarm
from tests.e2e.test_interruptions import interrupt, wait_for

PROGRAM = """
import pulumi
from sagemaker_hosting import Endpoint, EndpointConfig

settings = pulumi.Config()
config = EndpointConfig("scaled", production_variants=[{
    "variant_name": "primary", "model_name": settings.require("model"),
    "instance_type": settings.require("instanceType"), "initial_instance_count": 1}])
endpoint = Endpoint("scaled", endpoint_config_name=config.name, retain_all_variant_properties=True, deployment_config={
    "blue_green_update_policy": {"traffic_routing_configuration": {"type": "CANARY", "wait_interval_in_seconds": 100,
        "canary_size": {"type": "CAPACITY_PERCENT", "value": 50}}},
    "auto_rollback_configuration": {"alarms": [{"alarm_name": "errors"}]}},
    timeouts={"update": settings.get("updateTimeout")} if settings.get("updateTimeout") else None)
pulumi.export("name", endpoint.name)
pulumi.export("config", config.name)
"""

POLICY = {
    "TargetValue": 70.0,
    "PredefinedMetricSpecification": {"PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"},
    "ScaleInCooldown": 300,
    "ScaleOutCooldown": 60,
}


@pytest.fixture
def project(tmp_path: Any, emulator: Emulator) -> Project:
    emulator.reset()
    create_models(emulator, "model-a", "model-b")
    create_alarm(emulator, "errors")
    stack = make_project(tmp_path, emulator, PROGRAM)
    stack.set_config(model="model-a", instanceType="ml.m5.large")
    stack.up()
    return stack


def attach_autoscaling(scaling: Any, endpoint: str) -> str:
    """What a pulumi-aws `aws.appautoscaling.Target`, a target-tracking and a step `Policy`, and a
    `ScheduledAction` make."""
    resource_id = autoscaling.resource_id(endpoint, "primary")
    where = {"ServiceNamespace": "sagemaker", "ResourceId": resource_id, "ScalableDimension": autoscaling.DIMENSION}
    scaling.register_scalable_target(
        **where,
        MinCapacity=1,
        MaxCapacity=4,
        SuspendedState={"DynamicScalingInSuspended": False, "DynamicScalingOutSuspended": True},
    )
    scaling.put_scaling_policy(
        **where,
        PolicyName="invocations",
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration=POLICY,
    )
    scaling.put_scaling_policy(
        **where,
        PolicyName="steps",
        PolicyType="StepScaling",
        StepScalingPolicyConfiguration={
            "AdjustmentType": "ChangeInCapacity",
            "StepAdjustments": [{"MetricIntervalLowerBound": 0.0, "ScalingAdjustment": 1}],
            "Cooldown": 120,
        },
    )
    scaling.put_scheduled_action(  # deleted by DeregisterScalableTarget, so set aside too
        **where,
        ScheduledActionName="nightly",
        Schedule="cron(0 22 * * ? *)",
        Timezone="Europe/Berlin",
        ScalableTargetAction={"MinCapacity": 1, "MaxCapacity": 2},
    )
    return resource_id


ASSIGNED = {"CreationTime", "ScalableTargetARN", "PolicyARN", "ScheduledActionARN"}
"""What Application Auto Scaling assigns anew when a target is registered or a policy put again."""


def scaling_state(scaling: Any) -> dict[str, Any]:
    """Every SageMaker scalable target, scaling policy and scheduled action, less what `ASSIGNED` names."""
    targets = scaling.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"]
    policies = scaling.describe_scaling_policies(ServiceNamespace="sagemaker")["ScalingPolicies"]
    scheduled = scaling.describe_scheduled_actions(ServiceNamespace="sagemaker")["ScheduledActions"]
    return {
        "targets": [{k: v for k, v in t.items() if k not in ASSIGNED} for t in targets],
        "policies": sorted(
            ({k: v for k, v in p.items() if k not in ASSIGNED} for p in policies), key=lambda p: p["PolicyName"]
        ),
        "scheduled": sorted(
            ({k: v for k, v in a.items() if k not in ASSIGNED} for a in scheduled),
            key=lambda a: a["ScheduledActionName"],
        ),
    }


def provider_calls(emulator: Emulator, prefix: str = "") -> list[str]:
    return [
        call["action"]
        for call in emulator.calls()
        if aws.USER_AGENT in call["user_agent"] and call["action"].startswith(prefix)
    ]


def serving(sagemaker: Any, name: str) -> tuple[str, str]:
    """The endpoint's status and the instance type of the config it runs."""
    described = sagemaker.describe_endpoint(EndpointName=name)
    config = sagemaker.describe_endpoint_config(EndpointConfigName=described["EndpointConfigName"])
    return described["EndpointStatus"], config["ProductionVariants"][0]["InstanceType"]


def test_an_autoscaled_variant_moves_to_another_instance_type(project: Project, emulator: Emulator) -> None:
    sagemaker, scaling = client(emulator, "sagemaker"), client(emulator, "application-autoscaling")
    name = project.outputs()["name"]
    # The plan says so at preview (issue 20): the type change, and once the variant is registered
    # (only then; the negative control is the preview before), that its autoscaling is set aside.
    project.set_config(instanceType="ml.m5.xlarge")
    output = project.preview().stdout
    assert "instance type changes: primary (ml.m5.large -> ml.m5.xlarge)" in output, output
    set_aside = "autoscaling of primary (registered scalable targets) is set aside during the deployment"
    assert set_aside not in output
    attach_autoscaling(scaling, name)
    assert set_aside in project.preview().stdout
    project.set_config(instanceType="ml.m5.large")
    before = scaling_state(scaling)
    assert len(before["targets"]) == 1 and len(before["policies"]) == 2 and len(before["scheduled"]) == 1

    # Negative control: the UpdateEndpoint the provider makes, made directly while the target is
    # registered, is refused (as AWS refuses it), so the `up` below passes only by the provider's handling.
    sagemaker.create_endpoint_config(
        EndpointConfigName="direct",
        ProductionVariants=[
            {
                "VariantName": "primary",
                "ModelName": "model-a",
                "InstanceType": "ml.m5.xlarge",
                "InitialInstanceCount": 1,
            }
        ],
    )
    with pytest.raises(ClientError, match="registered as Application Auto Scaling scalable targets"):
        sagemaker.update_endpoint(EndpointName=name, EndpointConfigName="direct")
    sagemaker.delete_endpoint_config(EndpointConfigName="direct")

    emulator.clear_calls()
    project.set_config(instanceType="ml.m5.xlarge")
    project.up()
    assert serving(sagemaker, name) == ("InService", "ml.m5.xlarge")
    assert scaling_state(scaling) == before
    # AWS's procedure, in its order: policies deleted and the target deregistered before the
    # UpdateEndpoint, registered again and the policies put after the endpoint is InService on it.
    calls = [c for c in provider_calls(emulator) if c.startswith("application-autoscaling:") or c == "UpdateEndpoint"]
    assert calls == [
        "application-autoscaling:DescribeScalableTargets",
        "application-autoscaling:DescribeScalingPolicies",
        "application-autoscaling:DescribeScheduledActions",
        "application-autoscaling:DeleteScalingPolicy",
        "application-autoscaling:DeleteScalingPolicy",
        "application-autoscaling:DeregisterScalableTarget",
        "UpdateEndpoint",
        "application-autoscaling:RegisterScalableTarget",
        "application-autoscaling:PutScalingPolicy",
        "application-autoscaling:PutScalingPolicy",
        "application-autoscaling:PutScheduledAction",
    ]
    tags = sagemaker.list_tags(ResourceArn=sagemaker.describe_endpoint(EndpointName=name)["EndpointArn"])["Tags"]
    assert not [t for t in tags if t["Key"].startswith(tag_keys.AUTOSCALING_TAG_PREFIX)]  # the record is gone
    project.preview(expect_no_changes=True)

    # A change of model only, on the same instance type: AWS allows it, no Application Auto Scaling call.
    emulator.clear_calls()
    registered = scaling.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"]
    project.set_config(model="model-b")
    project.up()
    assert provider_calls(emulator, "application-autoscaling:") == []
    assert "UpdateEndpoint" in provider_calls(emulator)
    assert scaling.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"] == registered
    project.preview(expect_no_changes=True)

    # The endpoint's delete deregisters its target and policies (as AWS does).
    project.destroy()
    assert scaling_state(scaling) == {"targets": [], "policies": [], "scheduled": []}


def test_a_rolled_back_deployment_restores_autoscaling_on_the_old_fleet(project: Project, emulator: Emulator) -> None:
    sagemaker, scaling = client(emulator, "sagemaker"), client(emulator, "application-autoscaling")
    name = project.outputs()["name"]
    attach_autoscaling(scaling, name)
    before = scaling_state(scaling)

    project.set_config(instanceType="ml.m5.xlarge")
    set_alarm(emulator, "errors", "ALARM")
    try:
        with pytest.raises(auto.CommandError) as failure:
            project.up()
    finally:
        set_alarm(emulator, "errors", "OK")
    output = str(failure.value)
    assert "SageMaker rolled back the deployment of config" in output
    assert "are registered on the old fleet" in output
    assert serving(sagemaker, name) == ("InService", "ml.m5.large")
    assert scaling_state(scaling) == before

    # With the alarm quiet again, the same change deploys, and autoscaling survives it too.
    project.up()
    assert serving(sagemaker, name) == ("InService", "ml.m5.xlarge")
    assert scaling_state(scaling) == before
    project.preview(expect_no_changes=True)
    project.destroy()


def test_an_up_interrupted_after_deregistering_is_restored_by_the_next(project: Project, emulator: Emulator) -> None:
    """What a `pulumi up` killed between DeregisterScalableTarget and UpdateEndpoint leaves: the
    record on the endpoint (tags), the policies deleted and the target deregistered (which deletes its
    scheduled actions). The next `up`
    deploys (nothing registered blocks it) and registers them again from the record."""
    sagemaker, scaling = client(emulator, "sagemaker"), client(emulator, "application-autoscaling")
    name = project.outputs()["name"]
    resource_id = attach_autoscaling(scaling, name)
    before = scaling_state(scaling)
    where = {"ServiceNamespace": "sagemaker", "ResourceId": resource_id, "ScalableDimension": autoscaling.DIMENSION}
    target = scaling.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"][0]
    policies = scaling.describe_scaling_policies(**where)["ScalingPolicies"]
    scheduled = scaling.describe_scheduled_actions(**where)["ScheduledActions"]
    record = autoscaling.record_tags([autoscaling.set_aside(target, policies, scheduled)])
    arn = sagemaker.describe_endpoint(EndpointName=name)["EndpointArn"]
    sagemaker.add_tags(ResourceArn=arn, Tags=[{"Key": k, "Value": v} for k, v in record.items()])
    for policy in policies:
        scaling.delete_scaling_policy(PolicyName=policy["PolicyName"], **where)
    scaling.deregister_scalable_target(**where)

    project.set_config(instanceType="ml.m5.xlarge")
    project.up()
    assert serving(sagemaker, name) == ("InService", "ml.m5.xlarge")
    assert scaling_state(scaling) == before
    tags = sagemaker.list_tags(ResourceArn=arn)["Tags"]
    assert not [t for t in tags if t["Key"].startswith(tag_keys.AUTOSCALING_TAG_PREFIX)]
    project.preview(expect_no_changes=True)
    project.destroy()


def test_an_endpoint_moved_outside_pulumi_is_read_again_before_its_autoscaling_is_judged(
    project: Project, emulator: Emulator
) -> None:
    """A sequence across the stack's record of the running config's instance types (issue 17: the
    deploy takes them from the record while the endpoint is as the last `up` left it): someone moves
    the endpoint outside Pulumi to an ml.m5.xlarge config (setting its autoscaling aside and back, as
    AWS requires), then the program changes only the model. The record still says ml.m5.large, as the
    new config does; the live fleet is ml.m5.xlarge, so the move changes the instance type and AWS
    refuses it while the variant is registered (the emulator too: the negative control of the first
    test). The `up` passes only if the provider reads the live config again instead of trusting its
    record: it sets the autoscaling aside, deploys, and puts it back."""
    sagemaker, scaling = client(emulator, "sagemaker"), client(emulator, "application-autoscaling")
    name = project.outputs()["name"]
    resource_id = attach_autoscaling(scaling, name)
    where = {"ServiceNamespace": "sagemaker", "ResourceId": resource_id, "ScalableDimension": autoscaling.DIMENSION}
    for policy in scaling.describe_scaling_policies(**where)["ScalingPolicies"]:
        scaling.delete_scaling_policy(PolicyName=policy["PolicyName"], **where)
    scaling.deregister_scalable_target(**where)
    variant = {
        "VariantName": "primary",
        "ModelName": "model-a",
        "InstanceType": "ml.m5.xlarge",
        "InitialInstanceCount": 1,
    }
    sagemaker.create_endpoint_config(EndpointConfigName="outside", ProductionVariants=[variant])
    sagemaker.update_endpoint(EndpointName=name, EndpointConfigName="outside")
    wait_for(lambda: sagemaker.describe_endpoint(EndpointName=name)["EndpointStatus"] == "InService")
    assert serving(sagemaker, name) == ("InService", "ml.m5.xlarge")
    attach_autoscaling(scaling, name)
    before = scaling_state(scaling)

    emulator.clear_calls()
    project.set_config(model="model-b")
    project.up()
    assert serving(sagemaker, name) == ("InService", "ml.m5.large")
    assert "application-autoscaling:DeregisterScalableTarget" in provider_calls(emulator)
    assert scaling_state(scaling) == before
    project.preview(expect_no_changes=True)
    # the config made outside Pulumi is left alone: it is not the stack's
    assert sagemaker.describe_endpoint_config(EndpointConfigName="outside")["EndpointConfigName"] == "outside"
    project.destroy()
    assert scaling_state(scaling) == {"targets": [], "policies": [], "scheduled": []}


@pytest.mark.parametrize("then", ["refresh, preview, up", "up --refresh"])
def test_autoscaling_set_aside_is_never_hidden_by_a_refresh(project: Project, emulator: Emulator, then: str) -> None:
    """An instance-type change whose `up` times out after autoscaling was set aside, while the
    deployment goes on and ends InService on the new config. A refresh then records the new config
    (the stack looks finished), but not the unfinished work: preview shows a change and says what,
    and the next `up` registers the target and policies again (issue 21 item 3)."""
    sagemaker, scaling = client(emulator, "sagemaker"), client(emulator, "application-autoscaling")
    name = project.outputs()["name"]
    attach_autoscaling(scaling, name)
    before = scaling_state(scaling)

    project.set_config(instanceType="ml.m5.xlarge", updateTimeout="1s")
    emulator.settings(update_seconds=4.0)
    try:
        with pytest.raises(auto.CommandError) as timed_out:
            project.up()
    finally:
        emulator.settings(update_seconds=1.0)
    assert "is still Updating after" in str(timed_out.value) and "stay set aside" in str(timed_out.value)
    sagemaker.get_waiter("endpoint_in_service").wait(EndpointName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 200})
    assert serving(sagemaker, name) == ("InService", "ml.m5.xlarge")
    assert scaling_state(scaling) == {"targets": [], "policies": [], "scheduled": []}  # set aside, not yet back
    project.stack.remove_config("updateTimeout")

    if then == "up --refresh":
        project.stack.up(refresh=True, on_output=project.output.append, color="never")
    else:
        project.refresh()
        preview = project.preview()
        assert preview.change_summary.get(auto.OpType.UPDATE) == 1
        assert "were set aside by an earlier run" in preview.stdout and "`pulumi up` finishes it" in preview.stdout
        project.up()
    assert scaling_state(scaling) == before
    arn = sagemaker.describe_endpoint(EndpointName=name)["EndpointArn"]
    assert not [
        t for t in sagemaker.list_tags(ResourceArn=arn)["Tags"] if t["Key"].startswith(tag_keys.AUTOSCALING_TAG_PREFIX)
    ]
    project.refresh()
    project.preview(expect_no_changes=True)
    project.destroy()


def test_an_outage_while_autoscaling_is_set_aside_says_what_is_live(project: Project, emulator: Emulator) -> None:
    """SageMaker stops answering (HTTP 503 beyond botocore's retries) mid-deployment of an instance
    type change, after autoscaling was set aside: `up` fails with the provider's message, not a bare
    botocore error: the deployment may go on, autoscaling stays set aside (recorded), and the next
    `up` registers it again (issue 21 item 6)."""
    sagemaker, scaling = client(emulator, "sagemaker"), client(emulator, "application-autoscaling")
    name = project.outputs()["name"]
    attach_autoscaling(scaling, name)
    before = scaling_state(scaling)
    project.set_config(instanceType="ml.m5.xlarge")
    output = interrupt(project, emulator, "up", "UpdateEndpoint", "outage")
    assert "ServiceUnavailable" in output and "The deployment goes on in SageMaker" in output, output
    assert "stay set aside" in output and "the next `pulumi up` registers them again" in output, output
    assert "Traceback" not in output and "botocore.exceptions" not in output, output

    sagemaker.get_waiter("endpoint_in_service").wait(EndpointName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 200})
    project.up()
    assert serving(sagemaker, name) == ("InService", "ml.m5.xlarge")
    assert scaling_state(scaling) == before
    project.preview(expect_no_changes=True)
    project.destroy()
