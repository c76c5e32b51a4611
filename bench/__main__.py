"""Run the benchmark and print its table: `python -m bench [--quick] [--json PATH]`.

Drives the real Pulumi CLI against the emulator. Every target is a ratio measured within this
run, never an absolute time, so the figures hold on any machine. `--quick` is the CI variant
(N = 1 and 8, short emulator times) and exits 1 when the 8-endpoint ratio exceeds 1.5.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sagemaker_hosting.emulator.testing import Emulator
from sagemaker_hosting.testing import create_models, make_project

READS = ("Describe", "List")
OPERATIONS = ("create", "update", "preview", "destroy")

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


def timed(action: Callable[[], Any]) -> float:
    start = time.monotonic()
    action()
    return time.monotonic() - start


def call_counts(calls: list[dict[str, Any]], endpoints: int) -> dict[str, float]:
    """SageMaker calls per endpoint: writes and Describe* polls apart."""
    describes = sum(1 for c in calls if c["action"].startswith(READS))
    return {"writes": (len(calls) - describes) / endpoints, "reads": describes / endpoints}


def fleet(n: int, seconds: dict[str, float]) -> dict[str, Any]:
    """Create, update (every config replaced), no-op preview and destroy a stack of `n` endpoints."""
    with Emulator() as emulator, tempfile.TemporaryDirectory() as tmp:
        emulator.settings(**seconds)
        create_models(emulator, "bench-model")
        project = make_project(Path(tmp), emulator, PROGRAM, name=f"bench{n}")
        project.set_config(endpoints=str(n), instances="1")
        result: dict[str, Any] = {"n": n, "wall": {}, "minimum": {}, "calls": {}}
        minimum = {
            "create": seconds["create_seconds"],
            "update": seconds["update_seconds"],
            "preview": 0.0,
            "destroy": seconds["delete_seconds"],
        }

        def measure(operation: str, action: Callable[[], Any]) -> None:
            emulator.clear_calls()
            result["wall"][operation] = timed(action)
            result["minimum"][operation] = minimum[operation]
            result["calls"][operation] = call_counts(emulator.calls(), n)

        measure("create", project.up)
        deployment = project.stack.export_stack().deployment
        ours = [r for r in deployment["resources"] if r["type"].startswith("pulumi-python:dynamic")]
        result["state_bytes_per_resource"] = max(len(json.dumps(r)) for r in ours)
        measure("preview", lambda: project.preview(expect_no_changes=True))
        project.set_config(instances="2")
        measure("update", project.up)
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


def table(fleets: list[dict[str, Any]], notices: list[dict[str, float]]) -> str:
    base = fleets[0]
    lines = [
        "| N | operation | wall s | emulator min s | wall / min | vs N=1 | writes/endpoint | Describe*/endpoint |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for result in fleets:
        for op in OPERATIONS:
            wall, minimum = result["wall"][op], result["minimum"][op]
            lines.append(
                f"| {result['n']} | {op} | {wall:.1f} | {minimum:.1f} | "
                f"{wall / minimum if minimum else float('nan'):.2f} | {wall / base['wall'][op]:.2f} | "
                f"{result['calls'][op]['writes']:.1f} | {result['calls'][op]['reads']:.1f} |"
            )
    lines.append("")
    lines.append("| N | state bytes per resource (max) |")
    lines.append("|---|---|")
    lines += [f"| {r['n']} | {r['state_bytes_per_resource']} |" for r in fleets]
    if notices:
        lines += [
            "",
            "| create s | noticed after s | limit (10 % + 1 s) | polls | mean poll interval s | min poll interval s |",
            "|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {n['create_seconds']:.0f} | {n['late_seconds']:.2f} | {n['late_limit_seconds']:.2f} | {n['polls']} | "
            f"{n['mean_poll_interval']:.2f} | {n['min_poll_interval']:.2f} |"
            for n in notices
        ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="CI variant: N = 1 and 8, short emulator times")
    parser.add_argument("--json", type=Path, default=Path("bench/results/latest.json"))
    args = parser.parse_args()

    if args.quick:
        sizes, seconds, notice_times = [1, 8], {"create_seconds": 3.0, "update_seconds": 3.0, "delete_seconds": 1.0}, []
    else:
        sizes = [1, 4, 16, 32]
        seconds = {"create_seconds": 10.0, "update_seconds": 10.0, "delete_seconds": 2.0}
        notice_times = [5.0, 60.0]
    fleets = [fleet(n, seconds) for n in sizes]
    notices = [noticing(t) for t in notice_times]
    report = {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": sys.version.split()[0]},
        "fleets": fleets,
        "notices": notices,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2))
    print(table(fleets, notices))

    failures = []
    for result in fleets[1:]:
        limit = 1.5 if args.quick or result["n"] > 16 else 1.3
        for op in ("create", "update"):
            ratio = result["wall"][op] / fleets[0]["wall"][op]
            if ratio > limit:
                failures.append(f"{op} of {result['n']} endpoints took {ratio:.2f}x the time of 1 (limit {limit}x)")
    for result in fleets:
        if result["state_bytes_per_resource"] >= 8192:
            failures.append(f"state per resource is {result['state_bytes_per_resource']} bytes (limit 8 KB)")
        if result["calls"]["preview"]["writes"]:
            failures.append(f"a no-op preview of {result['n']} endpoints made write calls")
    for line in failures:
        print(f"FAILED: {line}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
