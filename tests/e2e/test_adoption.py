"""Adopting a live endpoint (`adopt_existing`), through the real CLI: an endpoint made outside
Pulumi (here with boto3, as the console, CloudFormation or Terraform would) is taken over with no
CreateEndpoint and no request dropped, moved blue/green to the stack's config, updated and
destroyed as the stack's own; the config it ran on, not being the stack's, is never deleted.
Adoption is refused, with nothing changed, when the endpoint does not exist or cannot serve."""

from __future__ import annotations

import pytest
from botocore.exceptions import WaiterError
from pulumi import automation as auto

from sagemaker_hosting.emulator.probe import Probe
from sagemaker_hosting.testing import Project, client, create_models, make_project
from tests.e2e.test_interruptions import interrupt, live

PROGRAM = """
import pulumi
from sagemaker_hosting import Endpoint, EndpointConfig

settings = pulumi.Config()
config = EndpointConfig("main", production_variants=[{"variant_name": "primary",
    "model_name": settings.require("model"), "instance_type": "ml.m5.large", "initial_instance_count": 1}])
endpoint = Endpoint("main", name=settings.require("endpoint"), endpoint_config_name=config.name, adopt_existing=True,
    tags={"team": "ml"}, deployment_config={"blue_green_update_policy": {"traffic_routing_configuration": {
        "type": "CANARY", "canary_size": {"type": "CAPACITY_PERCENT", "value": 50}, "wait_interval_in_seconds": 2}}})
pulumi.export("config", config.name)
"""


