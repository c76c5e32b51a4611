"""The emulator and Application Auto Scaling, as AWS documents them: through real boto3 `sagemaker`
and `application-autoscaling` clients (moto's Application Auto Scaling, served on the same port).

Sources:
- Developer Guide, "Update endpoints that use auto scaling"
  (https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-scaling-update.html): "If the update would
  change the instance type for any model that is a target for auto scaling, the update fails ... If
  you are trying to update the endpoint by calling the UpdateEndpoint API, the call fails", with "one
  exception. If you change the model for a variant that is configured for auto scaling, Amazon
  SageMaker AI auto scaling allows the update." The page names no error code or wording: the
  emulator answers ValidationException, as SageMaker does for every other refused UpdateEndpoint.
- Developer Guide, "Delete endpoints configured for auto scaling"
  (https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-delete-with-scaling.html): "If any are
  and you have permission to deregister the model, Application Auto Scaling deregisters those
  models as scalable targets without notifying you."
- Application Auto Scaling API reference, DeregisterScalableTarget: "Deregistering a scalable target
  deletes the scaling policies and the scheduled actions that are associated with it."
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from sagemaker_hosting.emulator.testing import client_options
from tests.emulator.helpers import Aws, in_service, variant, wait_while

DIMENSION = "sagemaker:variant:DesiredInstanceCount"


@pytest.fixture
def scaling(aws: Aws) -> Any:
    """An application-autoscaling client for the emulator (the `aws` fixture has wiped its state)."""
    return scaling_client(aws.url)


def register(scaling: Any, endpoint: str = "ep", variant_name: str = "primary") -> str:
    """A scalable target and a target-tracking policy on the variant, as the Developer Guide's
    examples (and a pulumi-aws `Target` / `Policy`) make them; the target's resource id."""
    resource_id = f"endpoint/{endpoint}/variant/{variant_name}"
    scaling.register_scalable_target(
        ServiceNamespace="sagemaker", ResourceId=resource_id, ScalableDimension=DIMENSION, MinCapacity=1, MaxCapacity=4
    )
    scaling.put_scaling_policy(
        PolicyName="invocations",
        ServiceNamespace="sagemaker",
        ResourceId=resource_id,
        ScalableDimension=DIMENSION,
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 70.0,
            "PredefinedMetricSpecification": {"PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"},
        },
    )
    return resource_id


