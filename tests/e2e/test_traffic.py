"""The promise, measured: a traffic probe (`sagemaker_hosting.emulator.probe`) invokes the endpoint
from a few threads while the real CLI's `pulumi up` deploys a new model with each deployment type,
and while a deployment is rolled back. No request fails, the share served by the new config moves
as the deployment config says (checked against the emulator's ActivatingTraffic events, with
five-sigma bounds that also prove they could fail), and the old config is deleted only after it
served its last request.

Negative controls show the probe can fail: an endpoint replaced by delete-then-create (an explicit
name changed only in case, which the provider must replace deleting first) drops requests; and a
config deleted out of band before a rolling rollback leaves the endpoint UpdateRollbackFailed,
serving a mix of old and new (as SageMaker documents for UpdateRollbackFailed), which the
probe's "back to 100 % old" measurement catches.

Shares are measured by endpoint config name: the fleet label is relative ("green" becomes "blue"
once it serves alone)."""

from __future__ import annotations

import itertools
import json
import math
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from pulumi import automation as auto

from sagemaker_hosting.emulator.probe import Probe
from sagemaker_hosting.emulator.probe import main as probe_main
from sagemaker_hosting.emulator.testing import Emulator
from sagemaker_hosting.emulator.traffic_report import Report, Sample, samples_of
from sagemaker_hosting.testing import Project, client, create_alarm, create_models, make_project, set_alarm

SIGMAS = 5.0
"""Share checks allow five standard deviations (a false failure about once in 1.7 million checks),
and each needs enough requests that five deviations cannot reach the neighbouring steps."""

THREADS, PAUSE = 4, 0.02
"""Four probe threads, each pausing 20 ms between requests: about 150 requests a second, leaving
CPU for the engine on a loaded 2-core machine."""

ENDPOINT = "traffic"
ALARM = "traffic-5xx"
TIMINGS = {"create_seconds": 0.5, "update_seconds": 1.0, "delete_seconds": 0.3, "time_scale": 0.01}
"""Fleets in a second; every wait of a DeploymentConfig at 1 % (a 300 s bake takes 3 s)."""

PROGRAM = """
import itertools
import json
import pulumi
from sagemaker_hosting import Endpoint, EndpointConfig

settings = pulumi.Config()
config = EndpointConfig("traffic", production_variants=[{"variant_name": "primary",
    "model_name": settings.require("model"), "instance_type": "ml.m5.large", "initial_instance_count": 4}])
endpoint = Endpoint("traffic", name=settings.get("endpointName") or "traffic", endpoint_config_name=config.name,
    deployment_config=json.loads(settings.get("deployment") or "null"))
pulumi.export("endpoint", endpoint.name)
pulumi.export("config", config.name)
"""


def blue_green(routing: dict[str, Any], termination: int = 0) -> dict[str, Any]:
    return {
        "blue_green_update_policy": {
            "traffic_routing_configuration": routing,
            "termination_wait_in_seconds": termination,
        }
    }


def with_alarm(deployment: dict[str, Any]) -> dict[str, Any]:
    return {**deployment, "auto_rollback_configuration": {"alarms": [{"alarm_name": ALARM}]}}


ALL_AT_ONCE = blue_green({"type": "ALL_AT_ONCE", "wait_interval_in_seconds": 0}, termination=100)
CANARY = blue_green(
    {"type": "CANARY", "canary_size": {"type": "CAPACITY_PERCENT", "value": 25}, "wait_interval_in_seconds": 300}
)
LINEAR = blue_green(
    {"type": "LINEAR", "linear_step_size": {"type": "CAPACITY_PERCENT", "value": 25}, "wait_interval_in_seconds": 250}
)
ROLLING = {
    "rolling_update_policy": {
        "maximum_batch_size": {"type": "INSTANCE_COUNT", "value": 2},
        "wait_interval_in_seconds": 200,
    }
}
LONG_CANARY = blue_green(
    {"type": "CANARY", "canary_size": {"type": "CAPACITY_PERCENT", "value": 25}, "wait_interval_in_seconds": 3000}
)
LONG_ROLLING = {
    "rolling_update_policy": {
        "maximum_batch_size": {"type": "INSTANCE_COUNT", "value": 2},
        "wait_interval_in_seconds": 3000,
    }
}


