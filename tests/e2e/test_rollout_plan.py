"""The rollout plan `pulumi preview` prints for an endpoint (issue 20 item 1) is what the emulator
then does during `pulumi up`: for a create, and for a move under each deployment type (none, all at
once, canary, linear, rolling), the steps' traffic shares and bakes printed at preview are compared
with the emulator's event log of the deployment (`/_emulator/events`: each step's stage, time and
share). The plan is computed by the provider (`rollout.py`) apart from the emulator's `plans.py`,
so each checks the other."""

from __future__ import annotations

import http.server
import json
import os
import re
import threading
from typing import Any

from pulumi import automation as auto

from sagemaker_hosting.emulator.testing import Emulator
from sagemaker_hosting.testing import client, create_alarm, create_models, make_project
from scripts import readme_blocks

PROGRAM = """
import http.server
import json
import pulumi
from sagemaker_hosting import Endpoint, EndpointConfig

spec = json.loads(pulumi.Config().require("spec"))
config = EndpointConfig("main", production_variants=[{"variant_name": "a", "model_name": spec["model"],
    "instance_type": "ml.m5.large", "initial_instance_count": 4}])
Endpoint("main", endpoint_config_name=config.name, deployment_config=spec.get("deployment"))
"""

TIME_SCALE = 0.01


def blue_green(routing: dict[str, Any], termination: int) -> dict[str, Any]:
    return {
        "blue_green_update_policy": {
            "traffic_routing_configuration": routing,
            "termination_wait_in_seconds": termination,
            "maximum_execution_timeout_in_seconds": 3600,
        },
        "auto_rollback_configuration": {"alarms": [{"alarm_name": "errors"}]},
    }


DEPLOYMENTS: list[tuple[str, dict[str, Any] | None]] = [
    ("all at once", None),
    ("blue/green all at once", blue_green({"type": "ALL_AT_ONCE", "wait_interval_in_seconds": 0}, 120)),
    (
        "canary",
        blue_green(
            {
                "type": "CANARY",
                "canary_size": {"type": "CAPACITY_PERCENT", "value": 25},
                "wait_interval_in_seconds": 300,
            },
            120,
        ),
    ),
    (
        "linear",
        blue_green(
            {
                "type": "LINEAR",
                "linear_step_size": {"type": "INSTANCE_COUNT", "value": 1},
                "wait_interval_in_seconds": 60,
            },
            30,
        ),
    ),
    (
        "rolling",
        {
            "rolling_update_policy": {
                "maximum_batch_size": {"type": "CAPACITY_PERCENT", "value": 50},
                "wait_interval_in_seconds": 90,
            }
        },
    ),
]

Steps = list[tuple[float, float]]
"""(share of traffic on the new fleet after a step, seconds baked after it)."""


def printed_plan(output: str) -> tuple[str, Steps, str]:
    """The plan in preview's diagnostics: its kind, its steps, and its fleet line."""
    output = output[output.index("Diagnostics:") :]
    kind = re.findall(r"rollout plan \(([^)]+)\)", output)
    assert len(kind) == 1, output
    steps = [
        (1.0 if rest else float(share) / 100, float(bake))
        for share, rest, bake in re.findall(
            r"shift (?:([\d.]+) %|(the rest) \(100 %\)) of traffic to it, then bake (\d+) s", output
        )
    ]
    (fleet,) = re.findall(r"provision (?:the new fleet: )?([^;\n]+)", output)
    return kind[0], steps, fleet.strip()


def check_readme_plan(output: str) -> None:
    """README's captured plan is this preview's (`UPDATE_README=1` rewrites it): the diagnostics, with
    generated name suffixes made stable."""
    suffixes: dict[str, str] = {}

    def stable(found: re.Match[str]) -> str:
        return found.group(1) + suffixes.setdefault(found.group(2), f"{len(suffixes) + 1:07d}")

    diagnostics = output[output.index("Diagnostics:") : output.index("Resources:")].rstrip()
    shown = "```\n$ pulumi preview\n...\n" + re.sub(r"\b(main-)([a-z0-9]{7})\b", stable, diagnostics) + "\n```\n"
    if os.environ.get("UPDATE_README"):
        readme_blocks.write("rollout", shown)
    assert readme_blocks.read("rollout") == shown, "README's rollout plan is stale: run `make readme`"


def emulated_steps(events: list[dict[str, Any]]) -> Steps:
    """The traffic steps of one deployment in the emulator's events, and the bake after each (a step
    not followed by Baking bakes 0 s), in the deployment's own seconds (times / time_scale)."""
    staged = [event for event in events if "stage" in event] + [events[-1]]
    steps: Steps = []
    for index, event in enumerate(staged[:-1]):
        if event["stage"] != "ActivatingTraffic":
            continue
        following = staged[index + 1]
        bake = 0.0
        if following.get("stage") == "Baking":
            bake = (staged[index + 2]["time"] - following["time"]) / TIME_SCALE
        steps.append((round(event["traffic"], 6), round(bake, 3)))
    return steps


