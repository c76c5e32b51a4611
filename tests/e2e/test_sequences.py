"""Sequences of runs a team makes, through the real CLI against the emulator, each step checked
against the emulator's state and call log: a change that SageMaker rolls back, then its revert
(or a fix forward); an interrupted change followed by a refresh."""

from __future__ import annotations

import os
import signal
from typing import Any

import pytest
from pulumi import automation as auto

from sagemaker_hosting.emulator.testing import Emulator
from sagemaker_hosting.testing import FAST, Project, client, create_alarm, create_models, make_project, set_alarm
from tests.e2e.test_interruptions import no_config_deleted_in_use, providers_of, spawn, wait_for

PROGRAM = """
import pulumi
from sagemaker_hosting import Endpoint, EndpointConfig

settings = pulumi.Config()
config = EndpointConfig("main", production_variants=[{"variant_name": "primary",
    "model_name": settings.require("model"), "instance_type": "ml.m5.large", "initial_instance_count": 1}],
    tags={"team": settings.get("team") or "none"}, opts=pulumi.ResourceOptions(
        delete_before_replace=settings.get_bool("deleteBeforeReplace"), protect=settings.get_bool("protect")))
endpoint = Endpoint("main", endpoint_config_name=config.name, timeouts={"update": settings.get("updateTimeout")}
    if settings.get("updateTimeout") else None, deployment_config={
    "blue_green_update_policy": {"termination_wait_in_seconds": 300,
        "traffic_routing_configuration": {"type": "ALL_AT_ONCE", "wait_interval_in_seconds": 0}},
    "auto_rollback_configuration": {"alarms": [{"alarm_name": "errors"}]}})
pulumi.export("endpoint", endpoint.name)
pulumi.export("config", config.name)
"""


def live(emulator: Emulator) -> tuple[dict[str, str], list[str]]:
    """{endpoint: the config it serves} and every config name, in the emulator."""
    sagemaker = client(emulator, "sagemaker")
    endpoints = {
        e["EndpointName"]: sagemaker.describe_endpoint(EndpointName=e["EndpointName"])["EndpointConfigName"]
        for e in sagemaker.list_endpoints()["Endpoints"]
    }
    return endpoints, sorted(c["EndpointConfigName"] for c in sagemaker.list_endpoint_configs()["EndpointConfigs"])


def converged(stack: Project, emulator: Emulator) -> dict[str, Any]:
    """The invariants after a converging `up`: the emulator holds exactly the stack's endpoint on its
    config and no other config, no config was deleted in use, and preview shows no change."""
    outputs = stack.outputs()
    assert live(emulator) == ({outputs["endpoint"]: outputs["config"]}, [outputs["config"]])
    no_config_deleted_in_use(emulator)
    stack.preview(expect_no_changes=True)
    return outputs


@pytest.fixture
def stack(tmp_path, emulator) -> Project:
    emulator.reset()
    create_models(emulator, "a", "b", "c")
    create_alarm(emulator, "errors")
    project = make_project(tmp_path, emulator, PROGRAM)
    project.set_config(model="a")
    return project


@pytest.mark.parametrize("then", ["revert", "fix-forward", "refresh+revert"])
def test_a_rolled_back_change_then_a_revert_or_a_fix_converges_in_one_up(stack, emulator, then) -> None:
    """A model change that an alarm rolls back fails `up`; the team then reverts the commit (the
    config's content, so its derived name, is the original's again, which the engine still means to
    delete as the replaced resource) or fixes forward. One `up` converges, and stays converged."""
    stack.up()
    first = converged(stack, emulator)
    stack.set_config(model="b")
    set_alarm(emulator, "errors", "ALARM")
    try:
        with pytest.raises(auto.CommandError) as rolled_back:
            stack.up()
    finally:
        set_alarm(emulator, "errors", "OK")
    assert "SageMaker rolled back the deployment" in str(rolled_back.value)
    assert live(emulator)[0] == {first["endpoint"]: first["config"]}

    if then == "refresh+revert":
        stack.refresh()
    stack.set_config(model="c" if then == "fix-forward" else "a")
    stack.up()
    final = converged(stack, emulator)
    if then != "fix-forward":
        assert final["config"] == first["config"]
    stack.up()  # and again: nothing left to do
    converged(stack, emulator)
    stack.destroy()
    assert live(emulator) == ({}, [])


