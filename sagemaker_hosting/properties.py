"""Program side: the properties a resource class hands to `pulumi.dynamic.Resource` (the provider
side, in the provider process, is `provider`)."""

from __future__ import annotations

import inspect
from collections.abc import Collection, Iterator, Mapping
from typing import Any

import pulumi
from pulumi.runtime.rpc import UNKNOWN

from sagemaker_hosting import identity, naming


def resource_props(
    resource_type: str,
    resource_name: str,
    args: Mapping[str, Any],
    output_keys: Collection[str],
    opts: pulumi.ResourceOptions | None,
) -> dict[str, Any]:
    """A resource class's properties: the user's arguments, the name prefix and name seed that a
    generated name is made from, the stack's id and label (`identity`), whether the engine runs a
    preview (`naming.PREVIEW_KEY`), and every output as None (only keys given become outputs)."""
    props: dict[str, Any] = dict(args)
    if props.get("name") is None:
        props["name_prefix"] = props.get("name_prefix") or resource_name
    parent_type = opts.parent._type if opts is not None and opts.parent is not None else ""
    props[naming.SEED_KEY] = naming.name_seed(
        pulumi.get_project(), pulumi.get_stack(), resource_type, resource_name, parent_type
    )
    props[naming.OWNER_KEY] = identity.owner_input()
    props[naming.PREVIEW_KEY] = UNKNOWN if pulumi.runtime.is_dry_run() else False
    if opts is not None and opts.retain_on_delete:
        props[naming.RETAINED_KEY] = True
    props.setdefault("name", None)
    props.setdefault("region", None)
    props.setdefault("tags", {})
    props.update({key: None for key in output_keys})
    return props


def with_secret_inputs(props: dict[str, Any]) -> dict[str, Any]:
    """`props` with the names of those that are secrets, at any depth (`naming.SECRET_INPUTS_KEY`),
    known at preview even where the values are not. A value is secret when an output in it is: each
    is asked itself, as a plain value is never secret, and `Output.from_input` of a value would make
    an output of each of its parts, every one of which the program's end then waits on (the SDK's
    wait for pending outputs costs time in proportion to their number, issue 17)."""
    held = {key: list(outputs_in(value)) for key, value in props.items()}
    held = {key: outputs for key, outputs in held.items() if outputs}

    async def names() -> list[str]:
        return [key for key, outputs in held.items() if any([await is_secret(output) for output in outputs])]

    return {**props, naming.SECRET_INPUTS_KEY: pulumi.Output.from_input(names()) if held else []}


def outputs_in(value: Any) -> Iterator[Any]:
    """The outputs (and other awaitables) in `value`, at any depth."""
    if isinstance(value, pulumi.Output) or inspect.isawaitable(value):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from outputs_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from outputs_in(item)


async def is_secret(value: Any) -> bool:
    """Whether an output (or an awaitable's result, as an input) is secret."""
    output = value if isinstance(value, pulumi.Output) else pulumi.Output.from_input(value)
    return await output.is_secret()
