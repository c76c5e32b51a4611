"""Bad input fails `pulumi preview` with the field and the rule, before any SageMaker call, and
`pulumi up` creates nothing; an explicit config name that a change would recreate is refused at
preview."""

from __future__ import annotations

import pytest
from pulumi import automation as auto

from sagemaker_hosting.testing import client, create_models, make_project

PROGRAM = """
import pulumi
from sagemaker_hosting import Endpoint, EndpointConfig

config = pulumi.Config()
variant = {"variant_name": "primary", "model_name": "model-a", "instance_type": config.require("instanceType"),
           "initial_instance_count": config.require_int("instances")}
if config.get("typo"):
    variant[config.get("typo")] = 1
endpoint_config = EndpointConfig("main", name=config.get("configName"), production_variants=[variant])
Endpoint("main", endpoint_config_name=endpoint_config.name)
"""


@pytest.mark.parametrize(
    ("config", "messages"),
    [
        pytest.param(
            {"instances": "0"},
            ["`production_variants[0].initial_instance_count`", "greater than or equal to 1"],
            id="range",
        ),
        pytest.param(  # the model's `integer` is 32-bit: the service cannot read 3e9 (test_strictness)
            {"instances": "3000000000"},
            ["`production_variants[0].initial_instance_count`", "less than or equal to 2147483647"],
            id="integer-width",
        ),
        pytest.param(
            {"typo": "initial_instance_cuont"},
            ["initial_instance_cuont", "did you mean `initial_instance_count`?"],
            id="unknown-key",
        ),
        pytest.param(
            {"configName": "bad_name"},
            ["`name` must match the pattern", "'bad_name'"],
            id="pattern",
        ),
        pytest.param(  # the stack's read budget (issue 17), read by the provider, not by a resource
            {"sagemaker-hosting:readsPerSecond": "0"},
            [
                "`sagemaker-hosting:readsPerSecond` is '0'",
                "must be a number of SageMaker reads per second of at least 0.2",
            ],
            id="read-budget",
        ),
    ],
)
def test_bad_input_fails_preview_before_any_call(tmp_path, emulator, config, messages) -> None:
    emulator.reset()
    create_models(emulator, "model-a")
    project = make_project(tmp_path, emulator, PROGRAM)
    project.set_config(**{"instanceType": "ml.m5.large", "instances": "1", **config})
    emulator.clear_calls()
    with pytest.raises(auto.CommandError) as preview:
        project.preview()
    for message in messages:
        assert message in str(preview.value)
    assert "Traceback" not in str(preview.value)
    with pytest.raises(auto.CommandError):
        project.up()
    assert emulator.writes() == []  # preview reads (owners under the names), never writes
    sagemaker = client(emulator, "sagemaker")
    assert sagemaker.list_endpoint_configs()["EndpointConfigs"] == []
    assert sagemaker.list_endpoints()["Endpoints"] == []


def test_a_value_botocore_does_not_list_is_a_warning_and_the_service_decides(tmp_path, emulator) -> None:
    """An instance type the installed botocore does not list may be one AWS launched since: preview
    passes, warning with its name; `up` sends it, and SageMaker's answer decides (the emulator, on the
    installed model, refuses it as AWS refuses a type that does not exist), leaving nothing behind."""
    emulator.reset()
    create_models(emulator, "model-a")
    project = make_project(tmp_path, emulator, PROGRAM)
    project.set_config(instanceType="ml.m5.largest", instances="1")
    emulator.clear_calls()
    preview = project.preview()
    assert "warning: `production_variants[0].instance_type` is 'ml.m5.largest'" in preview.stdout
    assert "did you mean 'ml.m5.large'" in preview.stdout and "It is passed to SageMaker" in preview.stdout
    assert emulator.writes() == []  # preview reads (owners under the names), never writes
    with pytest.raises(auto.CommandError) as refused:
        project.up()
    assert "CreateEndpointConfig failed" in str(refused.value) and "instanceType" in str(refused.value)
    sagemaker = client(emulator, "sagemaker")
    assert sagemaker.list_endpoint_configs()["EndpointConfigs"] == []
    assert sagemaker.list_endpoints()["Endpoints"] == []


