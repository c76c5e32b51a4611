"""Run Pulumi stacks offline against the emulator: the real Pulumi CLI (through the Automation API,
which runs the same CLI) with a local file backend, and helpers that seed the emulator with what a
training pipeline leaves behind (model artifacts in S3, models, alarms).

Used by this project's end-to-end tests, benchmark and demo, and by users testing their own stacks.
"""

from __future__ import annotations

import os
import re
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from pulumi import automation as auto

from sagemaker_hosting.emulator.testing import REGION, Emulator, client_options, environment

VENV = Path(sys.prefix)
"""The virtualenv running the tests: it holds this package, the pulumi CLI and its plugins."""

FAST: dict[str, float] = {
    "create_seconds": 1.0,
    "update_seconds": 1.0,
    "delete_seconds": 0.3,
    "stage_seconds": 0.5,
    "time_scale": 0.01,
    "throttle_rate": 0.0,
    "unavailable_rate": 0.0,
    "consistency_delay_seconds": 0.0,
    "instance_quota": 0.0,
}
"""Emulator settings for tests: a fleet in a second, traffic shifts in half a second, DeploymentConfig
waits at 1 %, no throttling, no stale reads, no instance quota (settings survive a reset, so tests
apply all of them)."""


def client(emulator: Emulator, service: str, region: str = REGION) -> Any:
    """A boto3 client of `service` in `region` pointed at the emulator."""
    return boto3.client(service, **client_options(emulator.url, region))  # type: ignore[call-overload]


def create_models(emulator: Emulator, *names: str, missing: tuple[str, ...] = (), region: str = REGION) -> None:
    """Models as a training pipeline leaves them: artifacts in S3, then CreateModel in `region`.
    Models named in `missing` point at an artifact that was never uploaded."""
    s3, sagemaker = client(emulator, "s3"), client(emulator, "sagemaker", region)
    if "models" not in {bucket["Name"] for bucket in s3.list_buckets()["Buckets"]}:
        s3.create_bucket(Bucket="models")
    for name in (*names, *missing):
        key = f"{name}/model.tar.gz"
        if name not in missing:
            s3.put_object(Bucket="models", Key=key, Body=b"weights")
        sagemaker.create_model(
            ModelName=name,
            ExecutionRoleArn="arn:aws:iam::123456789012:role/sagemaker",
            PrimaryContainer={
                "Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/serve:1",
                "ModelDataUrl": f"s3://models/{key}",
            },
        )


def create_alarm(emulator: Emulator, name: str) -> None:
    """A CloudWatch alarm in the emulator, for AutoRollbackConfiguration (state OK until set otherwise)."""
    put_alarm(client(emulator, "cloudwatch"), name)


def put_alarm(cloudwatch: Any, name: str) -> None:
    """A CloudWatch alarm on an endpoint's 5XX errors, through any CloudWatch client."""
    cloudwatch.put_metric_alarm(
        AlarmName=name,
        MetricName="Invocation5XXErrors",
        Namespace="AWS/SageMaker",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1.0,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
    )


def set_alarm(emulator: Emulator, name: str, state: str) -> None:
    client(emulator, "cloudwatch").set_alarm_state(AlarmName=name, StateValue=state, StateReason="test")


@dataclass
class Project:
    """A Pulumi project in a temporary directory with one stack, driven through the CLI."""

    stack: auto.Stack
    output: list[str] = field(default_factory=list)

    def set_config(self, **values: str) -> None:
        for key, value in values.items():
            self.stack.set_config(key, auto.ConfigValue(value))

    def up(self) -> auto.UpResult:
        return self.stack.up(on_output=self.output.append, color="never")

    def preview(self, expect_no_changes: bool = False, diff: bool = False) -> auto.PreviewResult:
        return self.stack.preview(
            on_output=self.output.append, expect_no_changes=expect_no_changes, color="never", diff=diff
        )

    def refresh(self, expect_no_changes: bool = False) -> auto.RefreshResult:
        return self.stack.refresh(on_output=self.output.append, expect_no_changes=expect_no_changes, color="never")

    def destroy(self) -> auto.DestroyResult:
        return self.stack.destroy(on_output=self.output.append, color="never")

    def outputs(self) -> dict[str, Any]:
        return {key: value.value for key, value in self.stack.outputs().items()}


def make_project(
    tmp_path: Path, emulator: Emulator, program: str, name: str = "e2e", env: dict[str, str] | None = None
) -> Project:
    """Write Pulumi.yaml and __main__.py (the program) and create stack `test` on a file backend;
    `env`: variables for the CLI over `offline_environment`'s."""
    work_dir = tmp_path / "project"
    work_dir.mkdir()
    (work_dir / "Pulumi.yaml").write_text(
        f"name: {name}\nruntime:\n  name: python\n  options:\n    virtualenv: {VENV}\n"
    )
    (work_dir / "__main__.py").write_text(textwrap.dedent(program))
    return _stack(tmp_path, work_dir, emulator, env or {})


def copy_project(tmp_path: Path, emulator: Emulator, source: Path) -> Project:
    """A copy of the project in `source` (Pulumi.yaml, __main__.py), its virtualenv made absolute."""
    work_dir = tmp_path / "project"
    work_dir.mkdir()
    settings = re.sub(r"virtualenv: \S+", f"virtualenv: {VENV}", (source / "Pulumi.yaml").read_text())
    (work_dir / "Pulumi.yaml").write_text(settings)
    (work_dir / "__main__.py").write_text((source / "__main__.py").read_text())
    return _stack(tmp_path, work_dir, emulator, {})


def offline_environment(root: Path) -> dict[str, str]:
    """Variables that run the Pulumi CLI offline: a file backend and PULUMI_HOME under `root`
    (created), an empty secrets passphrase, no update checks or plugin downloads, this virtualenv's
    bin first on PATH, and 64 resource operations at once."""
    backend, home = root / "state", root / "pulumi-home"
    backend.mkdir(parents=True, exist_ok=True)
    home.mkdir(parents=True, exist_ok=True)
    return {
        "PATH": f"{VENV / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "PULUMI_BACKEND_URL": f"file://{backend}",
        "PULUMI_HOME": str(home),
        "PULUMI_CONFIG_PASSPHRASE": "",
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_PARALLEL": "64",
    }


def _stack(tmp_path: Path, work_dir: Path, emulator: Emulator, extra: dict[str, str]) -> Project:
    env = {**environment(emulator.url), **offline_environment(tmp_path), **extra}
    workspace = auto.LocalWorkspaceOptions(
        work_dir=str(work_dir),
        pulumi_home=env["PULUMI_HOME"],
        env_vars=env,
        pulumi_command=auto.PulumiCommand(root=str(VENV)),
    )
    return Project(auto.create_stack("test", work_dir=str(work_dir), opts=workspace))
