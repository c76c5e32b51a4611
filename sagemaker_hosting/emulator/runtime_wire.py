"""The sagemaker-runtime wire: the REST-JSON protocol read from botocore's `sagemaker-runtime` model
(`POST /endpoints/{EndpointName}/invocations`, members in the URI and headers, the body as is), the
answers (`Outcome`) and the runtime's errors (`x-amzn-ErrorType` plus a JSON body), as moto keeps
responses and exceptions apart from its models.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import botocore.session
from botocore.model import OperationModel, ServiceModel, StructureShape

from sagemaker_hosting import schema
from sagemaker_hosting.emulator.invocation import ModelFailure
from sagemaker_hosting.emulator.resources import Route

INVOCATION_PATH = re.compile(
    r"^/endpoints/(?P<name>[^/]+)/(?P<kind>invocations|async-invocations|invocations-response-stream)$"
)
ACTIONS = {
    "invocations": "InvokeEndpoint",
    "async-invocations": "InvokeEndpointAsync",
    "invocations-response-stream": "InvokeEndpointWithResponseStream",
}

INTEGER_TEXT = re.compile(r"[+-]?[0-9]+")
"""An integer header as the service reads one (Java's Integer.parseInt: an optional sign, then
decimal digits). Other text stays text, and the member's type refuses it."""

FRONT_END_SLACK = 4096
"""How far past the model's Body maximum the runtime's HTTP front end took a body: AWS answered
HTTP 413 "HTTP content length exceeded 5246976 bytes." (5 MiB + 4 KiB) when InvokeEndpoint's
documented maximum was 5 MiB (observed: aws/sagemaker-python-sdk#171, aws/amazon-sagemaker-examples#245)."""

FLEET_HEADER = "X-Emulator-Fleet"
CONFIG_HEADER = "X-Emulator-Endpoint-Config"


@functools.cache
def runtime_model() -> ServiceModel:
    """botocore's model of `sagemaker-runtime`."""
    session = botocore.session.get_session()
    return ServiceModel(session.get_service_data("sagemaker-runtime"), service_name="sagemaker-runtime")


def operation(action: str) -> OperationModel:
    return runtime_model().operation_model(action)


def response_header(action: str, member: str) -> str:
    """The HTTP header of an output member, as the model names it (e.g. InvokedProductionVariant ->
    x-Amzn-Invoked-Production-Variant)."""
    shape = operation(action).output_shape
    assert shape is not None
    return str(shape.members[member].serialization["name"])


@dataclass
class Outcome:
    """The HTTP answer to one data-plane call and the call-log entries it makes (the call itself,
    then one per shadow copy)."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    records: list[dict[str, Any]] = field(default_factory=list)


class RuntimeApiError(Exception):
    """An error of the sagemaker-runtime model: its code (a shape name), HTTP status and members."""

    def __init__(self, code: str, message: str, **members: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.members = members

    @property
    def status(self) -> int:
        shape = runtime_model().shape_for(self.code)
        return int(shape.metadata["error"]["httpStatusCode"])


class FrontEndError(RuntimeApiError):
    """An answer of the runtime's HTTP front end, before the API: a status and a message, without
    x-amzn-ErrorType (botocore then gives the status as the error code, e.g. "413")."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(str(status), message)
        self.http_status = status

    @property
    def status(self) -> int:
        return self.http_status


def validation_error(message: str) -> RuntimeApiError:
    """ValidationError, HTTP 400 (botocore model: the runtime's only client error besides ModelError
    and, for serverless or multi-model endpoints, ModelNotReadyException)."""
    return RuntimeApiError("ValidationError", message)


def not_found(name: str, account: str) -> RuntimeApiError:
    # Wording as AWS answers it (observed: aws/amazon-sagemaker-examples#293 and #559, where a
    # SageMaker engineer traces it to a deleted endpoint; the AWS SDKs' smoke test expects
    # ValidationError for an unknown endpoint).
    return validation_error(f"Endpoint {name} of account {account} not found.")