ROLLING = """
import pulumi
from sagemaker_hosting import Endpoint, EndpointConfig

settings = pulumi.Config()
config = EndpointConfig("main", production_variants=[{"variant_name": "primary",
    "model_name": settings.require("model"), "instance_type": "ml.m5.large", "initial_instance_count": 2}])
endpoint = Endpoint("main", endpoint_config_name=config.name, deployment_config={
    "rolling_update_policy": {"maximum_batch_size": {"type": "CAPACITY_PERCENT", "value": 50},
        "wait_interval_in_seconds": 200},
    "auto_rollback_configuration": {"alarms": [{"alarm_name": "errors"}]}})
pulumi.export("endpoint", endpoint.name)
pulumi.export("config", config.name)
"""


def test_an_endpoint_sagemaker_cannot_update_has_a_way_out(tmp_path, emulator) -> None:
    """A rolling deployment whose rollback fails too (its old config was deleted outside Pulumi)
    leaves the endpoint UpdateRollbackFailed, which SageMaker only deletes. `up` says so, changes
    nothing and names the way out; `up --replace` of the endpoint deletes it first and creates it
    on the declared config, and the stack converges (issue 21 item 5)."""
    emulator.reset()
    create_models(emulator, "a", "b")
    create_alarm(emulator, "errors")
    stack = make_project(tmp_path, emulator, ROLLING)
    stack.set_config(model="a")
    stack.up()
    first = stack.outputs()
    sagemaker = client(emulator, "sagemaker")
    sagemaker.delete_endpoint_config(EndpointConfigName=first["config"])  # as another tool might
    stack.set_config(model="b")
    set_alarm(emulator, "errors", "ALARM")
    try:
        with pytest.raises(auto.CommandError) as failed:
            stack.up()
    finally:
        set_alarm(emulator, "errors", "OK")
    assert "is UpdateRollbackFailed" in str(failed.value) and "pulumi up --replace" in str(failed.value)
    assert sagemaker.describe_endpoint(EndpointName=first["endpoint"])["EndpointStatus"] == "UpdateRollbackFailed"

    emulator.clear_calls()
    with pytest.raises(auto.CommandError) as refused:
        stack.up()
    message = str(refused.value)
    assert f'Endpoint "{first["endpoint"]}" is UpdateRollbackFailed' in message and "Nothing was changed" in message
    assert "pulumi up --replace <the Endpoint's URN>" in message
    assert [c["action"] for c in emulator.writes() if c["name"] == first["endpoint"]] == []

    urn = "urn:pulumi:test::e2e::pulumi-python:dynamic/sagemaker:Endpoint::main"
    stack.stack.up(replace=[urn], on_output=stack.output.append, color="never")
    assert sagemaker.describe_endpoint(EndpointName=first["endpoint"])["EndpointStatus"] == "InService"
    converged(stack, emulator)
    stack.destroy()
    assert live(emulator) == ({}, [])


RETAINED = """
import pulumi
from sagemaker_hosting import Endpoint, EndpointConfig

settings = pulumi.Config()
config = EndpointConfig("main", production_variants=[{"variant_name": "primary",
    "model_name": settings.require("model"), "instance_type": "ml.m5.large", "initial_instance_count": 1}])
endpoint = Endpoint("main", endpoint_config_name=config.name,
    opts=pulumi.ResourceOptions(retain_on_delete=settings.get_bool("retain") or False))
pulumi.export("endpoint", endpoint.name)
pulumi.export("config", config.name)
"""


