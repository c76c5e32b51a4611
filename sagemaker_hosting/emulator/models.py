"""The hosting backend: models, endpoint configs, endpoints and their tags, and the endpoint state
machine, all in one place.

Requests reach it already validated against the service model (see `responses.py`), in API form
(PascalCase members, times as epoch seconds). Time comes from an injected clock: the state machine
is a list of timed phases per operation, and `advance()` applies every phase that has ended by
"now". Every operation advances first, so a Describe sees a finished step at once; `Driver` also
advances in the background, so status changes (`events`) are recorded at their exact times and
CloudWatch alarms are polled during baking even when nobody calls.

moto 5.2's SageMaker backend has no UpdateEndpoint, makes endpoints InService instantly, lets
duplicates overwrite and drops many members, so hosting is written here; S3 (model data) and
CloudWatch (alarms) are moto's backends, read in process through `MotoWorld`.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any, Protocol

from sagemaker_hosting import schema

ACCOUNT = "123456789012"
"""moto's default account, which boto3 clients with dummy credentials reach."""

ALARM_POLL_SECONDS = 0.05
"""How often alarms are polled while a deployment bakes (SageMaker polls them continuously)."""

# Endpoint statuses (EndpointStatus) and pending-variant stages (VariantStatus) of the service model.
CREATING, UPDATING, ROLLING_BACK, IN_SERVICE = "Creating", "Updating", "RollingBack", "InService"
DELETING, FAILED, UPDATE_ROLLBACK_FAILED = "Deleting", "Failed", "UpdateRollbackFailed"
ACTIVATING, BAKING = "ActivatingTraffic", "Baking"
DELETED = "Deleted"
"""Not an EndpointStatus: the event recorded when a deleted endpoint is gone."""

IN_PROGRESS = frozenset({CREATING, UPDATING, ROLLING_BACK, DELETING, "SystemUpdating"})


class HostingError(Exception):
    """An error answered to the caller as AWS does: a code (`__type`) and a message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def validation_error(message: str) -> HostingError:
    return HostingError("ValidationException", message)


# --- settings ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """Emulator timings and fault injection; the admin API and command-line flags set them."""

    create_seconds: float = field(default=3.0, metadata={"help": "seconds to create an endpoint"})
    update_seconds: float = field(
        default=3.0, metadata={"help": "seconds to provision a fleet (or a rolling batch) in an update"}
    )
    delete_seconds: float = field(
        default=1.0, metadata={"help": "seconds to delete an endpoint or tear down a green fleet on rollback"}
    )
    time_scale: float = field(
        default=1.0, metadata={"help": "multiplies every wait and timeout taken from a DeploymentConfig"}
    )
    throttle_rate: float = field(
        default=0.0, metadata={"help": "fraction (0-1) of SageMaker calls answered with ThrottlingException"}
    )
    unavailable_rate: float = field(
        default=0.0,
        metadata={"help": "fraction (0-1) of SageMaker calls answered with HTTP 503 ServiceUnavailable (1: an outage)"},
    )
    consistency_delay_seconds: float = field(
        default=0.0,
        metadata={"help": "seconds after a create during which the new resource is invisible to reads"},
    )
    instance_quota: float = field(
        default=0.0,
        metadata={"help": "instances of one instance type that endpoints may run per region (0: no limit)"},
    )

    def updated(self, values: Mapping[str, object]) -> Settings:
        """These settings with `values` applied; ValueError names an unknown or bad value."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown setting(s) {unknown}; known: {sorted(known)}")
        checked: dict[str, float] = {}
        for name, value in values.items():
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise ValueError(f"{name} must be a number, not {value!r}")
            fraction = name in ("throttle_rate", "unavailable_rate")
            if value < 0 or (fraction and value > 1):
                raise ValueError(f"{name} must be {'between 0 and 1' if fraction else '>= 0'}")
            checked[name] = float(value)
        return replace(self, **checked)

    def as_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


# --- the neighbouring services -------------------------------------------------------------------


class World(Protocol):
    """What the hosting backend reads from other services."""

    def s3_exists(self, url: str, prefix: bool) -> bool:
        """Whether s3://bucket/key names an object (or, with `prefix`, any object under it)."""

    def alarm_firing(self, region: str, name: str) -> bool:
        """Whether the CloudWatch alarm `name` is in ALARM state."""

    def scaled_variants(self, region: str, endpoint: str) -> set[str]:
        """The endpoint's variants registered as Application Auto Scaling scalable targets."""

    def deregister_scaled_variants(self, region: str, endpoint: str) -> None:
        """Deregister the endpoint's scalable targets and delete their scaling policies."""


class MotoWorld:
    """S3 and CloudWatch as moto's in-process backends hold them (the same ones the server serves)."""

    def __init__(self, account: str = ACCOUNT) -> None:
        self.account = account

    def s3_exists(self, url: str, prefix: bool) -> bool:
        from moto.s3.exceptions import MissingBucket
        from moto.s3.models import FakeKey, s3_backends

        bucket_name, _, key = url.removeprefix("s3://").partition("/")
        try:
            bucket = s3_backends[self.account]["aws"].get_bucket(bucket_name)
        except MissingBucket:
            return False
        if prefix:
            return any(name.startswith(key) for name in list(bucket.keys.keys()))
        return isinstance(bucket.keys.get(key), FakeKey)

    def alarm_firing(self, region: str, name: str) -> bool:
        from moto.cloudwatch.models import cloudwatch_backends

        alarm = cloudwatch_backends[self.account][region].alarms.get(name)
        return alarm is not None and alarm.state_value == "ALARM"

    def scaled_variants(self, region: str, endpoint: str) -> set[str]:
        from moto.applicationautoscaling.models import applicationautoscaling_backends

        backend = applicationautoscaling_backends[self.account][region]
        targets = backend.describe_scalable_targets(SCALING_NAMESPACE, None, SCALING_DIMENSION)
        return {variant for target in targets if (variant := _scaled_variant(target.resource_id, endpoint))}

    def deregister_scaled_variants(self, region: str, endpoint: str) -> None:
        from moto.applicationautoscaling.models import applicationautoscaling_backends

        backend = applicationautoscaling_backends[self.account][region]
        for key, policy in list(backend.policies.items()):
            # DeregisterScalableTarget "deletes the scaling policies ... associated with it" (API
            # reference); moto's keeps them, so they are deleted here.
            if policy.service_namespace == SCALING_NAMESPACE and _scaled_variant(policy.resource_id, endpoint):
                policy.delete_alarms(self.account, region)
                del backend.policies[key]
        for target in backend.describe_scalable_targets(SCALING_NAMESPACE, None, SCALING_DIMENSION):
            if _scaled_variant(target.resource_id, endpoint):
                backend.deregister_scalable_target(SCALING_NAMESPACE, target.resource_id, SCALING_DIMENSION)


