"""End-to-end fixtures: one emulator per test module, fast timings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sagemaker_hosting.emulator.testing import Emulator
from sagemaker_hosting.testing import FAST


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator() as running:
        running.settings(**FAST)
        yield running
