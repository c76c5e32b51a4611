"""Drive the real Pulumi CLI in tests, offline: a local file backend, PULUMI_HOME and state in a temporary
directory, no update checks, no plugin downloads, and the CLI that `make setup` puts in the virtualenv.

    env = offline_env(tmp_path)
    work_dir = python_project(tmp_path / "project", "demo", program)
    run_pulumi(work_dir, env, "stack", "init", "test")
    result = run_pulumi(work_dir, env, "up", "--yes")
    assert stack_outputs(work_dir, env)["greeting"] == "hello"
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sagemaker_hosting.testing import VENV, offline_environment

VENV_BIN = VENV / "bin"
"""The running virtualenv's bin directory: `make setup` installs pulumi and its plugins there."""

REPO = Path(__file__).resolve().parents[1]
"""The repository root, on PYTHONPATH of programs and providers so they import `tests.*` and this package."""


def offline_env(root: Path) -> dict[str, str]:
    """This process's environment plus what runs pulumi offline, with backend and PULUMI_HOME under
    `root` (`sagemaker_hosting.testing.offline_environment`), and this repository importable."""
    return {**os.environ, **offline_environment(root), "PYTHONPATH": str(REPO), "NO_COLOR": "1"}


def python_project(work_dir: Path, name: str, program: str) -> Path:
    """Write a Pulumi Python project (Pulumi.yaml using this virtualenv, __main__.py = `program`, dedented)
    into `work_dir` (created) and return it."""
    work_dir.mkdir(parents=True, exist_ok=True)
    (work_dir / "Pulumi.yaml").write_text(
        f"name: {name}\nruntime:\n  name: python\n  options:\n    virtualenv: {sys.prefix}\n"
    )
    (work_dir / "__main__.py").write_text(textwrap.dedent(program))
    return work_dir


@dataclass(frozen=True)
class PulumiResult:
    """What one pulumi command did."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        """stdout and stderr together, for asserting on messages wherever pulumi printed them."""
        return self.stdout + self.stderr


def run_pulumi(
    work_dir: Path, env: dict[str, str], *args: str, check: bool = True, timeout: float = 300
) -> PulumiResult:
    """Run `pulumi ARGS --non-interactive` in `work_dir`; with `check`, raise AssertionError showing the
    output if it fails. Mutating commands also need "--yes"."""
    completed = subprocess.run(
        [str(VENV_BIN / "pulumi"), *args, "--non-interactive"],
        cwd=work_dir,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    result = PulumiResult(completed.returncode, completed.stdout, completed.stderr)
    if check and result.returncode != 0:
        raise AssertionError(f"pulumi {' '.join(args)} exited {result.returncode}:\n{result.output}")
    return result


def stack_outputs(work_dir: Path, env: dict[str, str], show_secrets: bool = False) -> dict[str, Any]:
    """The current stack's outputs (secrets as "[secret]" unless `show_secrets`)."""
    args = ["stack", "output", "--json", *(["--show-secrets"] if show_secrets else [])]
    outputs: dict[str, Any] = json.loads(run_pulumi(work_dir, env, *args).stdout)
    return outputs