SCALING_NAMESPACE = "sagemaker"
SCALING_DIMENSION = "sagemaker:variant:DesiredInstanceCount"
"""Application Auto Scaling's namespace and dimension of a production variant's instance count."""


def _scaled_variant(resource_id: str, endpoint: str) -> str | None:
    """The variant a scalable target's resource id (`endpoint/NAME/variant/VARIANT`) names, when it
    is one of `endpoint` (endpoint names are case-insensitive)."""
    kind, _, rest = resource_id.partition("/")
    name, _, variant = rest.partition("/variant/")
    return variant if kind == "endpoint" and name.lower() == endpoint.lower() and variant else None


# --- deployment plans (pure) ---------------------------------------------------------------------


@dataclass(frozen=True)
class Phase:
    """One timed step of an operation on an endpoint."""

    stage: str
    """What the new fleet is doing: a VariantStatus (Creating, ActivatingTraffic, Baking, Deleting,
    Updating), or RollingBack."""
    seconds: float
    provisioned: float = 0.0
    """Share of the new fleet running once this phase has ended."""
    traffic: float = 0.0
    """Share of traffic on the new fleet once this phase has ended."""
    checks_model_data: bool = False
    """The fleet downloads its model data in this phase; missing data fails the operation."""
    bakes: bool = False
    """Auto-rollback alarms are polled during this phase."""


def capacity_share(size: Mapping[str, Any], instances: int) -> float:
    """A CapacitySize as a share (0-1] of a fleet of `instances`."""
    value = float(size["Value"])
    return min(1.0, value / 100 if size["Type"] == "CAPACITY_PERCENT" else value / max(1, instances))


def batch_instances(size: Mapping[str, Any], instances: int) -> int:
    """Instances per rolling batch for a CapacitySize (at least one)."""
    if size["Type"] == "CAPACITY_PERCENT":
        return max(1, math.ceil(instances * float(size["Value"]) / 100))
    return max(1, min(instances, int(size["Value"])))


def create_phases(settings: Settings) -> list[Phase]:
    return [Phase(CREATING, settings.create_seconds, 1.0, 1.0, checks_model_data=True)]


def update_phases(deployment: Mapping[str, Any] | None, instances: int, settings: Settings) -> list[Phase]:
    """The steps of an UpdateEndpoint to a fleet of `instances`, as its DeploymentConfig dictates.

    Blue/green provisions the whole green fleet, then shifts traffic (all at once, canary then
    the rest, or linear steps), baking WaitIntervalInSeconds after each partial shift and
    TerminationWaitInSeconds after the last, then terminates blue. Rolling replaces batches of
    MaximumBatchSize: provision, shift, bake WaitIntervalInSeconds, terminate the old batch.
    No DeploymentConfig: provision, shift everything, terminate, no baking.
    """
    scale = settings.time_scale
    provision = Phase(CREATING, settings.update_seconds, 1.0, 0.0, checks_model_data=True)
    rolling = (deployment or {}).get("RollingUpdatePolicy")
    if rolling:
        batch = batch_instances(rolling["MaximumBatchSize"], instances)
        count = math.ceil(instances / batch)
        phases: list[Phase] = []
        for number in range(1, count + 1):
            done = number / count
            before = (number - 1) / count
            phases += [
                Phase(CREATING, settings.update_seconds, done, before, checks_model_data=True),
                Phase(ACTIVATING, 0.0, done, done),
                Phase(BAKING, rolling["WaitIntervalInSeconds"] * scale, done, done, bakes=True),
                Phase(DELETING, 0.0, done, done),
            ]
        return phases
    blue_green = (deployment or {}).get("BlueGreenUpdatePolicy")
    if not blue_green:
        return [provision, Phase(ACTIVATING, 0.0, 1.0, 1.0), Phase(DELETING, 0.0, 1.0, 1.0)]
    routing = blue_green["TrafficRoutingConfiguration"]
    wait = routing["WaitIntervalInSeconds"] * scale
    if routing["Type"] == "CANARY":
        steps = [capacity_share(routing["CanarySize"], instances)]
    elif routing["Type"] == "LINEAR":
        step = capacity_share(routing["LinearStepSize"], instances)
        steps = [step * n for n in range(1, math.ceil(1 / step - 1e-9))]
    else:
        steps = []
    phases = [provision]
    for share in steps:
        phases += [Phase(ACTIVATING, 0.0, 1.0, share), Phase(BAKING, wait, 1.0, share, bakes=True)]
    termination = blue_green.get("TerminationWaitInSeconds", 0) * scale
    return [
        *phases,
        Phase(ACTIVATING, 0.0, 1.0, 1.0),
        Phase(BAKING, termination, 1.0, 1.0, bakes=True),
        Phase(DELETING, 0.0, 1.0, 1.0),
    ]


def execution_timeout(deployment: Mapping[str, Any] | None) -> int | None:
    """MaximumExecutionTimeoutInSeconds of the deployment, or None."""
    for policy in ("BlueGreenUpdatePolicy", "RollingUpdatePolicy"):
        seconds = ((deployment or {}).get(policy) or {}).get("MaximumExecutionTimeoutInSeconds")
        if seconds is not None:
            return int(seconds)
    return None


def rollback_seconds(deployment: Mapping[str, Any] | None, instances: int, provisioned: float, s: Settings) -> float:
    """Time to roll back: blue/green tears the green fleet down; rolling re-provisions the replaced
    instances in batches of RollbackMaximumBatchSize (all at once when not given)."""
    rolling = (deployment or {}).get("RollingUpdatePolicy")
    replaced = math.ceil(instances * provisioned)
    if not rolling or replaced == 0:
        return s.delete_seconds
    size = rolling.get("RollbackMaximumBatchSize")
    batch = batch_instances(size, instances) if size else replaced
    return math.ceil(replaced / batch) * s.update_seconds


# --- resources -----------------------------------------------------------------------------------


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


@dataclass
class Task:
    """An operation in progress on an endpoint: its phases and where it is in them."""

    kind: str
    """"create", "update", "capacity", "rollback" or "delete"."""
    phases: list[Phase]
    started: float
    phase_started: float
    target: Fleet | None = None
    deadline: float | None = None
    deployment: dict[str, Any] | None = None
    index: int = 0
    provisioned: float = 0.0
    capacity: dict[str, tuple[int | None, float]] = field(default_factory=dict)
    """For "capacity": the DesiredInstanceCount and DesiredWeight per variant name."""
    failure: str | None = None
    """For "rollback": the FailureReason it ends with."""
    rollback_fails: bool = False

    @property
    def phase(self) -> Phase:
        return self.phases[self.index]


