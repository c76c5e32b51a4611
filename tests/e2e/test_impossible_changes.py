"""Moves of an endpoint to another config that SageMaker cannot make by UpdateEndpoint, and configs
with a shadow variant SageMaker refuses to put an endpoint on, fail `pulumi preview` with the field,
the rule, its source and what to do, before any SageMaker write; `pulumi up` (which previews first)
changes nothing, and the endpoint stays InService on its config. A possible neighbour of each deploys."""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

import pytest
from pulumi import automation as auto

from sagemaker_hosting import naming
from sagemaker_hosting.emulator.testing import Emulator
from sagemaker_hosting.testing import Project, client, create_models, make_project
from tests.e2e.test_program_shapes import STAND_INS

PROGRAM = """
import json
import pulumi
from sagemaker_hosting import Endpoint, EndpointConfig

spec = json.loads(pulumi.Config().require("spec"))

def variant(v):
    out = {"variant_name": v["name"], "model_name": v.get("model", "model-a")}
    if v.get("serverless"):
        out["serverless_config"] = {"memory_size_in_mb": 2048, "max_concurrency": 5}
    else:
        out.update(instance_type=v.get("type", "ml.m5.large"), initial_instance_count=v.get("count", 2))
    if v.get("layout"):
        out["accelerator_partition_layouts"] = [{"accelerator_partition_types": v["layout"]}]
    return out

DEPLOYMENTS = {
    "none": None,
    "blue-green": {"blue_green_update_policy": {
        "traffic_routing_configuration": {"type": "ALL_AT_ONCE", "wait_interval_in_seconds": 0}}},
    "rolling": {"rolling_update_policy": {
        "maximum_batch_size": {"type": "CAPACITY_PERCENT", "value": 50}, "wait_interval_in_seconds": 0}},
    "canary-2-instances": {"blue_green_update_policy": {"traffic_routing_configuration": {
        "type": "CANARY", "canary_size": {"type": "INSTANCE_COUNT", "value": 2}, "wait_interval_in_seconds": 0}}},
}
config = EndpointConfig(
    "main",
    production_variants=[variant(v) for v in spec["variants"]],
    shadow_production_variants=[variant(v) for v in spec["shadow"]] if spec.get("shadow") else None,
    async_inference_config={"output_config": {"s3_output_path": "s3://async-out/main"}} if spec.get("async") else None,
    data_capture_config={"destination_s3_uri": "s3://capture/main", "initial_sampling_percentage": 10,
                         "capture_options": [{"capture_mode": "Input"}]} if spec.get("capture") else None,
)
# Without facts: the config's name through an apply, so the endpoint learns nothing of its variants.
name = config.name if spec.get("facts", True) else config.name.apply(lambda name: name)
Endpoint("main", name=spec.get("name"), endpoint_config_name=name, deployment_config=DEPLOYMENTS[spec["deployment"]])
"""

DEPLOYS = ()
"""A step that deploys (no message expected)."""

INSTANCE = {"name": "a"}
SERVERLESS = {"name": "a", "serverless": True}
GPU = {"name": "a", "type": "ml.g7.12xlarge"}
SHADOW = {"name": "shadow", "model": "model-b", "count": 1}
Step = tuple[list[dict[str, Any]] | dict[str, Any], str, tuple[str, ...]]
"""The config's production variants (or the whole spec: variants, shadow, async), the deployment,
and the messages preview must fail with."""


