"""Who owns a SageMaker config or endpoint: the owner tag, and the decision it supports. Pure: no AWS call.

Names alone cannot tell stacks apart: two stacks whose project, stack and resource names are the
same (each developer's own backend, a copied stack, a second CI pipeline) derive the same physical
names. So every config and endpoint the provider creates carries one tag, `OWNER_TAG`, whose value
is the owner:

    <stack id> <resource seed> <stack label>

- the **stack id**: a random id made once per stack by its `StackIdentity` resource (`identity.py`)
  and kept in the stack's state. It survives `pulumi stack rename` and `stack export`/`import`
  (it is state, not a name), and an interrupted create (it is in the state before any config or
  endpoint is created); no other stack has it, whatever their names.
- the **resource seed**: the resource's name seed (`naming.name_seed`), which tells the resources of
  one stack apart (two resources of one stack may be given the same explicit `name`).
- the **stack label**: `<organization>/<project>/<stack>`, for messages only (never compared).

A resource owns what carries its own stack id and seed: such a config or endpoint found under its
name was started by an earlier, interrupted create of this very resource, and is taken over. Every
other owner is refused before any write: another stack (with the label in the message), another
resource of this stack, or a tag written before stack ids existed (which cannot tell stacks apart).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

OWNER_TAG = "sagemaker-hosting:owner"
"""The tag key of the owner (under the provider's reserved prefix `sagemaker-hosting:`)."""
MAX_VALUE_LENGTH = 256
"""SageMaker's limit on a tag value; a long stack label is cut to fit."""
UNKNOWN_STACK = "-"
"""The stack id written when none is known (a provider used outside a Pulumi program, in tests)."""


@dataclass(frozen=True)
class Owner:
    """One resource of one stack."""

    stack_id: str | None
    """The stack's random id (`identity.py`); None in tags written before stack ids existed."""
    seed: str | None
    """The resource's name seed."""
    label: str = ""
    """`organization/project/stack`, for messages."""

    def tag_value(self) -> str:
        """The owner tag's value."""
        value = f"{self.stack_id or UNKNOWN_STACK} {self.seed} {self.label or UNKNOWN_STACK}"
        return value[:MAX_VALUE_LENGTH]


def of_inputs(owner_input: object, seed: object) -> Owner:
    """The owner a resource's canonical inputs name: its `naming.OWNER_KEY` ("<stack id> <label>",
    absent outside a Pulumi program) and its name seed."""
    stack_id, _, label = owner_input.partition(" ") if isinstance(owner_input, str) else ("", "", "")
    return Owner(stack_id or None, seed if isinstance(seed, str) else None, label)


def parse(value: str | None) -> Owner | None:
    """The owner a tag value names; None for no tag. A value without spaces is a tag written before
    stack ids existed: its whole value is a seed, its stack unknown."""
    if value is None:
        return None
    parts = value.split(" ", 2)
    if len(parts) < 3:
        return Owner(None, value)
    stack_id, seed, label = parts
    return Owner(None if stack_id == UNKNOWN_STACK else stack_id, seed, "" if label == UNKNOWN_STACK else label)


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


def another_stacks(found: Owner | None, ours: Owner) -> bool:
    """For a resource the stack's state holds (update, delete, refresh): whether what lives under its
    name now carries another stack's id, i.e. the stack's own was deleted outside Pulumi and another
    stack made one of the same name since. Only stack ids decide: a seed changes with `pulumi stack
    rename`, and a tag written before stack ids holds none (the state says it is this stack's)."""
    return found is not None and None not in (found.stack_id, ours.stack_id) and found.stack_id != ours.stack_id


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
