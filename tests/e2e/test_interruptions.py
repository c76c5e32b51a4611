"""Interruptions, partial runs and refreshes, through the real CLI, checked against the emulator's
state and call log: `up` killed during CreateEndpoint, `--target` and `--exclude`, a config shared
with another stack, a refresh inside the consistency window, destroy of an endpoint already
Deleting, destroy twice, and no provider process outliving a killed `pulumi`."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from pulumi import automation as auto

from sagemaker_hosting.testing import Project, client, create_models, make_project

PROGRAM = """
import pulumi
from sagemaker_hosting import Endpoint, EndpointConfig

settings = pulumi.Config()
config = EndpointConfig("main", name=settings.get("configName"), production_variants=[{"variant_name": "primary",
    "model_name": settings.require("model"), "instance_type": "ml.m5.large", "initial_instance_count": 1}])
limit = settings.get("updateTimeout")
endpoint = Endpoint("main", endpoint_config_name=config.name, timeouts={"update": limit} if limit else None)
pulumi.export("endpoint", endpoint.name)
pulumi.export("config", config.name)
"""

SECOND_STACK = """
import pulumi
from sagemaker_hosting import Endpoint

endpoint = Endpoint("borrower", endpoint_config_name=pulumi.Config().require("configName"))
pulumi.export("endpoint", endpoint.name)
"""


def live(emulator) -> tuple[dict[str, str], list[str]]:
    """{endpoint: the config it serves} and every config name, in the emulator."""
    sagemaker = client(emulator, "sagemaker")
    endpoints = {
        e["EndpointName"]: sagemaker.describe_endpoint(EndpointName=e["EndpointName"])["EndpointConfigName"]
        for e in sagemaker.list_endpoints()["Endpoints"]
    }
    return endpoints, sorted(c["EndpointConfigName"] for c in sagemaker.list_endpoint_configs()["EndpointConfigs"])


def no_config_deleted_in_use(emulator) -> None:
    """No DeleteEndpointConfig succeeded on a config while an endpoint served it (its last status
    event names it), nor while any endpoint was mid-operation (moving to or from a config the events
    do not name), from the emulator's call log and status-change events."""
    events = emulator.events()
    for call in emulator.calls():
        if call["action"] != "DeleteEndpointConfig" or call["status"] != 200:
            continue
        latest = {event["name"]: event for event in events if event["time"] <= call["time"]}
        users = [
            f"{name} ({event['status']} on {event['endpoint_config_name']})"
            for name, event in latest.items()
            if event["status"] != "Deleted"
            and (event["endpoint_config_name"] == call["name"] or event["status"] != "InService")
        ]
        assert not users, f"config {call['name']} deleted while {users}"


def urn(kind: str, name: str = "main") -> str:
    return f"urn:pulumi:test::e2e::pulumi-python:dynamic/sagemaker:{kind}::{name}"


@pytest.fixture
def stack(tmp_path, emulator) -> Project:
    emulator.reset()
    create_models(emulator, "a", "b")
    project = make_project(tmp_path, emulator, PROGRAM)
    project.set_config(model="a")
    return project


@pytest.mark.parametrize("partial", ["target", "exclude"])
def test_partial_up_never_deletes_the_config_the_endpoint_runs_on(stack, emulator, partial) -> None:
    stack.up()
    first = stack.outputs()
    stack.set_config(model="b")
    emulator.clear_calls()
    if partial == "target":  # the engine replaces the config and deletes the old one: the provider refuses
        with pytest.raises(auto.CommandError) as refused:
            stack.stack.up(target=[urn("EndpointConfig")], on_output=stack.output.append, color="never")
        message = str(refused.value)
        assert (
            f'Endpoint config "{first["config"]}" was not deleted: endpoint "{first["endpoint"]}" (InService)'
            in message
        )
        assert "Move the endpoint first: run `pulumi up` without --target" in message
    else:  # the engine itself keeps the old config while a dependent is excluded
        stack.stack.up(exclude=[urn("Endpoint")], on_output=stack.output.append, color="never")
    assert "DeleteEndpointConfig" not in [call["action"] for call in emulator.calls()]
    endpoints, configs = live(emulator)
    assert endpoints == {first["endpoint"]: first["config"]} and first["config"] in configs and len(configs) == 2

    stack.up()  # the endpoint moves, then the old config goes
    moved = stack.outputs()
    assert live(emulator) == ({first["endpoint"]: moved["config"]}, [moved["config"]])
    no_config_deleted_in_use(emulator)
    stack.preview(expect_no_changes=True)
    stack.destroy()
    assert live(emulator) == ({}, [])


