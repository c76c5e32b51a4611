"""The data plane's routing (sagemaker-runtime): InvokeEndpoint, InvokeEndpointAsync and
InvokeEndpointWithResponseStream against the emulator's own endpoints.

A request is routed as SageMaker routes it: by the live production variants' weights (or
`TargetVariant`), and during a deployment between the old (blue) and new (green) fleet in the share
the deployment has shifted so far (`HostingBackend.serving`). Shadow variants get a copy, recorded
in the call log and never returned. The wire and its errors are `runtime_wire`'s; what a model
answers, `invocation`'s (a responder per model name, `echo` by default; `ModelFailure` answers as a
failing container, ModelError, HTTP 424); InvokeEndpointAsync's S3 output, `async_output`'s.

Every answer says which fleet served it in the headers `X-Emulator-Fleet` ("blue"/"green") and
`X-Emulator-Endpoint-Config`, and echo repeats both in its body, so a probe can measure a shift.
"""

from __future__ import annotations

import random
import urllib.parse
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from botocore.model import StructureShape

from sagemaker_hosting import schema
from sagemaker_hosting.emulator.async_output import BOTH_INPUTS, answer_async
from sagemaker_hosting.emulator.invocation import Invocation, ModelFailure, Responders, call_model, invocation_for
from sagemaker_hosting.emulator.operations import HostingBackend
from sagemaker_hosting.emulator.resources import Route, Serving
from sagemaker_hosting.emulator.runtime_wire import (
    CONFIG_HEADER,
    FLEET_HEADER,
    Outcome,
    RuntimeApiError,
    body_is_payload,
    error_outcome,
    model_error,
    not_found,
    operation,
    payload_too_large,
    request_members,
    response_header,
    stream_outcome,
    validation_error,
)
from sagemaker_hosting.emulator.states import IN_SERVICE, UPDATE_ROLLBACK_FAILED, UPDATING

SERVING_STATUSES = frozenset({IN_SERVICE, UPDATING, "SystemUpdating", "RollingBack", UPDATE_ROLLBACK_FAILED})
"""Statuses in which an endpoint has a fleet taking traffic. SageMaker keeps serving while it
updates, rolls back or is under maintenance (Developer Guide, "Update models in production":
blue/green deployments shift traffic while the old fleet serves); UpdateRollbackFailed leaves a
fleet serving a mix of configs (API reference, DescribeEndpoint EndpointStatus)."""


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
        assert isinstance(shape, StructureShape)
        too_large = payload_too_large(shape, body)
        if too_large is not None:
            raise too_large
        # The model's constraints on every member in the URI and headers, and on an inline async
        # body, answered as AWS's "N validation errors detected" (the same validator as the control
        # plane). A payload body is the front end's to limit, and an empty one goes to the model.
        request = {**members, "Body": body} if body else members
        payload = body_is_payload(shape)
        found = [v for v in schema.constraint_violations(shape, request) if not (payload and v.path == ("Body",))]
        if found:
            raise validation_error(schema.aws_validation_message(found))
        if action == "InvokeEndpointAsync" and body and "InputLocation" in members:
            raise validation_error(BOTH_INPUTS)
        serving = backend.serving(region, name)
        if serving is None or serving.status not in SERVING_STATUSES or not serving.routes:
            # Creating, Failed, Deleting, OutOfService: no fleet takes traffic. AWS's answer for these
            # is not documented; the runtime has no route to such an endpoint, so the emulator gives
            # the not-found answer (a client error, never a 200).
            raise not_found(name, backend.account)
        route = self._route(serving, name, members.get("TargetVariant"), backend.account)
        record.update(variant=route.variant, fleet=route.fleet, endpoint_config_name=route.config_name)
        if action == "InvokeEndpointAsync":
            return answer_async(backend.world, backend.account, self.responders, route, name, members, body, record)
        invocation = invocation_for(route, name, members, body)
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

    def _invoke(self, route: Route, invocation: Invocation, region: str, account: str, name: str) -> Outcome:
        action = "InvokeEndpoint"
        try:
            reply = call_model(self.responders, route, invocation)
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
                call_model(self.responders, shadow, copy)
            except ModelFailure as failure:
                error = model_error(shadow, failure, region, account, name)
                record.update(status=error.status, error=error.code)
            records.append(record)
        return records


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