@pytest.mark.parametrize(
    "steps",
    [
        pytest.param(
            [
                ([SERVERLESS], "none", DEPLOYS),
                ([INSTANCE], "none", DEPLOYS),  # serverless to instance-based is allowed
                (
                    [SERVERLESS],
                    "none",
                    (
                        "`endpoint_config_name`: the new config",
                        "SageMaker cannot update an endpoint from instance-based to serverless",
                        "serverless-endpoints-update.html",
                        "create a new Endpoint for it",
                    ),
                ),
            ],
            id="instance-to-serverless",
        ),
        pytest.param(
            [
                ([INSTANCE], "blue-green", DEPLOYS),
                ([{**INSTANCE, "model": "model-b"}], "blue-green", DEPLOYS),  # same names under blue/green
                (
                    [{"name": "b"}],
                    "blue-green",
                    (
                        "has production variants [b], and the endpoint runs [a]",
                        "a blue/green deployment needs the same variant names",
                        "deployment-guardrails-exclusions.html",
                        "Keep the variant names, or deploy this change without `deployment_config`",
                    ),
                ),
                ([{"name": "b"}], "none", DEPLOYS),  # a rename without deployment_config
            ],
            id="rename-under-blue-green",
        ),
        pytest.param(
            [
                ([INSTANCE, {"name": "b"}], "none", DEPLOYS),
                (
                    [{**INSTANCE, "model": "model-b"}, {"name": "b"}],
                    "rolling",
                    (
                        "`deployment_config.rolling_update_policy`",
                        "is multi-variant, and SageMaker does not deploy rolling updates",
                        "Use a `blue_green_update_policy` instead",
                    ),
                ),
                ([{**INSTANCE, "model": "model-b"}, {"name": "b"}], "blue-green", DEPLOYS),
            ],
            id="rolling-multi-variant",
        ),
        pytest.param(
            [
                ([{**GPU, "layout": ["mig-3g.40gb", "mig-4g.40gb"]}], "none", DEPLOYS),
                ([{**GPU, "layout": ["mig-3g.40gb", "mig-4g.40gb"], "model": "model-b"}], "none", DEPLOYS),
                (
                    [{**GPU, "layout": ["mig-4g.40gb", "mig-3g.40gb"]}],
                    "none",
                    (
                        'variant "a" of the new config',
                        "can't change the layout of a running endpoint",
                        "AcceleratorPartitionLayout",
                        "Keep the layout, or create a new Endpoint",
                    ),
                ),
            ],
            id="partition-layout",
        ),
        pytest.param(
            [
                ([{**INSTANCE, "count": 4}], "canary-2-instances", DEPLOYS),
                ([{**INSTANCE, "count": 4, "model": "model-b"}], "canary-2-instances", DEPLOYS),  # 2 of 4: 50 %
                (
                    [{**INSTANCE, "count": 2}],
                    "canary-2-instances",
                    (
                        "`deployment_config.blue_green_update_policy.traffic_routing_configuration.canary_size.value`",
                        "canary_size must be 1-50 % of the variant's 2 instances (got 2)",
                        'runs variant "a" on 2',
                        "CanarySize at most 50 %",
                        "Give a size within those bounds",
                    ),
                ),
                ([{**INSTANCE, "count": 2}], "none", DEPLOYS),  # the same config all at once
            ],
            id="instance-count-canary",
        ),
        pytest.param(
            [
                ({"variants": [INSTANCE], "shadow": [SHADOW]}, "none", DEPLOYS),
                (
                    {"variants": [INSTANCE], "shadow": [SHADOW], "async": True},
                    "none",
                    (
                        "`endpoint_config_name`: the config",
                        "has a shadow variant (`shadow_production_variants`) and uses asynchronous inference "
                        "(`async_inference_config`)",
                        "shadow-tests-exclusions.html",
                        "Remove the shadow variant from the config, or the features above",
                    ),
                ),
                ({"variants": [INSTANCE], "async": True}, "none", DEPLOYS),  # asynchronous without the shadow
            ],
            id="shadow-with-async",
        ),
    ],
)
def test_impossible_change_is_refused_at_preview(tmp_path, emulator: Emulator, steps: list[Step]) -> None:
    emulator.reset()
    create_models(emulator, "model-a", "model-b")
    project = make_project(tmp_path, emulator, PROGRAM)
    for index, (variants, deployment, messages) in enumerate(steps):
        spec = variants if isinstance(variants, dict) else {"variants": variants}
        project.set_config(spec=json.dumps({**spec, "deployment": deployment}))
        if not messages:
            project.up()
            assert endpoint_state(emulator) == ("InService", only_config(emulator))
            if index == 0:  # the hidden input of the config's variants is no change by itself
                project.preview(expect_no_changes=True)
            continue
        before = endpoint_state(emulator), config_names(emulator)
        assert_refused(project, emulator, messages)
        assert (endpoint_state(emulator), config_names(emulator)) == before
    project.destroy()


def test_an_endpoint_on_an_excluded_shadow_config_is_refused_at_create(tmp_path, emulator: Emulator) -> None:
    """The shadow exclusions hold for CreateEndpoint too: a new stack whose config has a shadow
    variant on Inf1 instances fails preview, and `pulumi up` makes no SageMaker write."""
    emulator.reset()
    create_models(emulator, "model-a", "model-b")
    project = make_project(tmp_path, emulator, PROGRAM)
    spec = {"variants": [INSTANCE], "shadow": [{**SHADOW, "type": "ml.inf1.xlarge"}], "deployment": "none"}
    project.set_config(spec=json.dumps(spec))
    messages = (
        "has a shadow variant (`shadow_production_variants`) and uses Inf1 instances "
        "(`shadow_production_variants[0].instance_type`)",
        "shadow-tests-exclusions.html",
    )
    assert_refused(project, emulator, messages)
    assert client(emulator, "sagemaker").list_endpoints()["Endpoints"] == []
    assert config_names(emulator) == []


