"""Conformance fixtures: one emulator process per test module, wiped before each test, reached only
through boto3 and the admin API (so the same tests could be pointed at AWS)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sagemaker_hosting.emulator.testing import Emulator
from tests.emulator.helpers import FAST, Aws, seed


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator() as running:
        yield running


@pytest.fixture
def aws(emulator: Emulator) -> Aws:
    """Clean state, fast settings, and the seed (see `seed`)."""
    emulator.reset()
    emulator.settings(**FAST, throttle_rate=0.0, consistency_delay_seconds=0.0, instance_quota=0.0)
    clients = Aws.at(emulator.url)
    seed(clients)
    return clients
