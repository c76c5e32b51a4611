"""Stack config is process-wide in the Pulumi SDK: no test leaves any behind."""

from __future__ import annotations

from collections.abc import Iterator

import pulumi
import pytest


@pytest.fixture(autouse=True)
def no_config_left_behind() -> Iterator[None]:
    """Stack config is process-wide in the SDK: each test starts and ends without any."""
    pulumi.runtime.set_all_config({})
    yield
    pulumi.runtime.set_all_config({})
