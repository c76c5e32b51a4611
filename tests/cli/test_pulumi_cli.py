"""The Pulumi CLI built by scripts/build_pulumi.sh, with its Python language host and dynamic-provider
plugin, driving a real Python program offline: version, the resource lifecycle, config and secrets,
errors, and the Automation API."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pytest
from pulumi import automation as auto

from tests.pulumi_env import VENV_BIN, offline_env, python_project, run_pulumi, stack_outputs

PROGRAM = """\
    import pulumi
    from tests.cli.file_provider import File

    config = pulumi.Config()
    content = config.require("content")
    if content.startswith("raise:"):
        raise RuntimeError(content.removeprefix("raise:"))
    note = File("note", path=config.require("path"), content=content)
    pulumi.export("path", note.path)
    pulumi.export("content", note.content)
    """


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A project whose one File resource writes tmp_path/note.txt, with stack `test` initialised."""
    env = offline_env(tmp_path)
    work_dir = python_project(tmp_path / "project", "cli-test", PROGRAM)
    run_pulumi(work_dir, env, "stack", "init", "test")
    run_pulumi(work_dir, env, "config", "set", "path", str(tmp_path / "note.txt"))
    run_pulumi(work_dir, env, "config", "set", "content", "first")
    return work_dir, env


def test_cli_version_is_the_python_sdk_version(tmp_path: Path) -> None:
    result = run_pulumi(tmp_path, offline_env(tmp_path), "version")
    assert result.stdout.strip() == "v" + importlib.metadata.version("pulumi")


def test_lifecycle_of_a_dynamic_resource(project: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    work_dir, env = project
    note = tmp_path / "note.txt"

    preview = run_pulumi(work_dir, env, "preview")
    assert "pulumi-python:dynamic:Resource note create" in preview.output
    assert not note.exists()

    up = run_pulumi(work_dir, env, "up", "--yes")
    assert "pulumi-python:dynamic:Resource note created" in up.output
    assert note.read_text() == "first"
    assert stack_outputs(work_dir, env) == {"path": str(note), "content": "first"}
    run_pulumi(work_dir, env, "preview", "--expect-no-changes")

    run_pulumi(work_dir, env, "config", "set", "content", "second")
    changed = run_pulumi(work_dir, env, "preview", "--expect-no-changes", check=False)
    assert changed.returncode != 0
    assert "pulumi-python:dynamic:Resource note update [diff: ~content]" in changed.output
    run_pulumi(work_dir, env, "up", "--yes")
    assert note.read_text() == "second"

    note.write_text("changed behind pulumi's back")
    refresh = run_pulumi(work_dir, env, "refresh", "--yes")
    assert "pulumi-python:dynamic:Resource note updated" in refresh.output
    # The state now holds the drifted content, so the program's content is a change again.
    assert run_pulumi(work_dir, env, "preview", "--expect-no-changes", check=False).returncode != 0
    run_pulumi(work_dir, env, "up", "--yes")
    assert note.read_text() == "second"
    run_pulumi(work_dir, env, "refresh", "--expect-no-changes", "--yes")

    destroy = run_pulumi(work_dir, env, "destroy", "--yes")
    assert "pulumi-python:dynamic:Resource note deleted" in destroy.output
    assert not note.exists()
    assert stack_outputs(work_dir, env) == {}


def test_program_of_a_stack_without_config_runs(tmp_path: Path) -> None:
    env = offline_env(tmp_path)
    work_dir = python_project(tmp_path / "project", "no-config", 'import pulumi\npulumi.export("answer", 42)\n')
    run_pulumi(work_dir, env, "stack", "init", "test")
    run_pulumi(work_dir, env, "up", "--yes")
    assert stack_outputs(work_dir, env) == {"answer": 42}


def test_config_and_secrets_reach_the_program(tmp_path: Path) -> None:
    env = offline_env(tmp_path)
    program = """\
        import pulumi

        config = pulumi.Config()
        pulumi.export("greeting", config.require("greeting"))
        pulumi.export("token", config.require_secret("token"))
        """
    work_dir = python_project(tmp_path / "project", "config-test", program)
    run_pulumi(work_dir, env, "stack", "init", "test")
    run_pulumi(work_dir, env, "config", "set", "greeting", "hello")
    run_pulumi(work_dir, env, "config", "set", "--secret", "token", "s3cr3t")
    run_pulumi(work_dir, env, "up", "--yes")
    assert stack_outputs(work_dir, env) == {"greeting": "hello", "token": "[secret]"}
    assert stack_outputs(work_dir, env, show_secrets=True)["token"] == "s3cr3t"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param("fail:this", "refusing to write this", id="provider-raises"),
        pytest.param("raise:bad input", "RuntimeError: bad input", id="program-raises"),
    ],
)
def test_errors_fail_the_update_with_their_message(
    project: tuple[Path, dict[str, str]], content: str, message: str
) -> None:
    work_dir, env = project
    run_pulumi(work_dir, env, "config", "set", "content", content)
    result = run_pulumi(work_dir, env, "up", "--yes", check=False)
    assert result.returncode != 0
    assert message in result.output


def test_missing_virtualenv_is_reported(tmp_path: Path) -> None:
    env = offline_env(tmp_path)
    work_dir = python_project(tmp_path / "project", "venv-test", "")
    (work_dir / "Pulumi.yaml").write_text(
        f"name: venv-test\nruntime:\n  name: python\n  options:\n    virtualenv: {tmp_path / 'no-venv'}\n"
    )
    run_pulumi(work_dir, env, "stack", "init", "test")
    result = run_pulumi(work_dir, env, "preview", check=False)
    assert result.returncode != 0
    assert f"{tmp_path / 'no-venv'}\" doesn't exist" in result.output


def test_automation_api_runs_the_same_cli(project: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    work_dir, env = project
    workspace = auto.LocalWorkspaceOptions(
        work_dir=str(work_dir),
        env_vars=env,
        pulumi_home=env["PULUMI_HOME"],
        pulumi_command=auto.PulumiCommand(root=str(VENV_BIN.parent)),
    )
    stack = auto.select_stack("test", work_dir=str(work_dir), opts=workspace)
    events: list[auto.EngineEvent] = []

    up = stack.up(on_event=events.append)
    assert up.summary.result == "succeeded"
    assert up.outputs["content"].value == "first"
    assert (tmp_path / "note.txt").read_text() == "first"
    created = [event.res_outputs_event.metadata for event in events if event.res_outputs_event]
    assert [(step.type, step.op) for step in created if step.type.startswith("pulumi-python")] == [
        ("pulumi-python:dynamic:Resource", auto.OpType.CREATE)
    ]

    stack.preview(expect_no_changes=True)
    assert stack.destroy().summary.resource_changes == {"delete": 2}
    assert not (tmp_path / "note.txt").exists()
