"""Which config a killed run left behind (`leftovers.unrecorded`), as a table of cases."""

from __future__ import annotations

import pytest

from sagemaker_hosting import leftovers
from sagemaker_hosting.ownership import Owner
from sagemaker_hosting.tag_keys import ENDPOINT_TAG_PREFIX, OWNER_TAG, USERS_TAG_PREFIX

OURS = Owner("a" * 32, "seed-1", "inst-1", "org/proj/dev")
OTHER_ENTRY = Owner(OURS.stack_id, "seed-1", "inst-2", "org/proj/dev").tag_value()


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({OWNER_TAG: OTHER_ENTRY, "team": "x"}, True),
        ({OWNER_TAG: OURS.tag_value()}, False),  # the entry's own config
        ({OWNER_TAG: OTHER_ENTRY, USERS_TAG_PREFIX + "a" * 32: "main-abc"}, False),  # an endpoint was put on it
        ({OWNER_TAG: OTHER_ENTRY, ENDPOINT_TAG_PREFIX + "main-abc": "1"}, False),  # so, by an earlier version
        ({"team": "x"}, False),  # made outside
    ],
)
def test_unrecorded(tags: dict[str, str], expected: bool) -> None:
    assert leftovers.unrecorded(tags, OURS) is expected


FAILED = RuntimeError("Slow down")


@pytest.mark.parametrize(
    ("props", "region", "looked_for_again", "says", "not_said"),
    [
        (  # the names are made from the cleaned prefix, so that is what to look for
            {"name_prefix": "primary_config", "creation_time": "2026-12-07T10:00:00+00:00"},
            "eu-west-1",
            False,
            ['"primary-config-..."', "after 2026-12-07T10:00:00+00:00", "--region eu-west-1", "Slow down"],
            ["primary_config", "looks again"],
        ),
        (
            {"name_prefix": "fleet", "creation_time": "2026-12-07T10:00:00+00:00"},
            None,
            False,
            ['"fleet-..."', "aws sagemaker delete-endpoint-config --endpoint-config-name"],
            ["--region", "looks again"],
        ),
        (  # the entry stays in the state: the next run's diff searches again
            {"name_prefix": "fleet", "creation_time": "2026-12-07T10:00:00+00:00"},
            "eu-west-1",
            True,
            ["looks again", "Slow down"],
            ["stays in SageMaker", "delete-endpoint-config"],
        ),
    ],
)
def test_a_failed_search_says_what_may_remain(
    props: dict[str, str], region: str | None, looked_for_again: bool, says: list[str], not_said: list[str]
) -> None:
    said = leftovers.not_looked_for(FAILED, props, region, looked_for_again)
    assert all(part in said for part in says), said
    assert not any(part in said for part in not_said), said
