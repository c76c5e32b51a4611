"""The example stack through the real engine: create, no-op preview and refresh, a blue/green
config change, failed deployments (bad model; alarm during the canary), recovery, destroy."""

from __future__ import annotations

import base64
import os
import re
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from sagemaker_hosting.testing import Project, client, copy_project, create_alarm, create_models, set_alarm
from scripts import readme_blocks

REPO = Path(__file__).resolve().parents[2]


def stable_preview(text: str) -> str:
    """`pulumi preview --diff` as README shows it: generated name suffixes and times made stable."""
    suffixes: dict[str, str] = {}

    def stable_name(found: re.Match[str]) -> str:
        return found.group(1) + suffixes.setdefault(found.group(2), f"{len(suffixes) + 1:07d}")

    text = re.sub(r"\b(main-)([a-z0-9]{7})\b", stable_name, text)
    text = re.sub(r"\d{4}-\d\d-\d\dT[\d:.]+\+00:00", "2026-01-01T00:00:00+00:00", text)
    body = text[text.index("Previewing update") :].rstrip()
    return f"```\n$ pulumi preview --diff\n{body}\n```\n"


def check_readme_preview(preview: str) -> None:
    """README's preview block is this preview (`UPDATE_README=1` rewrites it)."""
    shown = stable_preview(preview)
    if os.environ.get("UPDATE_README"):
        readme_blocks.write("preview", shown)
    assert readme_blocks.read("preview") == shown, "README's preview is stale: run `make readme`"


def sagemaker_state(emulator) -> tuple[list[dict[str, Any]], list[str]]:
    sagemaker = client(emulator, "sagemaker")
    endpoints = [
        sagemaker.describe_endpoint(EndpointName=e["EndpointName"]) for e in sagemaker.list_endpoints()["Endpoints"]
    ]
    configs = sorted(c["EndpointConfigName"] for c in sagemaker.list_endpoint_configs()["EndpointConfigs"])
    return endpoints, configs


@pytest.fixture
def example(tmp_path, emulator) -> Project:
    emulator.reset()
    emulator.settings(create_seconds=1.0, update_seconds=1.0, delete_seconds=0.3, time_scale=0.01)
    create_models(emulator, "churn-v1", "churn-v2", "churn-v3", missing=("churn-broken",))
    create_alarm(emulator, "example-5xx")
    project = copy_project(tmp_path, emulator, REPO)
    project.set_config(model="churn-v1", rollbackAlarm="example-5xx", canaryWaitSeconds="100")
    return project


def test_example_lifecycle(example: Project, emulator) -> None:
    # pulumi up creates the config and the endpoint.
    example.up()
    endpoints, configs = sagemaker_state(emulator)
    assert len(endpoints) == 1 and endpoints[0]["EndpointStatus"] == "InService"
    outputs = example.outputs()
    assert outputs["endpoint_name"] == endpoints[0]["EndpointName"]
    assert outputs["endpoint_arn"] == endpoints[0]["EndpointArn"]
    assert configs == [endpoints[0]["EndpointConfigName"]] == [outputs["endpoint_config_name"]]

    # The state holds each provider as a reference to its class in the package: small, no path.
    resources = (example.stack.export_stack().deployment or {})["resources"]
    for resource in resources:
        if resource["type"].startswith("pulumi-python:dynamic/"):
            pickled = base64.b64decode(resource["outputs"]["__provider"])
            assert len(pickled) < 100 and str(REPO).encode() not in pickled
            assert f"{resource['type'].rpartition(':')[2]}Provider".encode() in pickled

    # Nothing changed: preview and refresh agree.
    example.preview(expect_no_changes=True)
    example.refresh(expect_no_changes=True)

    # A new model: the preview shows a config replacement and an endpoint update, and only reads.
    emulator.clear_calls()
    example.set_config(model="churn-v2")
    preview = example.preview(diff=True)
    assert preview.change_summary.get(auto.OpType.REPLACE) == 1
    assert preview.change_summary.get(auto.OpType.UPDATE) == 1
    assert emulator.writes() == []
    assert '~ model_name            : "churn-v1" => "churn-v2"' in preview.stdout
    check_readme_preview(preview.stdout)

    # pulumi up: one create, one blue/green update, then the old config is deleted, last.
    old_config = outputs["endpoint_config_name"]
    emulator.clear_calls()
    example.up()
    writes, events = emulator.writes(), emulator.events()
    # (AddTags records on the new config that the endpoint is put on it, for the delete guard.)
    actions = ["CreateEndpointConfig", "AddTags", "UpdateEndpoint", "DeleteEndpointConfig"]
    assert [call["action"] for call in writes] == actions
    new_config = example.outputs()["endpoint_config_name"]
    assert new_config != old_config
    assert writes[0]["name"] == writes[1]["name"] == new_config and writes[3]["name"] == old_config
    in_service_on_new = [
        e["time"] for e in events if e["status"] == "InService" and e["endpoint_config_name"] == new_config
    ]
    assert in_service_on_new and writes[3]["time"] > in_service_on_new[0]
    endpoints, configs = sagemaker_state(emulator)
    assert endpoints[0]["EndpointConfigName"] == new_config and configs == [new_config]


def test_failed_deployments_keep_the_old_config(example: Project, emulator) -> None:
    example.up()
    serving = example.outputs()["endpoint_config_name"]

    # A model whose artifact is missing: SageMaker rolls back, pulumi up fails with its reason.
    example.set_config(model="churn-broken")
    with pytest.raises(auto.CommandError, match="Failed to download model data"):
        example.up()
    endpoints, configs = sagemaker_state(emulator)
    assert endpoints[0]["EndpointStatus"] == "InService"
    assert endpoints[0]["EndpointConfigName"] == serving
    assert serving in configs
    assert example.outputs()["endpoint_config_name"] == serving

    # A good model, but the rollback alarm fires during the canary's bake.
    set_alarm(emulator, "example-5xx", "ALARM")
    example.set_config(model="churn-v3")
    with pytest.raises(auto.CommandError, match="rolled back"):
        example.up()
    endpoints, configs = sagemaker_state(emulator)
    assert endpoints[0]["EndpointConfigName"] == serving and serving in configs

    # Fixed: the next pulumi up converges and cleans every config but the one in service.
    set_alarm(emulator, "example-5xx", "OK")
    emulator.clear_calls()
    example.up()
    calls, events = emulator.calls(), emulator.events()
    endpoints, configs = sagemaker_state(emulator)
    now_serving = example.outputs()["endpoint_config_name"]
    assert now_serving != serving
    # The config that served all along (left pending deletion by the failed runs) goes last,
    # after the endpoint is InService on the new one.
    moved = min(e["time"] for e in events if e["status"] == "InService" and e["endpoint_config_name"] == now_serving)
    deletes = [call for call in calls if call["action"] == "DeleteEndpointConfig"]
    assert serving in {call["name"] for call in deletes}
    assert all(call["time"] > moved for call in deletes)
    assert endpoints[0]["EndpointConfigName"] == now_serving and endpoints[0]["EndpointStatus"] == "InService"
    assert configs == [now_serving]
    example.preview(expect_no_changes=True)

    # pulumi destroy leaves nothing behind.
    example.destroy()
    assert sagemaker_state(emulator) == ([], [])