@dataclass
class Run:
    """One `pulumi up` under the probe: what the probe saw, the emulator's call log and status
    events of that up, and the config it served before and the one it created."""

    report: Report
    calls: list[dict[str, Any]]
    events: list[dict[str, Any]]
    failure: str | None
    """The output of the up, if it failed."""
    old: str
    new: str

    def activations(self) -> list[float]:
        """When each traffic shift took effect: the end of each ActivatingTraffic stage (the next event)."""
        timeline = [e for e in self.events if e["name"].lower() == ENDPOINT]
        return [later["time"] for e, later in itertools.pairwise(timeline) if e.get("stage") == "ActivatingTraffic"]

    def stage_times(self, stage: str) -> list[float]:
        """When each `stage` of the deployment began (RollingBack: the rollback)."""
        return [e["time"] for e in self.events if e["name"].lower() == ENDPOINT and e.get("stage") == stage]

    def status_times(self, status: str) -> list[float]:
        return [
            e["time"]
            for e in self.events
            if e["name"].lower() == ENDPOINT and e["status"] == status and not e.get("stage")
        ]

    def call_times(self, action: str, name: str) -> list[float]:
        return [c["time"] for c in self.calls if c["action"] == action and c["name"] == name and c["status"] == 200]


class When(threading.Thread):
    """Runs `action` once the emulator has recorded a status event that `match` accepts (polled
    every 50 ms, for at most `timeout` s); `join_checked` raises what went wrong."""

    def __init__(
        self,
        emulator: Emulator,
        match: Callable[[dict[str, Any]], bool],
        action: Callable[[], None],
        timeout: float = 90,
    ) -> None:
        super().__init__(daemon=True)
        self.emulator, self.match, self.action, self.timeout = emulator, match, action, timeout
        self.failure: BaseException | None = None
        self.done = False

    def run(self) -> None:
        deadline = time.monotonic() + self.timeout
        try:
            while time.monotonic() < deadline:
                if any(self.match(event) for event in self.emulator.events()):
                    self.action()
                    self.done = True
                    return
                time.sleep(0.05)
        except BaseException as error:  # reported by join_checked
            self.failure = error

    def join_checked(self) -> None:
        self.join(30)
        if self.failure is not None:
            raise self.failure
        assert self.done, "the event to act on never came"


@pytest.fixture
def stack(tmp_path, emulator) -> Iterator[Project]:
    """Endpoint "traffic" (4 instances of model "a"), created with no deployment config."""
    emulator.reset()
    emulator.settings(**TIMINGS)
    create_models(emulator, "a", "b")
    create_alarm(emulator, ALARM)
    project = make_project(tmp_path, emulator, PROGRAM)
    project.set_config(model="a")
    project.up()
    yield project
    emulator.settings(**TIMINGS)


def deploy_under_probe(
    stack: Project, emulator: Emulator, during: When | None = None, lead: float = 1.0, tail: float = 1.0, **config: str
) -> Run:
    """`pulumi up` with `config` set, the probe running from `lead` s before it to `tail` s after."""
    old = stack.outputs()["config"]
    stack.set_config(**config)
    emulator.clear_calls()
    failure, printed = None, len(stack.output)
    with Probe(emulator.url, ENDPOINT, threads=THREADS, seconds=240, pause=PAUSE) as probe:
        time.sleep(lead)
        if during is not None:
            during.start()
        try:
            stack.up()
        except auto.CommandError:
            failure = "\n".join(stack.output[printed:])
        time.sleep(tail)
    if during is not None:
        during.join_checked()
    report = probe.report()
    print(report.table(1.0))  # shown when the test fails (pytest captures it)
    calls = emulator.calls()
    assert len(samples_of(calls, ENDPOINT)) == report.requests, "the emulator logged another number of requests"
    created = [c["name"] for c in calls if c["action"] == "CreateEndpointConfig" and c["status"] == 200]
    return Run(report, calls, emulator.events(), failure, old, created[0] if created else old)


def configs(samples: list[Sample]) -> set[str | None]:
    return {s.config for s in samples}


def assert_share(samples: list[Sample], config: str, expected: float, neighbours: list[float], where: str) -> None:
    """The share of `samples` served by `config` is `expected` within SIGMAS deviations, and there
    are enough samples that this bound excludes each neighbouring share (the check can fail)."""
    n = len(samples)
    hits = sum(s.config == config for s in samples)
    deviation = SIGMAS * math.sqrt(n * expected * (1 - expected))
    for other in neighbours:
        assert abs(expected - other) * n > deviation, f"{where}: {n} requests cannot tell {expected} from {other}"
    assert abs(hits - n * expected) <= deviation, f"{where}: {hits} of {n} on {config}, expected {expected:.0%}"


