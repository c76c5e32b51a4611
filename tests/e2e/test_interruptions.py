"""Interruptions, partial runs and refreshes, through the real CLI, checked against the emulator's
state and call log: `up` killed during CreateEndpoint, `--target` and `--exclude`, a config shared
with another stack, a refresh inside the consistency window, destroy of an endpoint already
Deleting, destroy twice, and no provider process outliving a killed `pulumi`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from sagemaker_hosting.testing import Project, client, create_models, make_project

PROGRAM = """
import pulumi
from sagemaker_hosting import Endpoint, EndpointConfig

settings = pulumi.Config()
config = EndpointConfig("main", name=settings.get("configName"), production_variants=[{"variant_name": "primary",
    "model_name": settings.require("model"), "instance_type": "ml.m5.large", "initial_instance_count": 1}])
limits = {op: settings.get(f"{op}Timeout") for op in ("create", "update", "delete")}
endpoint = Endpoint("main", endpoint_config_name=config.name, timeouts={k: v for k, v in limits.items() if v} or None)
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
        assert "Move the endpoint first: run `pulumi up` without --target or --exclude" in message
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


def spawn(project: Project, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """The pulumi CLI on the project's stack, in a process group of its own (as a CI runner starts it)."""
    workspace = project.stack.workspace
    assert isinstance(workspace, auto.LocalWorkspace)
    return subprocess.Popen(
        ["pulumi", *args, "--stack", "test", "--non-interactive", "--yes", "--skip-preview"],
        cwd=workspace.work_dir,
        env={**os.environ, **workspace.env_vars, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def pulumi(project: Project, *args: str) -> None:
    """`pulumi ARGS` on the project's stack through the Automation API's own runner (its environment,
    `CommandError` with the output on failure, output kept in `project.output`), without the
    `stack output` and `stack history` runs its up, refresh and destroy add after each command to
    fill a result (three more CLI starts, most of a second each time) that these tests do not read."""
    workspace = project.stack.workspace
    assert isinstance(workspace, auto.LocalWorkspace) and workspace.work_dir
    command = [*args, "--color", "never", "--stack", "test"]
    workspace.pulumi_command.run(command, workspace.work_dir, workspace.env_vars, on_output=project.output.append)


def outputs(project: Project) -> dict[str, Any]:
    """The stack's outputs, from one `pulumi stack output` (`Project.outputs` runs it twice, masked and
    plain, to mark secrets; this program exports none)."""
    workspace = project.stack.workspace
    assert isinstance(workspace, auto.LocalWorkspace) and workspace.work_dir
    command = ["stack", "output", "--json", "--show-secrets", "--stack", "test"]
    found: dict[str, Any] = json.loads(
        workspace.pulumi_command.run(command, workspace.work_dir, workspace.env_vars).stdout
    )
    return found


def wait_for(condition: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def processes_of(emulator) -> dict[int, str]:
    """{pid: command line} of every process whose environment points at `emulator`: the CLI, its
    language host and the program it runs, the dynamic-provider plugin."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if emulator.url.encode() in environ:
            found[int(entry.name)] = cmdline.replace(b"\0", b" ").decode(errors="replace")
    return found


def providers_of(emulator) -> list[int]:
    """Dynamic-provider processes (`python -m pulumi.dynamic`) whose environment points at `emulator`."""
    return [pid for pid, cmdline in processes_of(emulator).items() if "pulumi.dynamic" in cmdline]


def recorded_config(stack: Project) -> str:
    """The config the stack's state says the endpoint runs on."""
    resources = (stack.stack.export_stack().deployment or {})["resources"]
    return str(next(r["outputs"]["endpoint_config_name"] for r in resources if r["type"].endswith(":Endpoint")))


def deploying(emulator) -> bool:
    """Whether an endpoint in the emulator is mid-deployment."""
    sagemaker = client(emulator, "sagemaker")
    return any(e["EndpointStatus"] == "Updating" for e in sagemaker.list_endpoints()["Endpoints"])


SLOW = {"create_seconds": 4.0, "update_seconds": 4.0, "delete_seconds": 4.0}
"""Operations slow enough to be caught in flight, and longer than the 2 s timeouts the timeout cells set."""
NORMAL = {"create_seconds": 1.0, "update_seconds": 1.0, "delete_seconds": 0.3, "unavailable_rate": 0.0}


def interrupt(stack: Project, emulator, command: str, action: str, fault: str) -> str:
    """Run `pulumi COMMAND` and, the moment SageMaker has taken `action`, apply `fault`: "sigkill" (the
    process group, as a CI runner's hard timeout does), "sigint" (Ctrl-C), "outage" (every SageMaker
    call answers 503 from then on, with botocore allowed 2 attempts per call) or "timeout" (the
    resource's `timeouts` are set shorter than the operation). Returns what the CLI printed."""
    emulator.settings(**SLOW)
    emulator.clear_calls()
    running = spawn(stack, command, env={"AWS_MAX_ATTEMPTS": "2"} if fault == "outage" else None)
    try:
        wait_for(lambda: any(call["action"] == action for call in emulator.calls()))
        if fault == "sigkill":
            os.killpg(running.pid, signal.SIGKILL)
        elif fault == "sigint":
            running.send_signal(signal.SIGINT)
        elif fault == "outage":
            emulator.settings(unavailable_rate=1.0)
        output, _ = running.communicate(timeout=180)
    finally:
        running.kill()
        emulator.settings(**NORMAL)
    if fault == "sigkill":
        stack.stack.cancel()  # as the CLI advises: the killed run left the stack locked
    else:
        assert running.returncode != 0 or fault == "sigint", output
    return output


# What the interrupted command must say, per operation and fault (a killed one says nothing).
SAID = {
    ("create", "sigint"): ["received; cancelling"],
    ("update", "sigint"): ["received; cancelling"],
    ("delete", "sigint"): ["received; cancelling"],
    ("create", "timeout"): ["is still Creating after", "It was not deleted", "the next `pulumi up` continues with it"],
    ("update", "timeout"): ["is still Updating after", "the next `pulumi up` waits for it and finishes or repeats it"],
    ("delete", "timeout"): ["is still Deleting after", "run `pulumi destroy` again"],
    ("create", "outage"): ["could not be read: ServiceUnavailable", "It was not deleted (its state could not be read)"],
    ("update", "outage"): ["could not be read: ServiceUnavailable", "still records the config that served before it"],
    ("delete", "outage"): ["could not be read: ServiceUnavailable", "run `pulumi destroy` again"],
}

OPERATIONS = {
    "create": ("up", "CreateEndpoint"),
    "update": ("up", "UpdateEndpoint"),
    "delete": ("destroy", "DeleteEndpoint"),
}


@pytest.mark.parametrize("then", ["up", "refresh+up", "destroy"])
@pytest.mark.parametrize("fault", ["sigint", "sigkill", "timeout", "outage"])
@pytest.mark.parametrize("operation", ["create", "update", "delete"])
def test_fault_matrix(stack, emulator, operation, fault, then) -> None:
    """A create, update or delete interrupted by `fault`, then `up`, `refresh` + `up`, or `destroy`:
    it converges to what the stack says, with no config deleted in use and no process left over."""
    if fault == "timeout":  # a destroy uses the timeouts recorded by the last `up`
        stack.set_config(**{f"{operation}Timeout": "2s"})
    if operation != "create":
        pulumi(stack, "up", "--yes", "--skip-preview")
        first = outputs(stack)
    if operation == "update":
        stack.set_config(model="b")
    command, action = OPERATIONS[operation]
    output = interrupt(stack, emulator, command, action, fault)
    for text in SAID.get((operation, fault), []):
        assert text in output, output
    if fault == "timeout":
        stack.stack.remove_config(f"{operation}Timeout")

    if then == "destroy":
        try:
            pulumi(stack, "destroy", "--yes", "--skip-preview")
        except auto.CommandError as refused:
            if operation == "update" and fault == "timeout":
                # The timed-out update still runs, and the destroy waits for it as long as the last
                # `up` recorded (2 s), which may end first (CI, once): it says so, and deletes nothing.
                assert "is busy" in str(refused) and "still Updating" in str(refused), refused
                no_config_deleted_in_use(emulator)
                wait_for(lambda: not deploying(emulator), seconds=60)
                pulumi(stack, "destroy", "--yes", "--skip-preview")
            else:
                # A create that did not return (killed, timed out, outage) left an endpoint that the
                # stack does not list: its config is kept, and the message says to take it over first.
                assert operation == "create" and fault != "sigint", refused
                assert "was not deleted: endpoint" in str(refused) and "runs on it" in str(refused)
                no_config_deleted_in_use(emulator)
                pulumi(stack, "up", "--yes", "--skip-preview")
                pulumi(stack, "destroy", "--yes", "--skip-preview")
        assert live(emulator) == ({}, [])
    else:
        if then == "refresh+up":
            pulumi(stack, "refresh", "--yes", "--skip-preview")
            if operation == "update" and deploying(emulator):  # the state keeps the config that served before
                assert recorded_config(stack) == first["config"]
        # A plain `up` reads nothing: an endpoint deleted after the engine lost track of it (a delete
        # killed, timed out or unreadable) is noticed by a refresh, which Pulumi's own advice after an
        # interruption, and the failed destroy's message, ask for.
        pulumi(stack, "up", "--yes", "--skip-preview", *(["--refresh"] if operation == "delete" else []))
        final = outputs(stack)
        assert live(emulator) == ({final["endpoint"]: final["config"]}, [final["config"]])
        created = [call for call in emulator.calls() if call["action"] == "CreateEndpoint" and call["status"] == 200]
        # One endpoint, never a second beside it (a retry that finds it is refused): since the
        # interrupted command, the create interrupted or the one after the delete; none for an update.
        assert len(created) == (0 if operation == "update" else 1)
        pulumi(stack, "preview", "--expect-no-changes")
    no_config_deleted_in_use(emulator)
    wait_for(lambda: providers_of(emulator) == [], seconds=15)


@pytest.mark.parametrize("action", ["CreateEndpointConfig", "UpdateEndpoint", "DeleteEndpointConfig"])
def test_an_up_killed_with_checkpoints_skipped_converges(stack, emulator, action: str) -> None:
    """README's advice for large fleets, `PULUMI_SKIP_CHECKPOINTS=true` (issue 17 item 4: the engine
    saves the state only at the end, so a killed run records nothing of its work): a model change
    killed (SIGKILL of the process group) once SageMaker has taken `action` leaves the state as it was
    before the run while the new config exists, the endpoint is moving or has moved, and the old
    config may be gone. The next plain `up` converges all the same: the replacement config is found
    again under its name and taken over, the endpoint is not created twice, nothing is left behind,
    no config is deleted in use, and the preview after is clean."""
    pulumi(stack, "up", "--yes", "--skip-preview")
    stack.set_config(model="b")
    emulator.settings(**SLOW)
    emulator.clear_calls()
    running = spawn(stack, "up", env={"PULUMI_SKIP_CHECKPOINTS": "true"})
    try:
        wait_for(lambda: any(c["action"] == action and c["status"] == 200 for c in emulator.calls()))
        os.killpg(running.pid, signal.SIGKILL)
        running.communicate(timeout=60)
    finally:
        running.kill()
        emulator.settings(**NORMAL)
    stack.stack.cancel()
    resources = (stack.stack.export_stack().deployment or {})["resources"]
    configs = [r for r in resources if r["type"].endswith(":EndpointConfig")]
    assert [r["outputs"]["production_variants"][0]["model_name"] for r in configs] == ["a"]  # nothing recorded

    pulumi(stack, "up", "--yes", "--skip-preview")
    final = outputs(stack)
    assert live(emulator) == ({final["endpoint"]: final["config"]}, [final["config"]])
    assert (
        client(emulator, "sagemaker").describe_endpoint_config(EndpointConfigName=final["config"])[
            "ProductionVariants"
        ][0]["ModelName"]
        == "b"
    )
    assert [c for c in emulator.calls() if c["action"] == "CreateEndpoint"] == []
    no_config_deleted_in_use(emulator)
    pulumi(stack, "preview", "--expect-no-changes")
    pulumi(stack, "destroy", "--yes", "--skip-preview")
    assert live(emulator) == ({}, [])


@pytest.mark.parametrize("kill", ["process group", "CLI alone"])
def test_nothing_of_ours_outlives_a_killed_pulumi(stack, emulator, kill) -> None:
    """Issue 19 item 6: within 5 s of a SIGKILL of the CLI's process group (a CI runner's hard
    timeout), or of the CLI alone, no language host, program or provider process of ours is alive,
    and no SageMaker call is made after. The language host (`tools/pulumi-cli`) asks the engine for
    its health every second (upstream: every five minutes), the provider checks every 0.5 s."""
    emulator.settings(**SLOW)
    running = spawn(stack, "up")
    try:
        wait_for(lambda: any(call["action"] == "CreateEndpoint" for call in emulator.calls()))
        before = processes_of(emulator)
        assert len(before) >= 4, before  # the CLI, the language host, the program, the provider
        if kill == "process group":
            os.killpg(running.pid, signal.SIGKILL)
        else:
            running.kill()  # the engine dies; its plugins do not get the signal
        killed = time.monotonic()
        running.communicate()
        wait_for(lambda: processes_of(emulator) == {}, seconds=10)
        lasted = time.monotonic() - killed
        print(f"processes of ours gone {lasted:.1f} s after the kill ({kill})")
        assert lasted < 5, f"processes of ours outlived the kill by {lasted:.1f} s"
        calls = len(emulator.calls())
        time.sleep(2)
        assert emulator.calls()[calls:] == []
    finally:
        emulator.settings(**NORMAL)
    stack.stack.cancel()
    stack.up()
    stack.destroy()
    assert live(emulator) == ({}, [])


def test_one_ctrl_c_during_destroy_exits_0_with_resources_left_and_destroy_again_finishes(stack, emulator) -> None:
    """Issue 19 item 7, the pinned CLI's behaviour that README's interruption section describes: one
    Ctrl-C while `destroy` waits on an endpoint's delete lets that delete finish, then stops; the CLI
    exits 0 and says "The resources in the stack have been deleted" while the config (and the stack's
    identity) remain, in the state and in SageMaker. `pulumi stack` lists them; `destroy` again ends it."""
    stack.up()
    emulator.settings(delete_seconds=6.0)
    emulator.clear_calls()
    running = spawn(stack, "destroy")
    try:
        wait_for(lambda: any(call["action"] == "DeleteEndpoint" for call in emulator.calls()))
        running.send_signal(signal.SIGINT)
        output, _ = running.communicate(timeout=120)
    finally:
        running.kill()
        emulator.settings(**NORMAL)
    assert running.returncode == 0 and "have been deleted" in output, output
    endpoints, configs = live(emulator)
    assert endpoints == {} and len(configs) == 1
    left = [resource["urn"] for resource in stack.stack.export_stack().deployment["resources"]]
    assert any(urn.endswith("EndpointConfig::main") for urn in left), left
    stack.destroy()
    assert live(emulator) == ({}, [])
