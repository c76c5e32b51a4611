"""The hosting resources as the emulator stores them -- models, endpoint configs, the fleets an
endpoint runs and the routes its traffic takes -- and the errors and ARNs that name them."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

ACCOUNT = "123456789012"
"""moto's default account, which boto3 clients with dummy credentials reach."""


class HostingError(Exception):
    """An error answered to the caller as AWS does: a code (`__type`) and a message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def validation_error(message: str) -> HostingError:
    return HostingError("ValidationException", message)


def arn(kind: str, region: str, name: str, account: str = ACCOUNT) -> str:
    """SageMaker ARNs carry the name in lower case."""
    return f"arn:aws:sagemaker:{region}:{account}:{kind}/{name.lower()}"


KIND_WORDS = {"model": "model", "endpoint-config": "endpoint configuration", "endpoint": "endpoint"}


def not_found(kind: str, resource_arn: str) -> HostingError:
    return validation_error(f'Could not find {KIND_WORDS[kind]} "{resource_arn}".')


def timestamp(seconds: float) -> float:
    """A time as the emulator keeps it: to the microsecond, the precision of the datetimes botocore
    parses a response's times into and sends back (`serialize.Serializer._timestamp_unixtimestamp`),
    so that a time read and sent back as a filter (ListEndpointConfigs' CreationTimeAfter) is the
    same time; kept to the float's last digit, it could come back a microsecond later."""
    return round(seconds, 6)


@dataclass
class Resource:
    kind: str
    """ARN resource type: "model", "endpoint-config" or "endpoint"."""
    region: str
    name: str
    arn: str
    created: float
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class Stored(Resource):
    """A model or an endpoint config: its create request (less Tags), returned by Describe."""

    request: dict[str, Any] = field(default_factory=dict)


@dataclass
class Variant:
    """A production or shadow variant as deployed: its spec and its capacity."""

    spec: dict[str, Any]
    instances: int | None
    """DesiredInstanceCount; None for a serverless variant."""
    weight: float
    images: list[dict[str, Any]]

    @property
    def name(self) -> str:
        return str(self.spec["VariantName"])

    @classmethod
    def deployed(cls, spec: Mapping[str, Any], images: list[str], resolved_at: float | datetime) -> Variant:
        """A config's variant as just deployed: its initial capacity, and its containers' `images`
        resolved (to a digest of the tag) at `resolved_at`."""
        return cls(
            dict(spec),
            None if "ServerlessConfig" in spec else spec.get("InitialInstanceCount"),
            float(spec.get("InitialVariantWeight", 1.0)),
            [
                {
                    "SpecifiedImage": image,
                    "ResolvedImage": f"{image.split(':')[0]}@sha256:{hashlib.sha256(image.encode()).hexdigest()}",
                    "ResolutionTime": resolved_at,
                }
                for image in images
            ],
        )


@dataclass
class Fleet:
    """What an endpoint runs: a config (as it was when deployed) and its variants."""

    config_name: str
    config: dict[str, Any]
    production: list[Variant]
    shadow: list[Variant]
    data_capture: dict[str, Any] | None

    @property
    def instances(self) -> int:
        return sum(v.instances or 1 for v in self.production) or 1


@dataclass(frozen=True)
class Route:
    """One variant of a fleet that takes traffic, as the data plane sees it."""

    fleet: str
    """"blue" (the fleet the endpoint runs) or "green" (the one a deployment is moving to)."""
    fleet_share: float
    """Share of the endpoint's traffic on this variant's fleet."""
    config_name: str
    variant: str
    model: str | None
    share: float
    """For a production variant: its share of the fleet's traffic (its weight over the fleet's
    total). For a shadow variant: the share of the fleet's requests copied to it."""
    shadow: bool = False
    async_config: dict[str, Any] | None = None
    """The fleet's config's AsyncInferenceConfig, if any."""


@dataclass(frozen=True)
class Serving:
    """What an endpoint serves right now: its status and the variants of the fleets taking traffic."""

    arn: str
    status: str
    routes: tuple[Route, ...]


def fleet_routes(label: str, fleet: Fleet, fleet_share: float) -> list[Route]:
    """The variants of a fleet carrying `fleet_share` of the traffic. Production variants split it
    by their current weights ("the ratio of the VariantWeight to the sum of all VariantWeight
    values", the model's doc of InitialVariantWeight); a shadow variant gets a copy of its weight's
    ratio to the production variant's of the requests (at most all of them)."""
    total = sum(v.weight for v in fleet.production)
    count = len(fleet.production) or 1
    asynchronous = fleet.config.get("AsyncInferenceConfig")

    def route(variant: Variant, share: float, shadow: bool) -> Route:
        model = variant.spec.get("ModelName")
        return Route(label, fleet_share, fleet.config_name, variant.name, model, share, shadow, asynchronous)

    # All weights 0 is undocumented: spread evenly rather than refuse (never stricter than AWS).
    routes = [route(v, v.weight / total if total else 1 / count, False) for v in fleet.production]
    production_weight = fleet.production[0].weight if fleet.production else 0.0
    for v in fleet.shadow:
        routes.append(route(v, min(1.0, v.weight / production_weight) if production_weight else 1.0, True))
    return routes


def instance_counts(fleet: Fleet) -> dict[str, int]:
    """Instances per instance type of a fleet's instance-backed variants (shadow variants too)."""
    counts: dict[str, int] = {}
    for variant in [*fleet.production, *fleet.shadow]:
        instance_type = variant.spec.get("InstanceType")
        if instance_type and variant.instances:
            counts[instance_type] = counts.get(instance_type, 0) + variant.instances
    return counts


def model_containers(model: Mapping[str, Any]) -> list[dict[str, Any]]:
    return list(model.get("Containers") or ([model["PrimaryContainer"]] if model.get("PrimaryContainer") else []))


def model_data_location(container: Mapping[str, Any]) -> tuple[str, bool] | None:
    """Where a container's model data lives: (s3 URL, is a prefix), or None for an image-only container."""
    url = container.get("ModelDataUrl")
    if url:
        return str(url), str(url).endswith("/")
    source = (container.get("ModelDataSource") or {}).get("S3DataSource")
    if source:
        return str(source["S3Uri"]), source.get("S3DataType") == "S3Prefix"
    return None


def download_failure(index: int, url: str) -> str:
    return (
        f'Failed to download model data for container "container_{index}" from URL: "{url}". Please ensure '
        "that there is an object located at the URL and that the role passed to CreateModel has "
        "permissions to download the object."
    )