def make_legacy(emulator, name: str = "legacy", model: str = "a") -> None:
    """An endpoint and its config made outside Pulumi, InService."""
    sagemaker = client(emulator, "sagemaker")
    variant = {"VariantName": "primary", "ModelName": model, "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}
    sagemaker.create_endpoint_config(EndpointConfigName="legacy-config", ProductionVariants=[variant])
    sagemaker.create_endpoint(
        EndpointName=name, EndpointConfigName="legacy-config", Tags=[{"Key": "cost", "Value": "1"}]
    )
    sagemaker.get_waiter("endpoint_in_service").wait(EndpointName=name, WaiterConfig={"Delay": 0.2})


@pytest.fixture
def stack(tmp_path, emulator) -> Project:
    emulator.reset()
    create_models(emulator, "a", "b")
    project = make_project(tmp_path, emulator, PROGRAM)
    project.set_config(model="b", endpoint="legacy")
    return project


def test_a_live_endpoint_is_adopted_moved_updated_and_destroyed_without_downtime(stack, emulator) -> None:
    make_legacy(emulator)
    emulator.clear_calls()
    with Probe(emulator.url, "legacy", threads=2, seconds=240) as probe:
        stack.up()  # adopts, then moves it blue/green from legacy-config to the stack's config
    report = probe.stop()
    assert report.requests > 50 and report.failed == 0, report.failures
    adopted = stack.outputs()["config"]
    assert set(report.configs()) == {"legacy-config", adopted}  # served by both, never by nothing
    actions = [call["action"] for call in emulator.calls()]
    assert "CreateEndpoint" not in actions and actions.count("UpdateEndpoint") == 1
    tagged = [call["name"] for call in emulator.calls() if call["action"] == "AddTags"]
    assert tagged.count(adopted) == 1, tagged  # the endpoint recorded on its new config once
    statuses = {event["status"] for event in emulator.events() if event["name"] == "legacy"}
    assert statuses <= {"InService", "Updating"}, statuses  # never out of service
    sagemaker = client(emulator, "sagemaker")
    tags = {t["Key"]: t["Value"] for t in sagemaker.list_tags(ResourceArn=_arn(sagemaker))["Tags"]}
    assert tags["team"] == "ml" and tags["cost"] == "1"  # the stack's tags added, its own kept
    assert live(emulator) == ({"legacy": adopted}, sorted(["legacy-config", adopted]))
    stack.preview(expect_no_changes=True)

    stack.set_config(model="a")  # an update, as for an endpoint the stack created
    stack.up()
    moved = stack.outputs()["config"]
    assert live(emulator) == ({"legacy": moved}, sorted(["legacy-config", moved]))  # the stack's old config went
    stack.preview(expect_no_changes=True)

    stack.destroy()
    assert live(emulator) == ({}, ["legacy-config"])  # not the stack's: never deleted by it


def _arn(sagemaker) -> str:
    return str(sagemaker.describe_endpoint(EndpointName="legacy")["EndpointArn"])


def test_adoption_is_refused_when_the_endpoint_is_missing_or_cannot_serve(stack, emulator) -> None:
    with pytest.raises(auto.CommandError) as missing:
        stack.up()
    assert 'Endpoint "legacy" does not exist, so it cannot be adopted' in str(missing.value)
    assert "CreateEndpoint" not in [call["action"] for call in emulator.calls()]

    create_models(emulator, missing=("broken",))
    sagemaker = client(emulator, "sagemaker")
    variant = {
        "VariantName": "primary",
        "ModelName": "broken",
        "InstanceType": "ml.m5.large",
        "InitialInstanceCount": 1,
    }
    sagemaker.create_endpoint_config(EndpointConfigName="broken-config", ProductionVariants=[variant])
    sagemaker.create_endpoint(EndpointName="legacy", EndpointConfigName="broken-config")
    with pytest.raises(WaiterError):
        sagemaker.get_waiter("endpoint_in_service").wait(EndpointName="legacy", WaiterConfig={"Delay": 0.2})
    with pytest.raises(auto.CommandError) as failed:
        stack.up()
    assert 'Endpoint "legacy" is Failed, so it cannot be adopted' in str(failed.value)
    assert sagemaker.describe_endpoint(EndpointName="legacy")["EndpointConfigName"] == "broken-config"


def test_adopt_existing_needs_an_explicit_name(tmp_path, emulator) -> None:
    emulator.reset()
    project = make_project(tmp_path, emulator, PROGRAM.replace('name=settings.require("endpoint"), ', ""))
    project.set_config(model="a")
    with pytest.raises(auto.CommandError) as refused:
        project.preview()
    assert "`adopt_existing` takes over the endpoint named by `name`" in str(refused.value)
    assert emulator.writes() == []  # preview reads (owners under the names), never writes


def test_tags_the_stack_does_not_manage_survive_refresh_and_up(stack, emulator) -> None:
    """An adopted endpoint's own tags, and a tag added outside Pulumi, are not the stack's: a refresh
    does not record them and no `up` deletes them (issue 21 item 4). A tag the stack manages that is
    removed outside is drift: the refresh shows it and `up` puts it back."""
    make_legacy(emulator)
    stack.up()
    sagemaker = client(emulator, "sagemaker")
    arn = _arn(sagemaker)
    sagemaker.add_tags(ResourceArn=arn, Tags=[{"Key": "added-outside", "Value": "yes"}])
    stack.refresh()
    stack.preview(expect_no_changes=True)
    stack.set_config(model="a")
    stack.up()

    def tags() -> dict[str, str]:
        return {t["Key"]: t["Value"] for t in sagemaker.list_tags(ResourceArn=arn)["Tags"]}

    assert {key: tags().get(key) for key in ("team", "cost", "added-outside")} == {
        "team": "ml",
        "cost": "1",
        "added-outside": "yes",
    }
    sagemaker.delete_tags(ResourceArn=arn, TagKeys=["team"])
    stack.refresh()
    assert stack.preview().change_summary.get(auto.OpType.UPDATE) == 1
    stack.up()
    assert tags()["team"] == "ml" and tags()["cost"] == "1"
    stack.preview(expect_no_changes=True)
    stack.destroy()


def test_an_outage_mid_adoption_says_what_happened_and_the_next_up_finishes_it(stack, emulator) -> None:
    """SageMaker stops answering (HTTP 503 beyond botocore's retries) while an adopted endpoint moves to
    the stack's config (issue 21 item 6): `up` fails with the provider's message (what stopped, what
    is live, what to run), never a bare botocore error, and says that the stack does not list the
    endpoint yet; the next `up`, as it says, takes it over again and finishes the adoption."""
    make_legacy(emulator)
    output = interrupt(stack, emulator, "up", "UpdateEndpoint", "outage")
    assert "ServiceUnavailable" in output and "The deployment goes on in SageMaker" in output, output
    assert "the stack does not list the endpoint yet" in output and "takes it over again" in output, output
    assert "Traceback" not in output and "botocore.exceptions" not in output, output
    client(emulator, "sagemaker").get_waiter("endpoint_in_service").wait(
        EndpointName="legacy", WaiterConfig={"Delay": 0.2, "MaxAttempts": 200}
    )
    stack.up()
    adopted = stack.outputs()["config"]
    assert live(emulator) == ({"legacy": adopted}, sorted(["legacy-config", adopted]))
    assert "CreateEndpoint" not in [call["action"] for call in emulator.calls()]
    stack.preview(expect_no_changes=True)
    stack.destroy()
    assert live(emulator) == ({}, ["legacy-config"])