@dataclass
class Endpoint(Resource):
    status: str = CREATING
    config_name: str = ""
    modified: float = 0.0
    live: Fleet | None = None
    task: Task | None = None
    failure_reason: str | None = None
    deployment_config: dict[str, Any] | None = None
    stranded: tuple[Fleet, float] | None = None
    """After a rollback that could not restore the old fleet: the new fleet left in service and its
    share of traffic (UpdateRollbackFailed: "in service with a mix of the old and new endpoint
    configurations", DescribeEndpoint's EndpointStatus). Cleared when a deployment finishes."""


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


def extra_instances(deployment: Mapping[str, Any] | None, target: Fleet) -> dict[str, int]:
    """Instances an update runs beside the old fleet: the whole green fleet, or one rolling batch."""
    counts = instance_counts(target)
    rolling = (deployment or {}).get("RollingUpdatePolicy")
    if not rolling:
        return counts
    batch = batch_instances(rolling["MaximumBatchSize"], target.instances)
    return {instance_type: min(count, batch) for instance_type, count in counts.items()}


# --- documented rules of UpdateEndpoint and CreateEndpoint (pure) ------------------------------------
# SageMaker documents these refusals in the Developer Guide but not their error codes or wording: each
# is answered as ValidationException (what SageMaker answers for every other refused request) with
# the emulator's own message, which is not AWS's. Where a page is unclear the emulator accepts.

GUARDRAILS_EXCLUSIONS = "https://docs.aws.amazon.com/sagemaker/latest/dg/deployment-guardrails-exclusions.html"
SERVERLESS_UPDATE = "https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints-update.html"
SHADOW_EXCLUSIONS = "https://docs.aws.amazon.com/sagemaker/latest/dg/shadow-tests-exclusions.html"


def is_serverless(variant: Variant) -> bool:
    return "ServerlessConfig" in variant.spec


def is_inf1(variant: Variant) -> bool:
    """Whether a variant runs on Inf1 (Inferentia) instances, e.g. "ml.inf1.xlarge"."""
    return str(variant.spec.get("InstanceType", "")).startswith("ml.inf1.")


def check_serverless_one_way(live: Fleet | None, target: Fleet) -> None:
    """Refuse an UpdateEndpoint from an instance-based endpoint to a serverless config. Developer
    Guide, "Update a serverless endpoint" (SERVERLESS_UPDATE): "Updating a real-time inference
    endpoint to an on-demand serverless endpoint or a serverless endpoint with Provisioned
    Concurrency is currently not supported." Serverless to instance-based is allowed."""
    if live is None or any(map(is_serverless, live.production)) or not any(map(is_serverless, target.production)):
        return
    raise validation_error(
        f'Cannot update an instance-based endpoint to serverless endpoint configuration "{target.config_name}": '
        "updating a real-time endpoint to a serverless one is not supported. Create a new endpoint instead."
    )


def check_shadow_exclusions(target: Fleet, models: Mapping[str, Mapping[str, Any]]) -> None:
    """Refuse CreateEndpoint / UpdateEndpoint to a config with a shadow variant when the endpoint
    uses a feature shadow tests exclude. Developer Guide, "Exclusions" of shadow tests
    (SHADOW_EXCLUSIONS): "If your endpoint uses any of the following features you cannot use shadow
    tests on your endpoint, and your request to setup shadow tests will lead to validation errors":
    serverless inference, asynchronous inference, Marketplace containers, multiple-container
    endpoints, multi-model endpoints, Inf1 instances, Elastic Inference. The page names the endpoint,
    not the config, so CreateEndpointConfig accepts such a config (never stricter than AWS); the
    endpoint that would use it is refused. Marketplace containers cannot be told apart from other
    model packages here and are not checked."""
    if not target.shadow:
        return
    variants = [*target.production, *target.shadow]
    features: list[str] = []
    if any(map(is_serverless, variants)):
        features.append("serverless inference")
    if "AsyncInferenceConfig" in target.config:
        features.append("asynchronous inference")
    containers = [model_containers(model) for name, model in models.items()]
    if any(len(found) > 1 for found in containers):
        features.append("a multi-container model")
    if any(container.get("Mode") == "MultiModel" for found in containers for container in found):
        features.append("a multi-model endpoint")
    if any(map(is_inf1, variants)):
        features.append("Inf1 instances")
    if any(v.spec.get("AcceleratorType") for v in variants):
        features.append("Elastic Inference")
    if features:
        raise validation_error(
            f'Endpoint configuration "{target.config_name}" has a shadow variant, which cannot be used with '
            f"{', '.join(features)}."
        )


def guarded_deployment(
    deployment: Mapping[str, Any] | None, live: Fleet | None, target: Fleet
) -> dict[str, Any] | None:
    """The DeploymentConfig an UpdateEndpoint runs with, after the documented rules of deployment
    guardrails (Developer Guide, "Exclusions", GUARDRAILS_EXCLUSIONS):

    - "When doing a blue/green or rolling deployment, your new endpoint configuration must have the
      same variant name as the old endpoint configuration": refused otherwise.
    - Endpoints with Inf1 instances (and Marketplace containers, which the emulator cannot tell)
      "will fall back to using a blue/green deployment with all at once traffic shifting and no final
      baking period": the update runs as one without a DeploymentConfig (provision, shift all,
      terminate; no bake, no alarms).
    - "If you're doing a rolling deployment, there are additional feature-based exclusions:
      Serverless inference endpoints, Multi-variant inference endpoints": refused. (The page does not
      say whether these fail or fall back; the emulator reads "exclusions" as refusals, as the
      project's reference does -- an assumption, not a documented fact.)
    - INSTANCE_COUNT sizes within their documented share of "the variant's total instance count"
      (botocore's documentation of CanarySize, LinearStepSize, MaximumBatchSize: at most 50 %,
      10-50 %, 5-50 %), checked against the new fleet when it has one instance-based variant (with
      several, which variant's count applies is not documented, and the emulator accepts).
    """
    policies = dict(deployment or {})
    if not live or not (policies.get("BlueGreenUpdatePolicy") or policies.get("RollingUpdatePolicy")):
        return dict(deployment) if deployment else None
    old_names = sorted(v.name for v in live.production)
    new_names = sorted(v.name for v in target.production)
    if old_names != new_names:
        raise validation_error(
            f'Endpoint configuration "{target.config_name}" has production variant(s) [{", ".join(new_names)}] '
            f"but the endpoint runs [{', '.join(old_names)}]: a blue/green or rolling deployment needs the same "
            "variant names. Update without a DeploymentConfig or create a new endpoint."
        )
    if any(map(is_inf1, [*live.production, *live.shadow, *target.production, *target.shadow])):
        return None
    if policies.get("RollingUpdatePolicy"):
        for fleet in (live, target):
            if any(map(is_serverless, fleet.production)) or len(fleet.production) > 1:
                kind = "serverless" if any(map(is_serverless, fleet.production)) else "multi-variant"
                raise validation_error(
                    f'A rolling deployment cannot update a {kind} endpoint (configuration "{fleet.config_name}"). '
                    "Use a BlueGreenUpdatePolicy instead."
                )
    if len(target.production) == 1 and target.production[0].instances:
        count = target.production[0].instances
        broken = [  # only the sizes: the rest of the DeploymentConfig was checked when it was given
            v
            for v in schema.endpoint_violations({"DeploymentConfig": policies}, instance_count=count)
            if v.path[-1:] == ("Value",)
        ]
        if broken:
            raise validation_error("; ".join(f"{v.rule}." for v in broken))
    return policies