def assert_shifts(run: Run, steps: list[float]) -> None:
    """No failure; only the old config before the first shift, the share of the new config
    between shifts as `steps` says, only the new one after the last; the old config deleted only
    after it served its last request, and the new one serving alone after that."""
    report = run.report
    assert report.failed == 0, report.failures()
    assert run.failure is None, run.failure
    assert run.new != run.old
    shifts = run.activations()
    assert len(shifts) == len(steps), f"{len(shifts)} traffic shifts, expected {len(steps)}"
    before = report.window(end=shifts[0])
    assert len(before) >= 20 and configs(before) == {run.old}
    for index, (start, end) in enumerate(itertools.pairwise(shifts)):
        share = steps[index]
        neighbours = [steps[index - 1] if index else 0.0, steps[index + 1]]
        assert_share(report.window(start, end), run.new, share, neighbours, f"step {index + 1} ({share:.0%})")
    after = report.window(start=shifts[-1])
    assert len(after) >= 20 and configs(after) == {run.new}

    (deleted,) = run.call_times("DeleteEndpointConfig", run.old)
    last_old = report.last_served(run.old)
    assert last_old is not None and last_old.finished < deleted, "the old config was deleted while it served"
    logged = [c["time"] for c in run.calls if c["action"] == "InvokeEndpoint" and c["endpoint_config_name"] == run.old]
    assert max(logged) < deleted
    served_after = report.window(start=deleted)
    assert len(served_after) >= 10 and configs(served_after) == {run.new}
    assert report.shares(start=report.finished - 0.5) == {run.new: 1.0}


@pytest.mark.parametrize(
    ("deployment", "steps"),
    [
        pytest.param(None, [1.0], id="no-deployment-config"),
        pytest.param(ALL_AT_ONCE, [1.0], id="all-at-once"),
        pytest.param(CANARY, [0.25, 1.0], id="canary"),
        pytest.param(LINEAR, [0.25, 0.5, 0.75, 1.0], id="linear"),
        pytest.param(ROLLING, [0.5, 1.0], id="rolling"),
    ],
)
def test_a_config_change_drops_no_request_and_shifts_as_configured(stack, emulator, deployment, steps) -> None:
    run = deploy_under_probe(stack, emulator, model="b", deployment=json.dumps(deployment))
    assert_shifts(run, steps)


def test_a_rolled_back_deployment_drops_no_request_and_returns_to_the_old_config(stack, emulator) -> None:
    def alarm_goes_off() -> None:  # 3 s into the canary bake (30 s long here)
        time.sleep(3.0)
        set_alarm(emulator, ALARM, "ALARM")

    alarm = When(emulator, lambda e: e["name"] == ENDPOINT and e.get("stage") == "Baking", alarm_goes_off)
    run = deploy_under_probe(stack, emulator, during=alarm, model="b", deployment=json.dumps(with_alarm(LONG_CANARY)))
    assert run.failure is not None
    message = run.failure
    assert f'SageMaker rolled back the deployment of config "{run.new}" to endpoint "{ENDPOINT}"' in message
    assert "CloudWatch alarm(s) ['traffic-5xx'] went into ALARM state" in message
    assert f'The endpoint still serves config "{run.old}", which is kept.' in message

    report = run.report
    assert report.failed == 0, report.failures()
    (canary,) = run.activations()
    (rolling_back,) = run.stage_times("RollingBack")
    assert configs(report.window(end=canary)) == {run.old}
    assert_share(report.window(canary, rolling_back), run.new, 0.25, [0.0, 1.0], "canary before the rollback")
    after = report.window(start=rolling_back)
    assert len(after) >= 20 and configs(after) == {run.old}
    assert run.call_times("DeleteEndpointConfig", run.old) == []
    described = client(emulator, "sagemaker").describe_endpoint(EndpointName=ENDPOINT)
    assert (described["EndpointStatus"], described["EndpointConfigName"]) == ("InService", run.old)


# --- negative controls: the probe sees what an unsafe change does ----------------------------------


def test_control_an_endpoint_replaced_by_delete_then_create_drops_requests(stack, emulator) -> None:
    """Renaming the endpoint in case only replaces it, deleting first (names are unique
    case-insensitively): the probe counts the requests that found no endpoint."""
    run = deploy_under_probe(stack, emulator, endpointName="Traffic")
    assert run.failure is None, run.failure
    report = run.report
    assert report.failed >= 10 and set(report.failures()) == {"ValidationError"}, report.failures()
    (deleted,) = run.call_times("DeleteEndpoint", ENDPOINT)
    (created,) = run.call_times("CreateEndpoint", "Traffic")
    (serving_again,) = run.status_times("InService")
    failed = [s for s in report.samples if not s.ok]
    assert all(deleted <= s.finished and s.started <= serving_again for s in failed)
    assert configs(report.window(end=deleted)) == {run.old}
    assert configs(report.window(start=serving_again)) == {run.old}  # same config, new endpoint
    assert report.window(deleted, created), "no request was sent while the endpoint was gone"