def test_a_config_another_stack_runs_on_is_not_deleted(stack, emulator, tmp_path) -> None:
    stack.set_config(configName="shared")
    stack.up()
    (tmp_path / "second").mkdir()
    borrower = make_project(tmp_path / "second", emulator, SECOND_STACK)
    borrower.set_config(configName="shared")
    borrower.up()

    with pytest.raises(auto.CommandError) as refused:
        stack.destroy()
    assert f'endpoint "{borrower.outputs()["endpoint"]}" (InService) runs on it' in str(refused.value)
    assert live(emulator) == ({borrower.outputs()["endpoint"]: "shared"}, ["shared"])

    borrower.destroy()
    stack.destroy()
    assert live(emulator) == ({}, [])
    no_config_deleted_in_use(emulator)


def test_refresh_inside_the_consistency_window_keeps_what_was_created(stack, emulator) -> None:
    emulator.settings(consistency_delay_seconds=4.0, create_seconds=0.2)
    try:
        stack.up()
        refresh = stack.refresh()  # the config (seconds old) is not yet visible to reads
        assert (refresh.summary.resource_changes or {}).get(auto.OpType.DELETE) is None
        stack.preview(expect_no_changes=True)
    finally:
        emulator.settings(consistency_delay_seconds=0.0, create_seconds=1.0)
    stack.destroy()
    assert live(emulator) == ({}, [])


def test_destroy_joins_a_delete_in_progress_and_destroy_twice_is_quiet(stack, emulator) -> None:
    stack.up()
    name = stack.outputs()["endpoint"]
    emulator.settings(delete_seconds=3.0)
    try:
        client(emulator, "sagemaker").delete_endpoint(EndpointName=name)  # outside Pulumi, or an interrupted destroy
        stack.destroy()
    finally:
        emulator.settings(delete_seconds=0.3)
    assert live(emulator) == ({}, [])
    stack.destroy()
    assert live(emulator) == ({}, [])


# --- killed runs --------------------------------------------------------------------------------


