"""The data plane (sagemaker-runtime): InvokeEndpoint, InvokeEndpointAsync and
InvokeEndpointWithResponseStream against the emulator's own endpoints.

The protocol is REST-JSON (`POST /endpoints/{EndpointName}/invocations`, members in headers, the
body as is; errors as `x-amzn-ErrorType` plus a JSON body), read from botocore's
`sagemaker-runtime` model. A request is routed as SageMaker routes it: by the live production
variants' weights (or `TargetVariant`), and during a deployment between the old (blue) and new
(green) fleet in the share the deployment has shifted so far (`HostingBackend.serving`). Shadow
variants get a copy, recorded in the call log and never returned.

What answers is a responder per model name: by default `echo`, which returns a JSON description of
the request and of who served it; a user registers any callable (`Responders`). A responder
raises `ModelFailure` to answer as a failing container does (ModelError, HTTP 424).

Every answer says which fleet served it in the headers `X-Emulator-Fleet` ("blue"/"green") and
`X-Emulator-Endpoint-Config`, and echo repeats both in its body, so a probe can measure a shift.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import json
import random
import re
import threading
import urllib.parse
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import botocore.session
from botocore.model import OperationModel, ServiceModel, StructureShape

from sagemaker_hosting import schema
from sagemaker_hosting.emulator.operations import HostingBackend
from sagemaker_hosting.emulator.resources import Route, Serving
from sagemaker_hosting.emulator.states import IN_SERVICE, UPDATE_ROLLBACK_FAILED, UPDATING

INVOCATION_PATH = re.compile(
    r"^/endpoints/(?P<name>[^/]+)/(?P<kind>invocations|async-invocations|invocations-response-stream)$"
)
ACTIONS = {
    "invocations": "InvokeEndpoint",
    "async-invocations": "InvokeEndpointAsync",
    "invocations-response-stream": "InvokeEndpointWithResponseStream",
}

SERVING_STATUSES = frozenset({IN_SERVICE, UPDATING, "SystemUpdating", "RollingBack", UPDATE_ROLLBACK_FAILED})
"""Statuses in which an endpoint has a fleet taking traffic. SageMaker keeps serving while it
updates, rolls back or is under maintenance (Developer Guide, "Update models in production":
blue/green deployments shift traffic while the old fleet serves); UpdateRollbackFailed leaves a
fleet serving a mix of configs (API reference, DescribeEndpoint EndpointStatus)."""

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


# --- what a model answers ------------------------------------------------------------------------


@dataclass(frozen=True)
class Invocation:
    """One request as a model container receives it, and who serves it."""

    body: bytes
    content_type: str | None
    accept: str | None
    custom_attributes: str | None
    endpoint: str
    config: str
    """The endpoint config the serving fleet runs."""
    fleet: str
    """"blue" or "green"."""
    variant: str
    model: str | None
    shadow: bool = False


@dataclass(frozen=True)
class Reply:
    """A model's answer: the body and its content type."""

    body: bytes
    content_type: str = "application/json"


class ModelFailure(Exception):
    """Raised by a responder to answer as a container that returns an error: the caller gets
    ModelError (HTTP 424) with OriginalStatusCode `status` and OriginalMessage `message`."""

    def __init__(self, message: str = "", status: int = 500) -> None:
        if not 400 <= status <= 599:
            raise ValueError(f"a container error status is 4xx or 5xx, not {status}")
        super().__init__(message)
        self.message = message
        self.status = status


Responder = Callable[[Invocation], "bytes | str | Reply"]
"""A model: takes an `Invocation`, returns the response body (bytes, str or a `Reply` with its
content type), or raises `ModelFailure`."""


def echo(invocation: Invocation) -> Reply:
    """The default model: a JSON description of the request and of who served it."""
    description = {
        "endpoint": invocation.endpoint,
        "variant": invocation.variant,
        "model": invocation.model,
        "config": invocation.config,
        "fleet": invocation.fleet,
        "content_type": invocation.content_type,
        "accept": invocation.accept,
        "body": invocation.body.decode("utf-8", errors="replace"),
    }
    return Reply(json.dumps(description).encode())


def load_responder(spec: str) -> Responder:
    """The callable named by "module:function" (a dotted attribute path after the colon)."""
    module_name, colon, attribute = spec.partition(":")
    if not colon or not module_name or not attribute:
        raise ValueError(f"a responder is given as module:function, not {spec!r}")
    found: Any = importlib.import_module(module_name)
    for part in attribute.split("."):
        found = getattr(found, part)
    if not callable(found):
        raise ValueError(f"{spec} is not callable")
    responder: Responder = found
    return responder


