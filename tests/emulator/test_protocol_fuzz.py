"""No 5xx, ever: raw HTTP requests to the emulator, generated from botocore's models of every
service it answers (every operation of SageMaker, Application Auto Scaling and sagemaker-runtime,
members of every type, values in and out of their constraints) and malformed on purpose (bodies
that are not JSON or nest too deep, unknown or missing X-Amz-Target, another operation's members,
bad Content-Length). Every answer must be below 500 and, for an error, JSON without a traceback (but
a Content-Length that is no number, which the HTTP server refuses in plain text before any service);
botocore retries a 5xx as a server fault, so one would cost a user minutes.

Bounded: a fixed number of examples per test, each one request over loopback."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from typing import Any

import botocore.session
import pytest
from botocore.model import ListShape, MapShape, ServiceModel, Shape, StructureShape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sagemaker_hosting import schema
from sagemaker_hosting.emulator.testing import Emulator
from tests.emulator.helpers import connect, signed_headers

OPERATIONS = sorted(schema.service_model().operation_names)
SCALING: ServiceModel = botocore.session.get_session().get_service_model("application-autoscaling")
RUNTIME: ServiceModel = botocore.session.get_session().get_service_model("sagemaker-runtime")
SCALARS: st.SearchStrategy[Any] = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)
)


def values(shape: Shape, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values for `shape`: mostly of its type (in or out of its constraints), sometimes of another."""
    enum: list[str] = getattr(shape, "enum", None) or []  # StringShape only
    if depth > 4:
        return st.just({}) if isinstance(shape, StructureShape) else SCALARS
    if isinstance(shape, StructureShape):
        members = {name: values(member, depth + 1) for name, member in shape.members.items()}
        typed: st.SearchStrategy[Any] = st.fixed_dictionaries({}, optional=members) if members else st.just({})
    elif isinstance(shape, ListShape):
        typed = st.lists(values(shape.member, depth + 1), max_size=3)
    elif isinstance(shape, MapShape):
        typed = st.dictionaries(st.text(max_size=10), values(shape.value, depth + 1), max_size=3)
    elif enum:
        typed = st.one_of(st.sampled_from(enum), st.text(max_size=10))
    elif shape.type_name in ("integer", "long"):
        typed = st.integers(min_value=-(2**70), max_value=2**70)
    elif shape.type_name in ("float", "double"):
        typed = st.floats(allow_nan=False)
    elif shape.type_name == "boolean":
        typed = st.booleans()
    elif shape.type_name == "timestamp":
        typed = st.one_of(st.floats(min_value=0, max_value=4e9), st.text(max_size=25))
    else:
        typed = st.text(max_size=80)
    return st.one_of(typed, SCALARS) if depth else typed


@st.composite
def requests(draw: st.DrawFn, model: ServiceModel | None = None) -> tuple[str, bytes]:
    """An operation of `model` (SageMaker's by default) and a JSON body for it."""
    model = model or schema.service_model()
    operation = draw(st.sampled_from(sorted(model.operation_names)))
    shape = model.operation_model(operation).input_shape
    body = draw(values(shape)) if shape is not None else {}
    return operation, json.dumps(body).encode()


MALFORMED_BODIES = st.one_of(
    st.binary(max_size=64),
    st.just(b"[" * 50_000 + b"]" * 50_000),
    st.just(b'{"a": ' * 5_000 + b"1" + b"}" * 5_000),
    st.just(b'{"EndpointName": NaN}'),
    st.text(max_size=40).map(lambda text: json.dumps(text).encode()),
)
TARGETS = st.one_of(
    st.sampled_from(OPERATIONS).map(lambda operation: f"SageMaker.{operation}"),
    st.sampled_from(sorted(SCALING.operation_names)).map(lambda operation: f"AnyScaleFrontendService.{operation}"),
    st.sampled_from(["", "SageMaker.", "SageMaker.Nope", "ListEndpoints", "DynamoDB_20120810.ListTables"]),
    st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=20),  # what a header can carry
)


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator() as running:
        yield running


def post(
    url: str,
    target: str | None,
    body: bytes,
    length: str | None = None,
    service: str = "sagemaker",
    path: str = "/",
    extra: dict[str, str] | None = None,
) -> tuple[int, bytes]:
    """One raw POST as botocore sends a call of `service` (with our own headers, byte for byte)."""
    connection = connect(url)
    try:
        connection.putrequest("POST", path, skip_accept_encoding=True)
        headers = {
            **signed_headers(service),
            "Content-Length": length if length is not None else str(len(body)),
            **(extra or {}),
        }
        if target is not None:
            headers["X-Amz-Target"] = target
        for name, value in headers.items():
            connection.putheader(name, value.encode("latin-1", "replace"))
        connection.endheaders(body if length is None else b"")
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def assert_no_server_error(status: int, body: bytes, what: object) -> None:
    assert status < 500, (what, status, body[:300])
    assert b"Traceback" not in body, (what, body[:300])
    if status >= 400:
        error = json.loads(body)
        assert isinstance(error, dict) and ("__type" in error or "ErrorCode" in error), (what, body[:300])


FUZZ = settings(
    max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck), database=None, print_blob=False
)