def spawn(project: Project, *args: str) -> subprocess.Popen[str]:
    """The pulumi CLI on the project's stack, in a process group of its own (as a CI runner starts it)."""
    workspace = project.stack.workspace
    assert isinstance(workspace, auto.LocalWorkspace)
    env = {**os.environ, **workspace.env_vars}
    return subprocess.Popen(
        ["pulumi", *args, "--stack", "test", "--non-interactive", "--yes", "--skip-preview"],
        cwd=workspace.work_dir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def wait_for(condition: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def providers_of(emulator) -> list[int]:
    """Dynamic-provider processes (`python -m pulumi.dynamic`) whose environment points at `emulator`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if b"pulumi.dynamic" in cmdline and emulator.url.encode() in environ:
            found.append(int(entry.name))
    return found


def kill_at(stack: Project, emulator, command: str, action: str, group: bool = True) -> None:
    """Start `pulumi COMMAND`, and SIGKILL it (its process group, or the pulumi process alone) the
    moment SageMaker has taken `action`, with operations slow enough to be caught in flight."""
    emulator.settings(create_seconds=3.0, update_seconds=3.0, delete_seconds=3.0)
    emulator.clear_calls()
    running = spawn(stack, command)
    try:
        wait_for(lambda: any(call["action"] == action for call in emulator.calls()))
    finally:
        if group:
            os.killpg(running.pid, signal.SIGKILL)
        else:
            running.kill()
        running.communicate()
        emulator.settings(create_seconds=1.0, update_seconds=1.0, delete_seconds=0.3)


def kill_at_create_endpoint(stack: Project, emulator, group: bool) -> None:
    kill_at(stack, emulator, "up", "CreateEndpoint", group)


def recorded_config(stack: Project) -> str:
    """The config the stack's state says the endpoint runs on."""
    resources = (stack.stack.export_stack().deployment or {})["resources"]
    return str(next(r["outputs"]["endpoint_config_name"] for r in resources if r["type"].endswith(":Endpoint")))


@pytest.mark.parametrize("then", ["up", "destroy"])
def test_up_killed_during_create_endpoint_converges(stack, emulator, then) -> None:
    kill_at_create_endpoint(stack, emulator, group=True)
    stack.stack.cancel()  # as the CLI advises: the killed run left the stack locked
    endpoints, configs = live(emulator)
    assert len(endpoints) == 1 and len(configs) == 1  # started, owned by no state yet
    started = next(iter(endpoints))

    if then == "destroy":  # the endpoint is not in the state; its config is, and stays while it runs
        with pytest.raises(auto.CommandError) as refused:
            stack.destroy()
        assert f'endpoint "{started}"' in str(refused.value) and "was not deleted" in str(refused.value)
        assert live(emulator) == (endpoints, configs)

    stack.up()  # takes the endpoint over: no second one
    assert stack.outputs()["endpoint"] == started
    assert live(emulator) == (endpoints, configs)
    assert [c["action"] for c in emulator.calls()].count("CreateEndpoint") == 2  # the killed one, the retry
    stack.preview(expect_no_changes=True)
    stack.destroy()
    assert live(emulator) == ({}, [])
    no_config_deleted_in_use(emulator)


def test_no_provider_process_outlives_a_killed_pulumi(stack, emulator) -> None:
    kill_at_create_endpoint(stack, emulator, group=False)  # the engine dies; its plugins do not get the signal
    assert providers_of(emulator), "the provider process runs while its engine does"
    wait_for(lambda: providers_of(emulator) == [], seconds=15)
    stack.stack.cancel()
    stack.up()
    stack.destroy()
    assert live(emulator) == ({}, [])


def test_up_killed_during_update_then_cancel_refresh_up_finishes_the_deployment(stack, emulator) -> None:
    stack.up()
    first = stack.outputs()
    stack.set_config(model="b")
    kill_at(stack, emulator, "up", "UpdateEndpoint")
    stack.stack.cancel()
    stack.refresh()  # mid-deployment: the state keeps the config that served before it
    assert recorded_config(stack) == first["config"]
    stack.up()  # waits for the deployment in flight, then deletes the old config
    moved = stack.outputs()
    assert moved["endpoint"] == first["endpoint"] and moved["config"] != first["config"]
    assert live(emulator) == ({first["endpoint"]: moved["config"]}, [moved["config"]])
    no_config_deleted_in_use(emulator)
    stack.preview(expect_no_changes=True)
    stack.destroy()
    assert live(emulator) == ({}, [])


def test_update_that_times_out_says_so_and_the_next_up_finishes_it(stack, emulator) -> None:
    stack.up()
    first = stack.outputs()
    stack.set_config(model="b", updateTimeout="2s")
    emulator.settings(update_seconds=6.0)
    try:
        with pytest.raises(auto.CommandError) as timed_out:
            stack.up()
    finally:
        emulator.settings(update_seconds=1.0)
    message = str(timed_out.value)
    assert "is still Updating after" in message and "raise `timeouts`" in message
    assert "the next `pulumi up` waits for it and finishes or repeats it" in message
    endpoints, configs = live(emulator)
    assert list(endpoints) == [first["endpoint"]]
    assert first["config"] in configs and len(configs) == 2  # the old config stays while the fleet moves off it
    stack.stack.remove_config("updateTimeout")
    stack.up()
    moved = stack.outputs()
    assert live(emulator) == ({first["endpoint"]: moved["config"]}, [moved["config"]])
    no_config_deleted_in_use(emulator)
    stack.destroy()


def test_destroy_killed_during_delete_endpoint_converges(stack, emulator) -> None:
    stack.up()
    kill_at(stack, emulator, "destroy", "DeleteEndpoint")
    stack.stack.cancel()
    stack.destroy()  # joins the delete under way, then deletes the config
    assert live(emulator) == ({}, [])
    no_config_deleted_in_use(emulator)


@pytest.mark.parametrize("action", ["CreateEndpoint", "UpdateEndpoint"])
def test_up_interrupted_with_ctrl_c_finishes_what_is_in_flight(stack, emulator, action) -> None:
    """SIGINT (Ctrl-C, or a CI runner's first signal): the engine lets operations in flight finish and
    records them, so the next `up` has nothing or only what was not started left to do."""
    if action == "UpdateEndpoint":
        stack.up()
        stack.set_config(model="b")
    emulator.settings(create_seconds=3.0, update_seconds=3.0)
    emulator.clear_calls()
    running = spawn(stack, "up")
    try:
        wait_for(lambda: any(call["action"] == action for call in emulator.calls()))
        running.send_signal(signal.SIGINT)
        output, _ = running.communicate(timeout=120)
    finally:
        running.kill()
        emulator.settings(create_seconds=1.0, update_seconds=1.0)
    assert "received; cancelling" in output and "update canceled" in output
    stack.up()
    outputs = stack.outputs()
    assert live(emulator) == ({outputs["endpoint"]: outputs["config"]}, [outputs["config"]])
    assert [call["action"] for call in emulator.calls()].count(action) == 1  # the interrupted one finished
    no_config_deleted_in_use(emulator)
    stack.preview(expect_no_changes=True)
    stack.destroy()
    assert live(emulator) == ({}, [])
