"""The stack's `aws:region` config reaches the provider: resources are created in that region, not
in the environment's default."""

from __future__ import annotations

from sagemaker_hosting.testing import client, make_project

PROGRAM = """
import pulumi
from sagemaker_hosting import Endpoint, EndpointConfig

endpoint_config = EndpointConfig("regional", production_variants=[{
    "variant_name": "primary", "model_name": "model-a", "instance_type": "ml.m5.large", "initial_instance_count": 1}])
endpoint = Endpoint("regional", endpoint_config_name=endpoint_config.name)
pulumi.export("arn", endpoint.arn)
pulumi.export("config_arn", endpoint_config.arn)
"""


def test_stack_region_wins_over_the_environment(tmp_path, emulator) -> None:
    emulator.reset()
    ireland = client(emulator, "sagemaker", region="eu-west-1")
    virginia = client(emulator, "sagemaker")  # the environment's region
    ireland.create_model(
        ModelName="model-a",
        ExecutionRoleArn="arn:aws:iam::123456789012:role/sagemaker",
        PrimaryContainer={"Image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/serve:1"},
    )
    project = make_project(tmp_path, emulator, PROGRAM)
    project.set_config(**{"aws:region": "eu-west-1"})
    project.up()
    outputs = project.outputs()
    assert outputs["arn"].startswith("arn:aws:sagemaker:eu-west-1:")
    assert outputs["config_arn"].startswith("arn:aws:sagemaker:eu-west-1:")
    assert [e["EndpointArn"] for e in ireland.list_endpoints()["Endpoints"]] == [outputs["arn"]]
    assert virginia.list_endpoints()["Endpoints"] == []
    project.preview(expect_no_changes=True)
    project.destroy()
    assert ireland.list_endpoints()["Endpoints"] == []
    assert ireland.list_endpoint_configs()["EndpointConfigs"] == []