def parse_responder_option(option: str) -> tuple[str, str]:
    """MODEL=module:function (the command line's --responder) as (model, spec)."""
    model, equals, spec = option.partition("=")
    if not equals or not model or not spec:
        raise ValueError(f"--responder takes MODEL=module:function, not {option!r}")
    return model, spec


class Responders:
    """The responder of each model name (shared by every account and region); `echo` for the rest."""

    def __init__(self, specs: Mapping[str, str] | None = None) -> None:
        self.lock = threading.Lock()
        self.specs: dict[str, str] = {}
        self.callables: dict[str, Responder] = {}
        for model, spec in (specs or {}).items():
            self.register(model, spec)

    def register(self, model: str, spec: str) -> None:
        """Answer requests to `model` with the callable "module:function" (ValueError, ImportError or
        AttributeError when it cannot be loaded); an empty spec restores `echo`."""
        responder = load_responder(spec) if spec else None
        with self.lock:
            if responder is None:
                self.specs.pop(model, None)
                self.callables.pop(model, None)
            else:
                self.specs[model] = spec
                self.callables[model] = responder

    def get(self, model: str | None) -> Responder:
        with self.lock:
            return self.callables.get(model or "", echo)

    def as_dict(self) -> dict[str, str]:
        with self.lock:
            return dict(self.specs)


# --- answers -------------------------------------------------------------------------------------


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


def error_outcome(error: RuntimeApiError) -> Outcome:
    body = json.dumps({"Message": error.message, **error.members}).encode()
    headers = [("x-amzn-ErrorType", error.code), ("Content-Type", "application/json")]
    return Outcome(error.status, headers, body)


# --- the data plane ------------------------------------------------------------------------------


def request_members(action: str, name: str, header: Callable[[str], str | None]) -> dict[str, Any]:
    """The request's members other than the body, read where the model places them (URI, headers)."""
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
            if member_shape.type_name == "integer" and value.strip().lstrip("-").isdigit():
                members[member] = int(value)
            else:
                members[member] = value
    return members