def arn(kind: str, region: str, name: str, account: str = ACCOUNT) -> str:
    """SageMaker ARNs carry the name in lower case."""
    return f"arn:aws:sagemaker:{region}:{account}:{kind}/{name.lower()}"


KIND_WORDS = {"model": "model", "endpoint-config": "endpoint configuration", "endpoint": "endpoint"}


def not_found(kind: str, resource_arn: str) -> HostingError:
    return validation_error(f'Could not find {KIND_WORDS[kind]} "{resource_arn}".')


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


# --- the backend ---------------------------------------------------------------------------------


class HostingBackend:
    """All hosting state of one emulator (every region), guarded by one lock."""

    def __init__(
        self,
        world: World,
        clock: Callable[[], float] = time.time,
        settings: Settings | None = None,
        account: str = ACCOUNT,
    ) -> None:
        self.world = world
        self.clock = clock
        self.settings = settings or Settings()
        self.account = account
        self.changed = threading.Condition(threading.RLock())
        """Held by every operation; notified when an operation starts, for `Driver`."""
        self.stores: dict[str, dict[tuple[str, str], Any]] = {"model": {}, "endpoint-config": {}, "endpoint": {}}
        self.events: list[dict[str, Any]] = []

    def reset(self) -> None:
        with self.changed:
            for store in self.stores.values():
                store.clear()
            self.events.clear()
            self.changed.notify_all()

    # --- lookups ---------------------------------------------------------------------------------

    def _arn(self, kind: str, region: str, name: str) -> str:
        return arn(kind, region, name, self.account)

    def _get(self, kind: str, region: str, name: str, visible_only: bool = True) -> Any:
        """The resource, or "Could not find"; with `visible_only`, a resource younger than the
        consistency delay is not found either (an eventually consistent read)."""
        resource = self.stores[kind].get((region, name.lower()))
        delay = self.settings.consistency_delay_seconds
        if resource is None or (visible_only and self.clock() < resource.created + delay):
            raise not_found(kind, self._arn(kind, region, name))
        return resource

    def _add(self, resource: Resource) -> None:
        key = (resource.region, resource.name.lower())
        store = self.stores[resource.kind]
        if key in store:
            raise validation_error(f'Cannot create already existing {KIND_WORDS[resource.kind]} "{resource.arn}".')
        store[key] = resource

    def owns(self, resource_arn: str) -> bool:
        """Whether an ARN names a hosting resource type (tags on anything else are moto's)."""
        parts = resource_arn.split(":", 5)
        return len(parts) == 6 and parts[5].partition("/")[0] in self.stores

    def _by_arn(self, resource_arn: str) -> Resource:
        _, _, _, region, _, resource = resource_arn.split(":", 5)
        kind, _, name = resource.partition("/")
        found: Resource = self._get(kind, region, name, visible_only=False)
        return found

    # --- models ----------------------------------------------------------------------------------

    def create_model(self, region: str, request: Mapping[str, Any]) -> dict[str, Any]:
        with self.changed:
            self.advance()
            model = self._stored("model", region, request["ModelName"], request)
            return {"ModelArn": model.arn}

    def describe_model(self, region: str, name: str) -> dict[str, Any]:
        with self.changed:
            model: Stored = self._get("model", region, name)
            return {**model.request, "ModelArn": model.arn, "CreationTime": model.created}

    def delete_model(self, region: str, name: str) -> None:
        with self.changed:
            self._get("model", region, name, visible_only=False)
            del self.stores["model"][(region, name.lower())]

    def list_models(self, region: str, request: Mapping[str, Any]) -> dict[str, Any]:
        with self.changed:
            return self._list("model", region, request, "Models", "ModelName", "ModelArn")

    def _stored(self, kind: str, region: str, name: str, request: Mapping[str, Any]) -> Stored:
        body = {key: value for key, value in request.items() if key != "Tags"}
        stored = Stored(kind, region, name, self._arn(kind, region, name), self.clock(), request=body)
        stored.tags = {tag["Key"]: tag.get("Value", "") for tag in request.get("Tags") or []}
        self._add(stored)
        return stored

    # --- endpoint configs ------------------------------------------------------------------------

    def create_endpoint_config(self, region: str, request: Mapping[str, Any]) -> dict[str, Any]:
        with self.changed:
            self.advance()
            name = request["EndpointConfigName"]
            if (region, name.lower()) not in self.stores["endpoint-config"]:
                for variant in [*request["ProductionVariants"], *request.get("ShadowProductionVariants", [])]:
                    if "ModelName" in variant:
                        self._get("model", region, variant["ModelName"])
            config = self._stored("endpoint-config", region, name, request)
            return {"EndpointConfigArn": config.arn}

    def describe_endpoint_config(self, region: str, name: str) -> dict[str, Any]:
        with self.changed:
            config: Stored = self._get("endpoint-config", region, name)
            return {**config.request, "EndpointConfigArn": config.arn, "CreationTime": config.created}

    def delete_endpoint_config(self, region: str, name: str) -> None:
        """Succeeds even while an endpoint uses the config, as in AWS: the endpoint keeps running."""
        with self.changed:
            self._get("endpoint-config", region, name, visible_only=False)
            del self.stores["endpoint-config"][(region, name.lower())]

    def list_endpoint_configs(self, region: str, request: Mapping[str, Any]) -> dict[str, Any]:
        with self.changed:
            return self._list(
                "endpoint-config", region, request, "EndpointConfigs", "EndpointConfigName", "EndpointConfigArn"
            )

    # --- endpoints -------------------------------------------------------------------------------

    def create_endpoint(self, region: str, request: Mapping[str, Any]) -> dict[str, Any]:
        with self.changed:
            self.advance()
            name = request["EndpointName"]
            now = self.clock()
            endpoint = Endpoint("endpoint", region, name, self._arn("endpoint", region, name), now, modified=now)
            if (region, name.lower()) in self.stores["endpoint"]:
                self._add(endpoint)  # raises "already existing"
            config: Stored = self._get("endpoint-config", region, request["EndpointConfigName"])
            endpoint.tags = {tag["Key"]: tag.get("Value", "") for tag in request.get("Tags") or []}
            endpoint.config_name = config.name
            endpoint.deployment_config = request.get("DeploymentConfig")
            target = self._fleet(config, None, None)
            check_shadow_exclusions(target, self._models(region, target))
            self._check_quota(region, instance_counts(target))
            endpoint.task = Task("create", create_phases(self.settings), now, now, target=target)
            self._add(endpoint)
            self._event(endpoint, now)
            self.changed.notify_all()
            return {"EndpointArn": endpoint.arn}

    def describe_endpoint(self, region: str, name: str) -> dict[str, Any]:
        with self.changed:
            self.advance()
            endpoint: Endpoint = self._get("endpoint", region, name)
            return self._describe(endpoint)

    def update_endpoint(self, region: str, request: Mapping[str, Any]) -> dict[str, Any]:
        with self.changed:
            self.advance()
            endpoint = self._updatable(region, request["EndpointName"])
            config: Stored = self._get("endpoint-config", region, request["EndpointConfigName"])
            assert endpoint.live is not None
            excluded = (
                {p["VariantPropertyType"] for p in request.get("ExcludeRetainedVariantProperties") or []}
                if request.get("RetainAllVariantProperties")
                else None
            )
            self._check_scaled_instance_types(region, endpoint, config)
            target = self._fleet(config, endpoint.live, excluded)
            if request.get("RetainDeploymentConfig"):
                deployment = endpoint.deployment_config
            else:
                deployment = request.get("DeploymentConfig")
            check_serverless_one_way(endpoint.live, target)
            check_shadow_exclusions(target, self._models(region, target))
            guarded = guarded_deployment(deployment, endpoint.live, target)
            self._check_quota(region, extra_instances(guarded, target))
            if deployment:
                endpoint.deployment_config = deployment
            now = self.clock()
            timeout = execution_timeout(guarded)
            endpoint.task = Task(
                "update",
                update_phases(guarded, target.instances, self.settings),
                now,
                now,
                target=target,
                deadline=None if timeout is None else now + timeout * self.settings.time_scale,
                deployment=guarded,
            )
            endpoint.config_name = config.name
            self._set_status(endpoint, UPDATING, now)
            self._event(endpoint, now, CREATING)
            self.changed.notify_all()
            return {"EndpointArn": endpoint.arn}

    def _check_scaled_instance_types(self, region: str, endpoint: Endpoint, config: Stored) -> None:
        """Refuse an update that changes the instance type of a variant registered as a scalable
        target. Developer Guide, "Update endpoints that use auto scaling" (endpoint-scaling-update):
        "If the update would change the instance type for any model that is a target for auto
        scaling, the update fails ... If you are trying to update the endpoint by calling the
        UpdateEndpoint API, the call fails", except that a change of model alone is allowed. The docs
        are silent on the error code and wording: ValidationException (what SageMaker answers for
        every other refused UpdateEndpoint) with our own message naming the variant and the procedure."""
        assert endpoint.live is not None
        live = {variant.name: variant.spec.get("InstanceType") for variant in endpoint.live.production}
        new = {spec["VariantName"]: spec.get("InstanceType") for spec in config.request["ProductionVariants"]}
        changed = sorted(name for name in live.keys() & new.keys() if live[name] != new[name])
        registered = self.world.scaled_variants(region, endpoint.name) if changed else set()
        scaled = [name for name in changed if name in registered]
        if scaled:
            raise validation_error(
                f'Cannot update the instance type of variant(s) [{", ".join(scaled)}] of endpoint "{endpoint.arn}": '
                "they are registered as Application Auto Scaling scalable targets. Delete their scaling policies "
                "and deregister them (DeregisterScalableTarget) before the update, and register them again after it."
            )

    def update_endpoint_weights_and_capacities(self, region: str, request: Mapping[str, Any]) -> dict[str, Any]:
        with self.changed:
            self.advance()
            endpoint = self._updatable(region, request["EndpointName"])
            assert endpoint.live is not None
            live = {v.name: v for v in endpoint.live.production}
            wanted = request["DesiredWeightsAndCapacities"]
            names = [item["VariantName"] for item in wanted]
            repeated = sorted({name for name in names if names.count(name) > 1})
            if repeated:
                # A variant named twice is refused by moto with this wording (moto/sagemaker/models.py,
                # update_endpoint_weights_and_capacities); AWS documents neither the refusal nor its
                # wording, so both are moto's.
                raise validation_error(f'The variant name "{repeated[0]}" was non-unique within the request.')
            unknown = [item["VariantName"] for item in wanted if item["VariantName"] not in live]
            if unknown:
                raise validation_error(
                    f'The variant name(s) [{", ".join(unknown)}] is/are not present in endpoint "{endpoint.arn}".'
                )
            # A request with neither DesiredWeight nor DesiredInstanceCount, or a DesiredInstanceCount
            # for a serverless variant, is accepted: AWS documents no refusal of either (API reference,
            # DesiredWeightAndCapacity: every member but VariantName optional), and the emulator is
            # never stricter than AWS. A serverless variant keeps no instance count.
            capacity = {
                item["VariantName"]: (
                    None
                    if is_serverless(live[item["VariantName"]])
                    else item.get("DesiredInstanceCount", live[item["VariantName"]].instances),
                    float(item.get("DesiredWeight", live[item["VariantName"]].weight)),
                )
                for item in wanted
            }
            now = self.clock()
            phases = [Phase(UPDATING, self.settings.update_seconds, 1.0, 1.0)]
            endpoint.task = Task("capacity", phases, now, now, capacity=capacity)
            self._set_status(endpoint, UPDATING, now)
            self.changed.notify_all()
            return {"EndpointArn": endpoint.arn}

    def delete_endpoint(self, region: str, name: str) -> None:
        with self.changed:
            self.advance()
            endpoint: Endpoint = self._get("endpoint", region, name, visible_only=False)
            if endpoint.status in IN_PROGRESS:
                raise validation_error(f'Cannot delete in-progress endpoint "{endpoint.arn}".')
            # Developer Guide, "Delete endpoints configured for auto scaling" (endpoint-delete-with-
            # scaling): Application Auto Scaling "deregisters those models as scalable targets without
            # notifying you" (given the caller may; the emulator checks no IAM).
            self.world.deregister_scaled_variants(region, endpoint.name)
            now = self.clock()
            endpoint.task = Task("delete", [Phase(DELETING, self.settings.delete_seconds)], now, now)
            self._set_status(endpoint, DELETING, now)
            self.changed.notify_all()

    def serving(self, region: str, name: str) -> Serving | None:
        """The endpoint's status and the variants taking its traffic (None: no such endpoint). The
        fleet it runs (blue) serves; during a deployment the new (green) fleet takes the share the
        last finished phase shifted to it; on rollback everything is back on blue. A create in
        progress has no fleet yet. Whether a status may serve is the data plane's decision."""
        with self.changed:
            self.advance()
            endpoint: Endpoint | None = self.stores["endpoint"].get((region, name.lower()))
            if endpoint is None:
                return None
            task = endpoint.task
            routes: list[Route] = []
            if endpoint.live is not None:
                green, target = 0.0, None
                if task is not None and task.kind == "update" and task.target is not None and task.index:
                    green, target = task.phases[task.index - 1].traffic, task.target
                elif endpoint.stranded is not None and (task is None or task.kind != "update"):
                    target, green = endpoint.stranded
                if green < 1:
                    routes += fleet_routes("blue", endpoint.live, 1.0 - green)
                if green > 0 and target is not None:
                    routes += fleet_routes("green", target, green)
            return Serving(endpoint.arn, endpoint.status, tuple(routes))

    def list_endpoints(self, region: str, request: Mapping[str, Any]) -> dict[str, Any]:
        with self.changed:
            self.advance()
            return self._list("endpoint", region, request, "Endpoints", "EndpointName", "EndpointArn")

    def _check_quota(self, region: str, requested: Mapping[str, int]) -> None:
        """ResourceLimitExceeded when `requested` more instances of a type would exceed
        `instance_quota`: every endpoint's running fleet counts, and so does a green fleet being
        deployed (blue/green runs both until the old one is terminated)."""
        quota = int(self.settings.instance_quota)
        if not quota:
            return
        used: dict[str, int] = {}
        for endpoint in self.stores["endpoint"].values():
            if endpoint.region != region:
                continue
            fleets = [endpoint.live, endpoint.task.target if endpoint.task else None]
            for fleet in filter(None, fleets):
                for instance_type, count in instance_counts(fleet).items():
                    used[instance_type] = used.get(instance_type, 0) + count
        for instance_type, delta in sorted(requested.items()):
            if used.get(instance_type, 0) + delta > quota:
                raise HostingError(
                    "ResourceLimitExceeded",
                    f"The account-level service limit '{instance_type} for endpoint usage' is {quota} Instances, "
                    f"with current utilization of {used.get(instance_type, 0)} Instances and a request delta of "
                    f"{delta} Instances. Please use AWS Service Quotas to request an increase for this quota. If AWS "
                    "Service Quotas is not available, contact AWS support to request an increase for this quota.",
                )

    def _updatable(self, region: str, name: str) -> Endpoint:
        endpoint: Endpoint = self._get("endpoint", region, name)
        if endpoint.status in IN_PROGRESS:
            raise validation_error(f'Cannot update in-progress endpoint "{endpoint.arn}".')
        if endpoint.status != IN_SERVICE:
            raise validation_error(f'Cannot update endpoint "{endpoint.arn}" in status {endpoint.status}.')
        return endpoint

    def _fleet(self, config: Stored, live: Fleet | None, retained_except: set[str] | None) -> Fleet:
        """The fleet a config describes. With `retained_except` (RetainAllVariantProperties), the live
        fleet's capacity of same-named variants and its data capture are kept, except the
        properties named (ExcludeRetainedVariantProperties)."""
        request = config.request
        old = {v.name: v for v in live.production} if live else {}
        retain = retained_except is not None
        excluded = retained_except or set()

        def variant(spec: dict[str, Any]) -> Variant:
            instances = spec.get("InitialInstanceCount") if "ServerlessConfig" not in spec else None
            weight = float(spec.get("InitialVariantWeight", 1.0))
            previous = old.get(spec["VariantName"]) if retain else None
            if previous is not None:
                if "DesiredInstanceCount" not in excluded and previous.instances is not None:
                    instances = previous.instances
                if "DesiredWeight" not in excluded:
                    weight = previous.weight
            return Variant(spec, instances, weight, self._images(config.region, spec.get("ModelName")))

        data_capture = request.get("DataCaptureConfig")
        if retain and live is not None and "DataCaptureConfig" not in excluded:
            data_capture = live.data_capture
        return Fleet(
            config.name,
            request,
            [variant(spec) for spec in request["ProductionVariants"]],
            [variant(spec) for spec in request.get("ShadowProductionVariants", [])],
            data_capture,
        )

    def _models(self, region: str, fleet: Fleet) -> dict[str, dict[str, Any]]:
        """The create requests of the models a fleet's variants name (those that exist)."""
        models: dict[str, dict[str, Any]] = {}
        for variant in [*fleet.production, *fleet.shadow]:
            name = variant.spec.get("ModelName")
            model: Stored | None = self.stores["model"].get((region, str(name).lower())) if name else None
            if model is not None:
                models[str(name)] = model.request
        return models

    def _images(self, region: str, model_name: str | None) -> list[dict[str, Any]]:
        model: Stored | None = self.stores["model"].get((region, (model_name or "").lower()))
        images = [c["Image"] for c in model_containers(model.request) if c.get("Image")] if model else []
        return [
            {
                "SpecifiedImage": image,
                "ResolvedImage": f"{image.split(':')[0]}@sha256:{hashlib.sha256(image.encode()).hexdigest()}",
                "ResolutionTime": model.created if model else 0.0,
            }
            for image in images
        ]

    # --- tags ------------------------------------------------------------------------------------

    def add_tags(self, resource_arn: str, tags: Sequence[Mapping[str, str]]) -> dict[str, Any]:
        with self.changed:
            resource = self._by_arn(resource_arn)
            merged = {**resource.tags, **{tag["Key"]: tag.get("Value", "") for tag in tags}}
            if len(merged) > 50:
                raise validation_error(
                    f'Resource "{resource.arn}" would have {len(merged)} tags; a resource can have at most 50.'
                )
            resource.tags = merged
            return {"Tags": [dict(tag) for tag in tags]}

    def list_tags(self, resource_arn: str, request: Mapping[str, Any]) -> dict[str, Any]:
        with self.changed:
            resource = self._by_arn(resource_arn)
            tags = [{"Key": key, "Value": value} for key, value in resource.tags.items()]
            page, token = paginate(tags, request, default_size=50)
            return {"Tags": page, **({"NextToken": token} if token else {})}

    def delete_tags(self, resource_arn: str, keys: Iterable[str]) -> None:
        with self.changed:
            resource = self._by_arn(resource_arn)
            for key in keys:
                resource.tags.pop(key, None)

    # --- the state machine -----------------------------------------------------------------------

    def advance(self) -> None:
        """Apply every phase that has ended by now, on every endpoint."""
        with self.changed:
            now = self.clock()
            for endpoint in list(self.stores["endpoint"].values()):
                self._advance(endpoint, now)

    def next_due(self) -> float | None:
        """When `advance` next has something to do: a phase ends, a deadline passes, or (while a
        deployment with alarms bakes) the next alarm poll."""
        with self.changed:
            now = self.clock()
            due: list[float] = []
            for endpoint in self.stores["endpoint"].values():
                task = endpoint.task
                if task is None:
                    continue
                due.append(task.phase_started + task.phase.seconds)
                if task.deadline is not None:
                    due.append(task.deadline)
                if task.phase.bakes and self._alarms(endpoint, task):
                    due.append(now + ALARM_POLL_SECONDS)
            return min(due) if due else None

    def _alarms(self, endpoint: Endpoint, task: Task) -> list[str]:
        rollback = (task.deployment or {}).get("AutoRollbackConfiguration") or {}
        return [alarm["AlarmName"] for alarm in rollback.get("Alarms", [])]

    def _advance(self, endpoint: Endpoint, now: float) -> None:
        while endpoint.task is not None:
            task = endpoint.task
            phase = task.phase
            end = task.phase_started + phase.seconds
            if task.deadline is not None and task.deadline <= min(now, end):
                self._fail(
                    endpoint,
                    task.deadline,
                    "The deployment did not finish within MaximumExecutionTimeoutInSeconds "
                    f"({execution_timeout(task.deployment)} seconds) and was rolled back.",
                )
                continue
            if phase.bakes:
                alarms = self._alarms(endpoint, task)
                firing = [name for name in alarms if self.world.alarm_firing(endpoint.region, name)]
                if firing:
                    self._fail(
                        endpoint,
                        max(task.phase_started, min(now, end)),
                        f"The deployment was rolled back because CloudWatch alarm(s) {firing} "
                        "went into ALARM state while it was baking.",
                    )
                    continue
            if end > now:
                return
            if phase.checks_model_data and task.target is not None:
                reason = self._missing_model_data(endpoint.region, task.target)
                if reason:
                    self._fail(endpoint, end, reason)
                    continue
            task.provisioned = phase.provisioned
            if task.index + 1 < len(task.phases):
                task.index += 1
                task.phase_started = end
                if task.kind == "update":
                    self._event(endpoint, end, task.phase.stage)
            else:
                self._finish(endpoint, end)

    def _missing_model_data(self, region: str, fleet: Fleet) -> str | None:
        for variant in [*fleet.production, *fleet.shadow]:
            model_name = variant.spec.get("ModelName")
            if not model_name:
                continue
            model: Stored | None = self.stores["model"].get((region, model_name.lower()))
            if model is None:
                return f'Could not find model "{self._arn("model", region, model_name)}".'
            for index, container in enumerate(model_containers(model.request), start=1):
                location = model_data_location(container)
                if location and not self.world.s3_exists(*location):
                    return download_failure(index, location[0])
        return None

    def _finish(self, endpoint: Endpoint, at: float) -> None:
        task = endpoint.task
        assert task is not None
        endpoint.task = None
        if task.kind == "delete":
            del self.stores["endpoint"][(endpoint.region, endpoint.name.lower())]
            self._set_status(endpoint, DELETED, at)
            return
        if task.kind in ("create", "update"):
            endpoint.live = task.target
            endpoint.failure_reason = None
            endpoint.stranded = None
        elif task.kind == "capacity":
            assert endpoint.live is not None
            for variant in endpoint.live.production:
                variant.instances, variant.weight = task.capacity.get(variant.name, (variant.instances, variant.weight))
        elif task.kind == "rollback":
            endpoint.failure_reason = task.failure
            if task.rollback_fails:
                self._set_status(endpoint, UPDATE_ROLLBACK_FAILED, at)
                return
        self._set_status(endpoint, IN_SERVICE, at)

    def _fail(self, endpoint: Endpoint, at: float, reason: str) -> None:
        """A create ends Failed; an update is rolled back to the fleet it replaces."""
        task = endpoint.task
        assert task is not None
        if task.kind != "update":
            endpoint.task = None
            endpoint.failure_reason = reason
            self._set_status(endpoint, FAILED, at)
            return
        assert endpoint.live is not None
        instances = task.target.instances if task.target else 1
        seconds = rollback_seconds(task.deployment, instances, task.provisioned, self.settings)
        old_config = endpoint.live.config_name
        rolling = bool((task.deployment or {}).get("RollingUpdatePolicy"))
        endpoint.task = Task(
            "rollback",
            [Phase(ROLLING_BACK, seconds)],
            at,
            at,
            failure=reason,
            # A rolling rollback re-provisions the old config's instances, so it needs that config.
            rollback_fails=rolling
            and task.provisioned > 0
            and (endpoint.region, old_config.lower()) not in self.stores["endpoint-config"],
        )
        if endpoint.task.rollback_fails and task.target is not None and task.index:
            endpoint.stranded = (task.target, task.phases[task.index - 1].traffic)
        # The reason is there from the moment the rollback begins, so a poller (the SDK's waiter
        # reports "Reason: ...") sees why while the endpoint is RollingBack, not only afterwards.
        endpoint.failure_reason = reason
        endpoint.config_name = old_config
        self._set_status(endpoint, ROLLING_BACK, at)

    def _set_status(self, endpoint: Endpoint, status: str, at: float) -> None:
        endpoint.status = status
        endpoint.modified = at
        self._event(endpoint, at)

    def _event(self, endpoint: Endpoint, at: float, stage: str | None = None) -> None:
        event = {
            "time": at,
            "name": endpoint.name,
            "status": endpoint.status,
            "endpoint_config_name": endpoint.config_name,
        }
        self.events.append(event if stage is None else {**event, "stage": stage})

    # --- describing ------------------------------------------------------------------------------

    def _describe(self, endpoint: Endpoint) -> dict[str, Any]:
        task = endpoint.task
        described: dict[str, Any] = {
            "EndpointName": endpoint.name,
            "EndpointArn": endpoint.arn,
            "EndpointConfigName": endpoint.config_name,
            "EndpointStatus": endpoint.status,
            "CreationTime": endpoint.created,
            "LastModifiedTime": endpoint.modified,
        }
        creating = task is not None and task.kind == "create"
        fleet = task.target if creating and task is not None else endpoint.live
        if fleet is not None:
            capacity = task.capacity if task is not None else {}
            stage = [{"Status": task.phase.stage, "StartTime": task.phase_started}] if task and creating else None
            described["ProductionVariants"] = [
                variant_summary(v, live=not creating, desired=capacity.get(v.name), status=stage)
                for v in fleet.production
            ]
            if fleet.shadow:
                described["ShadowProductionVariants"] = [
                    variant_summary(v, live=not creating, desired=None, status=stage) for v in fleet.shadow
                ]
            if fleet.data_capture:
                described["DataCaptureConfig"] = data_capture_summary(fleet.data_capture)
            for key in ("AsyncInferenceConfig", "ExplainerConfig", "MetricsConfig"):
                if key in fleet.config:
                    described[key] = fleet.config[key]
        if endpoint.failure_reason:
            described["FailureReason"] = endpoint.failure_reason
        if endpoint.deployment_config:
            described["LastDeploymentConfig"] = endpoint.deployment_config
        if task is not None and task.kind == "update" and task.target is not None:
            described["PendingDeploymentSummary"] = pending_summary(task)
        return described

    def _list(
        self, kind: str, region: str, request: Mapping[str, Any], key: str, name_key: str, arn_key: str
    ) -> dict[str, Any]:
        resources = [r for (r_region, _), r in self.stores[kind].items() if r_region == region]
        contains = (request.get("NameContains") or "").lower()
        bounds: dict[str, Callable[[Any, Any], bool]] = {
            "CreationTimeBefore": lambda r, t: r.created < t,
            "CreationTimeAfter": lambda r, t: r.created > t,
            "LastModifiedTimeBefore": lambda r, t: r.modified < t,
            "LastModifiedTimeAfter": lambda r, t: r.modified > t,
            "StatusEquals": lambda r, status: r.status == status,
        }
        selected = [
            r
            for r in resources
            if contains in r.name.lower() and all(test(r, request[b]) for b, test in bounds.items() if b in request)
        ]
        sort_key: Callable[[Any], Any] = {
            "Name": lambda r: r.name,
            "Status": lambda r: r.status,
        }.get(request.get("SortBy", "CreationTime"), lambda r: r.created)
        selected.sort(key=sort_key, reverse=request.get("SortOrder", "Descending") == "Descending")
        summaries = []
        for r in selected:
            summary = {name_key: r.name, arn_key: r.arn, "CreationTime": r.created}
            if kind == "endpoint":
                summary |= {"LastModifiedTime": r.modified, "EndpointStatus": r.status}
            summaries.append(summary)
        page, token = paginate(summaries, request, default_size=10)
        return {key: page, **({"NextToken": token} if token else {})}


