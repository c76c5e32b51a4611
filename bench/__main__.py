"""Run the benchmark and print its tables: `python -m bench [--quick] [--json PATH] [--readme]`.

Drives the real Pulumi CLI against the emulator: N endpoints, each with its own config, created,
updated blue/green (every config replaced), previewed with no change and destroyed, against the
same work for one endpoint; how soon a finished create is noticed and how often the wait polls;
the emulator's startup; and a traffic probe (`sagemaker_hosting.emulator.probe`) invoking an
endpoint while `pulumi up` deploys a new model with each deployment type (requests, failures, time
to full shift); the largest N again with the read budget lifted, and lifted with the engine's
checkpoints skipped (issue 17's scaling targets; the default budget's cost beside them); the engine
floor (`engine_floor`) at each N and under other engine settings; and the simulation of a thousand
endpoints (`bench.simulate`).
The targets are ratios within this run (and the issue's 3 s startup, and no failed request), so
the figures hold on any machine. Exits 1 when a target is missed. `--quick` is the CI
variant (N = 1 and 16, short emulator times, no 60 s notice run); `--readme` writes the tables into
README.md (`make bench` does).
"""

from __future__ import annotations

import argparse
import bisect
import functools
import itertools
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Final

from pulumi import automation as auto

from bench import simulate
from sagemaker_hosting import process, read_budget
from sagemaker_hosting.emulator.probe import Probe
from sagemaker_hosting.emulator.testing import Emulator
from sagemaker_hosting.provider import PREVIEW_CHECKS, READS_PER_SECOND
from sagemaker_hosting.testing import Project, create_models, make_project
from scripts import readme_blocks

READS = ("Describe", "List", "Get")
OPERATIONS = ("create", "update", "preview", "destroy")
NOTICE_SHARE, NOTICE_SECONDS = 0.1, 1.0
"""A finished endpoint is to be noticed within 10 % of the time it took plus 1 s."""

PROGRAM = """
import pulumi
from sagemaker_hosting import Endpoint, EndpointConfig

config = pulumi.Config()
for i in range(config.require_int("endpoints")):
    endpoint_config = EndpointConfig(
        f"config-{i}",
        production_variants=[{"variant_name": "primary", "model_name": "bench-model", "instance_type": "ml.m5.large",
                              "initial_instance_count": config.require_int("instances")}],
    )
    Endpoint(f"endpoint-{i}", endpoint_config_name=endpoint_config.name)
"""


