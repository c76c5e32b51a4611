"""The names of a resource's secret inputs (`properties.with_secret_inputs`), which the provider
keeps out of every message: found at any depth, in a program run under the SDK's mocks (and ours,
`SageMakerMocks`), and made without an output of each plain part (each would be one more output the
program's end waits on)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pytest

from sagemaker_hosting import EndpointConfig, naming, properties
from sagemaker_hosting.mocks import ENDPOINT_CONFIG_TYPE, SageMakerMocks
from tests.examples.mocked import run_under_mocks


class Registered(pulumi.runtime.Mocks):
    """Every resource as registered (SageMakerMocks validates the inputs, and these hold secrets)."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


def variant(count: Any) -> dict[str, Any]:
    return {"variant_name": "v", "model_name": "m", "instance_type": "ml.m5.large", "initial_instance_count": count}


PLAIN = [variant(1)]
secret = pulumi.Output.secret

CASES: list[tuple[str, Callable[[], dict[str, Any]], list[str]]] = [
    ("plain", lambda: {"production_variants": PLAIN, "tags": {"team": "a"}}, []),
    ("an output, not secret", lambda: {"production_variants": PLAIN, "kms_key_id": pulumi.Output.from_input("k")}, []),
    ("a secret at the top", lambda: {"production_variants": PLAIN, "kms_key_id": secret("k")}, ["kms_key_id"]),
    ("a secret in a list of maps", lambda: {"production_variants": [variant(secret(1))]}, ["production_variants"]),
    ("a secret in a map", lambda: {"production_variants": PLAIN, "tags": {"team": secret("a")}}, ["tags"]),
]


@pytest.mark.parametrize("mocks", [Registered, SageMakerMocks])
@pytest.mark.parametrize(("args", "expected"), [pytest.param(args, names, id=case) for case, args, names in CASES])
def test_secret_inputs_are_named_at_any_depth(
    args: Callable[[], dict[str, Any]], expected: list[str], mocks: type[pulumi.runtime.Mocks]
) -> None:
    """And `SageMakerMocks` takes a program whose inputs hold secrets (it checked their wire wrapping)."""
    run = run_under_mocks(lambda: EndpointConfig("main", **args()), mocks(), project="p", stack="s")
    assert run.state(ENDPOINT_CONFIG_TYPE, "main")[naming.SECRET_INPUTS_KEY] == expected


def test_plain_inputs_make_no_output(monkeypatch: pytest.MonkeyPatch) -> None:
    """Negative control for the count: asking each value with `Output.from_input`, as before, makes
    outputs of the plain ones; the outputs in the inputs are asked alone."""
    made: list[object] = []
    track = pulumi.Output._track

    def counted(output: pulumi.Output[Any]) -> None:
        made.append(output)
        track(output)

    def program() -> None:
        plain = {"production_variants": [variant(1), variant(2)], "tags": {"a": "b"}, "name_prefix": "x"}
        assert properties.with_secret_inputs(plain)[naming.SECRET_INPUTS_KEY] == []
        assert not made
        properties.with_secret_inputs({**plain, "kms_key_id": secret("k")})
        asked_alone = len(made)
        for value in plain.values():  # what asking every value would have made
            pulumi.Output.from_input(value)
        assert len(made) > asked_alone

    monkeypatch.setattr(pulumi.Output, "_track", counted)
    run_under_mocks(program, Registered(), project="p", stack="s")
