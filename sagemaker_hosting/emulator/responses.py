"""SageMaker hosting requests answered the way the service answers them.

The protocol is JSON 1.1 (`X-Amz-Target: SageMaker.<Action>`, a JSON body, errors as HTTP 400
with `{"__type": code, "message": ...}`). moto's SageMaker responses are bound to moto's own
backend, which lacks what hosting needs (see `operations.py`), so the hosting operations are answered
here, in front of moto; every other SageMaker action, and tags on other resource types, are left to
moto (`answer` returns None).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.model import ListShape, Shape, StructureShape

from sagemaker_hosting import schema
from sagemaker_hosting.emulator.operations import HostingBackend
from sagemaker_hosting.emulator.resources import HostingError
from sagemaker_hosting.emulator.validation import serialization_problem, violation

Operation = Callable[[HostingBackend, str, dict[str, Any]], dict[str, Any] | None]

OPERATIONS: Mapping[str, Operation] = {
    "CreateModel": lambda b, region, r: b.create_model(region, r),
    "DescribeModel": lambda b, region, r: b.describe_model(region, r["ModelName"]),
    "DeleteModel": lambda b, region, r: b.delete_model(region, r["ModelName"]),
    "ListModels": lambda b, region, r: b.list_models(region, r),
    "CreateEndpointConfig": lambda b, region, r: b.create_endpoint_config(region, r),
    "DescribeEndpointConfig": lambda b, region, r: b.describe_endpoint_config(region, r["EndpointConfigName"]),
    "DeleteEndpointConfig": lambda b, region, r: b.delete_endpoint_config(region, r["EndpointConfigName"]),
    "ListEndpointConfigs": lambda b, region, r: b.list_endpoint_configs(region, r),
    "CreateEndpoint": lambda b, region, r: b.create_endpoint(region, r),
    "DescribeEndpoint": lambda b, region, r: b.describe_endpoint(region, r["EndpointName"]),
    "UpdateEndpoint": lambda b, region, r: b.update_endpoint(region, r),
    "UpdateEndpointWeightsAndCapacities": lambda b, region, r: b.update_endpoint_weights_and_capacities(region, r),
    "DeleteEndpoint": lambda b, region, r: b.delete_endpoint(region, r["EndpointName"]),
    "ListEndpoints": lambda b, region, r: b.list_endpoints(region, r),
    "AddTags": lambda b, region, r: b.add_tags(r["ResourceArn"], r["Tags"]),
    "ListTags": lambda b, region, r: b.list_tags(r["ResourceArn"], r),
    "DeleteTags": lambda b, region, r: b.delete_tags(r["ResourceArn"], r["TagKeys"]),
}
"""Every hosting operation this emulator answers itself."""

TAG_OPERATIONS = frozenset({"AddTags", "ListTags", "DeleteTags"})


@dataclass(frozen=True)
class Answer:
    """An HTTP answer to one SageMaker call."""

    status: int
    body: dict[str, Any]

    @property
    def error(self) -> str | None:
        return str(self.body["__type"]) if "__type" in self.body else None

    @staticmethod
    def failure(error: HostingError) -> Answer:
        return Answer(400, {"__type": error.code, "message": error.message})


def unknown_operation(action: str) -> Answer:
    """AWS's answer to an X-Amz-Target the service does not have: HTTP 400 UnknownOperationException
    (as JSON 1.1 services answer it: aws/aws-sdk-js#425, aws/aws-sdk-net#1536; the AWS Common Errors
    page lists the code without saying which status SageMaker uses)."""
    return Answer(400, {"__type": "UnknownOperationException", "message": f"Unknown operation {action!r}."})


def not_emulated(action: str, service: str = "SageMaker") -> Answer:
    """An operation of `service` that neither this emulator nor moto serves: a 4xx naming it, never a
    500 (which botocore would retry as a server fault)."""
    return Answer(
        400,
        {
            "__type": "UnknownOperationException",
            "message": f"The emulator does not serve {service} {action} (only hosting and what moto serves).",
        },
    )


def empty_listing(action: str) -> Answer:
    """A List* operation's answer for an account with none of its resources (every list member
    empty): what AWS answers where moto has no such resources to list."""
    shape = schema.output_shape(action)
    return Answer(200, {name: [] for name, member in shape.members.items() if isinstance(member, ListShape)})


def resource_name(request: Mapping[str, Any]) -> str | None:
    """The name of the resource a request is about (the name part of a ResourceArn)."""
    for key in ("EndpointName", "EndpointConfigName", "ModelName"):
        if isinstance(request.get(key), str):
            return str(request[key])
    resource_arn = request.get("ResourceArn")
    return resource_arn.rpartition("/")[2] if isinstance(resource_arn, str) else None


def with_defaults(shape: Shape, value: Any) -> Any:
    """`value` with the members the service fills in when omitted (schema.API_DEFAULTS), at any depth."""
    if isinstance(shape, StructureShape) and isinstance(value, Mapping):
        filled = {
            key: with_defaults(shape.members[key], item) if key in shape.members else item
            for key, item in value.items()
        }
        for (shape_name, member), default in schema.API_DEFAULTS.items():
            if shape_name == shape.name and member not in filled:
                filled[member] = default
        return filled
    if isinstance(shape, ListShape) and isinstance(value, list):
        return [with_defaults(shape.member, item) for item in value]
    return value


class HostingResponses:
    """Answers SageMaker calls: injected outages and throttling, validation against the model, then the backend."""

    def __init__(self, backend: HostingBackend, chance: Callable[[], float] = random.random) -> None:
        self.backend = backend
        self.chance = chance

    def answer(self, action: str, region: str, body: bytes) -> Answer | None:
        """The answer to SageMaker call `action`, or None when moto should answer it."""
        if self.chance() < self.backend.settings.unavailable_rate:  # botocore retries 503s, then gives up
            return Answer(503, {"__type": "ServiceUnavailable", "message": "Service Unavailable"})
        if self.chance() < self.backend.settings.throttle_rate:
            return Answer.failure(HostingError("ThrottlingException", "Rate exceeded"))
        if action not in schema.service_model().operation_names:
            return unknown_operation(action)
        request = parse(body)
        if not isinstance(request, dict):
            return Answer(400, {"__type": "SerializationException", "message": "Request body must be a JSON object."})
        unreadable = serialization_problem(action, request)
        if unreadable is not None:
            return Answer(400, {"__type": "SerializationException", "message": unreadable})
        problem = violation(action, request)  # for moto's operations too: moto checks little
        if problem is not None:
            return Answer.failure(HostingError("ValidationException", problem))
        if action not in OPERATIONS or (
            action in TAG_OPERATIONS and not self.backend.owns(str(request.get("ResourceArn", "")))
        ):
            return None
        try:
            result = OPERATIONS[action](self.backend, region, with_defaults(schema.input_shape(action), request))
        except HostingError as error:
            return Answer.failure(error)
        return Answer(200, result or {})


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


def parse(body: bytes) -> Any:
    """The JSON body, or None when it is not JSON (or nested deeper than the parser goes).

    `NaN`, `Infinity` and `-Infinity` are not JSON (RFC 8259, section 6: "Numeric values that cannot
    be represented in the grammar below (such as Infinity and NaN) are not permitted"), though
    Python's parser reads them: such a body is unreadable (SerializationException, as for any body
    that is not JSON; AWS documents no wording). botocore never sends one: it writes a NaN float as
    the string "NaN", which the model validation refuses as not a number."""
    try:
        return json.loads(body or b"{}", parse_constant=_not_json)
    except (ValueError, RecursionError):
        return None
