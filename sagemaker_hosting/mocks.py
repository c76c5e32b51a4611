"""Pulumi mocks for unit tests of programs that contain `EndpointConfig` and `Endpoint`.

Under `pulumi.runtime.set_mocks` no provider runs, so without help our resources would have no
name, ARN or live state. `SageMakerMocks` gives them the outputs `pulumi up` leaves them with: the
inputs as the provider's `check` settles them (the same validation, and the same generated name),
an ARN in the account and region, and for an endpoint InService its config's variants as
DescribeEndpoint shows them. The pulumi-aws resources that usually sit beside them get a name, id
and ARN; every other resource and call goes to a fallback (by default: outputs are the inputs).

    pulumi.runtime.set_mocks(SageMakerMocks(), preview=False)
    import my_program  # then assert on its resources' outputs, e.g. with @pulumi.runtime.test

Nothing here calls AWS.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, NamedTuple

from pulumi.runtime import MockCallArgs, MockResourceArgs, Mocks, rpc

from sagemaker_hosting import endpoint, endpoint_config, naming, validate
from sagemaker_hosting.canonical import request
from sagemaker_hosting.emulator import rendering, resources
from sagemaker_hosting.provider import with_checked_instance

__all__ = [
    "AWS_TYPES",
    "ENDPOINT_CONFIG_TYPE",
    "ENDPOINT_TYPE",
    "STACK_IDENTITY_TYPE",
    "EchoMocks",
    "InvalidInputs",
    "SageMakerMocks",
]

ENDPOINT_CONFIG_TYPE = "pulumi-python:dynamic/sagemaker:EndpointConfig"
ENDPOINT_TYPE = "pulumi-python:dynamic/sagemaker:Endpoint"
STACK_IDENTITY_TYPE = "pulumi-python:dynamic/sagemaker:StackIdentity"
ACCOUNT = resources.ACCOUNT
REGION = "us-east-1"

Check = Callable[[Mapping[str, Any], Mapping[str, Any]], tuple[dict[str, Any], list[validate.InputError]]]


class AwsType(NamedTuple):
    """How a pulumi-aws resource type is named and identified (inputs and outputs are camelCase)."""

    name_key: str | None
    """The input holding the physical name, generated when not given (None: the type has none)."""
    arn: str | None
    """The ARN, formatted with region, account, name and the inputs (None: the type has none)."""
    id_key: str = "name"
    """What the id is: "name", "arn" or an input."""


AWS_TYPES: dict[str, AwsType] = {
    "aws:iam/role:Role": AwsType("name", "arn:aws:iam::{account}:role/{name}"),
    "aws:iam/policy:Policy": AwsType("name", "arn:aws:iam::{account}:policy/{name}", "arn"),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": AwsType(None, None),
    "aws:s3/bucket:Bucket": AwsType("bucket", "arn:aws:s3:::{name}"),
    "aws:s3/bucketV2:BucketV2": AwsType("bucket", "arn:aws:s3:::{name}"),
    "aws:s3/bucketObjectv2:BucketObjectv2": AwsType("key", "arn:aws:s3:::{bucket}/{name}"),
    "aws:sagemaker/model:Model": AwsType("name", "arn:aws:sagemaker:{region}:{account}:model/{lower}"),
    "aws:cloudwatch/metricAlarm:MetricAlarm": AwsType("name", "arn:aws:cloudwatch:{region}:{account}:alarm:{name}"),
    "aws:appautoscaling/target:Target": AwsType(
        None, "arn:aws:application-autoscaling:{region}:{account}:scalable-target/{digest}", "resourceId"
    ),
    "aws:appautoscaling/policy:Policy": AwsType(
        "name",
        "arn:aws:autoscaling:{region}:{account}:scalingPolicy:{digest}:resource/{serviceNamespace}/{resourceId}"
        ":policyName/{name}",
    ),
}
"""The pulumi-aws types that sit beside an endpoint, as the example platform program uses them."""


class InvalidInputs(ValueError):
    """A resource's inputs fail the provider's `check`: `pulumi preview` would fail on them."""


class EchoMocks(Mocks):
    """The default fallback: a resource's outputs are its inputs and its id "<name>-id"; a call returns {}."""

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, []  # no failures: [], not None, which the SDK's MockMonitor cannot iterate