@FUZZ
@given(request=requests())
def test_requests_from_the_model_never_get_a_5xx(emulator, request) -> None:
    operation, body = request
    status, answer = post(emulator.url, f"SageMaker.{operation}", body)
    assert_no_server_error(status, answer, request)


@FUZZ
@given(request=requests(SCALING))
def test_application_auto_scaling_requests_from_its_model_never_get_a_5xx(emulator, request) -> None:
    """Application Auto Scaling, which moto serves: each request is checked against botocore's model
    first (`validation.scaling_problem`), so one missing a required member (which moto answered with
    a 500) gets the ValidationException the service gives."""
    operation, body = request
    status, answer = post(emulator.url, f"AnyScaleFrontendService.{operation}", body, service="application-autoscaling")
    assert_no_server_error(status, answer, request)


@pytest.mark.parametrize(
    ("operation", "body", "error"),
    [
        ("DescribeScalingActivities", b"{}", "ValidationException"),  # ServiceNamespace is required
        ("DescribeScalableTargets", b'{"ServiceNamespace": "nope"}', "ValidationException"),  # not in its enum
        ("DescribeScalableTargets", b'{"ServiceNamespace": "sagemaker", "MaxResults": 4294967296}', "Serialization"),
        ("DescribeScalableTargets", b"[]", "SerializationException"),
        ("Nope", b"{}", "UnknownOperationException"),
    ],
)
def test_a_malformed_application_auto_scaling_request_gets_the_services_error(emulator, operation, body, error) -> None:
    status, answer = post(emulator.url, f"AnyScaleFrontendService.{operation}", body, service="application-autoscaling")
    assert status == 400 and json.loads(answer)["__type"].startswith(error), answer


RUNTIME_PATHS = {"InvokeEndpoint": "invocations", "InvokeEndpointAsync": "async-invocations"}
RUNTIME_PATHS["InvokeEndpointWithResponseStream"] = "invocations-response-stream"


@st.composite
def runtime_requests(draw: st.DrawFn) -> tuple[str, dict[str, str], bytes]:
    """A sagemaker-runtime call as botocore sends it: the path with an endpoint name (any text), the
    model's header members with values of any text a header carries (ISO-8859-1; for an integer
    member, also numbers and near-numbers: signs, spaces, superscript digits), and any body."""
    operation = draw(st.sampled_from(sorted(RUNTIME.operation_names)))
    assert operation in RUNTIME_PATHS, f"{operation}: a sagemaker-runtime operation the fuzz does not know"
    shape = RUNTIME.operation_model(operation).input_shape
    assert shape is not None
    header_members = [m for m in shape.members.values() if m.serialization.get("location") == "header"]
    text = st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=40)
    numbers = st.one_of(
        text,
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.from_regex(r"\A[ +\-]{0,3}[0-9\u00b2\u00b3]{1,12} ?\Z"),
    )
    headers = {
        member.serialization["name"]: draw(numbers if member.type_name in schema.INTEGER_BITS else text)
        for member in header_members
        if draw(st.booleans())
    }
    name = draw(st.text(max_size=70).filter(lambda text: "/" not in text))
    path = f"/endpoints/{urllib.parse.quote(name, safe='')}/{RUNTIME_PATHS[operation]}"
    return path, headers, draw(st.binary(max_size=64))


@FUZZ
@given(request=runtime_requests())
def test_sagemaker_runtime_requests_never_get_a_5xx(emulator, request) -> None:
    path, headers, body = request
    status, answer = post(emulator.url, None, body, path=path, extra=headers)
    assert status < 500 and b"Traceback" not in answer, (request, status, answer[:300])


@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(target=TARGETS, body=st.one_of(MALFORMED_BODIES, requests().map(lambda request: request[1])))
def test_malformed_requests_never_get_a_5xx(emulator, target, body) -> None:
    status, answer = post(emulator.url, target, body)
    assert_no_server_error(status, answer, (target, body[:80]))


@pytest.mark.parametrize(
    ("length", "answer"),
    [
        # Not a number: refused by the HTTP server before any service sees it, as a front end does.
        ("abc", b"Malformed Content-Length Header."),
        ("1.5", b"Malformed Content-Length Header."),
        # A number, but no length: the service's own error (`server.valid_length`).
        ("-1", b'"__type": "SerializationException"'),
    ],
)
def test_a_bad_content_length_is_a_client_error(emulator, length, answer) -> None:
    status, body = post(emulator.url, "SageMaker.ListEndpoints", b"{}", length=length)
    assert status == 400 and answer in body, body


def test_operations_moto_does_not_serve_answer_as_aws_would(emulator) -> None:
    """ListMonitoringSchedules and ListContexts (the SageMaker SDK's Predictor calls them) list
    nothing rather than fail; an unknown or missing target is UnknownOperationException (400)."""
    for operation, member in (
        ("ListMonitoringSchedules", "MonitoringScheduleSummaries"),
        ("ListContexts", "ContextSummaries"),
    ):
        status, answer = post(emulator.url, f"SageMaker.{operation}", b"{}")
        assert (status, json.loads(answer)) == (200, {member: []})
    for target in ("SageMaker.Nope", None):
        status, answer = post(emulator.url, target, b"{}")
        assert status == 400 and json.loads(answer)["__type"] == "UnknownOperationException"
