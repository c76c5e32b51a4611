"""Checks that apply to every test that runs an emulator, and the order the suite runs in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sagemaker_hosting import aws

FIRST = ("tests/e2e/test_stateful.py",)
"""Tests that take minutes on one worker: run first, so that the other workers take the rest of the
suite meanwhile (pytest-xdist's worksteal) instead of the suite ending on their tail."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: not item.nodeid.startswith(FIRST))  # stable: the order stays otherwise


@pytest.fixture(autouse=True)
def provider_uses_only_the_documented_iam_actions(request: pytest.FixtureRequest) -> Iterator[None]:
    """After a test with an emulator, every SageMaker, Application Auto Scaling and Service Quotas call
    the provider made (told apart by its User-Agent) since the calls were last cleared is one of
    `aws.IAM_ACTIONS` or `aws.OPTIONAL_IAM_ACTIONS`."""
    yield
    if "emulator" not in request.fixturenames:
        return
    emulator = request.getfixturevalue("emulator")
    # SageMaker calls are logged by their action's name, the other services' as IAM names them.
    documented = {action.removeprefix("sagemaker:") for action in (*aws.IAM_ACTIONS, *aws.OPTIONAL_IAM_ACTIONS)}
    used = {call["action"] for call in emulator.calls() if aws.USER_AGENT in call["user_agent"]}
    assert used <= documented, f"the provider called {sorted(used - documented)}, which README's IAM list lacks"
