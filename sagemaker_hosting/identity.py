"""`StackIdentity`: the random id that tells this stack from every other, as a resource of the stack.

Stacks cannot be told apart by name (`ownership.py`), and a dynamic provider learns nothing about
the stack but what its inputs say, so the id lives where only this stack has it: in its state. The
first `EndpointConfig` or `Endpoint` of a program adds one `StackIdentity` to the stack (named
`IDENTITY_NAME`); its create draws the id, and every config and endpoint gets it, with the stack's
label, as the hidden input `naming.OWNER_KEY`, from which `ownership` writes and checks owner tags.

Because it is a resource, the id is in the state before any config or endpoint is created (so an
interrupted create is still recognised as this stack's), is kept by `pulumi stack rename` and
`stack export`/`import`, and is never shared by a copy made with `pulumi stack init` (a new stack
draws its own). At the first preview of a new stack it is not known yet; then nothing found under
a resource's name can be this stack's. It calls no AWS API.
"""

from __future__ import annotations

import uuid
from typing import Any

import pulumi
import pulumi.dynamic as dynamic
from pulumi.runtime import settings

IDENTITY_NAME = "sagemaker-hosting-stack"
"""The resource name of the one `StackIdentity` of a stack."""


class StackIdentityProvider(dynamic.ResourceProvider):
    """Draws the id at create; nothing else changes it, and delete has nothing to delete."""

    serialize_as_secret_always = False
    """The id is no secret: it proves only which stack made a resource, and is written in AWS tags."""

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        stack_id = uuid.uuid4().hex
        return dynamic.CreateResult(stack_id, {"stack_id": stack_id})

    def diff(self, id_: str, old_outputs: dict[str, Any], news: dict[str, Any]) -> dynamic.DiffResult:
        return dynamic.DiffResult(changes=False)

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        return dynamic.ReadResult(id_, {**props, "stack_id": id_})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        return None


class StackIdentity(dynamic.Resource, module="sagemaker", name="StackIdentity"):
    """The stack's random id (one per stack; added by the first config or endpoint of a program)."""

    stack_id: pulumi.Output[str]
    """32 random hexadecimal digits, drawn at the stack's first `pulumi up`."""

    def __init__(self, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(StackIdentityProvider(), IDENTITY_NAME, {"stack_id": None}, opts)


_identity: tuple[object, StackIdentity] | None = None
"""The program's `StackIdentity`, with the engine connection (`settings.SETTINGS.monitor`) it was
made under: a process that runs several programs, as tests with Pulumi's mocks do, gets one each."""


def owner_input() -> pulumi.Output[str]:
    """The hidden input `naming.OWNER_KEY` of a config or endpoint: "<stack id> <stack label>", the
    stack's `StackIdentity` made on first use."""
    global _identity
    current = settings.SETTINGS.monitor
    if _identity is None or _identity[0] is not current:
        _identity = (current, StackIdentity())
    label = f"{pulumi.get_organization()}/{pulumi.get_project()}/{pulumi.get_stack()}"
    return _identity[1].stack_id.apply(lambda stack_id: f"{stack_id} {label}")