@pytest.mark.parametrize(
    ("spec", "feature"),
    [
        (
            {"variants": [SERVERLESS, {**SERVERLESS, "name": "b"}]},
            "multiple production variants (`production_variants`)",
        ),
        ({"variants": [SERVERLESS], "capture": True}, "data capture (`data_capture_config`)"),
    ],
    ids=["several-variants", "data-capture"],
)
def test_a_serverless_config_with_an_excluded_feature_is_refused_at_preview(tmp_path, emulator, spec, feature) -> None:
    """Serverless Inference's feature exclusions (Developer Guide, serverless-endpoints, "Feature
    exclusions") that a config shows fail the endpoint's preview, and `pulumi up` writes nothing.
    Negative control: the same program with the config's name passed through an `apply` (no facts
    reach the endpoint) passes preview, and at `up` the emulator refuses the CreateEndpoint; the
    same config without the feature deploys."""
    emulator.reset()
    create_models(emulator, "model-a", "model-b")
    project = make_project(tmp_path, emulator, PROGRAM)
    project.set_config(spec=json.dumps({**spec, "deployment": "none"}))
    assert_refused(project, emulator, ("is serverless and uses", feature, "serverless-endpoints.html"))
    assert client(emulator, "sagemaker").list_endpoints()["Endpoints"] == []

    project.set_config(spec=json.dumps({**spec, "deployment": "none", "facts": False}))
    with pytest.raises(auto.CommandError) as up:
        project.up()
    assert "is serverless, which cannot be used with" in str(up.value)
    assert client(emulator, "sagemaker").list_endpoints()["Endpoints"] == []

    project.set_config(spec=json.dumps({"variants": [SERVERLESS], "deployment": "none"}))
    project.up()
    assert endpoint_state(emulator) == ("InService", only_config(emulator))
    project.destroy()


MODEL_FROM_A_RESOURCE = (
    STAND_INS
    + """
from sagemaker_hosting import Endpoint, EndpointConfig

settings = pulumi.Config()
model = Model("model", data=settings.require("data"))  # a new artifact: a new model, named only at up
size = {"type": "INSTANCE_COUNT", "value": int(settings.require("canary"))}
config = EndpointConfig("main", production_variants=[{"variant_name": "a", "model_name": model.name,
    "instance_type": "ml.m5.large", "initial_instance_count": int(settings.require("count"))}])
Endpoint("main", endpoint_config_name=config.name, deployment_config={"blue_green_update_policy": {
    "traffic_routing_configuration": {"type": "CANARY", "canary_size": size, "wait_interval_in_seconds": 0}}})
"""
)


def test_a_config_named_only_at_up_is_checked_from_what_preview_knows(tmp_path, emulator: Emulator) -> None:
    """A new model (a resource's output, unknown at preview) makes the config's name unknown too, as
    with aws.sagemaker.Model; the count and the canary are known, so a canary of 3 of 4 instances
    still fails preview, and `pulumi up` writes nothing. 2 of 4 deploys."""
    emulator.reset()
    create_models(emulator, "a", "b")
    project = make_project(tmp_path, emulator, MODEL_FROM_A_RESOURCE)
    project.set_config(data="s3://models/a/model.tar.gz", count="2", canary="1")
    project.up()
    before = endpoint_state(emulator), config_names(emulator)
    project.set_config(data="s3://models/b/model.tar.gz", count="4", canary="3")
    messages = ("canary_size.value", 'the new config (named at `up`) runs variant "a" on 4', "CanarySize at most 50 %")
    assert_refused(project, emulator, messages)
    assert (endpoint_state(emulator), config_names(emulator)) == before
    project.set_config(canary="2")
    project.up()
    assert endpoint_state(emulator) == ("InService", only_config(emulator))
    project.destroy()


