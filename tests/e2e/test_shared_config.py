"""A config shared by many endpoints (issue 21 item 4), through the real CLI: what the provider
records on it stays one tag per stack whatever the number of endpoints, so the 48 user tags README
promises fit; the record still keeps the config from being deleted under any of its endpoints,
also once their names no longer fit in one tag value and the delete asks every endpoint of the
region; and a second stack that puts its endpoint on the config cannot write past the tag limit
without a message that says so."""

from __future__ import annotations

import pytest
from pulumi import automation as auto

from sagemaker_hosting import config_users, tag_keys
from sagemaker_hosting.emulator.testing import Emulator
from sagemaker_hosting.testing import client, create_models, make_project
from tests.e2e.test_interruptions import SECOND_STACK, no_config_deleted_in_use

PROGRAM = """
import pulumi
from sagemaker_hosting import Endpoint, EndpointConfig

settings = pulumi.Config()
config = EndpointConfig("shared", production_variants=[{"variant_name": "primary",
    "model_name": settings.require("model"), "instance_type": "ml.m5.large", "initial_instance_count": 1}],
    tags={f"team-{i}": "x" for i in range(48)})
for i in range(settings.require_int("endpoints")):
    Endpoint(f"endpoint-{i}", name=f"{PREFIX}-{i}", endpoint_config_name=config.name)
pulumi.export("config", config.name)
"""
PREFIX = "an-endpoint-whose-name-is-long-enough-that-four-fill-a-tag"
"""58 characters: the names of four endpoints fit in one tag value (256), those of five do not."""

CONFIG_URN = "urn:pulumi:test::e2e::pulumi-python:dynamic/sagemaker:EndpointConfig::shared"


def bookkeeping(emulator: Emulator, config: str) -> tuple[int, dict[str, str]]:
    """The number of user tags on `config`, and the provider's own."""
    sagemaker = client(emulator, "sagemaker")
    arn = sagemaker.describe_endpoint_config(EndpointConfigName=config)["EndpointConfigArn"]
    tags = {tag["Key"]: tag["Value"] for tag in sagemaker.list_tags(ResourceArn=arn, MaxResults=100)["Tags"]}
    own = {key: value for key, value in tags.items() if key.startswith(tag_keys.TAG_PREFIX)}
    return len(tags) - len(own), own


@pytest.mark.parametrize("endpoints", [3, 5])
def test_a_config_shared_by_many_endpoints_keeps_the_tag_budget_and_its_guard(tmp_path, emulator, endpoints) -> None:
    emulator.reset()
    create_models(emulator, "a", "b")
    stack = make_project(tmp_path, emulator, PROGRAM.replace("{PREFIX}", PREFIX))
    stack.set_config(model="a", endpoints=str(endpoints))
    names = [f"{PREFIX}-{i}" for i in range(endpoints)]
    stack.up()
    first = stack.outputs()["config"]
    user, own = bookkeeping(emulator, first)
    assert user == 48 and len(own) == 2, own  # the owner tag and this stack's record: 50 in all
    (record,) = (value for key, value in own.items() if key.startswith(tag_keys.USERS_TAG_PREFIX))
    assert record == (" ".join(names) if endpoints < 5 else config_users.MANY)

    # The config alone is replaced (`--target`): its delete finds every endpoint still on it.
    stack.set_config(model="b")
    emulator.clear_calls()
    with pytest.raises(auto.CommandError) as refused:
        stack.stack.up(target=[CONFIG_URN], color="never")
    for name in names:
        assert f'"{name}" (InService)' in str(refused.value)
    assert "without --target or --exclude" in str(refused.value)
    assert [call for call in emulator.calls() if call["action"] == "DeleteEndpointConfig"] == []
    if endpoints == 5:  # the record says MANY: the delete asked every endpoint of the region
        assert "ListEndpoints" in [call["action"] for call in emulator.calls()]

    stack.up()  # every endpoint moves, then the old config goes
    second = stack.outputs()["config"]
    assert second != first
    assert bookkeeping(emulator, second)[0] == 48 and len(bookkeeping(emulator, second)[1]) == 2
    sagemaker = client(emulator, "sagemaker")
    assert [c["EndpointConfigName"] for c in sagemaker.list_endpoint_configs()["EndpointConfigs"]] == [second]
    no_config_deleted_in_use(emulator)
    stack.preview(expect_no_changes=True)
    stack.destroy()
    assert sagemaker.list_endpoints()["Endpoints"] == []


def test_another_stack_past_the_tag_limit_is_told_and_changes_nothing(tmp_path, emulator) -> None:
    """A second stack's endpoint on a config that already holds 50 tags: its record does not fit,
    and it says so before CreateEndpoint; the first stack's tags are untouched."""
    emulator.reset()
    create_models(emulator, "a")
    (tmp_path / "first").mkdir()
    stack = make_project(tmp_path / "first", emulator, PROGRAM.replace("{PREFIX}", PREFIX))
    stack.set_config(model="a", endpoints="1")
    stack.up()
    config = stack.outputs()["config"]
    before = bookkeeping(emulator, config)
    (tmp_path / "second").mkdir()
    borrower = make_project(tmp_path / "second", emulator, SECOND_STACK)
    borrower.set_config(configName=config)
    emulator.clear_calls()
    with pytest.raises(auto.CommandError) as refused:
        borrower.up()
    assert "could not be written" in str(refused.value) and "remove a tag from the config" in str(refused.value)
    assert "CreateEndpoint" not in [call["action"] for call in emulator.calls()]
    assert bookkeeping(emulator, config) == before
    borrower.destroy()
    stack.destroy()
