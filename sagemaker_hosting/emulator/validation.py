"""Request validation as SageMaker does it, with the project's one validator (`schema`): the
service model's constraints, answered in the service's "N validation errors detected: ..." shape,
then the documented cross-field rules the model cannot express. Pure: no state, no I/O.

The service does not publish the messages of its cross-field rules; the emulator answers them
as one ValidationException naming each rule broken.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sagemaker_hosting import schema

Request = Mapping[str, Any]

CROSS_FIELD_RULES: Mapping[str, Callable[[Request], list[schema.Violation]]] = {
    "CreateEndpointConfig": schema.endpoint_config_violations,
    "CreateEndpoint": schema.endpoint_violations,
    "UpdateEndpoint": schema.endpoint_violations,
}


def violation(operation: str, request: Request) -> str | None:
    """The ValidationException message for `request`, or None when the service would accept it.
    Unknown members are let through: a newer SDK may send members this model lacks."""
    found = [
        v
        for v in schema.constraint_violations(schema.input_shape(operation), request)
        if v.rule != schema.UNKNOWN_MEMBER
    ]
    if found:
        return schema.aws_validation_message(found)
    rules = CROSS_FIELD_RULES.get(operation)
    broken = rules(request) if rules else []
    return "; ".join(f"{v.rule}." for v in broken) if broken else None