def test_a_change_of_the_configs_tags_alone_leaves_the_endpoint_be(stack, emulator) -> None:
    """A tags-only change of the config updates it in place: its instance id stays, so the endpoint,
    which carries it (`naming.CONFIG_INSTANCE_KEY`), shows no change, at preview or at `up`."""
    stack.up()
    stack.set_config(team="x")
    assert stack.preview().change_summary == {auto.OpType.UPDATE: 1, auto.OpType.SAME: 3}
    emulator.clear_calls()
    stack.up()
    assert [call["action"] for call in emulator.calls() if call["action"].endswith("Endpoint")] == []
    converged(stack, emulator)


ENDPOINT_URN = "urn:pulumi:test::e2e::pulumi-python:dynamic/sagemaker:Endpoint::main"
CONFIG_URN = "urn:pulumi:test::e2e::pulumi-python:dynamic/sagemaker:EndpointConfig::main"


@pytest.mark.parametrize("option", ["exclude", "deleteBeforeReplace", "protect"])
def test_an_engine_option_that_stops_a_move_names_the_command_that_converges(stack, emulator, option) -> None:
    """A model change under an engine option that keeps the endpoint from moving before the old config
    goes (issue 21 item 5): `--exclude` of the endpoint (the engine then changes nothing),
    `deleteBeforeReplace` or `protect` on the config (the `up` fails, and its message names what to
    do). Nothing is deleted under the endpoint, and one `up` without the option converges."""
    stack.up()
    first = converged(stack, emulator)
    if option != "exclude":
        stack.set_config(**{option: "true"})
        stack.up()  # the engine takes an option from the state: it must be deployed before the change
    stack.set_config(model="b")
    if option == "exclude":  # the engine keeps the config too, since its replacement would move the endpoint
        stack.stack.up(exclude=[ENDPOINT_URN], color="never")
    else:
        with pytest.raises(auto.CommandError) as failed:
            stack.up()
        advice = {
            "deleteBeforeReplace": "remove `delete_before_replace` from the config's resource options",
            "protect": "remove the `protect` flag",  # the engine's own message
        }[option]
        assert advice in str(failed.value), str(failed.value)
    no_config_deleted_in_use(emulator)
    assert live(emulator)[0] == {first["endpoint"]: first["config"]}
    if option != "exclude":
        stack.stack.remove_config(option)
    stack.up()
    assert converged(stack, emulator)["config"] != first["config"]


def test_an_endpoint_being_deleted_names_up_refresh_which_converges(stack, emulator) -> None:
    """An endpoint deleted outside Pulumi while the stack changes its model (issue 21 item 5, a delete
    in progress): the `up` says so and names `pulumi up --refresh`, which creates it again."""
    stack.up()
    first = converged(stack, emulator)
    emulator.settings(delete_seconds=10.0)  # outlasts the CLI's start, so the `up` finds it Deleting
    client(emulator, "sagemaker").delete_endpoint(EndpointName=first["endpoint"])
    stack.set_config(model="b")
    with pytest.raises(auto.CommandError) as failed:
        stack.up()
    assert "is being deleted" in str(failed.value) and "Run `pulumi up --refresh`" in str(failed.value)
    no_config_deleted_in_use(emulator)
    stack.stack.up(refresh=True, color="never")
    emulator.settings(delete_seconds=FAST["delete_seconds"])
    assert converged(stack, emulator)["endpoint"] == first["endpoint"]


