"""`EndpointConfig`: a SageMaker endpoint configuration as a Pulumi dynamic resource.

Laid out as the SDK's own `pulumi/dynamic/dynamic.py`: the provider, then the resource class.
Configs are immutable in SageMaker, so any change but tags replaces the resource: the engine
creates the new config (under a freshly generated name) first, moves dependent endpoints to it,
and deletes the old one last.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Unpack

import pulumi
import pulumi.dynamic as dynamic
from botocore.exceptions import ClientError

from sagemaker_hosting import aws, normalize, plan, schema, validate
from sagemaker_hosting.provider import Provider, api_failure, jsonable, resource_props

if TYPE_CHECKING:
    from sagemaker_hosting.args import EndpointConfigArgs

OUTPUT_KEYS = ("arn", "creation_time")
"""Outputs that are not inputs."""


class EndpointConfigProvider(Provider):
    """CRUD for one endpoint configuration (CreateEndpointConfig / Describe / Delete, tags in place)."""

    check_inputs = staticmethod(validate.check_endpoint_config)
    plan_change = staticmethod(plan.plan_endpoint_config)

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        inputs = self.inputs(props)
        name = inputs["name"]
        client = self.client(inputs)
        request = self.request("CreateEndpointConfig", inputs, EndpointConfigName=name)

        def create_config() -> str:
            try:
                return client.create_endpoint_config(**request)["EndpointConfigArn"]
            except ClientError as error:
                if aws.is_already_existing(error) and aws.was_retried(error):
                    existing = aws.find_endpoint_config(client, name)
                    if existing:
                        return str(existing["EndpointConfigArn"])  # created by this call's lost first attempt
                raise

        arn = self.call_while_not_found("CreateEndpointConfig", f'endpoint config "{name}"', create_config)
        described = aws.find_endpoint_config(client, name) or {}
        return dynamic.CreateResult(name, {**inputs, **self.live_outputs(arn, described)})

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        client = self.client(props)
        described = aws.find_endpoint_config(client, id_)
        if described is None:
            return dynamic.ReadResult(None, {})
        live = normalize.from_api(schema.output_shape("DescribeEndpointConfig"), described)
        inputs = self.inputs(props)
        for key in schema_input_keys():
            if key in live:
                inputs[key] = live[key]
            else:
                inputs.pop(key, None)
        inputs["tags"] = aws.list_tags(client, described["EndpointConfigArn"])
        outs = {**inputs, **self.live_outputs(described["EndpointConfigArn"], described)}
        return dynamic.ReadResult(id_, outs, inputs)

    def update(self, name: str, old_outputs: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        """Only tags change in place (everything else replaces)."""
        inputs = self.inputs(news)
        client = self.client(old_outputs)
        try:
            aws.update_tags(client, old_outputs["arn"], old_outputs.get("tags") or {}, inputs.get("tags") or {})
        except ClientError as error:
            raise api_failure("AddTags/DeleteTags", f'endpoint config "{name}"', error) from error
        return dynamic.UpdateResult({**inputs, **{key: old_outputs.get(key) for key in OUTPUT_KEYS}})

    def delete(self, name: str, props: dict[str, Any]) -> None:
        client = self.client(props)
        try:
            client.delete_endpoint_config(EndpointConfigName=name)
        except ClientError as error:
            if not aws.is_not_found(error):
                raise api_failure("DeleteEndpointConfig", f'endpoint config "{name}"', error) from error

    @staticmethod
    def live_outputs(arn: str, described: dict[str, Any]) -> dict[str, Any]:
        created = described.get("CreationTime")
        return {"arn": arn, "creation_time": jsonable(created) if isinstance(created, datetime) else None}


def schema_input_keys() -> list[str]:
    """The config's inputs that SageMaker stores: every CreateEndpointConfig member but name and tags."""
    shape = schema.input_shape("CreateEndpointConfig")
    return [schema.snake(m) for m in shape.members if m not in ("EndpointConfigName", "Tags")]


class EndpointConfig(dynamic.Resource, module="sagemaker", name="EndpointConfig"):
    """A SageMaker endpoint configuration (CreateEndpointConfig).

    Every member of CreateEndpointConfig is a keyword argument, in snake_case
    (`production_variants`, `data_capture_config`, `async_inference_config`, ...); nested keys may be
    snake_case or the API's PascalCase. `tags` is a dict. Without `name`, a name is generated from
    the resource name plus a random suffix, and a new one on every replacement.
    """

    name: pulumi.Output[str]
    """The endpoint configuration's name."""
    arn: pulumi.Output[str]
    """The endpoint configuration's ARN."""
    creation_time: pulumi.Output[str]
    """When SageMaker created the configuration (ISO 8601)."""
    tags: pulumi.Output[dict[str, str]]
    """The configuration's tags."""

    def __init__(
        self,
        resource_name: str,
        opts: pulumi.ResourceOptions | None = None,
        **args: Unpack[EndpointConfigArgs],
    ) -> None:
        props = resource_props("sagemaker:EndpointConfig", resource_name, args, OUTPUT_KEYS, opts)
        super().__init__(EndpointConfigProvider(), resource_name, props, opts)