def cpu_seconds(pid: int | None = None) -> float:
    """CPU seconds spent so far (user and system, from Linux's /proc): by the whole machine (every
    core, all processes), or by process `pid`. Written by hand: the standard library has the
    calling process's own only, and this is all the benchmark needs of psutil."""
    ticks = os.sysconf("SC_CLK_TCK")
    if pid is None:
        counts = [int(field) for field in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return (sum(counts) - counts[3] - counts[4]) / ticks  # less idle and iowait
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime


def timed(action: Callable[[], Any]) -> float:
    start = time.monotonic()
    action()
    return time.monotonic() - start


PREVIEW_RUNS = 3
"""A no-op preview changes nothing, so it is timed this many times (in each pass at N = 1: see
`BASELINE_PASSES`) and the fastest counts: one run
of about 2 s moves by half its length with what else the machine does (a cold start of the
provider, another process), which a ratio of two such runs doubles."""


def fastest(action: Callable[[], Any], runs: int = PREVIEW_RUNS) -> float:
    """The shortest of `runs` timings of `action`, which must leave everything as it found it."""
    return min(timed(action) for _ in range(runs))


def call_counts(calls: list[dict[str, Any]], endpoints: int) -> dict[str, float]:
    """Calls per endpoint (SageMaker's, and the other services' the emulator records): writes and
    reads (Describe*, List*, Get*) apart; and SageMaker's reads per second, over the operation and in
    its busiest second (issue 17's read budget)."""
    reads = sum(1 for c in calls if c["action"].rpartition(":")[2].startswith(READS))
    times = sorted(c["time"] for c in calls if ":" not in c["action"] and c["action"].startswith(READS))
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    busiest = max((bisect.bisect_left(times, t + 1.0) - i for i, t in enumerate(times)), default=0)
    return {
        "writes": (len(calls) - reads) / endpoints,
        "reads": reads / endpoints,
        "reads_per_second": len(times) / span if span else float(len(times)),
        "peak_reads_per_second": float(busiest),
    }


CHECK_RUNS = 9
"""Pairs of previews of a change, with and without the checks: their cost is about a twentieth of a
preview of about 2 s, whose single runs spread by a tenth with what else the machine does."""


def checks_cost(project: Any, runs: int = CHECK_RUNS) -> float:
    """How much longer a preview of the project's pending change takes with preview's optional
    checks than without (`sagemaker-hosting:previewChecks false`): the median, over `runs` pairs run
    back to back (so whatever else the machine does weighs on both of a pair alike), of each pair's
    ratio. Not the fastest of each, which one lucky run without the checks moves: seven runs' fastest
    missed 1.1x once in CI; resampling seven of 21 pairs measured here (1.03x either way), their
    fastest ranged to 1.13x, the median of their ratios to 1.10x, of nine to 1.08x."""
    ratios = []
    for _ in range(runs):
        walls = {}
        for checks in (True, False):
            if checks:
                project.stack.remove_config(PREVIEW_CHECKS)
            else:
                project.stack.set_config(PREVIEW_CHECKS, auto.ConfigValue("false"))
            walls[checks] = timed(project.preview)
        ratios.append(walls[True] / walls[False])
    project.stack.remove_config(PREVIEW_CHECKS)
    return statistics.median(ratios)


LIFTED_READS_PER_SECOND = 10_000.0
"""The read budget's rate (`sagemaker-hosting:readsPerSecond`) of a run with the budget lifted: the
provider's own scaling, apart from the budget's cost."""


ENGINE_PARALLEL = process.PROVIDER_THREADS
"""The engine's operations at once (`PULUMI_PARALLEL`) in every benchmark stack: as many as the
provider process serves, so that no N measured here waits for a free slot; the engine's default
(4 x cores) and the tests' 64 would deploy 100 endpoints in waves (`ENGINE_SETTINGS` measures it)."""

SKIP_CHECKPOINTS = "PULUMI_SKIP_CHECKPOINTS = true"
ENGINE_SETTINGS: dict[str, Callable[[int], dict[str, str]]] = {
    "PULUMI_PARALLEL = N / 2": lambda n: {"PULUMI_PARALLEL": str(max(1, n // 2))},
    SKIP_CHECKPOINTS: lambda n: {"PULUMI_SKIP_CHECKPOINTS": "true"},
}
"""Engine settings under which the floor is measured again at the largest N (their effect, for
README's advice): too few operations at once (here half the endpoints; the engine's own default
is 4 x cores), and the state saved only at the end of a run instead of after every step."""


def bench_project(tmp: Path, emulator: Emulator, program: str, name: str, env: dict[str, str]) -> Project:
    """`make_project` with `ENGINE_PARALLEL` operations at once, and `env` over the CLI's variables."""
    return make_project(tmp, emulator, program, name, {"PULUMI_PARALLEL": str(ENGINE_PARALLEL), **env})


BASELINE_PASSES = 2
"""N = 1 is the denominator of every ratio: one stall of the CLI in its single run (a destroy of
8.0 s once, against 3.0-3.2 s in every other run) moved every ratio of that operation. So N = 1 runs
its whole sequence this many times and each operation's fastest pass counts, ours and the floor's
alike. It makes our ratios no kinder (a shorter denominator; and N = 16 and 100, run once on a
fresh stack, keep any first-run cost), but the floor's too, and a limit below the floor's ratio is
called infeasible rather than missed: that verdict is the one it can make kinder. CI's bench-quick
does the same."""


def passes(n: int) -> int:
    """How many times a fleet of `n` runs its sequence (`BASELINE_PASSES` at N = 1)."""
    return BASELINE_PASSES if n == 1 else 1


def destroys_again(n: int) -> int:
    """How many more times a fleet of `n` is created again as its update left it (untimed) and
    destroyed after its pass, the fastest destroy counting: once at N = 100 and above. A destroy
    there is a single run of about 4 s with the checkpoints skipped, against the fastest of two at
    N = 1, so a tenth of a second moved its ratio by 0.03: one such run took 4.6 s in a `make bench`,
    4.07-4.08 s in two timelines of the same code. The floor's destroys run again alike."""
    return 1 if n >= 100 else 0


def fleet(
    n: int, seconds: Mapping[str, float], reads_per_second: float | None = None, setting: str | None = None
) -> dict[str, Any]:
    """Create, update (every config replaced), no-op preview and destroy a stack of `n` endpoints,
    with the default read budget unless `reads_per_second` is given, under one of `ENGINE_SETTINGS`
    when `setting` names it; `passes(n)` times, each operation's fastest pass counting."""
    env = ENGINE_SETTINGS[setting](n) if setting else {}
    with Emulator() as emulator, tempfile.TemporaryDirectory() as tmp:
        settings = emulator.settings(**seconds, instance_quota=100_000)
        create_models(emulator, "bench-model")
        project = bench_project(Path(tmp), emulator, PROGRAM, f"bench{n}", env)
        project.set_config(endpoints=str(n))
        if reads_per_second is not None:
            project.set_config(**{READS_PER_SECOND: f"{reads_per_second:g}"})
        budget = "lifted" if reads_per_second is not None else "default"
        if setting:
            budget += f", {setting}"
        result: dict[str, Any] = {
            "n": n,
            "passes": passes(n),
            "budget": budget,
            "setting": setting,
            "wall": {},
            "minimum": {},
            "calls": {},
            "cpu": {},
        }
        minimum = {
            "create": seconds["create_seconds"],
            # provision, shift the traffic, terminate the old fleet
            "update": seconds["update_seconds"] + 2 * settings["stage_seconds"],
            "preview": 0.0,
            "destroy": seconds["delete_seconds"],
        }

        def measure(operation: str, action: Callable[[], Any]) -> None:
            """Time `operation`; its wall, calls and CPU replace an earlier pass's only if faster."""
            emulator.clear_calls()
            assert emulator.process is not None
            busy, served = cpu_seconds(), cpu_seconds(emulator.process.pid)
            wall = fastest(action) if operation == "preview" else timed(action)
            runs = PREVIEW_RUNS if operation == "preview" else 1
            if wall >= result["wall"].get(operation, float("inf")):
                return
            result["wall"][operation] = wall
            result["minimum"][operation] = minimum[operation]
            result["calls"][operation] = call_counts(emulator.calls(), n * runs)
            result["cpu"][operation] = {
                "machine": (cpu_seconds() - busy) / runs,
                "emulator": (cpu_seconds(emulator.process.pid) - served) / runs,
            }

        for number in range(passes(n)):
            first = number == 0
            project.set_config(instances="1")
            measure("create", project.up)
            if first:
                deployment = project.stack.export_stack().deployment or {}
                ours = [r for r in deployment["resources"] if r["type"].startswith("pulumi-python:dynamic")]
                result["state_bytes_per_resource"] = max(len(json.dumps(r)) for r in ours)
            measure("preview", lambda: project.preview(expect_no_changes=True))
            project.set_config(instances="2")
            if first:
                # A preview of the update (every endpoint moved: a rollout plan each, and preview's
                # checks, whose reads the emulator answers in full: a quota is listed for every
                # instance type).
                emulator.clear_calls()
                cost = checks_cost(project)
                changes = call_counts(emulator.calls(), n * CHECK_RUNS * 2)
                result["change_preview"] = {"checks_cost": cost, "writes": changes["writes"]}
            measure("update", project.up)
            measure("destroy", project.destroy)
        for _ in range(destroys_again(n)):  # the fleet the update left, made again
            project.up()
            measure("destroy", project.destroy)
        return result


def noticing(create_seconds: float) -> dict[str, float]:
    """How soon a finished create is noticed, and how often the wait polls."""
    with Emulator() as emulator, tempfile.TemporaryDirectory() as tmp:
        emulator.settings(create_seconds=create_seconds, update_seconds=1.0, delete_seconds=0.2)
        create_models(emulator, "bench-model")
        project = make_project(Path(tmp), emulator, PROGRAM, name="notice")
        project.set_config(endpoints="1", instances="1")
        project.up()
        created = next(e for e in emulator.events() if e["status"] == "Creating")["time"]
        in_service = next(e for e in emulator.events() if e["status"] == "InService")["time"]
        polls = [c["time"] for c in emulator.calls() if c["action"] == "DescribeEndpoint"]
        seen = min(t for t in polls if t >= in_service)
        waiting = [t for t in polls if created <= t <= seen]
        gaps = [b - a for a, b in itertools.pairwise(waiting)]
        project.destroy()
        took = in_service - created
        return {
            "create_seconds": create_seconds,
            "late_seconds": seen - in_service,
            "late_limit_seconds": 0.1 * took + 1.0,
            "polls": len(waiting),
            "mean_poll_interval": (seen - created) / max(1, len(waiting) - 1),
            "min_poll_interval": min(gaps) if gaps else float("inf"),
        }


TRAFFIC_PROGRAM = """
import json
import pulumi
from sagemaker_hosting import Endpoint, EndpointConfig

settings = pulumi.Config()
config = EndpointConfig("traffic", production_variants=[{"variant_name": "primary",
    "model_name": settings.require("model"), "instance_type": "ml.m5.large", "initial_instance_count": 4}])
Endpoint("traffic", name="traffic", endpoint_config_name=config.name,
         deployment_config=json.loads(settings.get("deployment") or "null"))
pulumi.export("config", config.name)
"""
"""One endpoint of 4 instances, its model and deployment config from the stack's configuration."""


def blue_green(routing: dict[str, Any]) -> dict[str, Any]:
    return {"blue_green_update_policy": {"traffic_routing_configuration": routing}}


DEPLOYMENTS: dict[str, dict[str, Any] | None] = {
    "none (all at once)": None,
    "blue/green all at once": blue_green({"type": "ALL_AT_ONCE", "wait_interval_in_seconds": 0}),
    "canary 25 %, 300 s": blue_green(
        {"type": "CANARY", "canary_size": {"type": "CAPACITY_PERCENT", "value": 25}, "wait_interval_in_seconds": 300}
    ),
    "linear 25 %, 3 x 200 s": blue_green(
        {
            "type": "LINEAR",
            "linear_step_size": {"type": "CAPACITY_PERCENT", "value": 25},
            "wait_interval_in_seconds": 200,
        }
    ),
    "rolling 2 of 4, 200 s": {
        "rolling_update_policy": {
            "maximum_batch_size": {"type": "INSTANCE_COUNT", "value": 2},
            "wait_interval_in_seconds": 200,
        }
    },
}
"""The deployment types the traffic probe runs under; the waits are scaled by `time_scale`."""


def traffic(seconds: dict[str, float]) -> list[dict[str, Any]]:
    """A traffic probe (4 threads, 20 ms pause between requests) on one endpoint while `pulumi up`
    deploys a new model with each deployment type in turn: requests, failures, time from
    UpdateEndpoint until the probe saw the last request served by the old config (and when the
    emulator shifted the last traffic), requests the old config served after its deletion."""
    results = []
    with Emulator() as emulator, tempfile.TemporaryDirectory() as tmp:
        emulator.settings(**seconds)
        models = [f"model-{i}" for i in range(len(DEPLOYMENTS) + 1)]
        create_models(emulator, *models)
        project = make_project(Path(tmp), emulator, TRAFFIC_PROGRAM, name="traffic")
        project.set_config(model=models[0])
        project.up()
        for model, (kind, deployment) in zip(models[1:], DEPLOYMENTS.items(), strict=True):
            old = project.outputs()["config"]
            project.set_config(model=model, deployment=json.dumps(deployment))
            emulator.clear_calls()
            with Probe(emulator.url, "traffic", threads=4, seconds=600, pause=0.02) as probe:
                time.sleep(1.0)
                wall = timed(project.up)
                time.sleep(1.0)
            report = probe.report()
            new = project.outputs()["config"]
            calls = emulator.calls()
            updated = next(c["time"] for c in calls if c["action"] == "UpdateEndpoint")
            deleted = next(c["time"] for c in calls if c["action"] == "DeleteEndpointConfig" and c["name"] == old)
            shifts = [e["time"] for e in emulator.events() if e.get("stage") == "ActivatingTraffic"]
            shifted = report.shifted_at(new)
            results.append(
                {
                    "deployment": kind,
                    "requests": report.requests,
                    "failed": report.failed,
                    "failures": report.failures(),
                    "shift_seconds": None if shifted is None else shifted - updated,
                    "emulator_shift_seconds": max(shifts) - updated if shifts else None,
                    "up_seconds": wall,
                    "served_after_delete": sum(
                        1
                        for c in calls
                        if c["action"] == "InvokeEndpoint" and c["endpoint_config_name"] == old and c["time"] > deleted
                    ),
                }
            )
    return results


FLOOR_PROGRAM = """
import json
import time
import pulumi
from pulumi.dynamic import CheckResult, CreateResult, DiffResult, Resource, ResourceProvider, UpdateResult
from sagemaker_hosting.provider import jsonable

class Waiting(ResourceProvider):
    serialize_as_secret_always = False
    widened = staticmethod(jsonable)  # unpickled by reference: the import widens the server as ours is
    def check(self, olds, news): return CheckResult(news, [])
    def diff(self, id, olds, news):
        changed = olds.get("value") != news.get("value")
        return DiffResult(changes=changed, replaces=["value"] if changed and news["replace"] else [])
    def create(self, props):
        time.sleep(props["create"])
        return CreateResult("waited", props)
    def update(self, id, olds, news):
        time.sleep(news["update"])
        return UpdateResult(news)
    def delete(self, id, props): time.sleep(props["delete"])

class Placeholder(Resource):
    def __init__(self, name, props, opts=None): super().__init__(Waiting(), name, props, opts)

settings = pulumi.Config()
value, seconds = settings.require("instances"), json.loads(settings.require("seconds"))
for i in range(settings.require_int("endpoints")):
    config = Placeholder(f"config-{i}", {"value": value, "replace": True, "create": 0, "update": 0, "delete": 0})
    after = pulumi.ResourceOptions(depends_on=[config])
    Placeholder(f"endpoint-{i}", {"value": value, "replace": False, **seconds}, after)
"""
"""The benchmark's stack shape (a config and an endpoint on it, per endpoint) with a dynamic provider
that does nothing but wait as long as the emulator takes: the endpoint's create, update and delete;
a change replaces each config (created at once) and updates its endpoint. Its provider process runs
as many operations at once as ours (`process.widen_provider_server`, which importing
`sagemaker_hosting.provider` installs there): the SDK's own four threads would make any dynamic
provider's floor a wave of four."""


def engine_floor(sizes: list[int], minimum: dict[str, float]) -> dict[str, Any]:
    """The do-nothing stack (`FLOOR_PROGRAM`) at each of `sizes`, and at the largest again under
    each of `ENGINE_SETTINGS`: the wall seconds of each operation, what the engine and the SDK alone
    take as a stack grows, the floor under our ratios (no dynamic provider can do better on this
    machine). `minimum`: the emulator's seconds per operation."""
    waits = {"create": minimum["create"], "update": minimum["update"], "delete": minimum["destroy"]}
    largest = sizes[-1]

    def walls(size: int, env: dict[str, str], preview: bool = True) -> dict[str, float]:
        """Each operation's wall seconds, the fastest of `passes(size)` (as `fleet`'s)."""
        measured: dict[str, float] = {}

        def measure(operation: str, action: Callable[[], Any]) -> None:
            """Time `operation`, keeping the fastest pass's wall."""
            wall = fastest(action) if operation == "preview" else timed(action)
            measured[operation] = min(wall, measured.get(operation, wall))

        with tempfile.TemporaryDirectory() as tmp:
            project = bench_project(Path(tmp), emulator, FLOOR_PROGRAM, f"floor{size}", env)
            project.set_config(endpoints=str(size), seconds=json.dumps(waits))
            for _ in range(passes(size)):
                project.set_config(instances="1")
                measure("create", project.up)
                if preview:
                    measure("preview", functools.partial(project.preview, expect_no_changes=True))
                project.set_config(instances="2")
                measure("update", project.up)
                measure("destroy", project.destroy)
            for _ in range(destroys_again(size)):
                project.up()
                measure("destroy", project.destroy)
        return measured

    with Emulator() as emulator:
        by_size = {str(size): walls(size, {}) for size in sizes}
        settings = [
            {"setting": setting, "n": largest, "walls": walls(largest, env(largest), preview=False)}
            for setting, env in ENGINE_SETTINGS.items()
        ]
    return {"walls": by_size, "settings": settings}


def floor_walls(report: dict[str, Any], n: int, setting: str | None = None) -> Mapping[str, float]:
    """The engine floor's wall seconds per operation at `n` endpoints (the same run's), under one of
    `ENGINE_SETTINGS` when `setting` names it (measured at the largest N only)."""
    floors = report["engine_floor"]
    walls: Mapping[str, float] = (
        floors["walls"][str(n)]
        if setting is None
        else next(s["walls"] for s in floors["settings"] if s["setting"] == setting and s["n"] == n)
    )
    return walls


def floor_ratio(report: dict[str, Any], n: int, op: str, setting: str | None = None) -> float:
    """The engine floor's own ratio of `n` endpoints against 1 for `op`, under `setting` if given,
    against the floor's N = 1 under the default settings."""
    return float(floor_walls(report, n, setting)[op] / report["engine_floor"]["walls"]["1"][op])


def floor_cell(report: dict[str, Any], result: dict[str, Any], op: str) -> str:
    """The engine floor's ratio beside a fleet's, under the fleet's engine setting; "-" where the
    floor did not measure `op` there."""
    setting = result.get("setting")
    if op not in floor_walls(report, result["n"], setting):
        return "-"
    return f"{floor_ratio(report, result['n'], op, setting):.2f}"


def startup(runs: int = 3) -> float:
    """Seconds from starting the emulator process to its ready line (the slowest of `runs`)."""
    slowest = 0.0
    for _ in range(runs):
        emulator = Emulator()
        slowest = max(slowest, timed(emulator.start))
        emulator.stop()
    return slowest


def fewest_polls(window: float) -> int:
    """The fewest polls any schedule can make in a `window`-second wait while noticing every finish
    within 10 % of its time plus 1 s: a finish just after the poll at t must be seen by 1.1 t + 1, so
    at best the polls fall at 1, 1 + 1.1, ... (t' = 1.1 t + 1) until the window is covered."""
    polls, t = 0, 0.0
    while t < window:
        t = (1 + NOTICE_SHARE) * t + NOTICE_SECONDS
        polls += 1
    return polls


def ratio(result: dict[str, Any], base: dict[str, Any], op: str) -> float:
    return float(result["wall"][op] / base["wall"][op])


def targets(report: dict[str, Any], quick: bool) -> list[tuple[str, str, str, str]]:
    """(target, measured, limit, verdict) rows; verdict is "met", "MISSED" or "infeasible"."""
    fleets, notices = report["fleets"], report["notices"]
    base = fleets[0]
    rows = []

    def row(
        name: str, measured: float, limit: float, unit: str = "", at_most: bool = True, floor: float | None = None
    ) -> None:
        """A target row; `floor`: the engine floor's own ratio, which no dynamic provider can beat here,
        so a limit below it is infeasible on this machine (and says so) rather than missed."""
        ok = measured <= limit if at_most else measured >= limit
        sign = "≤" if at_most else "≥"
        verdict = "met" if ok else "MISSED"
        if not ok and floor is not None and floor > limit:
            verdict = f"infeasible: the engine floor is {floor:.2f}x"
        rows.append((name, f"{measured:.2f}{unit}", f"{sign} {limit:g}{unit}", verdict))

    largest = fleets[-1]
    lifted = report.get("lifted")
    for result in fleets[1:]:
        limit = 1.5 if quick or result["n"] > 16 else 1.3
        for op in ("create", "update", "destroy"):
            floor = floor_ratio(report, result["n"], op)
            if lifted is not None and result is largest:  # issue 17's targets apply to the lifted run
                rows.append((f"{op} of {result['n']} vs 1", f"{ratio(result, base, op):.2f}x", "-", "reference"))
            else:
                row(f"{op} of {result['n']} vs 1", ratio(result, base, op), limit, "x", floor=floor)
            rows.append(("the same, a provider that only waits (engine floor)", f"{floor:.2f}x", "-", "reference"))
    # Issue 17: 100 vs 1 within 1.2x (create, update) and 1.5x (destroy), and within 10 % of the
    # engine floor's own ratio; measured with the read budget lifted (its cost is the rows above), with
    # the engine's default checkpoints and with them skipped (the engine's own cost at 100, mostly).
    for result, setting in ((lifted, None), (report.get("skipping"), SKIP_CHECKPOINTS)):
        if result is None:
            continue
        for op, limit in (("create", 1.2), ("update", 1.2), ("destroy", 1.5)):
            measured, floor = ratio(result, base, op), floor_ratio(report, result["n"], op, setting)
            row(f"{op} of {result['n']} vs 1, read budget {result['budget']}", measured, limit, "x", floor=floor)
            row(f"the same, over the engine floor's {floor:.2f}x", measured / floor, 1.1, "x")
    preview_floor = floor_ratio(report, largest["n"], "preview")
    row(f"no-op preview of {largest['n']} vs 1", ratio(largest, base, "preview"), 1.5, "x", floor=preview_floor)
    # Issue 17's reads: at most 8 per endpoint for an update of 100 (shown at smaller N), and in any
    # second no more than the read budget lets through (its burst and a second of its rate, and one read
    # of slack: the emulator stamps a call when it answers), whatever N.
    cap = read_budget.allowed(1.0) + 1
    for result in fleets:
        update = result["calls"]["update"]
        if result["n"] >= 100:
            row(f"SageMaker reads per endpoint, update of {result['n']}", update["reads"], 8)
        else:
            rows.append(
                (f"SageMaker reads per endpoint, update of {result['n']}", f"{update['reads']:.1f}", "-", "reference")
            )
        for op in ("create", "update", "destroy"):
            peak = result["calls"][op]["peak_reads_per_second"]
            row(f"SageMaker reads in the busiest second, {op} of {result['n']}", peak, cap, "/s")
    rows.append(("the same, a do-nothing dynamic provider (engine floor)", f"{preview_floor:.2f}x", "-", "reference"))
    # Issue 20's "no slower by more than 10 %". The checks cost 3-6 % here since their clients share one
    # boto3 session (`aws._new_client`); before, 7 %.
    checks = largest["change_preview"]
    name = f"preview of a change of {largest['n']}: checks on vs off"
    if lifted is not None:  # the checks' own cost; with the default budget their reads also wait for it
        rows.append((name, f"{checks['checks_cost']:.2f}x", "-", "reference"))
        checks, name = lifted["change_preview"], f"{name}, read budget lifted"
    row(name, checks["checks_cost"], 1.1, "x")
    for result in fleets:
        row(f"non-read calls of a no-op preview, N={result['n']}", result["calls"]["preview"]["writes"], 0)
        row(f"non-read calls of a change's preview, N={result['n']}", result["change_preview"]["writes"], 0)
        row(f"state per resource, N={result['n']}", result["state_bytes_per_resource"] / 1024, 8, " KB")
    for notice in notices:
        row(
            f"noticed after a {notice['create_seconds']:g} s create",
            notice["late_seconds"],
            notice["late_limit_seconds"],
            " s",
        )
        row(
            f"shortest poll interval, {notice['create_seconds']:g} s create",
            notice["min_poll_interval"],
            1.0,
            " s",
            at_most=False,
        )
        if notice["create_seconds"] >= 60:
            fewest = fewest_polls(notice["create_seconds"])
            measured = notice["mean_poll_interval"]
            verdict = "met" if measured >= 5 else f"infeasible: ≥ {fewest} polls needed to notice in time"
            rows.append(("mean poll interval over a 60 s wait", f"{measured:.2f} s", "≥ 5 s", verdict))
    row("emulator startup to ready", report["startup_seconds"], 3.0, " s")
    for probed in report["traffic"]:
        for name, count in (
            (f"failed requests, {probed['deployment']}", probed["failed"]),
            (
                f"requests served by the old config after its delete, {probed['deployment']}",
                probed["served_after_delete"],
            ),
        ):
            rows.append((name, str(count), "≤ 0", "met" if count == 0 else "MISSED"))
    return rows


def markdown(header: list[str], lines: list[list[Any]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(str(cell) for cell in line) + " |" for line in lines),
    ]


def tables(report: dict[str, Any], verdicts: list[tuple[str, str, str, str]]) -> str:
    fleets, notices = report["fleets"], report["notices"]
    base = fleets[0]
    sections = [
        markdown(
            [
                "N",
                "read budget",
                "operation",
                "wall s",
                "emulator min s",
                "wall / min",
                "vs N=1",
                "engine floor vs N=1",
                "writes/endpoint",
                "reads/endpoint",
                "SageMaker reads/s",
                "peak reads/s",
                "CPU s (machine)",
                "emulator CPU s",
            ],
            [
                [
                    result["n"],
                    result["budget"],
                    op,
                    f"{result['wall'][op]:.1f}",
                    f"{result['minimum'][op]:.1f}",
                    f"{result['wall'][op] / result['minimum'][op]:.2f}" if result["minimum"][op] else "-",
                    f"{ratio(result, base, op):.2f}",
                    floor_cell(report, result, op),
                    f"{result['calls'][op]['writes']:.1f}",
                    f"{result['calls'][op]['reads']:.1f}",
                    f"{result['calls'][op]['reads_per_second']:.1f}",
                    f"{result['calls'][op]['peak_reads_per_second']:.0f}",
                    *(f"{result['cpu'][op][key]:.1f}" if "cpu" in result else "-" for key in ("machine", "emulator")),
                ]
                for result in [*fleets, *(report[key] for key in ("lifted", "skipping") if report.get(key))]
                for op in OPERATIONS
            ],
        )
    ]
    floors = report["engine_floor"]
    largest = str(fleets[-1]["n"])
    changed = ("create", "update", "destroy")
    sections.append(
        [
            *markdown(
                ["engine setting", "N", *(f"{op} s" for op in changed), *(f"{op} vs N=1" for op in changed)],
                [
                    [
                        setting,
                        largest,
                        *(f"{walls[op]:.1f}" for op in changed),
                        *(f"{walls[op] / floors['walls']['1'][op]:.2f}" for op in changed),
                    ]
                    for setting, walls in [
                        (f"PULUMI_PARALLEL = {ENGINE_PARALLEL} (the benchmark's)", floors["walls"][largest]),
                        *((s["setting"], s["walls"]) for s in floors["settings"]),
                    ]
                ],
            ),
            "",
            "The engine floor (a dynamic provider that only waits) under other engine settings, against the "
            "same floor's N=1.",
        ]
    )
    if notices:
        sections.append(
            markdown(
                ["create s", "noticed after s", "limit s", "polls", "mean poll interval s", "min poll interval s"],
                [
                    [
                        f"{n['create_seconds']:g}",
                        f"{n['late_seconds']:.2f}",
                        f"{n['late_limit_seconds']:.2f}",
                        n["polls"],
                        f"{n['mean_poll_interval']:.2f}",
                        f"{n['min_poll_interval']:.2f}",
                    ]
                    for n in notices
                ],
            )
        )
    if report["traffic"]:
        header = [
            "deployment",
            "requests",
            "failed",
            "full shift after s",
            "emulator's last shift s",
            "pulumi up s",
            "served by old config after its delete",
        ]
        lines = [
            [
                t["deployment"],
                t["requests"],
                t["failed"],
                "never" if t["shift_seconds"] is None else f"{t['shift_seconds']:.1f}",
                "-" if t["emulator_shift_seconds"] is None else f"{t['emulator_shift_seconds']:.1f}",
                f"{t['up_seconds']:.1f}",
                t["served_after_delete"],
            ]
            for t in report["traffic"]
        ]
        probed = report["traffic_settings"]
        note = (
            "Traffic probe: 4 threads, 20 ms between requests; deployment waits at "
            f"{100 * probed['time_scale']:g} % (emulator `time_scale`), fleets in {probed['update_seconds']:g} s; "
            "shift times from UpdateEndpoint."
        )
        sections.append([*markdown(header, lines), "", note])
    sections.append(markdown(["target", "measured", "limit", "verdict"], [list(r) for r in verdicts]))
    sections.append(
        [
            "Simulated, no CLI (`python -m bench.simulate`): one `up` moving every endpoint, 480 s deployments, "
            "the account's reads throttled past 100 at once and 15 a second:",
            "",
            *markdown(simulate.HEADER, simulate.table()),
        ]
    )
    machine = report["machine"]
    sections.append([f"Measured on {machine['cpus']} cores, {machine['platform']}, Python {machine['python']}."])
    return "\n\n".join("\n".join(section) for section in sections) + "\n"


FLEET_SECONDS: Final[Mapping[str, float]] = {"create_seconds": 20.0, "update_seconds": 20.0, "delete_seconds": 2.0}
"""The emulator's times in `make bench`'s fleets: issue 17's own conditions (its table of 100 vs 1
was measured with 20 s creates and updates and 2 s deletes, and its targets set on it). SageMaker's
own take minutes; the shorter the operation, the larger the share of a fixed cost in a ratio."""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="CI variant: N = 1 and 16, short emulator times")
    parser.add_argument("--json", type=Path, help="where to write the results (default bench/results/*.json)")
    parser.add_argument("--readme", action="store_true", help="write the tables into README.md")
    args = parser.parse_args()

    if args.quick:
        sizes, notice_times = [1, 16], []
        seconds: Mapping[str, float] = {"create_seconds": 3.0, "update_seconds": 3.0, "delete_seconds": 1.0}
        probed = {"create_seconds": 1.0, "update_seconds": 1.0, "delete_seconds": 0.3, "time_scale": 0.01}
    else:
        sizes = [1, 16, 100]
        seconds = FLEET_SECONDS
        notice_times = [5.0, 60.0]
        probed = {"create_seconds": 3.0, "update_seconds": 3.0, "delete_seconds": 1.0, "time_scale": 0.02}
    fleets = [fleet(n, seconds) for n in sizes]
    lifted = None if args.quick else fleet(sizes[-1], seconds, LIFTED_READS_PER_SECOND)
    skipping = None if args.quick else fleet(sizes[-1], seconds, LIFTED_READS_PER_SECOND, SKIP_CHECKPOINTS)
    report = {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": sys.version.split()[0]},
        "startup_seconds": startup(),
        "fleets": fleets,
        "lifted": lifted,
        "skipping": skipping,
        "notices": [noticing(t) for t in notice_times],
        "engine_floor": engine_floor(sizes, fleets[0]["minimum"]),
        "traffic": traffic(probed),
        "traffic_settings": probed,
    }
    output = args.json or Path("bench/results") / ("quick.json" if args.quick else "latest.json")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2))
    verdicts = targets(report, args.quick)
    text = tables(report, verdicts)
    print(text)
    if args.readme:
        readme_blocks.write("bench", text)
    missed = [r for r in verdicts if r[3] == "MISSED"]
    for name, measured, limit, _ in missed:
        print(f"MISSED: {name}: {measured} (limit {limit})", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