def test_control_a_config_deleted_out_of_band_before_a_rollback_leaves_a_mix(stack, emulator) -> None:
    """SageMaker: "You must not delete an EndpointConfig in use by an endpoint that is live or while
    the UpdateEndpoint or CreateEndpoint operations are being performed on the endpoint"
    (DeleteEndpointConfig, API reference), and UpdateRollbackFailed means "Both the rolling
    deployment and auto-rollback failed. Your endpoint is in service with a mix of the old and new
    endpoint configurations" (DescribeEndpoint, EndpointStatus). The emulator's rolling rollback
    re-provisions the old config's instances, so with that config gone it fails: the endpoint
    ends UpdateRollbackFailed, still serving (no request fails) but half on the new config, which
    the probe's "back to the old config" measurement catches; `up` fails saying so."""
    sagemaker = client(emulator, "sagemaker")
    old = stack.outputs()["config"]

    def delete_config_then_alarm() -> None:
        time.sleep(0.5)
        sagemaker.delete_endpoint_config(EndpointConfigName=old)
        time.sleep(0.5)
        set_alarm(emulator, ALARM, "ALARM")

    sabotage = When(emulator, lambda e: e["name"] == ENDPOINT and e.get("stage") == "Baking", delete_config_then_alarm)
    run = deploy_under_probe(
        stack, emulator, during=sabotage, model="b", deployment=json.dumps(with_alarm(LONG_ROLLING))
    )
    assert run.failure is not None
    message = run.failure
    assert f'Deployment of config "{run.new}" to endpoint "{ENDPOINT}" failed' in message
    assert "SageMaker could not roll back either, so the endpoint may serve a mix of configs" in message
    described = sagemaker.describe_endpoint(EndpointName=ENDPOINT)
    assert described["EndpointStatus"] == "UpdateRollbackFailed"

    report = run.report
    assert report.failed == 0, report.failures()  # the emulator keeps both halves serving
    (failed_rollback,) = run.status_times("UpdateRollbackFailed")
    after = report.window(start=failed_rollback)
    # What a safe rollback gives (test above): only the old config. Here half the fleet stays new.
    assert configs(after) == {run.old, run.new}
    assert_share(after, run.new, 0.5, [0.0, 1.0], "after the failed rollback")


# --- the probe itself ------------------------------------------------------------------------------


def test_probe_is_for_the_emulator_only_and_prints_a_table(emulator, capsys) -> None:
    for remote in ("http://10.0.0.1:4566", "https://runtime.sagemaker.us-east-1.amazonaws.com", "ftp://127.0.0.1"):
        with pytest.raises(ValueError, match="probe"):
            Probe(remote, ENDPOINT)
    with pytest.raises(ValueError, match="threads"):
        Probe(emulator.url, ENDPOINT, threads=100)
    with pytest.raises(ValueError, match="seconds"):
        Probe(emulator.url, ENDPOINT, seconds=86400)
    assert probe_main(["--url", "http://192.0.2.1:1", "--endpoint", ENDPOINT]) == 2

    emulator.reset()
    emulator.settings(**TIMINGS)
    create_models(emulator, "a")
    sagemaker = client(emulator, "sagemaker")
    variant = {"VariantName": "primary", "ModelName": "a", "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}
    sagemaker.create_endpoint_config(EndpointConfigName="served", ProductionVariants=[variant])
    sagemaker.create_endpoint(EndpointName=ENDPOINT, EndpointConfigName="served")
    sagemaker.get_waiter("endpoint_in_service").wait(EndpointName=ENDPOINT, WaiterConfig={"Delay": 0.2})
    capsys.readouterr()
    assert probe_main(["--url", emulator.url, "--endpoint", ENDPOINT, "--seconds", "1", "--bucket", "0.5"]) == 0
    printed = capsys.readouterr().out
    assert "t s  requests  failed   served" in printed and "served / primary: 100.0 %" in printed
    assert probe_main(["--url", emulator.url, "--endpoint", "missing", "--seconds", "0.5", "--threads", "1"]) == 1
    printed = capsys.readouterr().out
    assert "failed with ValidationError:" in printed