def paginate(items: list[Any], request: Mapping[str, Any], default_size: int) -> tuple[list[Any], str | None]:
    """One page of `items` from the request's NextToken (an offset) and MaxResults."""
    token = request.get("NextToken")
    try:
        start = int(token) if token else 0
    except ValueError:
        raise validation_error(f"Invalid pagination token: {token}") from None
    end = start + int(request.get("MaxResults") or default_size)
    return items[start:end], (str(end) if end < len(items) else None)


def variant_summary(
    variant: Variant,
    live: bool,
    desired: tuple[int | None, float] | None,
    status: list[dict[str, Any]] | None,
) -> dict[str, Any]:
    """A ProductionVariantSummary: live capacity (Current*) and what it is moving to (Desired*)."""
    instances, weight = desired or (variant.instances, variant.weight)
    summary: dict[str, Any] = {"VariantName": variant.name}
    if live:
        summary["DeployedImages"] = variant.images
        summary["CurrentWeight"] = variant.weight
    summary["DesiredWeight"] = weight
    if "ServerlessConfig" in variant.spec:
        if live:
            summary["CurrentServerlessConfig"] = variant.spec["ServerlessConfig"]
        summary["DesiredServerlessConfig"] = variant.spec["ServerlessConfig"]
    else:
        if live:
            summary["CurrentInstanceCount"] = variant.instances
        summary["DesiredInstanceCount"] = instances
    for key in ("ManagedInstanceScaling", "RoutingConfig"):
        if key in variant.spec:
            summary[key] = variant.spec[key]
    if desired is not None:
        summary["VariantStatus"] = [{"Status": UPDATING}]
    elif status:
        summary["VariantStatus"] = status
    return summary


