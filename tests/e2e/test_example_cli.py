"""The example as a user starts it (issue 19 item 5): `examples/platform` copied as it is, with the
one config value its program requires (`image`), previewed through the real CLI. Every other key
has a default in its Pulumi.yaml that matches the program, so the program runs; the only stop on
this machine is the pulumi-aws provider plugin, which no registry here serves, recognised by the
CLI's own message. Before the defaults, preview stopped at "missing configuration values"."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pulumi import automation as auto

from sagemaker_hosting.testing import copy_project

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "platform"


def test_every_optional_key_of_the_example_has_a_default() -> None:
    declared = yaml.safe_load((EXAMPLE / "Pulumi.yaml").read_text())["config"]
    assert {key for key, spec in declared.items() if "default" not in spec} == {"image"}  # the program requires it


def test_the_example_previews_as_far_as_the_absent_aws_plugin(tmp_path, emulator) -> None:
    stack = copy_project(tmp_path, emulator, EXAMPLE)
    stack.set_config(image="123456789012.dkr.ecr.us-east-1.amazonaws.com/inference:1")
    with pytest.raises(auto.CommandError) as stopped:
        stack.preview()
    said = str(stopped.value)
    assert "missing" not in said.lower() or "configuration" not in said.lower(), said
    assert "resource plugin 'pulumi-resource-aws'" in said, said
    assert "Traceback" not in said, said
