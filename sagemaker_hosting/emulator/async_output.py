"""InvokeEndpointAsync's output: the input (inline in the request, or read from S3), the model run,
its output (or failure) written to the config's AsyncInferenceConfig.OutputConfig paths in S3
(through `world`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from sagemaker_hosting.emulator.invocation import ModelFailure, Responders, call_model, invocation_for
from sagemaker_hosting.emulator.resources import Route
from sagemaker_hosting.emulator.runtime_wire import (
    CONFIG_HEADER,
    FLEET_HEADER,
    Outcome,
    response_header,
    validation_error,
)
from sagemaker_hosting.emulator.world import World

BOTH_INPUTS = "Body and InputLocation are mutually exclusive: give the input inline or in Amazon S3, not both."
"""AWS refuses a request with both with ValidationError (its announcement of inline payloads for
asynchronous inference) and documents no wording; this one is the emulator's own."""


def answer_async(
    world: World,
    account: str,
    responders: Responders,
    route: Route,
    name: str,
    members: Mapping[str, Any],
    body: bytes,
    record: dict[str, Any],
) -> Outcome:
    """InvokeEndpointAsync on `route`: answers 202 with InferenceId and OutputLocation. SageMaker
    queues the request and answers at once; the emulator runs it before answering, so the output is
    in S3 when the caller hears back. The input is `body` when the request has one, else the object
    at InputLocation. `record` (the call-log entry) gets the inference id and any failure."""
    if not route.async_config:
        # ValidationError per the model; the wording is the emulator's own (not documented).
        raise validation_error(f"Endpoint {name} of account {account} is not an asynchronous endpoint.")
    output = route.async_config.get("OutputConfig") or {}
    inference_id = members.get("InferenceId") or str(uuid.uuid4())
    extension = members.get("S3OutputPathExtension")
    # Object names as the Developer Guide's asynchronous inference pages show them:
    # <S3OutputPath>/<inference id>.out; failures <S3FailurePath>/<inference id>-error.out.
    output_location = s3_join(output.get("S3OutputPath"), extension, members.get("Filename") or f"{inference_id}.out")
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
    record["inference_id"] = inference_id
    try:
        data = body or world.read_object(members["InputLocation"])
        reply = call_model(responders, route, invocation_for(route, name, members, data))
        if output_location:
            world.write_object(output_location, reply.body)
    except (ModelFailure, LookupError) as failure:
        message = failure.message if isinstance(failure, ModelFailure) else str(failure)
        record["async_error"] = message
        if failure_location:
            world.write_object(failure_location, message.encode())
    body = json.dumps({"InferenceId": inference_id}).encode()
    return Outcome(202, headers, body)


def s3_join(base: str | None, extension: str | None, filename: str) -> str | None:
    """s3://bucket/prefix[/extension]/filename, or None without a base path."""
    if not base:
        return None
    parts = [base.rstrip("/"), *([extension.strip("/")] if extension else []), filename]
    return "/".join(parts)