def pending_summary(task: Task) -> dict[str, Any]:
    """PendingDeploymentSummary of an update: the new config and its variants' progress."""
    assert task.target is not None
    status = [{"Status": task.phase.stage, "StartTime": task.phase_started}]

    def pending(variant: Variant) -> dict[str, Any]:
        summary: dict[str, Any] = {
            "VariantName": variant.name,
            "DeployedImages": variant.images,
            "CurrentWeight": variant.weight * (task.phases[task.index - 1].traffic if task.index else 0.0),
            "DesiredWeight": variant.weight,
            "VariantStatus": status,
        }
        if variant.instances is not None:
            summary["CurrentInstanceCount"] = math.floor(variant.instances * task.provisioned)
            summary["DesiredInstanceCount"] = variant.instances
        for key in ("InstanceType", "AcceleratorType", "ManagedInstanceScaling", "RoutingConfig"):
            if key in variant.spec:
                summary[key] = variant.spec[key]
        if "ServerlessConfig" in variant.spec:
            summary["DesiredServerlessConfig"] = variant.spec["ServerlessConfig"]
        return summary

    summary: dict[str, Any] = {
        "EndpointConfigName": task.target.config_name,
        "StartTime": task.started,
        "ProductionVariants": [pending(v) for v in task.target.production],
    }
    if task.target.shadow:
        summary["ShadowProductionVariants"] = [pending(v) for v in task.target.shadow]
    return summary


