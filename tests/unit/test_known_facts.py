"""`known_facts.recorded_instance_types`: when the stack's record of the config an endpoint runs
stands in for a read of it (a table)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from sagemaker_hosting import known_facts, naming

MODIFIED = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
FACTS = {
    "config_name": "blue",
    "variants": [
        {"variant_name": "a", "serverless": False, "instance_type": "ml.m5.large"},
        {"variant_name": "b", "serverless": True},
    ],
}


@pytest.mark.parametrize(
    ("olds", "current", "expected"),
    [
        # as the last `up` left it: the recorded facts give the types, no read
        (
            {naming.CONFIG_VARIANTS_KEY: FACTS, "last_modified_time": MODIFIED.isoformat()},
            {"EndpointConfigName": "blue", "LastModifiedTime": MODIFIED},
            {"a": "ml.m5.large", "b": None},
        ),
        # changed since (an UpdateEndpoint outside Pulumi, maintenance): read the config
        (
            {naming.CONFIG_VARIANTS_KEY: FACTS, "last_modified_time": MODIFIED.isoformat()},
            {"EndpointConfigName": "blue", "LastModifiedTime": MODIFIED.replace(hour=13)},
            None,
        ),
        # on another config than the facts describe
        (
            {naming.CONFIG_VARIANTS_KEY: FACTS, "last_modified_time": MODIFIED.isoformat()},
            {"EndpointConfigName": "green", "LastModifiedTime": MODIFIED},
            None,
        ),
        # no facts (a config named by a plain string), or a variant's type not recorded
        (
            {"last_modified_time": MODIFIED.isoformat()},
            {"EndpointConfigName": "blue", "LastModifiedTime": MODIFIED},
            None,
        ),
        (
            {
                naming.CONFIG_VARIANTS_KEY: {**FACTS, "variants": [{"variant_name": "a", "serverless": False}]},
                "last_modified_time": MODIFIED.isoformat(),
            },
            {"EndpointConfigName": "blue", "LastModifiedTime": MODIFIED},
            None,
        ),
        # state from before outputs had the time
        ({naming.CONFIG_VARIANTS_KEY: FACTS}, {"EndpointConfigName": "blue", "LastModifiedTime": MODIFIED}, None),
    ],
)
def test_recorded_instance_types(olds: dict[str, Any], current: dict[str, Any], expected: Any) -> None:
    assert known_facts.recorded_instance_types(olds, current) == expected