def test_the_plan_preview_prints_is_what_the_deployment_does(tmp_path, emulator: Emulator) -> None:
    emulator.reset()
    emulator.settings(create_seconds=0.5, update_seconds=0.3, delete_seconds=0.2, stage_seconds=0.1)
    emulator.settings(time_scale=TIME_SCALE)
    create_models(emulator, *(f"m{index}" for index in range(len(DEPLOYMENTS) + 1)))
    create_alarm(emulator, "errors")  # the rollback alarm exists (OK): no warning, no rollback
    project = make_project(tmp_path, emulator, PROGRAM)
    project.set_config(spec=json.dumps({"model": "m0"}))
    kind, steps, fleet = printed_plan(project.preview().stdout)
    assert (kind, steps, fleet) == ("create", [], "4 x ml.m5.large")
    project.up()
    sagemaker = client(emulator, "sagemaker")
    (summary,) = sagemaker.list_endpoints()["Endpoints"]
    name = summary["EndpointName"]
    (variant,) = sagemaker.describe_endpoint(EndpointName=name)["ProductionVariants"]
    assert variant["CurrentInstanceCount"] == 4

    seen: list[Steps] = []
    for index, (expected_kind, deployment) in enumerate(DEPLOYMENTS, start=1):
        project.set_config(spec=json.dumps({"model": f"m{index}", "deployment": deployment}))
        output = project.preview().stdout
        kind, printed, fleet = printed_plan(output)
        assert kind == expected_kind
        if kind == "canary":
            check_readme_plan(output)
        assert fleet == "4 x ml.m5.large"
        emulator.clear_calls()  # and the events
        result = project.up()
        # The plan and its reads are preview's: `up` checks and diffs again, and prints none of it.
        assert "rollout plan" not in result.stdout, result.stdout
        assert not [call for call in emulator.calls() if call["action"].startswith(("servicequotas:", "cloudwatch:"))]
        events = [event for event in emulator.events() if event["name"] == name]
        assert events[-1]["status"] == "InService"
        emulated = emulated_steps(events)
        assert [(round(share, 6), bake) for share, bake in printed] == emulated, expected_kind
        seen.append(emulated)
    # Negative control: the deployments' steps all differ, so each plan matched its own deployment only.
    assert len({tuple(steps) for steps in seen}) == len(DEPLOYMENTS), seen
    project.destroy()


def test_a_plan_with_unknowns_says_what_it_cannot_know(tmp_path, emulator: Emulator) -> None:
    """A config named through an `apply` carries no facts: the plan says the fleet is not known, and
    the steps it can know (a CAPACITY_PERCENT canary) are still printed."""
    program = PROGRAM.replace("endpoint_config_name=config.name", "endpoint_config_name=config.name.apply(str)")
    emulator.reset()
    create_models(emulator, "m0", "m1")
    project = make_project(tmp_path, emulator, program)
    project.set_config(spec=json.dumps({"model": "m0"}))
    output = project.preview().stdout
    assert "provision not known at preview" in output
    assert "not known at preview: the new config's fleet" in output


def test_a_rollback_alarm_that_does_not_exist_is_a_warning(tmp_path, emulator: Emulator) -> None:
    """Issue 20 item 3: an alarm `auto_rollback_configuration` names that does not exist in the
    endpoint's account and region cannot roll a deployment back; preview warns, reading only.
    Negative control: once the alarm exists, no warning."""
    emulator.reset()
    create_models(emulator, "m0")
    project = make_project(tmp_path, emulator, PROGRAM)
    project.set_config(spec=json.dumps({"model": "m0", "deployment": dict(DEPLOYMENTS)["canary"]}))
    emulator.clear_calls()
    output = project.preview().stdout
    assert (
        "rollback alarm(s) errors of `deployment_config.auto_rollback_configuration` do not exist in account "
        "123456789012, region us-east-1, so they cannot roll a deployment back" in output
    )
    assert emulator.writes() == []
    create_alarm(emulator, "errors")
    assert "do not exist" not in project.preview().stdout