class DataPlane:
    """Answers sagemaker-runtime calls for one emulator: routes each to a variant of an endpoint of
    the caller's account and region, and asks that variant's model."""

    def __init__(self, responders: Responders, chance: Callable[[], float] = random.random) -> None:
        self.responders = responders
        self.chance = chance

    def answer(
        self,
        backend: HostingBackend,
        action: str,
        name: str,
        region: str,
        header: Callable[[str], str | None],
        body: bytes,
    ) -> Outcome:
        """The answer to `action` on endpoint `name`; `header` reads a request header by name."""
        name = urllib.parse.unquote(name)
        members = request_members(action, name, header)
        record: dict[str, Any] = {"variant": None, "fleet": None, "endpoint_config_name": None}
        try:
            outcome = self._answer(backend, action, name, region, members, body, record)
        except RuntimeApiError as error:
            outcome = error_outcome(error)
            record["error"] = error.code
        record["status"] = outcome.status
        outcome.records.insert(0, record)
        return outcome

    def _answer(
        self,
        backend: HostingBackend,
        action: str,
        name: str,
        region: str,
        members: dict[str, Any],
        body: bytes,
        record: dict[str, Any],
    ) -> Outcome:
        shape = operation(action).input_shape
        assert shape is not None
        # The model's constraints, answered as AWS's "N validation errors detected" (the same
        # validator as the control plane). The body is not checked: the 6 MB limit is left out.
        found = [v for v in schema.constraint_violations(shape, members) if v.path != ("Body",)]
        if found:
            raise validation_error(schema.aws_validation_message(found))
        serving = backend.serving(region, name)
        if serving is None or serving.status not in SERVING_STATUSES or not serving.routes:
            # Creating, Failed, Deleting, OutOfService: no fleet takes traffic. AWS's answer for these
            # is not documented; the runtime has no route to such an endpoint, so the emulator gives
            # the not-found answer (a client error, never a 200).
            raise not_found(name, backend.account)
        route = self._route(serving, name, members.get("TargetVariant"), backend.account)
        record.update(variant=route.variant, fleet=route.fleet, endpoint_config_name=route.config_name)
        if action == "InvokeEndpointAsync":
            return self._asynchronous(backend, route, name, region, members, record)
        invocation = self._invocation(route, name, members, body)
        outcome = self._invoke(route, invocation, region, backend.account, name)
        outcome.records += self._shadow_copies(serving, route, invocation, region, backend.account, name)
        if action == "InvokeEndpointWithResponseStream" and outcome.status == 200:
            return stream_outcome(outcome)
        return outcome

    def _route(self, serving: Serving, name: str, target: str | None, account: str) -> Route:
        """The production variant that serves: the one named by TargetVariant (in the fleet drawn by
        the fleets' shares when both run it), else one drawn by share and weight."""
        production = [r for r in serving.routes if not r.shadow]
        if target is not None:
            production = [r for r in production if r.variant == target]
            if not production:
                # ValidationError per the model; AWS's wording for an unknown TargetVariant is not
                # documented, so this message is the emulator's own.
                raise validation_error(f"Endpoint {name} of account {account} has no production variant {target}.")
            weights = [r.fleet_share for r in production]
        else:
            weights = [r.fleet_share * r.share for r in production]
        return draw(production, weights, self.chance())

    def _invocation(self, route: Route, name: str, members: Mapping[str, Any], body: bytes) -> Invocation:
        return Invocation(
            body=body,
            content_type=members.get("ContentType"),
            accept=members.get("Accept"),
            custom_attributes=members.get("CustomAttributes"),
            endpoint=name,
            config=route.config_name,
            fleet=route.fleet,
            variant=route.variant,
            model=route.model,
            shadow=route.shadow,
        )

    def _call_model(self, route: Route, invocation: Invocation) -> Reply:
        """The model's reply; a responder that raises anything but ModelFailure is a container
        crashing (HTTP 500 from the container)."""
        try:
            answered = self.responders.get(route.model)(invocation)
        except ModelFailure:
            raise
        except Exception as error:
            raise ModelFailure(f"{type(error).__name__}: {error}", 500) from error
        if isinstance(answered, Reply):
            return answered
        if isinstance(answered, str):
            return Reply(answered.encode(), invocation.accept or "text/plain")
        return Reply(bytes(answered), invocation.accept or "application/octet-stream")

    def _invoke(self, route: Route, invocation: Invocation, region: str, account: str, name: str) -> Outcome:
        action = "InvokeEndpoint"
        try:
            reply = self._call_model(route, invocation)
        except ModelFailure as failure:
            raise model_error(route, failure, region, account, name) from None
        headers = [
            ("Content-Type", reply.content_type),
            (response_header(action, "InvokedProductionVariant"), route.variant),
            (FLEET_HEADER, route.fleet),
            (CONFIG_HEADER, route.config_name),
        ]
        return Outcome(200, headers, reply.body)

    def _shadow_copies(
        self, serving: Serving, served: Route, invocation: Invocation, region: str, account: str, name: str
    ) -> list[dict[str, Any]]:
        """Send a copy to each shadow variant of the serving fleet (sampled by its share); their
        answers are only recorded."""
        records = []
        for shadow in serving.routes:
            if not shadow.shadow or shadow.fleet != served.fleet or self.chance() >= shadow.share:
                continue
            copy = replace(
                invocation,
                config=shadow.config_name,
                fleet=shadow.fleet,
                variant=shadow.variant,
                model=shadow.model,
                shadow=True,
            )
            record: dict[str, Any] = {
                "variant": shadow.variant,
                "fleet": shadow.fleet,
                "endpoint_config_name": shadow.config_name,
                "shadow": True,
                "status": 200,
            }
            try:
                self._call_model(shadow, copy)
            except ModelFailure as failure:
                error = model_error(shadow, failure, region, account, name)
                record.update(status=error.status, error=error.code)
            records.append(record)
        return records

    def _asynchronous(
        self,
        backend: HostingBackend,
        route: Route,
        name: str,
        region: str,
        members: Mapping[str, Any],
        record: dict[str, Any],
    ) -> Outcome:
        """InvokeEndpointAsync: reads the input from S3, runs the model, writes the output (or the
        failure) to the config's AsyncInferenceConfig.OutputConfig paths in S3; answers 202 with
        InferenceId and OutputLocation. SageMaker queues the request and answers at once; the
        emulator runs it before answering, so the output is in S3 when the caller hears back."""
        if not route.async_config:
            # ValidationError per the model; the wording is the emulator's own (not documented).
            raise validation_error(f"Endpoint {name} of account {backend.account} is not an asynchronous endpoint.")
        output = route.async_config.get("OutputConfig") or {}
        inference_id = members.get("InferenceId") or str(uuid.uuid4())
        extension = members.get("S3OutputPathExtension")
        # Object names as the Developer Guide's asynchronous inference pages show them:
        # <S3OutputPath>/<inference id>.out; failures <S3FailurePath>/<inference id>-error.out.
        output_location = s3_join(
            output.get("S3OutputPath"), extension, members.get("Filename") or f"{inference_id}.out"
        )
        failure_location = s3_join(output.get("S3FailurePath"), extension, f"{inference_id}-error.out")
        action = "InvokeEndpointAsync"
        headers = [
            ("Content-Type", "application/json"),
            (FLEET_HEADER, route.fleet),
            (CONFIG_HEADER, route.config_name),
        ]
        if output_location:
            headers.append((response_header(action, "OutputLocation"), output_location))
        if failure_location:
            headers.append((response_header(action, "FailureLocation"), failure_location))
        storage = S3(backend.account)
        record["inference_id"] = inference_id
        try:
            data = storage.read(members["InputLocation"])
            invocation = self._invocation(route, name, members, data)
            reply = self._call_model(route, invocation)
            if output_location:
                storage.write(output_location, reply.body)
        except (ModelFailure, LookupError) as failure:
            message = failure.message if isinstance(failure, ModelFailure) else str(failure)
            record["async_error"] = message
            if failure_location:
                storage.write(failure_location, message.encode())
        body = json.dumps({"InferenceId": inference_id}).encode()
        return Outcome(202, headers, body)


