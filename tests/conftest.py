"""Checks that apply to every test that runs an emulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sagemaker_hosting import aws


@pytest.fixture(autouse=True)
def provider_uses_only_the_documented_iam_actions(request: pytest.FixtureRequest) -> Iterator[None]:
    """After a test with an emulator, every SageMaker and Application Auto Scaling call the provider
    made (told apart by its User-Agent) since the calls were last cleared is one of `aws.IAM_ACTIONS`."""
    yield
    if "emulator" not in request.fixturenames:
        return
    emulator = request.getfixturevalue("emulator")
    # SageMaker calls are logged by their action's name, Application Auto Scaling's as IAM names them.
    documented = {action.removeprefix("sagemaker:") for action in aws.IAM_ACTIONS}
    used = {call["action"] for call in emulator.calls() if aws.USER_AGENT in call["user_agent"]}
    assert used <= documented, f"the provider called {sorted(used - documented)}, which README's IAM list lacks"