def model_error(route: Route, failure: ModelFailure, region: str, account: str, endpoint: str) -> RuntimeApiError:
    """ModelError (botocore model: HTTP 424, members OriginalStatusCode, OriginalMessage,
    LogStreamArn). The message follows what AWS answers (observed, e.g.
    aws/amazon-sagemaker-examples#1809: 'Received server error (500) from primary with message
    "...". See https://... in account ... for more information.')."""
    kind = "client" if failure.status < 500 else "server"
    group = f"/aws/sagemaker/Endpoints/{endpoint}"
    console = f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}#logEventViewer:group={group}"
    return RuntimeApiError(
        "ModelError",
        f'Received {kind} error ({failure.status}) from {route.variant} with message "{failure.message}". '
        f"See {console} in account {account} for more information.",
        OriginalStatusCode=failure.status,
        OriginalMessage=failure.message,
        LogStreamArn=f"arn:aws:logs:{region}:{account}:log-group:{group}",
    )


def body_is_payload(shape: StructureShape) -> bool:
    """Whether the operation's body is its required payload (InvokeEndpoint and
    InvokeEndpointWithResponseStream, 6 MiB at most), whose size the HTTP front end limits
    (`payload_too_large`), rather than InvokeEndpointAsync's optional inline input, whose size is
    the model's constraint (ValidationError, as AWS's announcement of inline payloads says)."""
    return "Body" in shape.required_members


def payload_too_large(shape: StructureShape, body: bytes) -> FrontEndError | None:
    """HTTP 413 for a payload the front end does not take: `FRONT_END_SLACK` past the model's Body
    maximum. What the service does with a body within the slack is not known; it is let through."""
    if not body_is_payload(shape):
        return None
    limit = int(shape.members["Body"].metadata["max"]) + FRONT_END_SLACK
    return FrontEndError(413, f"HTTP content length exceeded {limit} bytes.") if len(body) > limit else None


def error_outcome(error: RuntimeApiError) -> Outcome:
    if isinstance(error, FrontEndError):
        return Outcome(
            error.status, [("Content-Type", "application/json")], json.dumps({"message": error.message}).encode()
        )
    body = json.dumps({"Message": error.message, **error.members}).encode()
    headers = [("x-amzn-ErrorType", error.code), ("Content-Type", "application/json")]
    return Outcome(error.status, headers, body)


def request_members(action: str, name: str, header: Callable[[str], str | None]) -> dict[str, Any]:
    """The request's members other than the body, read where the model places them (URI, headers):
    text, or an integer for an integer member whose header reads as one (`INTEGER_TEXT`)."""
    shape = operation(action).input_shape
    assert isinstance(shape, StructureShape)
    members: dict[str, Any] = {}
    for member, member_shape in shape.members.items():
        location = member_shape.serialization.get("location")
        if location == "uri":
            members[member] = name
        elif location == "header":
            value = header(member_shape.serialization["name"])
            if value is None:
                continue
            if member_shape.type_name in schema.INTEGER_BITS and INTEGER_TEXT.fullmatch(value.strip(" \t")):
                members[member] = int(value)
            else:
                members[member] = value
    return members


def stream_outcome(outcome: Outcome) -> Outcome:
    """A successful InvokeEndpoint answer as InvokeEndpointWithResponseStream's: the body as one
    PayloadPart event of an event stream, the content type in X-Amzn-SageMaker-Content-Type."""
    # moto's event-stream encoder. moto 5.2.6 no longer has the one used before (the private
    # moto.s3.select_object_content._create_message); this one writes the same bytes for this event.
    from moto.core.eventstream import EventStreamEncoder

    action = "InvokeEndpointWithResponseStream"
    headers = dict(outcome.headers)
    content_type = headers.pop("Content-Type")
    event = {":message-type": "event", ":event-type": "PayloadPart"}
    stream = EventStreamEncoder().encode_message(event, outcome.body)
    new_headers = [
        ("Content-Type", "application/vnd.amazon.eventstream"),
        (response_header(action, "ContentType"), content_type),
        *headers.items(),
    ]
    return Outcome(outcome.status, new_headers, stream, outcome.records)