class SageMakerMocks(Mocks):
    """Mocks with realistic outputs for `EndpointConfig`, `Endpoint` and the pulumi-aws types in
    `AWS_TYPES`, in one account and region; everything else goes to `fallback` (a user's own mocks).

    `region` stands for the stack's `aws:region` (a resource's own `region` wins), `account` for the
    account of its credentials, `now` for every creation time. The mocks remember the models and
    configs created, so an endpoint's `production_variants` show its config's variants and their
    models' images. To mock one of these types otherwise, subclass and handle it in `new_resource`
    before calling `super().new_resource(args)`.
    """

    def __init__(
        self,
        fallback: Mocks | None = None,
        *,
        account: str = ACCOUNT,
        region: str = REGION,
        now: datetime | None = None,
    ) -> None:
        self.fallback = fallback or EchoMocks()
        self.account = account
        self.region = region
        self.now = now or datetime.now(UTC)
        """Creation time of every resource."""
        self.configs: dict[tuple[str, str], dict[str, Any]] = {}
        """CreateEndpointConfig requests by region and name in lower case."""
        self.model_images: dict[tuple[str, str], list[str]] = {}
        """Container images of the `aws.sagemaker.Model`s created, by region and name in lower case."""

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        if args.typ == ENDPOINT_CONFIG_TYPE:
            return self.endpoint_config(args)
        if args.typ == ENDPOINT_TYPE:
            return self.endpoint(args)
        if args.typ == STACK_IDENTITY_TYPE:  # a fixed id, so that mocked outputs do not change run to run
            stack_id = hashlib.sha256(f"{self.account}:{args.name}".encode()).hexdigest()[:32]
            return stack_id, {naming.PROVIDER_KEY: args.inputs.get(naming.PROVIDER_KEY), "stack_id": stack_id}
        if args.typ in AWS_TYPES:
            return self.aws_resource(args, AWS_TYPES[args.typ])
        return self.fallback.new_resource(args)

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            arn = f"arn:aws:iam::{self.account}:user/mock"
            return {"accountId": self.account, "arn": arn, "userId": "AIDAMOCK", "id": self.account}, []
        if args.token == "aws:index/getRegion:getRegion":
            region = args.args.get("region") or self.region
            return {"name": region, "region": region, "id": region}, []
        return self.fallback.call(args)

    def endpoint_config(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        """The config as created: checked inputs, ARN, creation time."""
        inputs = self.checked(args, validate.check_endpoint_config)
        name, region = inputs["name"], inputs["region"]
        self.configs[region, name.lower()] = request("CreateEndpointConfig", inputs)
        arn = resources.arn("endpoint-config", region, name, self.account)
        live = endpoint_config.EndpointConfigProvider.live_outputs(arn, {"CreationTime": self.now})
        return name, {naming.PROVIDER_KEY: args.inputs.get(naming.PROVIDER_KEY), **inputs, **live}

    def endpoint(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        """The endpoint InService on its config: DescribeEndpoint's state as the real provider
        turns it into outputs (a config these mocks did not create shows no variants)."""
        inputs = self.checked(args, validate.check_endpoint)
        name, region = inputs["name"], inputs["region"]
        config = self.configs.get((region, str(inputs.get("endpoint_config_name")).lower()), {})
        described = {
            "EndpointArn": resources.arn("endpoint", region, name, self.account),
            "EndpointStatus": "InService",
            "CreationTime": self.now,
            "LastModifiedTime": self.now,
            "ProductionVariants": [
                rendering.variant_summary(self.deployed(region, spec), rendering.LiveShare(), desired=None, status=None)
                for spec in config.get("ProductionVariants", [])
            ],
        }
        return name, {
            naming.PROVIDER_KEY: args.inputs.get(naming.PROVIDER_KEY),
            **inputs,
            **endpoint.live_outputs(described),
        }

    def aws_resource(self, args: MockResourceArgs, aws_type: AwsType) -> tuple[str, dict[str, Any]]:
        """A pulumi-aws resource: its inputs, a generated name if it has none, id, ARN, `tagsAll`."""
        outputs = dict(args.inputs)
        digest = hashlib.sha256(f"{args.typ}::{args.name}".encode()).hexdigest()
        region = outputs.get("region") or self.region
        name = ""
        if aws_type.name_key is not None:
            generated = f"{args.name}-{digest[:7]}"  # pulumi-aws's autonaming: the resource name and a suffix
            name = outputs.setdefault(
                aws_type.name_key, generated.lower() if aws_type.name_key == "bucket" else generated
            )
        if aws_type.arn is not None:
            fields = {**outputs, "region": region, "account": self.account, "name": name, "lower": name.lower()}
            outputs["arn"] = aws_type.arn.format_map(defaultdict(str, fields, digest=digest[:32]))
            if "{region}" in aws_type.arn:
                outputs["region"] = region
        if "tags" in outputs:
            outputs["tagsAll"] = outputs["tags"]
        if args.typ == "aws:sagemaker/model:Model":
            containers = outputs.get("containers") or [outputs.get("primaryContainer") or {}]
            self.model_images[region, name.lower()] = [c["image"] for c in containers if c.get("image")]
        resource_id = {**outputs, "name": name}.get(aws_type.id_key) or f"{args.name}-{digest[:7]}"
        return str(resource_id), outputs

    def checked(self, args: MockResourceArgs, check: Check) -> dict[str, Any]:
        """The inputs as the provider's `check` settles them at create; InvalidInputs if it would fail."""
        news = {**unwrapped(args.inputs), naming.ACCOUNT_KEY: self.account}
        news["region"] = news.get("region") or self.region
        inputs, problems = check({}, news)
        errors = [problem for problem in problems if not problem.warning]
        if errors:
            reasons = "; ".join(error.reason for error in errors)
            raise InvalidInputs(f'{args.typ.rpartition(":")[2]} "{args.name}": {reasons}')
        return with_checked_instance(inputs, {})

    def deployed(self, region: str, spec: Mapping[str, Any]) -> resources.Variant:
        """A config's production variant as just deployed (its models' images, if these mocks made the model)."""
        images = self.model_images.get((region, str(spec.get("ModelName", "")).lower()), [])
        return resources.Variant.deployed(spec, images, self.now)


def unwrapped(value: Any) -> Any:
    """`value` with each secret's value in its place, at any depth, as the engine hands a provider's
    `check` its inputs (the SDK's mock monitor keeps them in their wire wrapping; its
    `unwrap_rpc_secret` removes one, at the top)."""
    if rpc.is_rpc_secret(value):
        return unwrapped(rpc.unwrap_rpc_secret(value))
    if isinstance(value, Mapping):
        return {key: unwrapped(item) for key, item in value.items()}
    if isinstance(value, list):
        return [unwrapped(item) for item in value]
    return value
