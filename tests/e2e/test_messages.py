"""What a user sees when `pulumi up` fails for an expected reason, through the real CLI: our message,
naming the resource, the cause and what to do, and no Python traceback. CI runs this module on the
pinned `pulumi` SDK and on the newest one (whose dynamic provider reports errors with a traceback)."""

from __future__ import annotations

import pytest
from pulumi import automation as auto

from sagemaker_hosting.testing import client, create_alarm, create_models, make_project, set_alarm

PROGRAM = """
import pulumi
from sagemaker_hosting import Endpoint, EndpointConfig

settings = pulumi.Config()
config = EndpointConfig("main", production_variants=[{"variant_name": "primary",
    "model_name": settings.require("model"), "instance_type": "ml.m5.large",
    "initial_instance_count": settings.get_int("instances") or 1}])
endpoint = Endpoint("main", name=settings.get("endpointName"), endpoint_config_name=config.name, deployment_config={
    "blue_green_update_policy": {"traffic_routing_configuration": {"type": "CANARY", "wait_interval_in_seconds": 300,
        "canary_size": {"type": "CAPACITY_PERCENT", "value": 50}}},
    "auto_rollback_configuration": {"alarms": [{"alarm_name": "errors"}]}})
"""


def failed_up(project) -> str:
    """The output of a `pulumi up` that must fail."""
    with pytest.raises(auto.CommandError) as failure:
        project.up()
    return str(failure.value)


def assert_plain(output: str, *messages: str) -> None:
    for message in messages:
        assert message in output
    assert "Traceback" not in output and 'File "' not in output


@pytest.fixture
def project(tmp_path, emulator):
    emulator.reset()
    create_models(emulator, "a", "b")
    create_alarm(emulator, "errors")
    stack = make_project(tmp_path, emulator, PROGRAM)
    stack.set_config(model="a")
    return stack


def test_instance_quota(project, emulator) -> None:
    emulator.settings(instance_quota=1)
    try:
        project.set_config(instances="2")
        output = failed_up(project)
    finally:
        emulator.settings(instance_quota=0)
    assert_plain(
        output,
        "CreateEndpoint failed for endpoint",
        "ResourceLimitExceeded",
        "Request a quota increase for the instance type",
    )
    project.destroy()


def test_name_taken_outside_the_stack(project, emulator) -> None:
    sagemaker = client(emulator, "sagemaker")
    project.up()
    sagemaker.create_endpoint_config(
        EndpointConfigName="elsewhere",
        ProductionVariants=[
            {"VariantName": "primary", "ModelName": "a", "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}
        ],
    )
    sagemaker.create_endpoint(EndpointName="Taken", EndpointConfigName="elsewhere")
    project.set_config(endpointName="taken")
    assert_plain(failed_up(project), 'CreateEndpoint failed for endpoint "taken"', "It exists outside this stack")
    project.stack.remove_config("endpointName")
    project.destroy()


def test_rolled_back_deployment(project, emulator) -> None:
    project.up()
    project.set_config(model="b")
    set_alarm(emulator, "errors", "ALARM")
    try:
        output = failed_up(project)
    finally:
        set_alarm(emulator, "errors", "OK")
    assert_plain(output, "SageMaker rolled back the deployment of config", "which is kept")
    project.destroy()


def test_missing_model_fails_fast_naming_it(project, emulator) -> None:
    project.set_config(model="no-such-model")
    output = failed_up(project)
    assert_plain(
        output, 'SageMaker could not find model "arn:aws:sagemaker:us-east-1:123456789012:model/no-such-model"'
    )
    assert "is not visible yet; retrying for up to 15s" in output  # said while it waits (tests/provider times it)
    project.destroy()
