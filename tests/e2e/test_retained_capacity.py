"""Capacity scaled outside Pulumi (as Application Auto Scaling does) survives a blue/green
deployment with `retain_all_variant_properties`, is taken from the new config for the properties in
`exclude_retained_variant_properties`, and `retain_deployment_config` reuses the last deployment
config: the UpdateEndpoint members, end to end through the engine."""

from __future__ import annotations

from sagemaker_hosting.testing import client, create_models, make_project

PROGRAM = """
import json
import pulumi
from sagemaker_hosting import Endpoint, EndpointConfig

config = pulumi.Config()
endpoint_config = EndpointConfig("scaled", production_variants=[{
    "variant_name": "primary", "model_name": config.require("model"),
    "instance_type": "ml.m5.large", "initial_instance_count": 2}])  # a 1-instance canary: at most 50 %
endpoint = Endpoint(
    "scaled",
    endpoint_config_name=endpoint_config.name,
    deployment_config=json.loads(config.get("deployment") or "null"),
    retain_all_variant_properties=True,
    exclude_retained_variant_properties=json.loads(config.get("exclude") or "null"),
    retain_deployment_config=config.get_bool("retainDeployment"),
)
pulumi.export("name", endpoint.name)
"""

CANARY = (
    '{"blue_green_update_policy": {"traffic_routing_configuration": {"type": "CANARY", "wait_interval_in_seconds": 60,'
    ' "canary_size": {"type": "INSTANCE_COUNT", "value": 1}}}}'
)


def test_scaled_capacity_is_retained_across_deployments(tmp_path, emulator) -> None:
    emulator.reset()
    create_models(emulator, "model-a", "model-b", "model-c", "model-d")
    project = make_project(tmp_path, emulator, PROGRAM)
    sagemaker = client(emulator, "sagemaker")
    project.set_config(model="model-a", deployment=CANARY)
    project.up()
    name = project.outputs()["name"]

    def serving() -> tuple[str, int]:
        """The model the endpoint serves, and its instance count."""
        described = sagemaker.describe_endpoint(EndpointName=name)
        assert described["EndpointStatus"] == "InService"
        config = sagemaker.describe_endpoint_config(EndpointConfigName=described["EndpointConfigName"])
        return config["ProductionVariants"][0]["ModelName"], described["ProductionVariants"][0]["CurrentInstanceCount"]

    # Auto scaling raises the fleet to 3 instances behind Pulumi's back.
    sagemaker.update_endpoint_weights_and_capacities(
        EndpointName=name, DesiredWeightsAndCapacities=[{"VariantName": "primary", "DesiredInstanceCount": 3}]
    )
    sagemaker.get_waiter("endpoint_in_service").wait(EndpointName=name, WaiterConfig={"Delay": 0.2})

    # A new model: the new fleet keeps the scaled capacity, not the config's initial count.
    project.set_config(model="model-b")
    project.up()
    assert serving() == ("model-b", 3)

    # Excluded from retention: the instance count comes from the new config.
    project.set_config(model="model-c", exclude='[{"variant_property_type": "DesiredInstanceCount"}]')
    project.up()
    assert serving() == ("model-c", 2)

    # No deployment config given, but the last one is retained: the update runs as a canary again.
    emulator.clear_calls()
    project.set_config(model="model-d", deployment="null", retainDeployment="true")
    project.up()
    update = next(call for call in emulator.calls() if call["action"] == "UpdateEndpoint")
    assert update["status"] == 200
    assert serving()[0] == "model-d"
    described = sagemaker.describe_endpoint(EndpointName=name)
    routing = described["LastDeploymentConfig"]["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"]
    assert routing["Type"] == "CANARY"
    assert any(event.get("stage") == "Baking" for event in emulator.events())

    project.destroy()
    assert sagemaker.list_endpoints()["Endpoints"] == []
