"""What a resource's canonical inputs (as `check` returns them) say beyond the API's members: its
owner and owner tag, whether the stack keeps it on `destroy`, and the boto3 request built from them.
Pure: no AWS call; both providers and the deployment path build their requests here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sagemaker_hosting import naming, normalize, ownership, schema, tag_keys

if TYPE_CHECKING:
    from mypy_boto3_sagemaker.type_defs import TagTypeDef


def request(operation: str, inputs: Mapping[str, Any], **explicit: Any) -> dict[str, Any]:
    """The boto3 request for `operation`: every canonical input that is a member of its input
    shape (snake_case -> PascalCase), tags as a list, plus `explicit` members."""
    shape = schema.input_shape(operation)
    members = {schema.snake(member) for member in shape.members} - {"tags"}
    body = normalize.to_api(shape, {k: v for k, v in inputs.items() if k in members and v is not None})
    if "Tags" in shape.members:
        retained = {tag_keys.RETAINED_TAG: "true"} if operation == "CreateEndpoint" and is_retained(inputs) else {}
        body["Tags"] = normalize.tags_to_api({**(inputs.get("tags") or {}), **owner_tag(inputs), **retained})
    body.update(explicit)
    return body


def owner_of(props: Mapping[str, Any]) -> ownership.Owner:
    """The owner that a resource's canonical inputs (or outputs) name (`ownership`)."""
    return ownership.of_inputs(props.get(naming.OWNER_KEY), props.get(naming.SEED_KEY), props.get(naming.INSTANCE_KEY))


def owner_tag(inputs: Mapping[str, Any]) -> dict[str, str]:
    """The owner tag of the resource whose canonical inputs are `inputs`."""
    return {tag_keys.OWNER_TAG: owner_of(inputs).tag_value()}


def is_retained(inputs: Mapping[str, Any]) -> bool:
    """Whether the stack keeps the resource on `destroy` (`retain_on_delete`)."""
    return inputs.get(naming.RETAINED_KEY) is True


def tag_list(tags: Mapping[str, str]) -> list[TagTypeDef]:
    """Tags as AddTags takes them."""
    return [{"Key": key, "Value": value} for key, value in sorted(tags.items())]
