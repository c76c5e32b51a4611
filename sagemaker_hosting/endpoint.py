"""`Endpoint`: a SageMaker endpoint as a Pulumi dynamic resource.

Laid out as the SDK's own `pulumi/dynamic/dynamic.py`: the provider, then the resource class.
A new `endpoint_config_name` is an in-place blue/green UpdateEndpoint; the update succeeds only
when the endpoint is InService **on the requested config**, so a deployment that SageMaker rolled
back fails `pulumi up` and the state keeps the old config (which the engine then does not delete).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any, Unpack

import pulumi
import pulumi.dynamic as dynamic
from botocore.exceptions import ClientError

from sagemaker_hosting import aws, deadlines, normalize, plan, schema, validate
from sagemaker_hosting.provider import (
    VISIBILITY_SECONDS,
    Provider,
    ProviderError,
    api_failure,
    jsonable,
    resource_props,
)

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient

    from sagemaker_hosting.args import EndpointArgs

OUTPUT_KEYS = ("arn", "status", "creation_time", "last_modified_time", "failure_reason", "production_variants")
"""Outputs that are not inputs: the endpoint's live state."""

IN_PROGRESS = frozenset({"Creating", "Updating", "SystemUpdating", "RollingBack", "Deleting"})
"""Statuses in which SageMaker rejects UpdateEndpoint and DeleteEndpoint."""


