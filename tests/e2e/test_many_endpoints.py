"""A stack of ten endpoints deploys, updates blue/green and destroys correctly."""

from __future__ import annotations

from sagemaker_hosting.testing import client, create_models, make_project

PROGRAM = """
import pulumi
from sagemaker_hosting import Endpoint, EndpointConfig

count = pulumi.Config().require_int("instances")
for i in range(10):
    config = EndpointConfig(
        f"config-{i}",
        production_variants=[{"variant_name": "primary", "model_name": "fleet-model",
                              "instance_type": "ml.m5.large", "initial_instance_count": count}],
    )
    Endpoint(f"endpoint-{i}", endpoint_config_name=config.name)
"""


def test_ten_endpoints(tmp_path, emulator) -> None:
    emulator.reset()
    create_models(emulator, "fleet-model")
    project = make_project(tmp_path, emulator, PROGRAM)
    sagemaker = client(emulator, "sagemaker")

    project.set_config(instances="1")
    project.up()
    endpoints = sagemaker.list_endpoints(MaxResults=100)["Endpoints"]
    assert len(endpoints) == 10 and {e["EndpointStatus"] for e in endpoints} == {"InService"}
    first_configs = {
        e["EndpointName"]: sagemaker.describe_endpoint(EndpointName=e["EndpointName"])["EndpointConfigName"]
        for e in endpoints
    }

    emulator.clear_calls()
    project.set_config(instances="2")
    project.up()
    calls = emulator.calls()
    assert [c["action"] for c in calls].count("UpdateEndpoint") == 10
    assert [c["action"] for c in calls].count("DeleteEndpointConfig") == 10
    for name, old_config in first_configs.items():
        described = sagemaker.describe_endpoint(EndpointName=name)
        assert described["EndpointConfigName"] != old_config
        assert described["ProductionVariants"][0]["CurrentInstanceCount"] == 2
    configs = sagemaker.list_endpoint_configs(MaxResults=100)["EndpointConfigs"]
    assert len(configs) == 10

    project.destroy()
    assert sagemaker.list_endpoints()["Endpoints"] == []
    assert sagemaker.list_endpoint_configs()["EndpointConfigs"] == []