def draw(routes: list[Route], weights: list[float], chance: float) -> Route:
    """The route `chance` (uniform in [0, 1)) falls on, each taking its weight's share."""
    total = sum(weights)
    if total <= 0:
        return routes[min(int(chance * len(routes)), len(routes) - 1)]
    point = chance * total
    for route, weight in zip(routes, weights, strict=True):
        if point < weight:
            return route
        point -= weight
    return routes[-1]


def s3_join(base: str | None, extension: str | None, filename: str) -> str | None:
    """s3://bucket/prefix[/extension]/filename, or None without a base path."""
    if not base:
        return None
    parts = [base.rstrip("/"), *([extension.strip("/")] if extension else []), filename]
    return "/".join(parts)


class S3:
    """Objects in moto's S3 of one account, in process (the same backend the server serves)."""

    def __init__(self, account: str) -> None:
        self.account = account

    def _backend(self) -> Any:
        from moto.s3.models import s3_backends

        return s3_backends[self.account]["aws"]

    def read(self, url: str) -> bytes:
        """The object's bytes; LookupError names a missing bucket or key."""
        from moto.s3.exceptions import MissingBucket, MissingKey

        bucket, key = split_s3_url(url)
        try:
            found = self._backend().get_object(bucket, key)
        except (MissingBucket, MissingKey):
            found = None
        if found is None:
            raise LookupError(f"Could not read the input at {url}: no such object.")
        return bytes(found.value)

    def write(self, url: str, data: bytes) -> None:
        """Put an object (a missing bucket: nothing is written, as a failed upload)."""
        from moto.s3.exceptions import MissingBucket

        bucket, key = split_s3_url(url)
        with contextlib.suppress(MissingBucket):
            self._backend().put_object(bucket, key, data)


def split_s3_url(url: str) -> tuple[str, str]:
    """(bucket, key) of s3://bucket/key or https://bucket.s3.../key."""
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme == "https":
        return parsed.netloc.split(".", 1)[0], parsed.path.lstrip("/")
    return parsed.netloc, parsed.path.lstrip("/")


def stream_outcome(outcome: Outcome) -> Outcome:
    """A successful InvokeEndpoint answer as InvokeEndpointWithResponseStream's: the body as one
    PayloadPart event of an event stream, the content type in X-Amzn-SageMaker-Content-Type."""
    from moto.s3.select_object_content import _create_message  # moto's event-stream encoder

    action = "InvokeEndpointWithResponseStream"
    headers = dict(outcome.headers)
    content_type = headers.pop("Content-Type")
    stream = _create_message(None, b"PayloadPart", outcome.body)
    new_headers = [
        ("Content-Type", "application/vnd.amazon.eventstream"),
        (response_header(action, "ContentType"), content_type),
        *headers.items(),
    ]
    return Outcome(outcome.status, new_headers, stream, outcome.records)
