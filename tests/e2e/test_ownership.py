"""Ownership through the real CLI: two stacks that share every name (project, stack and resource
names, each on its own file backend, as two developers or two CI pipelines have them) in one
account never touch each other's configs or endpoints; the stack's id survives `stack rename` and
`stack export` / `import`. The emulator's call log is the witness."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from sagemaker_hosting import ownership, tag_keys
from sagemaker_hosting.emulator.testing import Emulator
from sagemaker_hosting.testing import Project, client, create_models, make_project

PROGRAM = """
import pulumi
from sagemaker_hosting import Endpoint, EndpointConfig

settings = pulumi.Config()
config = EndpointConfig("main", production_variants=[{"variant_name": "primary",
    "model_name": settings.require("model"), "instance_type": "ml.m5.large", "initial_instance_count": 1}],
    tags={"team": settings.require("team")})
endpoint = Endpoint("main", endpoint_config_name=config.name, tags={"team": settings.require("team")})
pulumi.export("endpoint", endpoint.name)
pulumi.export("config", config.name)
"""

WRITES = {"CreateEndpointConfig", "CreateEndpoint", "UpdateEndpoint", "DeleteEndpoint", "DeleteEndpointConfig"}
WRITES |= {"AddTags", "DeleteTags"}


def team_stack(root: Path, emulator: Emulator, team: str, model: str) -> Project:
    """The same project, stack and resource names as every other team's, on a file backend of its own."""
    root.mkdir()
    project = make_project(root, emulator, PROGRAM)
    project.set_config(team=team, model=model)
    return project


def live(emulator: Emulator) -> dict[str, Any]:
    """Every endpoint (its config and tags) and every config (its tags) in the emulator."""
    sagemaker = client(emulator, "sagemaker")

    def tags(arn: str) -> dict[str, str]:
        return {tag["Key"]: tag["Value"] for tag in sagemaker.list_tags(ResourceArn=arn)["Tags"]}

    endpoints = {}
    for summary in sagemaker.list_endpoints()["Endpoints"]:
        described = sagemaker.describe_endpoint(EndpointName=summary["EndpointName"])
        endpoints[summary["EndpointName"]] = (described["EndpointConfigName"], tags(summary["EndpointArn"]))
    configs = {
        c["EndpointConfigName"]: tags(c["EndpointConfigArn"])
        for c in sagemaker.list_endpoint_configs()["EndpointConfigs"]
    }
    return {"endpoints": endpoints, "configs": configs}


def writes_on(emulator: Emulator, names: set[str]) -> list[dict[str, Any]]:
    """Calls since the log was last cleared that changed a config or endpoint named in `names`."""
    return [c for c in emulator.calls() if c["action"] in WRITES and c["name"] in names and c["status"] == 200]


def cli(project: Project, *args: str) -> None:
    """`pulumi ARGS` on the project's stack, as a user types it (CommandError with the output on failure)."""
    workspace = project.stack.workspace
    assert isinstance(workspace, auto.LocalWorkspace) and workspace.work_dir
    command = [*args, "--color", "never", "--stack", project.stack.name]
    workspace.pulumi_command.run(command, workspace.work_dir, workspace.env_vars, on_output=project.output.append)


def refused(run: Any) -> str:
    with pytest.raises(auto.CommandError) as failure:
        run()
    return str(failure.value)


@pytest.mark.parametrize("same_model", [False, True], ids=["other-model", "same-model"])
def test_a_stack_with_the_same_names_never_touches_the_other(tmp_path, emulator, same_model) -> None:
    """Team B's stack has every name of team A's. With another model, only its endpoint's name is
    A's; with the same model, its config's too. B's preview fails naming A's stack, B's `up` fails
    before any write to A's resources (with or without a preview first), B's destroy deletes
    nothing of A's, and A previews clean throughout."""
    emulator.reset()
    create_models(emulator, "a", "b")
    team_a = team_stack(tmp_path / "a", emulator, "a", "a")
    team_a.up()
    ours = team_a.outputs()
    before = live(emulator)
    a_names = {ours["endpoint"], ours["config"]}
    stack_id = ownership.parse(before["endpoints"][ours["endpoint"]][1][tag_keys.OWNER_TAG])
    assert stack_id is not None and stack_id.stack_id and stack_id.label == "organization/e2e/test"

    team_b = team_stack(tmp_path / "b", emulator, "b", "a" if same_model else "b")
    emulator.clear_calls()
    message = refused(team_b.preview)
    kind = "Endpoint config" if same_model else "Endpoint"
    name = ours["config"] if same_model else ours["endpoint"]
    assert f'{kind} "{name}" already exists in account 123456789012, us-east-1' in message, message
    assert f"belongs to another Pulumi stack (organization/e2e/test), with stack id {stack_id.stack_id}" in message
    assert "nothing was created or changed" in message
    assert [c for c in emulator.calls() if c["action"] in WRITES] == []  # preview writes nothing

    refused(lambda: cli(team_b, "up", "--yes"))  # the CLI's `up` previews first: nothing at all is written
    assert [c for c in emulator.calls() if c["action"] in WRITES] == []
    message = refused(team_b.up)  # the Automation API's skips the preview
    assert f'{kind} "{name}" already exists' in message and "another Pulumi stack" in message
    assert writes_on(emulator, a_names) == []  # B may have made its own config, nothing of A's
    assert live(emulator)["endpoints"] == before["endpoints"]
    assert live(emulator)["configs"][ours["config"]] == before["configs"][ours["config"]]

    team_a.preview(expect_no_changes=True)
    team_b.destroy()
    team_b.destroy()  # twice: still nothing of A's
    assert writes_on(emulator, a_names) == [] and live(emulator) == before
    team_a.set_config(model="b")  # A goes on as before: a new config, blue/green, the old one deleted
    team_a.up()
    team_a.destroy()
    assert live(emulator) == {"endpoints": {}, "configs": {}}


