"""Request validation as SageMaker does it, with the project's one validator (`schema`): the
service model's constraints, answered in the service's "N validation errors detected: ..." shape,
then the documented cross-field rules the model cannot express. Pure: no state, no I/O.

The service does not publish the messages of its cross-field rules; the emulator answers them
as one ValidationException naming each rule broken.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import botocore.session
from botocore.model import ListShape, MapShape, ServiceModel, Shape, StructureShape

from sagemaker_hosting import cross_field, schema

Request = Mapping[str, Any]

CROSS_FIELD_RULES: Mapping[str, Callable[[Request], list[schema.Violation]]] = {
    "CreateEndpointConfig": cross_field.endpoint_config_violations,
    "CreateEndpoint": cross_field.endpoint_violations,
    "UpdateEndpoint": cross_field.endpoint_violations,
}

TAGGING = "https://docs.aws.amazon.com/general/latest/gr/aws_tagging.html"
"""AWS's tagging rules ("Tagging AWS resources", "Tag naming limits and requirements"), which the
model's Tag documentation refers to: keys must not begin with the reserved `aws:` prefix in any
case, and "Tag keys must be unique per resource" (the model's documentation of Tag.Key, AddTags)."""


def oversized_integer(shape: Shape, value: object, path: schema.Path = ()) -> schema.Path | None:
    """The path of the first integer in `value` that does not fit its model type's width
    (`schema.integer_bounds`), or None.
    A body like that cannot be read into the model's types, so the service cannot get as far as
    validating it (SerializationException, as for any body it cannot read; AWS documents no wording)."""
    if isinstance(shape, StructureShape) and isinstance(value, Mapping):
        for key, item in value.items():
            if key in shape.members:
                found = oversized_integer(shape.members[key], item, (*path, key))
                if found is not None:
                    return found
    elif isinstance(shape, ListShape) and isinstance(value, Sequence) and not isinstance(value, str):
        for index, item in enumerate(value):
            found = oversized_integer(shape.member, item, (*path, index))
            if found is not None:
                return found
    elif isinstance(shape, MapShape) and isinstance(value, Mapping):
        for key, item in value.items():
            found = oversized_integer(shape.value, item, (*path, key))
            if found is not None:
                return found
    elif isinstance(value, int) and not isinstance(value, bool):
        width = schema.integer_bounds(shape)
        if width is not None and not width[0] <= value <= width[1]:
            return path
    return None


def tag_violations(request: Request) -> list[str]:
    """AWS's tagging rules (TAGGING) on a request's Tags list (CreateModel, CreateEndpointConfig,
    CreateEndpoint, AddTags and every other operation with Tags): no key beginning with `aws:` (any
    case), and no key twice in one list (the resource would get two values for it). SageMaker
    documents neither message; these are the emulator's own."""
    tags = request.get("Tags")
    if not isinstance(tags, list):
        return []
    keys = [str(tag["Key"]) for tag in tags if isinstance(tag, Mapping) and isinstance(tag.get("Key"), str)]
    found = [
        f"Tag key '{key}' begins with the reserved prefix 'aws:', which is for AWS use only"
        for key in keys
        if key.lower().startswith("aws:")
    ]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        found.append(f"Tag keys must be unique; the request repeats [{', '.join(repeated)}]")
    return found


def serialization_problem(operation: str, request: Request) -> str | None:
    """The SerializationException message for a request whose values the model's types cannot hold."""
    path = oversized_integer(schema.input_shape(operation), request)
    if path is None:
        return None
    return f"Value at '{schema.aws_path(path)}' is out of range for its integer type."


def violation(operation: str, request: Request) -> str | None:
    """The ValidationException message for `request`, or None when the service would accept it.
    Unknown members are let through: a newer SDK may send members this model lacks."""
    found = [
        v
        for v in schema.constraint_violations(schema.input_shape(operation), request)
        if v.kind is not schema.Kind.UNKNOWN_MEMBER
    ]
    if found:
        return schema.aws_validation_message(found)
    rules = CROSS_FIELD_RULES.get(operation)
    broken = [f"{v.rule}." for v in rules(request)] if rules else []
    broken += [f"{rule}." for rule in tag_violations(request)]
    return "; ".join(broken) if broken else None


def request_problem(service: str, action: str, request: object) -> tuple[str, str] | None:
    """The error code and message a neighbouring service (`service`: botocore's name, such as
    "application-autoscaling") answers a request with before acting on it (an operation it does not
    have, a body that is not a JSON object or that its types cannot hold, a member against the
    model's constraints), or None. moto checks little: a request missing a required member would
    reach it and fail with a 500, which botocore retries as a server fault."""
    model = service_model(service)
    if action not in model.operation_names:
        return "UnknownOperationException", f"Unknown operation {action!r}."
    if not isinstance(request, Mapping):
        return "SerializationException", "Request body must be a JSON object."
    shape = model.operation_model(action).input_shape
    if shape is None:
        return None
    path = oversized_integer(shape, request)
    if path is not None:
        return "SerializationException", f"Value at '{schema.aws_path(path)}' is out of range for its integer type."
    found = [v for v in schema.constraint_violations(shape, request) if v.kind is not schema.Kind.UNKNOWN_MEMBER]
    return ("ValidationException", schema.aws_validation_message(found)) if found else None


@functools.cache
def service_model(service: str) -> ServiceModel:
    """botocore's model of a service the emulator serves beside SageMaker (through moto, or `quotas`)."""
    return botocore.session.get_session().get_service_model(service)
