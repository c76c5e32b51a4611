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