def test_destroy_with_a_retained_endpoint_finishes_and_says_what_stays(tmp_path, emulator) -> None:
    """`retain_on_delete` set on a deployed endpoint (an update in place that marks it): `destroy`
    leaves the endpoint, as the engine does, and its config with it, since the endpoint runs on it;
    it finishes, says so, and deletes nothing SageMaker still serves from (issue 21 item 5)."""
    emulator.reset()
    create_models(emulator, "a")
    stack = make_project(tmp_path, emulator, RETAINED)
    stack.set_config(model="a")
    stack.up()
    first = stack.outputs()
    stack.set_config(retain="true")
    assert stack.preview().change_summary.get(auto.OpType.UPDATE) == 1
    stack.up()
    stack.preview(expect_no_changes=True)
    emulator.clear_calls()
    stack.destroy()
    said = "\n".join(stack.output)
    assert f'Endpoint config "{first["config"]}" stays in SageMaker and leaves the stack' in said
    assert f'"{first["endpoint"]}" (InService), which this stack retains' in said
    assert live(emulator) == ({first["endpoint"]: first["config"]}, [first["config"]])
    assert [c["action"] for c in emulator.writes()] == []  # nothing deleted, nothing changed
    stack.destroy()  # twice: the stack is empty
    assert (stack.stack.export_stack().deployment or {}).get("resources") in (None, [])


def test_a_revert_after_an_update_that_timed_out_converges_in_one_up(stack, emulator) -> None:
    """The stateful test's shortest counterexample (issue 21 item 7): an `up` whose update times out
    while the deployment goes on (the state keeps the old config), then a revert. The endpoint runs
    the new config while its state records the old name, which the revert declares again: the
    config's replacement is a change of the endpoint (`naming.CONFIG_INSTANCE_KEY`), shown at preview,
    whose update moves it back before the engine deletes the config it ran on. Before the fix, the
    endpoint saw no change and the delete of the config under it was refused, every `up`."""
    project = stack
    project.up()
    first = converged(project, emulator)
    project.set_config(model="b", updateTimeout="1s")
    emulator.settings(update_seconds=3.0)
    try:
        with pytest.raises(auto.CommandError):
            project.up()
    finally:
        emulator.settings(update_seconds=1.0)
    project.stack.remove_config("updateTimeout")
    client(emulator, "sagemaker").get_waiter("endpoint_in_service").wait(
        EndpointName=first["endpoint"], WaiterConfig={"Delay": 0.2, "MaxAttempts": 200}
    )
    project.set_config(model="a")  # the revert
    preview = project.stack.preview()
    assert preview.change_summary.get("update") == 1, preview.change_summary  # the endpoint moves back
    assert "is replaced by a new one of the same name" in preview.stdout
    project.up()
    no_config_deleted_in_use(emulator)
    assert converged(project, emulator)["config"] == first["config"]
    project.destroy()
    assert live(emulator) == ({}, [])


@pytest.mark.parametrize("then", ["revert", "change", "change rolled back", "destroy"])
def test_a_config_made_by_a_run_killed_before_it_recorded_it_is_deleted_by_the_next_run(stack, emulator, then) -> None:
    """The stateful test's counterexample in CI (issue 21): a change whose `up` is killed after
    CreateEndpointConfig made the new config and before the engine recorded it (here: while the
    provider waits for the config to become visible). The engine forgets a create it never saw end,
    so no entry holds that config. The next `up`, after a revert (no change of the config's entry) or
    another change (a replacement, even one SageMaker then rolls back: the create of the replacement
    deletes it, before any deployment), deletes it, and preview says so first; or the next `destroy`.
    Before the fix, it stayed in SageMaker for good, `destroy` included."""
    stack.up()
    first = converged(stack, emulator)
    stack.set_config(model="b")
    emulator.settings(consistency_delay_seconds=5.0)
    emulator.clear_calls()
    running = spawn(stack, "up")
    try:
        wait_for(lambda: any(c["action"] == "CreateEndpointConfig" and c["status"] == 200 for c in emulator.calls()))
        os.killpg(running.pid, signal.SIGKILL)
        running.communicate()
    finally:
        emulator.settings(consistency_delay_seconds=0.0)
    wait_for(lambda: providers_of(emulator) == [], seconds=30)
    stack.stack.cancel()  # as the CLI advises: the killed run left the stack locked
    endpoints, configs = live(emulator)
    assert endpoints == {first["endpoint"]: first["config"]} and len(configs) == 2, (endpoints, configs)
    (left,) = set(configs) - {first["config"]}
    if then == "destroy":
        stack.destroy()
        assert live(emulator) == ({}, [])
        return
    stack.set_config(model="a" if then == "revert" else "c")
    preview = stack.stack.preview()
    assert f'"{left}"' in preview.stdout and "deletes it" in preview.stdout, preview.stdout
    if then == "change rolled back":
        set_alarm(emulator, "errors", "ALARM")
        try:
            with pytest.raises(auto.CommandError, match="SageMaker rolled back the deployment"):
                stack.up()
        finally:
            set_alarm(emulator, "errors", "OK")
        assert left not in live(emulator)[1] and live(emulator)[0] == {first["endpoint"]: first["config"]}
        stack.set_config(model="a")
    stack.up()
    assert left not in live(emulator)[1]
    after = converged(stack, emulator)
    assert (after["config"] == first["config"]) is (then in ("revert", "change rolled back"))
    stack.destroy()
    assert live(emulator) == ({}, [])