def data_capture_summary(config: Mapping[str, Any]) -> dict[str, Any]:
    enabled = config.get("EnableCapture", True)
    summary = {
        "EnableCapture": enabled,
        "CaptureStatus": "Started" if enabled else "Stopped",
        "CurrentSamplingPercentage": config["InitialSamplingPercentage"],
        "DestinationS3Uri": config["DestinationS3Uri"],
    }
    # KmsKeyId is a required member of DataCaptureConfigSummary in botocore's output shape. What AWS
    # returns when the config set none is not documented (moto's DescribeEndpoint echoes the config's
    # DataCaptureConfig as given, so it has none either); the emulator returns an empty string, the
    # least it can send for a required string member.
    summary["KmsKeyId"] = config.get("KmsKeyId", "")
    return summary


class Driver:
    """Advances the backend in the background, waking when a phase ends, a deadline passes or an
    alarm is due to be polled, so status changes happen (and are recorded) on time without calls."""

    def __init__(self, backend: HostingBackend) -> None:
        self.backend = backend
        self.stopping = False
        self.thread = threading.Thread(target=self._run, name="hosting-driver", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        with self.backend.changed:
            self.stopping = True
            self.backend.changed.notify_all()
        self.thread.join()

    def _run(self) -> None:
        backend = self.backend
        with backend.changed:
            while not self.stopping:
                backend.advance()
                due = backend.next_due()
                backend.changed.wait(None if due is None else max(0.0, due - backend.clock()))
