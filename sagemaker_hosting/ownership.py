"""Who owns a SageMaker config or endpoint: the owner tag, and the decision it supports. Pure: no AWS call.

Names alone cannot tell stacks apart: two stacks whose project, stack and resource names are the
same (each developer's own backend, a copied stack, a second CI pipeline) derive the same physical
names. So every config and endpoint the provider creates carries one tag, `OWNER_TAG`, whose value
is the owner:

    <stack id> <resource seed> <instance> <stack label>

- the **stack id**: a random id made once per stack by its `StackIdentity` resource (`identity.py`)
  and kept in the stack's state. It survives `pulumi stack rename` and `stack export`/`import`
  (it is state, not a name), and an interrupted create (it is in the state before any config or
  endpoint is created); no other stack has it, whatever their names.
- the **resource seed**: the resource's name seed (`naming.name_seed`), which tells the resources of
  one stack apart (two resources of one stack may be given the same explicit `name`).
- the **instance**: drawn by each create and kept in the resource's outputs, which tells one
  Pulumi resource (a state entry) from the next that holds the same physical resource: a
  replacement whose derived name is the old one's again (a revert) takes the config over and
  writes its own instance, so the engine's pending delete of the old entry sees that the config is
  no longer its own, and lets it go without deleting it.
- the **stack label**: `<organization>/<project>/<stack>`, for messages only (never compared).

A resource owns what carries its own stack id and seed: such a config or endpoint found under its
name was started by an earlier, interrupted create of this very resource (or is the physical
resource of an earlier entry of it, as in a revert), and is taken over. Every other owner is
refused before any write: another stack (with the label in the message), another resource of this
stack, or a tag written before stack ids existed (which cannot tell stacks apart). A resource the
state holds (`still_ours`) acts only on what carries its stack id and instance.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from sagemaker_hosting.tag_keys import OWNER_TAG, TAG_VALUE_LIMIT

UNKNOWN_STACK = "-"
"""The stack id written when none is known (a provider used outside a Pulumi program, in tests)."""


@dataclass(frozen=True)
class Owner:
    """One resource of one stack."""

    stack_id: str | None
    """The stack's random id (`identity.py`); None in tags written before stack ids existed."""
    seed: str | None
    """The resource's name seed."""
    instance: str | None = None
    """The Pulumi resource entry that made or took over the physical resource; None before it is
    created, and in tags written before instances existed."""
    label: str = ""
    """`organization/project/stack`, for messages."""

    def tag_value(self) -> str:
        """The owner tag's value."""
        parts = (self.stack_id, self.seed, self.instance, self.label)
        return " ".join(part or UNKNOWN_STACK for part in parts)[:TAG_VALUE_LIMIT]  # a long stack label is cut to fit


def of_inputs(owner_input: object, seed: object, instance: object = None) -> Owner:
    """The owner a resource's canonical inputs or outputs name: its `naming.OWNER_KEY` ("<stack id>
    <label>", absent outside a Pulumi program), its name seed and its `naming.INSTANCE_KEY`."""
    stack_id, _, label = owner_input.partition(" ") if isinstance(owner_input, str) else ("", "", "")
    text = {key: value if isinstance(value, str) and value else None for key, value in (("s", seed), ("i", instance))}
    return Owner(stack_id or None, text["s"], text["i"], label)


def parse(value: str | None) -> Owner | None:
    """The owner a tag value names; None for no tag. A value without spaces is a tag written before
    stack ids existed: its whole value is a seed, its stack unknown."""
    if value is None:
        return None
    parts = value.split(" ", 3)
    if len(parts) < 4:
        return Owner(None, value)
    stack_id, seed, instance, label = (None if part == UNKNOWN_STACK else part for part in parts)
    return Owner(stack_id, seed, instance, label or "")


class Verdict(Enum):
    """How a config or endpoint found under a resource's name relates to that resource."""

    NONE = "no owner tag"
    """Made outside any stack of ours (console, CloudFormation, Terraform): only adoption takes it."""
    OURS = "this resource's"
    """Started by an earlier, interrupted create of this very resource."""
    SIBLING = "another resource of this stack"
    OTHER_STACK = "another stack"
    UNPROVABLE = "a tag written before stack ids existed"
    """An owner tag of an earlier version, which holds only a seed: any stack with the same names has it."""


def verdict(found: Owner | None, ours: Owner) -> Verdict:
    """Who owns what carries the owner tag `found`, seen from the resource `ours`."""
    if found is None:
        return Verdict.NONE
    if found.stack_id is None and ours.stack_id is not None:
        return Verdict.UNPROVABLE
    if found.stack_id != ours.stack_id:
        return Verdict.OTHER_STACK
    return Verdict.OURS if found.seed == ours.seed else Verdict.SIBLING


def still_ours(found: Owner | None, ours: Owner) -> bool:
    """For a resource the stack's state holds (update, delete, refresh): whether what lives under its
    name is still this entry's. It is not when it carries another stack's id (this stack's was
    deleted outside Pulumi, and another stack made one of the same name since), or this stack's
    with another instance (a replacement of the same name took it over: a revert). Only ids that
    both sides know decide: a seed changes with `pulumi stack rename`, and tags written before
    stack ids or instances hold none (the state then says it is this stack's)."""
    if found is None:
        return True
    if None not in (found.stack_id, ours.stack_id) and found.stack_id != ours.stack_id:
        return False
    return None in (found.instance, ours.instance) or found.instance == ours.instance


def left_behind(found: Owner | None, ours: Owner) -> bool:
    """Whether what carries the owner tag `found` was made by another entry of the resource whose
    entry is `ours`: this stack's id and the resource's seed, another instance (a create that the
    engine never recorded, as `leftovers` finds). Tags without an instance cannot tell."""
    if found is None or None in (found.stack_id, found.instance, ours.stack_id, ours.instance):
        return False
    return found.stack_id == ours.stack_id and found.seed == ours.seed and found.instance != ours.instance


def refusal(kind: str, name: str, found: Owner | None, seen: Verdict, place: str) -> str:
    """Why a create or adoption of `kind` "`name`" (in `place`: account and region) is refused, and
    what to do; `seen` is anything but OURS."""
    where = f'{kind} "{name}" already exists in {place}'
    if seen is Verdict.OTHER_STACK:
        label = f" ({found.label})" if found is not None and found.label else ""
        who = (
            f"another Pulumi stack{label}, with stack id {found.stack_id if found else '?'}: "
            "stacks whose project, stack and resource names are the same derive the same names"
        )
    elif seen is Verdict.SIBLING:
        who = "another resource of this stack, which was given the same `name`"
    elif seen is Verdict.UNPROVABLE:
        who = (
            f"a stack that an earlier version of sagemaker-hosting deployed (its `{OWNER_TAG}` tag holds no stack "
            "id, so it cannot tell this stack from another with the same names)"
        )
    else:
        who = "no stack of ours (it was made outside this stack)"
    return (
        f"{where} and belongs to {who}. It exists outside this stack, and nothing was created or changed. "
        "Give this resource another `name` (or `name_prefix`); or, if it is yours to take over, remove it from "
        f"the stack that manages it and delete its `{OWNER_TAG}` tag"
        + (", then set `adopt_existing=True`." if kind == "Endpoint" else ".")
    )