def test_a_deployment_over_the_instance_quota_is_a_warning_then_refused(tmp_path, emulator: Emulator) -> None:
    """Issue 20 item 2: the endpoint runs 4 x ml.m5.large; a blue/green move runs 4 more beside them,
    a rolling one (batches of 50 %) 2. With the account's quota of 6 (the emulator's `instance_quota`,
    served through Service Quotas), preview warns for the blue/green move, naming the type, the
    numbers and the quota, reading only, and the `up` is refused with ResourceLimitExceeded, the
    endpoint staying on its config. Negative controls: the rolling move fits the same quota (no
    warning, and its `up` succeeds); with the quota raised to 8 the blue/green move is not warned of
    and succeeds."""
    emulator.reset()
    create_models(emulator, "m0", "m1", "m2", "m3")
    create_alarm(emulator, "errors")
    project = make_project(tmp_path, emulator, PROGRAM)
    project.set_config(spec=json.dumps({"model": "m0"}))
    project.up()
    over = "would make 8 (4 running + 4), over the quota 'ml.m5.large for endpoint usage' of 6"
    emulator.settings(instance_quota=6)
    try:
        project.set_config(spec=json.dumps({"model": "m1", "deployment": dict(DEPLOYMENTS)["canary"]}))
        emulator.clear_calls()
        output = project.preview().stdout
        assert f"4 more ml.m5.large {over} in account 123456789012, region us-east-1" in output, output
        assert "ResourceLimitExceeded" in output
        assert emulator.writes() == []
        # A stack can turn the checks off: the plan is printed, nothing is read for it.
        project.stack.set_config("sagemaker-hosting:previewChecks", auto.ConfigValue("false"))
        emulator.clear_calls()
        output = project.preview().stdout
        assert "rollout plan (canary)" in output and "over the quota" not in output
        assert not [call for call in emulator.calls() if call["action"].startswith("servicequotas:")]
        project.stack.remove_config("sagemaker-hosting:previewChecks")
        try:
            project.up()
        except auto.CommandError as refused:
            assert "ResourceLimitExceeded" in str(refused), refused
        else:
            raise AssertionError("the emulator took a deployment over the quota")
        sagemaker = client(emulator, "sagemaker")
        (summary,) = sagemaker.list_endpoints()["Endpoints"]
        assert summary["EndpointStatus"] == "InService"

        project.set_config(spec=json.dumps({"model": "m2", "deployment": dict(DEPLOYMENTS)["rolling"]}))
        assert "over the quota" not in project.preview().stdout
        project.up()

        emulator.settings(instance_quota=8)
        project.set_config(spec=json.dumps({"model": "m3", "deployment": dict(DEPLOYMENTS)["canary"]}))
        assert "over the quota" not in project.preview().stdout
        project.up()
    finally:
        emulator.settings(instance_quota=0)
    project.destroy()


class Refusing(http.server.BaseHTTPRequestHandler):
    """Answers every request as AWS answers one the caller's policy does not allow."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps({"__type": "AccessDeniedException", "message": "not authorized"}).encode()
        self.send_response(403)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("x-amzn-ErrorType", "AccessDeniedException")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_a_refused_check_read_is_skipped_with_a_note(tmp_path, emulator: Emulator) -> None:
    """Issue 20 item 4: without permission for a check's read (CloudWatch and Service Quotas answer
    AccessDenied, from a server standing in for them), preview says that check was skipped, prints
    the plan, and succeeds. Negative control: the same preview against the emulator makes both
    checks (a missing alarm warned of, the quota read)."""
    emulator.reset()
    create_models(emulator, "m0")
    project = make_project(tmp_path, emulator, PROGRAM)
    project.set_config(spec=json.dumps({"model": "m0", "deployment": dict(DEPLOYMENTS)["canary"]}))
    emulator.settings(instance_quota=100)
    try:
        emulator.clear_calls()
        output = project.preview().stdout
        assert "do not exist in account" in output and "skipped" not in output, output
        assert any(call["action"] == "servicequotas:ListServiceQuotas" for call in emulator.calls())
        with http.server.ThreadingHTTPServer(("127.0.0.1", 0), Refusing) as refusing:
            threading.Thread(target=refusing.serve_forever, daemon=True).start()
            url = f"http://127.0.0.1:{refusing.server_address[1]}"
            workspace = project.stack.workspace
            assert isinstance(workspace, auto.LocalWorkspace) and workspace.env_vars is not None
            workspace.env_vars = {
                **workspace.env_vars,
                "AWS_ENDPOINT_URL_CLOUDWATCH": url,
                "AWS_ENDPOINT_URL_SERVICE_QUOTAS": url,
            }
            output = project.preview().stdout
            refusing.shutdown()
    finally:
        emulator.settings(instance_quota=0)
    assert "rollout plan (create)" in output
    assert "Whether the rollback alarms exist could not be read, so that check was skipped" in output, output
    assert "or the instances its endpoints run, could not be read, so that check was skipped" in output, output
    assert "AccessDenied" in output