CONFIGS_ALONE = """
import pulumi
from sagemaker_hosting import EndpointConfig

for i in range(3):
    EndpointConfig(f"config-{i}", production_variants=[{"variant_name": "primary", "instance_type": "ml.m5.large",
        "model_name": pulumi.Config().require("model"), "initial_instance_count": 1}])
"""


def test_replaced_configs_that_no_endpoint_runs_on_keep_their_replacements(tmp_path, emulator) -> None:
    """At `up`, a replaced config's diff leaves the search for configs a killed run left to the
    create of the replacement (`leftovers.ThisRun.defer`), which runs once that config exists: one
    of the resource, made after the entry, that no endpoint runs on. It is passed over (by name, and
    by its time), and the delete of what the search finds reads each again as the new entry's: the
    replacements stay, as the stack says, and a second change replaces them again."""
    emulator.reset()
    create_models(emulator, "a", "b", "c")
    project = make_project(tmp_path, emulator, CONFIGS_ALONE)
    recorded: list[list[str]] = []
    for model in ("a", "b", "c"):
        project.set_config(model=model)
        project.up()
        resources = (project.stack.export_stack().deployment or {})["resources"]
        names = sorted(r["outputs"]["name"] for r in resources if r["type"].endswith("EndpointConfig"))
        assert live(emulator) == ({}, names)
        assert not set(names) & {name for earlier in recorded for name in earlier}
        recorded.append(names)
    project.preview(expect_no_changes=True)
    project.destroy()
    assert live(emulator) == ({}, [])


def test_up_target_of_the_config_keeps_the_config_a_retained_endpoint_runs_on(tmp_path, emulator) -> None:
    """The stateful test's counterexample (issue 21 item 5): `retain_on_delete` on the endpoint, a
    model change deployed with `up --target` of the config alone. The endpoint stays in the stack, so
    the old config it runs on stays too: the `up` fails saying so, nothing is deleted under the
    endpoint, and the next `up` moves it and deletes that config. Before the fix, the config left the
    stack as if destroyed with its endpoint, and stayed in SageMaker for good."""
    emulator.reset()
    create_models(emulator, "a", "b")
    stack = make_project(tmp_path, emulator, RETAINED)
    stack.set_config(model="a", retain="true")
    stack.up()
    first = stack.outputs()
    stack.set_config(model="b")
    with pytest.raises(auto.CommandError) as refused:
        stack.stack.up(target=[CONFIG_URN], color="never")
    assert "without --target or --exclude" in str(refused.value), str(refused.value)
    no_config_deleted_in_use(emulator)
    assert first["config"] in live(emulator)[1]
    stack.up()
    assert converged(stack, emulator)["config"] != first["config"]