def test_explicit_config_name_is_not_recreated_in_place(tmp_path, emulator) -> None:
    emulator.reset()
    create_models(emulator, "model-a")
    project = make_project(tmp_path, emulator, PROGRAM)
    project.set_config(instanceType="ml.m5.large", instances="1", configName="pinned")
    project.up()

    project.set_config(instances="2")
    emulator.clear_calls()
    with pytest.raises(auto.CommandError) as preview:
        project.preview()
    assert 'replaces endpoint config "pinned"' in str(preview.value)
    assert "Change `name`, or remove it to let a name be generated" in str(preview.value)
    assert emulator.writes() == []

    project.set_config(configName="pinned-v2")
    project.up()
    sagemaker = client(emulator, "sagemaker")
    assert [c["EndpointConfigName"] for c in sagemaker.list_endpoint_configs()["EndpointConfigs"]] == ["pinned-v2"]
    project.destroy()


SECRETS_PROGRAM = """
import pulumi
from sagemaker_hosting import Endpoint, EndpointConfig

bad = pulumi.Config().require("bad")
key = "not a key !! hunter2" if bad == "config" else "alias/endpoints"
endpoint_config = EndpointConfig("main", kms_key_id=pulumi.Output.secret(key),
    production_variants=[{"variant_name": "primary", "model_name": "model-a", "instance_type": "ml.m5.large",
                          "initial_instance_count": pulumi.Output.secret(0 if bad == "config" else 1)}])
team = "Pr1vate!Team" if bad == "endpoint" else "ml"
Endpoint("main", endpoint_config_name=endpoint_config.name, tags={"owner": pulumi.Output.secret(team)})
"""


@pytest.mark.parametrize(
    ("bad", "messages", "secret"),
    [
        pytest.param(
            "config",
            [
                "`kms_key_id` must match the pattern",
                "(got [secret])",
                "`production_variants[0].initial_instance_count`",
            ],
            "hunter2",
            id="config",
        ),
        pytest.param("endpoint", ['`tags["owner"]`', "(got [secret])"], "Pr1vate!Team", id="endpoint"),
    ],
)
def test_a_secret_input_never_shows_in_a_message(tmp_path, emulator, bad, messages, secret) -> None:
    """The engine hands a dynamic provider secrets unwrapped, and prints the value of a property a
    check failure names: a bad secret's failure names the field and the rule but not the value,
    neither ours nor the engine's."""
    emulator.reset()
    create_models(emulator, "model-a")
    project = make_project(tmp_path, emulator, SECRETS_PROGRAM)
    project.set_config(bad=bad)
    emulator.clear_calls()
    with pytest.raises(auto.CommandError) as preview:
        project.preview()
    output = str(preview.value)
    for message in messages:
        assert message in output
    assert secret not in output
    assert emulator.writes() == []  # preview reads (owners under the names), never writes


REGIONS_PROGRAM = """
import pulumi
from sagemaker_hosting import Endpoint, EndpointConfig

settings = pulumi.Config()
config = EndpointConfig("main", region=settings.require("configRegion"), production_variants=[{
    "variant_name": "primary", "model_name": "model-a", "instance_type": "ml.m5.large", "initial_instance_count": 1}])
name = config.name if settings.get_bool("facts") else config.name.apply(lambda name: name)  # a name without facts
Endpoint("main", endpoint_config_name=name)
"""


@pytest.mark.parametrize("facts", [True, False])
def test_a_config_in_another_region_names_both_regions(tmp_path, emulator, facts) -> None:
    """A config in eu-west-1 and its endpoint in the stack's us-east-1 (issue 19 item 4). When the
    endpoint is put on the config's `name`, preview refuses it naming both regions, and nothing is
    written; when the name comes from elsewhere (no facts travel with it), `up` fails in seconds
    naming the account and region the config was looked for in, and creates no endpoint."""
    emulator.reset()
    create_models(emulator, "model-a", region="eu-west-1")
    project = make_project(tmp_path, emulator, REGIONS_PROGRAM)
    project.set_config(configRegion="eu-west-1", facts=str(facts).lower())
    emulator.clear_calls()
    if facts:
        with pytest.raises(auto.CommandError) as preview:
            project.preview()
        assert "is in eu-west-1 and the endpoint in us-east-1" in str(preview.value)
        assert emulator.writes() == []
        return
    with pytest.raises(auto.CommandError) as up:
        project.up()
    assert "does not exist in account 123456789012, region us-east-1, where the endpoint is" in str(up.value)
    assert client(emulator, "sagemaker").list_endpoints()["Endpoints"] == []
    project.destroy()