def test_the_stack_id_survives_export_import_and_rename(tmp_path, emulator) -> None:
    """`stack export` into another backend's `stack import`, then `pulumi stack rename`, keep the
    stack's id (it is state): the stack deploys a change, what it creates carries the same id, and
    it previews clean."""
    emulator.reset()
    create_models(emulator, "a", "b")
    original = team_stack(tmp_path / "a", emulator, "a", "a")
    original.up()
    first = ownership.parse(live(emulator)["endpoints"][original.outputs()["endpoint"]][1][tag_keys.OWNER_TAG])
    assert first is not None and first.stack_id

    moved = team_stack(tmp_path / "moved", emulator, "a", "b")  # another backend; the state comes by import
    moved.stack.import_stack(original.stack.export_stack())
    workspace = moved.stack.workspace
    assert isinstance(workspace, auto.LocalWorkspace) and workspace.work_dir
    workspace.pulumi_command.run(
        ["stack", "rename", "renamed", "--stack", "test"], workspace.work_dir, workspace.env_vars
    )
    options = auto.LocalWorkspaceOptions(
        work_dir=workspace.work_dir,
        pulumi_home=workspace.pulumi_home,
        env_vars=workspace.env_vars,
        pulumi_command=workspace.pulumi_command,
    )
    renamed = Project(auto.select_stack("renamed", work_dir=workspace.work_dir, opts=options))
    renamed.set_config(team="a", model="b")
    renamed.up()  # a new config (created with the imported id), the endpoint moves, the old config goes
    after = live(emulator)
    config_owner = ownership.parse(after["configs"][renamed.outputs()["config"]][tag_keys.OWNER_TAG])
    assert config_owner is not None and config_owner.stack_id == first.stack_id
    assert config_owner.label == "organization/e2e/renamed"
    renamed.preview(expect_no_changes=True)
    renamed.destroy()
    assert live(emulator) == {"endpoints": {}, "configs": {}}


@pytest.mark.parametrize("then", ["destroy", "refresh"])
def test_a_name_another_stack_took_after_an_outside_delete_is_left_alone(tmp_path, emulator, then) -> None:
    """B's endpoint is deleted outside Pulumi, and A (same names) creates one under its name. B's
    state still lists it, but B never touches A's: `destroy` deletes only B's config, `refresh`
    drops the endpoint from B's state, after which B's `up` is refused naming A."""
    emulator.reset()
    create_models(emulator, "a", "b")
    team_b = team_stack(tmp_path / "b", emulator, "b", "b")
    team_b.up()
    theirs = team_b.outputs()
    sagemaker = client(emulator, "sagemaker")
    sagemaker.delete_endpoint(EndpointName=theirs["endpoint"])
    sagemaker.get_waiter("endpoint_deleted").wait(
        EndpointName=theirs["endpoint"], WaiterConfig={"Delay": 0.2, "MaxAttempts": 100}
    )
    team_a = team_stack(tmp_path / "a", emulator, "a", "a")
    team_a.up()
    ours = team_a.outputs()
    assert ours["endpoint"] == theirs["endpoint"]
    before = live(emulator)["endpoints"]
    emulator.clear_calls()

    if then == "destroy":
        team_b.destroy()
        assert theirs["config"] not in live(emulator)["configs"]  # B's own config is deleted
    else:
        team_b.refresh()
        message = refused(team_b.up)
        assert f'Endpoint "{ours["endpoint"]}" already exists' in message and "another Pulumi stack" in message
        team_b.destroy()
    assert writes_on(emulator, {ours["endpoint"], ours["config"]}) == []
    assert live(emulator)["endpoints"] == before  # A's endpoint, on A's config, with its tags
    team_a.preview(expect_no_changes=True)
    team_a.destroy()
    assert live(emulator) == {"endpoints": {}, "configs": {}}