class EndpointProvider(Provider):
    """CreateEndpoint / UpdateEndpoint / DeleteEndpoint with waits, rollback detection and tags."""

    check_inputs = staticmethod(validate.check_endpoint)
    plan_change = staticmethod(plan.plan_endpoint)

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        inputs = self.inputs(props)
        name = inputs["name"]
        client = self.client(inputs)
        self.await_config(client, inputs["endpoint_config_name"])
        request = self.request("CreateEndpoint", inputs, EndpointName=name)
        self.call_while_not_found("CreateEndpoint", f'endpoint "{name}"', lambda: self.call_create(client, request))
        timeout = self.timeout(inputs, "create", deadlines.create_seconds())
        try:
            described = self.wait(client, name, {"Creating"}, {"InService"}, timeout, invisible_is_pending=True)
        except aws.WaitError as error:
            self.delete_failed(client, name)
            raise ProviderError(
                f'Endpoint "{name}" could not be created: {error}. The endpoint was deleted, so nothing '
                "is left outside the stack; fix the cause and run `pulumi up` again."
            ) from error
        return dynamic.CreateResult(name, {**inputs, **live_outputs(described)})

    def call_create(self, client: SageMakerClient, request: dict[str, Any]) -> None:
        try:
            client.create_endpoint(**request)
        except ClientError as error:
            if aws.is_already_existing(error) and aws.was_retried(error):
                existing = aws.find_endpoint(client, request["EndpointName"])
                if existing and existing.get("EndpointConfigName") == request["EndpointConfigName"]:
                    return  # a retried call found the endpoint its own lost first attempt created
            raise

    def update(self, name: str, old_outputs: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        inputs = self.inputs(news)
        client = self.client(old_outputs)
        described: Mapping[str, Any] | None = None
        if inputs["endpoint_config_name"] != old_outputs.get("endpoint_config_name"):
            described = self.deploy(client, name, inputs)
        try:
            aws.update_tags(client, old_outputs["arn"], old_outputs.get("tags") or {}, inputs.get("tags") or {})
        except ClientError as error:
            raise api_failure("AddTags/DeleteTags", f'endpoint "{name}"', error) from error
        described = described or aws.find_endpoint(client, name)
        if described is None:
            raise ProviderError(f'Endpoint "{name}" no longer exists; run `pulumi refresh` to update the stack.')
        return dynamic.UpdateResult({**inputs, **live_outputs(described)})

    def deploy(self, client: SageMakerClient, name: str, inputs: Mapping[str, Any]) -> Mapping[str, Any]:
        """UpdateEndpoint to the new config, wait, and verify the endpoint now runs it."""
        config_name = inputs["endpoint_config_name"]
        config = self.await_config(client, config_name)
        current: Mapping[str, Any] | None = aws.find_endpoint(client, name)
        if current is None:
            raise ProviderError(
                f'Endpoint "{name}" was deleted outside Pulumi; run `pulumi refresh`, then `pulumi up` to recreate it.'
            )
        if current["EndpointStatus"] in IN_PROGRESS:
            current = self.settle(client, name, inputs)
        deployment_config = inputs.get("deployment_config")
        counts = [v.get("InitialInstanceCount", 1) for v in config.get("ProductionVariants", [])]
        timeout = self.timeout(inputs, "update", deadlines.update_seconds(deployment_config, counts))
        if current.get("EndpointConfigName") != config_name:
            request = self.request("UpdateEndpoint", inputs, EndpointName=name)
            self.call_while_not_found("UpdateEndpoint", f'endpoint "{name}"', lambda: client.update_endpoint(**request))
        try:
            described = self.wait(client, name, {"Updating", "SystemUpdating", "RollingBack"}, {"InService"}, timeout)
        except aws.WaitError as error:
            advice = ""
            if (error.last or {}).get("EndpointStatus") == "UpdateRollbackFailed":
                advice = (
                    ". SageMaker could not roll back either, so the endpoint may serve a mix of configs: deploy a "
                    "working config (fix the inputs and run `pulumi up`), or delete the endpoint and recreate it"
                )
            raise ProviderError(
                f'Deployment of config "{config_name}" to endpoint "{name}" failed: {error}{advice}'
            ) from error
        assert described is not None
        if described.get("EndpointConfigName") != config_name:
            reason = described.get("FailureReason") or "no reason given"
            raise ProviderError(
                f'SageMaker rolled back the deployment of config "{config_name}" to endpoint "{name}": {reason}. '
                f'The endpoint still serves config "{described.get("EndpointConfigName")}", which is kept.'
            )
        return described

    def delete(self, name: str, props: dict[str, Any]) -> None:
        client = self.client(props)
        current = aws.find_endpoint(client, name)
        if current is None:
            return
        if current["EndpointStatus"] in IN_PROGRESS - {"Deleting"}:
            self.settle(client, name, props)
        try:
            client.delete_endpoint(EndpointName=name)
        except ClientError as error:
            if not aws.is_not_found(error):
                raise api_failure("DeleteEndpoint", f'endpoint "{name}"', error) from error
        timeout = self.timeout(props, "delete", deadlines.delete_seconds())
        try:
            self.wait(client, name, {"Deleting"}, {None}, timeout)
        except aws.WaitError as error:
            raise ProviderError(f'Endpoint "{name}" was not deleted: {error}') from error

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        """Refresh: the live config name, tags and state; an endpoint deleted outside Pulumi is gone."""
        client = self.client(props)
        described = aws.find_endpoint(client, id_)
        if described is None:
            return dynamic.ReadResult(None, {})
        inputs = self.inputs(props)
        for key in OUTPUT_KEYS:
            inputs.pop(key, None)
        inputs["endpoint_config_name"] = described["EndpointConfigName"]
        inputs["tags"] = aws.list_tags(client, described["EndpointArn"])
        return dynamic.ReadResult(id_, {**inputs, **live_outputs(described)}, inputs)

    # --- helpers ---------------------------------------------------------------------------------

    def await_config(self, client: SageMakerClient, config_name: str) -> dict[str, Any]:
        """DescribeEndpointConfig until the config is visible (SageMaker's advice before CreateEndpoint)."""
        found: dict[str, Any] = {}

        def fetch() -> Mapping[str, Any]:
            config = aws.find_endpoint_config(client, config_name)
            found.update(config or {})
            return {"Visibility": "visible" if config else "not yet visible"}

        try:
            self.waiter.wait(
                f'Endpoint config "{config_name}"',
                fetch,
                "Visibility",
                {"not yet visible"},
                {"visible"},
                VISIBILITY_SECONDS,
            )
        except aws.WaitError as error:
            raise ProviderError(f'Endpoint config "{config_name}" does not exist: {error}') from error
        return found

    def wait(
        self,
        client: SageMakerClient,
        name: str,
        pending: Collection[str],
        target: Collection[str | None],
        timeout: float,
        invisible_is_pending: bool = False,
    ) -> Mapping[str, Any] | None:
        start = self.waiter.clock()

        def fetch() -> Mapping[str, Any] | None:
            described = aws.find_endpoint(client, name)
            if described is None and invisible_is_pending and self.waiter.clock() - start < VISIBILITY_SECONDS:
                return {"EndpointStatus": next(iter(pending))}
            return described

        return self.waiter.wait(f'Endpoint "{name}"', fetch, "EndpointStatus", pending, target, timeout)

    def settle(self, client: SageMakerClient, name: str, inputs: Mapping[str, Any]) -> Mapping[str, Any]:
        """Wait for an operation already in progress (another deployment, AWS maintenance) to end."""
        timeout = self.timeout(inputs, "update", deadlines.update_seconds(None, []))
        try:
            settled = self.wait(
                client, name, IN_PROGRESS - {"Deleting"}, {"InService", "Failed", "OutOfService"}, timeout
            )
        except aws.WaitError as error:
            raise ProviderError(f'Endpoint "{name}" is busy: {error}') from error
        assert settled is not None
        return settled

    def delete_failed(self, client: SageMakerClient, name: str) -> None:
        """Delete an endpoint that failed to create, so no Failed endpoint is left outside the state."""
        try:
            client.delete_endpoint(EndpointName=name)
            self.wait(client, name, {"Deleting", "Failed", "Creating"}, {None}, deadlines.delete_seconds())
        except (ClientError, aws.WaitError) as error:
            print(f'Could not delete failed endpoint "{name}": {error}; delete it by hand.', flush=True)

    @staticmethod
    def timeout(inputs: Mapping[str, Any], operation: str, derived: int) -> float:
        """The user's `timeouts[operation]` in seconds, else the derived limit."""
        return float((inputs.get("timeouts") or {}).get(operation) or derived)


def live_outputs(described: Mapping[str, Any] | None) -> dict[str, Any]:
    """The endpoint's live state from DescribeEndpoint, as outputs."""
    described = described or {}
    live = normalize.from_api(schema.output_shape("DescribeEndpoint"), described)
    return {
        "arn": described.get("EndpointArn"),
        "status": described.get("EndpointStatus"),
        "creation_time": jsonable(described.get("CreationTime")),
        "last_modified_time": jsonable(described.get("LastModifiedTime")),
        "failure_reason": described.get("FailureReason"),
        "production_variants": jsonable(live.get("production_variants", [])),
    }


class Endpoint(dynamic.Resource, module="sagemaker", name="Endpoint"):
    """A SageMaker endpoint (CreateEndpoint, UpdateEndpoint).

    Every member of CreateEndpoint and UpdateEndpoint is a keyword argument, in snake_case
    (`endpoint_config_name`, `deployment_config`, `retain_all_variant_properties`, ...). A change of
    `endpoint_config_name` deploys blue/green per `deployment_config`; `timeouts` ({"create",
    "update", "delete"}: seconds or "90m") overrides the limits derived from it.
    """

    name: pulumi.Output[str]
    """The endpoint's name."""
    arn: pulumi.Output[str]
    """The endpoint's ARN."""
    endpoint_config_name: pulumi.Output[str]
    """The config the endpoint runs."""
    status: pulumi.Output[str]
    """EndpointStatus when last read (InService after a successful `pulumi up`)."""
    creation_time: pulumi.Output[str]
    """When SageMaker created the endpoint (ISO 8601)."""
    last_modified_time: pulumi.Output[str]
    """When SageMaker last changed the endpoint (ISO 8601)."""
    failure_reason: pulumi.Output[str | None]
    """SageMaker's FailureReason, if any."""
    production_variants: pulumi.Output[list[dict[str, Any]]]
    """Live state of each production variant: weights, instance counts, deployed images."""
    tags: pulumi.Output[dict[str, str]]
    """The endpoint's tags."""

    def __init__(
        self,
        resource_name: str,
        opts: pulumi.ResourceOptions | None = None,
        **args: Unpack[EndpointArgs],
    ) -> None:
        props = resource_props("sagemaker:Endpoint", resource_name, args, OUTPUT_KEYS, opts)
        super().__init__(EndpointProvider(), resource_name, props, opts)