def test_up_without_preview_creates_the_new_config_only(tmp_path, emulator: Emulator) -> None:
    """`pulumi up --skip-preview` (the Automation API's `up`) creates the new config before the
    endpoint's check can refuse the move (the endpoint waits for the config's name): the endpoint is
    untouched, and the next `up` with a possible change converges."""
    emulator.reset()
    create_models(emulator, "model-a", "model-b")
    project = make_project(tmp_path, emulator, PROGRAM)
    project.set_config(spec=json.dumps({"variants": [INSTANCE], "deployment": "none"}))
    project.up()
    serving = endpoint_state(emulator)
    project.set_config(spec=json.dumps({"variants": [SERVERLESS], "deployment": "none"}))
    emulator.clear_calls()
    with pytest.raises(auto.CommandError) as refused:
        project.up()
    assert "SageMaker cannot update an endpoint from instance-based to serverless" in str(refused.value)
    assert [call["action"] for call in emulator.writes()] == ["CreateEndpointConfig"]
    assert endpoint_state(emulator) == serving

    project.set_config(spec=json.dumps({"variants": [{**INSTANCE, "model": "model-b"}], "deployment": "none"}))
    project.up()
    assert endpoint_state(emulator) == ("InService", only_config(emulator))
    project.destroy()


def test_a_new_name_replaces_the_endpoint_on_the_serverless_config(tmp_path, emulator: Emulator) -> None:
    """What the refusal suggests: with a new `name`, the endpoint is replaced (the new one created on
    the serverless config first, the old one deleted after), so nothing is refused."""
    emulator.reset()
    create_models(emulator, "model-a")
    project = make_project(tmp_path, emulator, PROGRAM)
    project.set_config(spec=json.dumps({"variants": [INSTANCE], "deployment": "none"}))
    project.up()
    project.set_config(spec=json.dumps({"variants": [SERVERLESS], "deployment": "none", "name": "fresh"}))
    project.preview()
    project.up()
    assert [e["EndpointName"] for e in client(emulator, "sagemaker").list_endpoints()["Endpoints"]] == ["fresh"]
    assert endpoint_state(emulator) == ("InService", only_config(emulator))
    project.destroy()


def cli_up(project: Project) -> subprocess.CompletedProcess[str]:
    """`pulumi up --yes` as a user or CI runs it: the preview first, then the update."""
    workspace = project.stack.workspace
    assert isinstance(workspace, auto.LocalWorkspace) and workspace.work_dir is not None
    env = {**os.environ, **(workspace.env_vars or {})}
    command = ["pulumi", "up", "--yes", "--non-interactive", "--color", "never", "--stack", "test"]
    return subprocess.run(command, cwd=workspace.work_dir, env=env, capture_output=True, text=True, timeout=300)


def assert_refused(project: Project, emulator: Emulator, messages: tuple[str, ...]) -> None:
    """`pulumi preview` fails with every message, so does `pulumi up` (CLI), and SageMaker saw no write."""
    emulator.clear_calls()
    with pytest.raises(auto.CommandError) as preview:
        project.preview()
    up = cli_up(project)
    assert up.returncode != 0
    for message in messages:
        assert message in str(preview.value)
        assert message in up.stdout + up.stderr
    assert emulator.writes() == []


def endpoint_state(emulator: Emulator) -> tuple[str, str]:
    sagemaker = client(emulator, "sagemaker")
    (summary,) = sagemaker.list_endpoints()["Endpoints"]
    described = sagemaker.describe_endpoint(EndpointName=summary["EndpointName"])
    return described["EndpointStatus"], described["EndpointConfigName"]


def config_names(emulator: Emulator) -> list[str]:
    configs = client(emulator, "sagemaker").list_endpoint_configs()["EndpointConfigs"]
    return sorted(config["EndpointConfigName"] for config in configs)


def only_config(emulator: Emulator) -> str:
    (name,) = config_names(emulator)
    return name


def test_state_from_before_the_hidden_input(tmp_path, emulator: Emulator) -> None:
    """State written before endpoints carried their config's variants: no change shows, and the
    first `pulumi up` (even one with nothing to do) records them, so the next impossible change is
    refused at preview."""
    emulator.reset()
    create_models(emulator, "model-a")
    project = make_project(tmp_path, emulator, PROGRAM)
    project.set_config(spec=json.dumps({"variants": [INSTANCE], "deployment": "none"}))
    project.up()
    state = project.stack.export_stack()
    assert state.deployment is not None
    stripped = [
        resource.get(part, {}).pop(naming.CONFIG_VARIANTS_KEY, None)
        for resource in state.deployment["resources"]
        for part in ("inputs", "outputs")
    ]
    assert any(stripped)
    project.stack.import_stack(state)

    project.preview(expect_no_changes=True)
    project.up()
    project.set_config(spec=json.dumps({"variants": [SERVERLESS], "deployment": "none"}))
    emulator.clear_calls()
    with pytest.raises(auto.CommandError) as preview:
        project.preview()
    assert "SageMaker cannot update an endpoint from instance-based to serverless" in str(preview.value)
    assert emulator.writes() == []
    project.destroy()