def targets(scaling: Any) -> list[str]:
    return [t["ResourceId"] for t in scaling.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"]]


def policies(scaling: Any) -> list[str]:
    described = scaling.describe_scaling_policies(ServiceNamespace="sagemaker")["ScalingPolicies"]
    return [f"{p['ResourceId']}:{p['PolicyName']}" for p in described]


def new_config(aws: Aws, name: str, model: str = "good", instance_type: str = "ml.m5.large") -> None:
    aws.sagemaker.create_endpoint_config(
        EndpointConfigName=name, ProductionVariants=[variant(model, InstanceType=instance_type)]
    )


def test_an_update_changing_the_instance_type_of_a_scaled_variant_is_refused(aws: Aws, scaling: Any) -> None:
    """endpoint-scaling-update: the UpdateEndpoint call fails; the endpoint keeps serving its config."""
    in_service(aws)
    register(scaling)
    new_config(aws, "bigger", instance_type="ml.m5.xlarge")
    with pytest.raises(ClientError) as caught:
        aws.sagemaker.update_endpoint(EndpointName="ep", EndpointConfigName="bigger")
    error = caught.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert "primary" in error["Message"] and "scalable target" in error["Message"]
    described = aws.sagemaker.describe_endpoint(EndpointName="ep")
    assert (described["EndpointStatus"], described["EndpointConfigName"]) == ("InService", "blue")
    assert targets(scaling) == ["endpoint/ep/variant/primary"]


def test_a_change_of_model_only_is_allowed(aws: Aws, scaling: Any) -> None:
    """endpoint-scaling-update: "If you change the model for a variant that is configured for auto
    scaling, Amazon SageMaker AI auto scaling allows the update"; the target stays registered."""
    in_service(aws)
    register(scaling)
    new_config(aws, "green", model="better")
    aws.sagemaker.update_endpoint(EndpointName="ep", EndpointConfigName="green")
    described = wait_while(aws.sagemaker, "ep", {"Updating"})
    assert (described["EndpointStatus"], described["EndpointConfigName"]) == ("InService", "green")
    assert targets(scaling) == ["endpoint/ep/variant/primary"]
    assert policies(scaling) == ["endpoint/ep/variant/primary:invocations"]


def test_the_documented_procedure_deregister_update_register_works(aws: Aws, scaling: Any) -> None:
    """endpoint-scaling-update's steps: delete the policies, DeregisterScalableTarget, UpdateEndpoint,
    wait for InService, register again and re-attach the policies. Also the negative control of the
    first test: the same update without a registered target is accepted."""
    in_service(aws)
    resource_id = register(scaling)
    scaling.delete_scaling_policy(
        PolicyName="invocations", ServiceNamespace="sagemaker", ResourceId=resource_id, ScalableDimension=DIMENSION
    )
    scaling.deregister_scalable_target(
        ServiceNamespace="sagemaker", ResourceId=resource_id, ScalableDimension=DIMENSION
    )
    new_config(aws, "bigger", instance_type="ml.m5.xlarge")
    aws.sagemaker.update_endpoint(EndpointName="ep", EndpointConfigName="bigger")
    described = wait_while(aws.sagemaker, "ep", {"Updating"})
    assert (described["EndpointStatus"], described["EndpointConfigName"]) == ("InService", "bigger")
    register(scaling)
    assert targets(scaling) == [resource_id]


def test_another_endpoints_target_does_not_block_an_update(aws: Aws, scaling: Any) -> None:
    """Only the endpoint's own variants count (resource id `endpoint/NAME/variant/VARIANT`): a target on
    an endpoint whose name merely starts the same does not."""
    in_service(aws)
    register(scaling, endpoint="ep-other")
    register(scaling, endpoint="ep", variant_name="secondary")  # a variant the endpoint does not have
    new_config(aws, "bigger", instance_type="ml.m5.xlarge")
    aws.sagemaker.update_endpoint(EndpointName="ep", EndpointConfigName="bigger")
    assert wait_while(aws.sagemaker, "ep", {"Updating"})["EndpointConfigName"] == "bigger"


def test_delete_endpoint_deregisters_its_scalable_targets_and_their_policies(aws: Aws, scaling: Any) -> None:
    """endpoint-delete-with-scaling: the endpoint's targets are deregistered "without notifying you";
    DeregisterScalableTarget deletes the target's policies. Other endpoints' targets stay."""
    in_service(aws)
    register(scaling)
    other = register(scaling, endpoint="ep-other")
    aws.sagemaker.delete_endpoint(EndpointName="ep")
    assert targets(scaling) == [other]
    assert policies(scaling) == [f"{other}:invocations"]
    aws.sagemaker.get_waiter("endpoint_deleted").wait(EndpointName="ep", WaiterConfig={"Delay": 0.1})


def test_application_autoscaling_calls_are_in_the_call_log(aws: Aws, scaling: Any, emulator: Any) -> None:
    """The emulator logs moto's Application Auto Scaling calls too (`application-autoscaling:ACTION`,
    the ResourceId as `name`), so tests can tell which ones a client made."""
    emulator.clear_calls()
    register(scaling)
    logged = [(c["action"], c["name"], c["status"]) for c in emulator.calls()]
    assert logged == [
        ("application-autoscaling:RegisterScalableTarget", "endpoint/ep/variant/primary", 200),
        ("application-autoscaling:PutScalingPolicy", "endpoint/ep/variant/primary", 200),
    ]


def scheduled(scaling: Any) -> list[str]:
    described = scaling.describe_scheduled_actions(ServiceNamespace="sagemaker")["ScheduledActions"]
    return [f"{a['ResourceId']}:{a['ScheduledActionName']}" for a in described]


def test_deregistering_a_target_deletes_its_policies_and_scheduled_actions(aws: Aws, scaling: Any) -> None:
    """DeregisterScalableTarget: "Deregistering a scalable target deletes the scaling policies and the
    scheduled actions that are associated with it" (API reference; moto keeps both). Another
    target's stay. The same for the deregistration a DeleteEndpoint makes."""
    in_service(aws)
    resource_id, other = register(scaling), register(scaling, endpoint="ep-other")
    for target in (resource_id, other):
        scaling.put_scheduled_action(
            ServiceNamespace="sagemaker",
            ScheduledActionName="nightly",
            ResourceId=target,
            ScalableDimension=DIMENSION,
            Schedule="cron(0 22 * * ? *)",
            ScalableTargetAction={"MinCapacity": 1, "MaxCapacity": 1},
        )
    scaling.deregister_scalable_target(
        ServiceNamespace="sagemaker", ResourceId=resource_id, ScalableDimension=DIMENSION
    )
    assert (targets(scaling), policies(scaling), scheduled(scaling)) == (
        [other],
        [f"{other}:invocations"],
        [f"{other}:nightly"],
    )
    register(scaling)  # registered again: nothing of before comes back with it
    assert policies(scaling) == [f"{other}:invocations", f"{resource_id}:invocations"]
    assert scheduled(scaling) == [f"{other}:nightly"]
    aws.sagemaker.delete_endpoint(EndpointName="ep")  # deregisters the endpoint's targets: the same
    assert (targets(scaling), scheduled(scaling)) == ([other], [f"{other}:nightly"])


SEQUENCE_IN_A_FRESH_PROCESS = """
import sys
from sagemaker_hosting.emulator.server import EmulatorServer
from sagemaker_hosting.emulator.settings import Settings
from sagemaker_hosting.emulator.world import SCALING_MODELS
from tests.emulator.helpers import FAST, Aws, in_service, seed
from tests.emulator.test_autoscaling import register, scaling_client, targets

server = EmulatorServer(settings=Settings(**FAST, consistency_delay_seconds=0.0))
server.start()
aws = Aws.at(server.url)
seed(aws)
in_service(aws, "first", "blue")
aws.sagemaker.delete_endpoint(EndpointName="first")
print("loaded after a delete:", SCALING_MODELS in sys.modules)
scaling = scaling_client(server.url)
in_service(aws, "second", "green")
register(scaling, endpoint="second")
aws.sagemaker.delete_endpoint(EndpointName="second")
print("targets after its delete:", targets(scaling))
server.stop()
"""


def scaling_client(url: str) -> Any:
    return boto3.client("application-autoscaling", **client_options(url))  # type: ignore[call-overload]


def test_an_emulator_never_asked_about_scaling_deletes_without_loading_it() -> None:
    """moto's Application Auto Scaling costs about 0.7 CPU-seconds to load, and a fleet's first
    DeleteEndpoint, which asks it for the endpoint's scalable targets, stalled the rest for 0.8 s.
    Until a call to that service has loaded it no target can exist, so the world answers "none"
    without loading it; once loaded, a delete still deregisters the endpoint's targets. In a fresh
    interpreter, since the test session has loaded it long ago."""
    ran = subprocess.run(
        [sys.executable, "-c", SEQUENCE_IN_A_FRESH_PROCESS], capture_output=True, text=True, timeout=120, check=False
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.splitlines() == ["loaded after a delete: False", "targets after its delete: []"]
