"""The owner tag and the decision it supports (`ownership`), as tables of cases."""

from __future__ import annotations

import pytest

from sagemaker_hosting import ownership
from sagemaker_hosting.ownership import Owner, Verdict
from sagemaker_hosting.tag_keys import TAG_VALUE_LIMIT

OURS = Owner("a" * 32, "seed-1", "inst-1", "org/proj/dev")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("seed-1", Owner(None, "seed-1")),  # written before stack ids: a seed alone
        (f"{'a' * 32} seed-1 inst-1 org/proj/dev", OURS),
        ("- seed-1 - -", Owner(None, "seed-1", None, "")),  # no stack id known (a provider outside a program)
        (f"{'a' * 32} seed-1 inst-1 org/my project/dev", Owner("a" * 32, "seed-1", "inst-1", "org/my project/dev")),
    ],
)
def test_parse(value: str | None, expected: Owner | None) -> None:
    assert ownership.parse(value) == expected


@pytest.mark.parametrize("owner", [OURS, Owner(None, "s"), Owner("b" * 32, "s", "i", "o/p/" + "x" * 400)])
def test_a_tag_value_reads_back_as_the_owner_and_fits_a_tag(owner: Owner) -> None:
    value = owner.tag_value()
    assert len(value) <= TAG_VALUE_LIMIT
    parsed = ownership.parse(value)
    assert parsed is not None and (parsed.stack_id, parsed.seed, parsed.instance) == (
        owner.stack_id,
        owner.seed,
        owner.instance,
    )


@pytest.mark.parametrize(
    ("found", "expected"),
    [
        (None, Verdict.NONE),
        (OURS, Verdict.OURS),
        (Owner(OURS.stack_id, "seed-1", "inst-1", "org/proj/renamed"), Verdict.OURS),  # labels are not compared
        (Owner(OURS.stack_id, "seed-1", "inst-0"), Verdict.OURS),  # an earlier entry of it: a revert takes it
        (Owner(OURS.stack_id, "seed-2", "inst-1", "org/proj/dev"), Verdict.SIBLING),
        (Owner("b" * 32, "seed-1", "inst-1", "org/proj/dev"), Verdict.OTHER_STACK),  # every name the same
        (Owner(None, "seed-1"), Verdict.UNPROVABLE),
    ],
)
def test_verdict(found: Owner | None, expected: Verdict) -> None:
    assert ownership.verdict(found, OURS) is expected


def test_without_a_stack_id_only_the_seed_tells() -> None:
    """A provider driven outside a Pulumi program (its tests) has no stack id: seeds decide."""
    alone = Owner(None, "seed-1")
    assert ownership.verdict(ownership.parse(alone.tag_value()), alone) is Verdict.OURS
    assert ownership.verdict(Owner(None, "seed-2"), alone) is Verdict.SIBLING


@pytest.mark.parametrize(
    ("owner_input", "seed", "instance", "expected"),
    [
        (f"{'a' * 32} org/proj/dev", "seed-1", "inst-1", OURS),
        (None, "seed-1", None, Owner(None, "seed-1")),
        (None, None, "", Owner(None, None)),
    ],
)
def test_of_inputs(owner_input: object, seed: object, instance: object, expected: Owner) -> None:
    assert ownership.of_inputs(owner_input, seed, instance) == expected


@pytest.mark.parametrize(
    ("seen", "says"),
    [
        (Verdict.OTHER_STACK, "another Pulumi stack (org/proj/dev), with stack id " + "b" * 32),
        (Verdict.SIBLING, "another resource of this stack"),
        (Verdict.UNPROVABLE, "an earlier version of sagemaker-hosting"),
    ],
)
def test_a_refusal_names_the_owner_and_what_to_do(seen: Verdict, says: str) -> None:
    found = Owner("b" * 32, "s", "i", "org/proj/dev")
    message = ownership.refusal("Endpoint", "main-abc", found, seen, "account 1, us-east-1")
    assert message.startswith('Endpoint "main-abc" already exists in account 1, us-east-1 and belongs to ')
    assert says in message and "nothing was created or changed" in message and "adopt_existing" in message


@pytest.mark.parametrize(
    ("found", "expected"),
    [
        (None, True),
        (OURS, True),
        (Owner(OURS.stack_id, "seed-after-a-stack-rename", "inst-1"), True),  # seeds do not decide
        (Owner(None, "seed-1"), True),  # a tag written before stack ids: the state says it is ours
        (Owner(OURS.stack_id, "seed-1", None), True),  # no instance in the tag: likewise
        (Owner(OURS.stack_id, "seed-1", "inst-2"), False),  # a replacement of the same name took it over
        (Owner("b" * 32, "seed-1", "inst-1"), False),  # deleted outside, then made by another stack
    ],
)
def test_still_ours(found: Owner | None, expected: bool) -> None:
    assert ownership.still_ours(found, OURS) is expected


def test_still_ours_without_ids_of_our_own() -> None:
    """State from before stack ids and instances: nothing it could compare, so it is ours."""
    assert ownership.still_ours(Owner("b" * 32, "s", "i"), Owner(None, "s")) is True


@pytest.mark.parametrize(
    ("found", "expected"),
    [
        (Owner(OURS.stack_id, "seed-1", "inst-2"), True),  # a create of this resource the engine never recorded
        (OURS, False),  # the entry's own
        (None, False),  # no owner tag: made outside
        (Owner("b" * 32, "seed-1", "inst-2"), False),  # another stack's
        (Owner(OURS.stack_id, "seed-2", "inst-2"), False),  # another resource of this stack
        (Owner(OURS.stack_id, "seed-1", None), False),  # a tag without an instance cannot tell
        (Owner(None, "seed-1"), False),  # a tag written before stack ids
    ],
)
def test_left_behind(found: Owner | None, expected: bool) -> None:
    assert ownership.left_behind(found, OURS) is expected
    assert ownership.left_behind(found, Owner(OURS.stack_id, "seed-1", None)) is False  # an entry without one
