"""Changes made outside Pulumi, through the engine: `pulumi refresh` reports an endpoint moved to
another config, retagged or deleted, and the next `pulumi up` puts back what the program says."""

from __future__ import annotations

from pulumi import automation as auto

from sagemaker_hosting import aws
from sagemaker_hosting.testing import client, create_models, make_project

PROGRAM = """
import pulumi
from sagemaker_hosting import Endpoint, EndpointConfig

endpoint_config = EndpointConfig("drift", production_variants=[{
    "variant_name": "primary", "model_name": "model-a", "instance_type": "ml.m5.large", "initial_instance_count": 1}])
endpoint = Endpoint("drift", endpoint_config_name=endpoint_config.name, tags={"team": "ml"})
pulumi.export("name", endpoint.name)
pulumi.export("config", endpoint_config.name)
"""


def test_refresh_reports_drift_and_up_repairs_it(tmp_path, emulator) -> None:
    emulator.reset()
    create_models(emulator, "model-a")
    project = make_project(tmp_path, emulator, PROGRAM)
    sagemaker = client(emulator, "sagemaker")
    project.up()
    name, config = project.outputs()["name"], project.outputs()["config"]
    arn = sagemaker.describe_endpoint(EndpointName=name)["EndpointArn"]

    # Someone moves the endpoint to a config of their own and retags it.
    sagemaker.create_endpoint_config(
        EndpointConfigName="by-hand",
        ProductionVariants=[
            {
                "VariantName": "primary",
                "ModelName": "model-a",
                "InstanceType": "ml.m5.xlarge",
                "InitialInstanceCount": 1,
            }
        ],
    )
    sagemaker.update_endpoint(EndpointName=name, EndpointConfigName="by-hand")
    sagemaker.get_waiter("endpoint_in_service").wait(EndpointName=name, WaiterConfig={"Delay": 0.2})
    sagemaker.add_tags(ResourceArn=arn, Tags=[{"Key": "team", "Value": "ops"}])

    refresh = project.refresh()
    assert (
        refresh.summary.resource_changes is not None and refresh.summary.resource_changes.get(auto.OpType.UPDATE) == 1
    )
    preview = project.preview()
    assert preview.change_summary.get(auto.OpType.UPDATE) == 1
    project.up()
    described = sagemaker.describe_endpoint(EndpointName=name)
    assert described["EndpointConfigName"] == config and described["EndpointStatus"] == "InService"
    assert aws.user_tags(aws.list_tags(sagemaker, arn)) == {"team": "ml"}
    project.preview(expect_no_changes=True)

    # Someone deletes the endpoint: refresh drops it from the state, and up creates it again.
    sagemaker.delete_endpoint(EndpointName=name)
    sagemaker.get_waiter("endpoint_deleted").wait(EndpointName=name, WaiterConfig={"Delay": 0.2})
    refresh = project.refresh()
    assert (
        refresh.summary.resource_changes is not None and refresh.summary.resource_changes.get(auto.OpType.DELETE) == 1
    )
    project.up()
    assert project.outputs()["name"] == name  # generated names are derived, so clients find it where it was
    assert sagemaker.describe_endpoint(EndpointName=name)["EndpointConfigName"] == config
    project.refresh(expect_no_changes=True)

    project.destroy()
    assert [c["EndpointConfigName"] for c in sagemaker.list_endpoint_configs()["EndpointConfigs"]] == ["by-hand"]
