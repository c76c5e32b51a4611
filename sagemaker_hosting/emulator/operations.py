"""The hosting operations: what each SageMaker call does to the emulator's state.

Requests reach them already validated against the service model (see `responses.py`), in API form
(PascalCase members, times as epoch seconds). moto 5.2's SageMaker backend has no UpdateEndpoint,
makes endpoints InService instantly, lets duplicates overwrite and drops many members, so hosting is
written here: the operations check the documented rules (`rules.py`), plan the work (`plans.py`) and
hand it to the state machine (`states.py`); responses are rendered by `rendering.py`. S3, CloudWatch
and Application Auto Scaling are moto's backends, read through `world.py`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sagemaker_hosting.emulator import plans, rules
from sagemaker_hosting.emulator.plans import Task
from sagemaker_hosting.emulator.rendering import describe_endpoint, list_resources, paginate, serving_of
from sagemaker_hosting.emulator.resources import (
    ACCOUNT,
    KIND_WORDS,
    Fleet,
    Resource,
    Serving,
    Stored,
    Variant,
    arn,
    download_failure,
    instance_counts,
    model_containers,
    model_data_location,
    not_found,
    timestamp,
    validation_error,
)
from sagemaker_hosting.emulator.settings import Settings
from sagemaker_hosting.emulator.states import DELETE, IN_PROGRESS, TRANSITIONS, UPDATE, Endpoint, Machine
from sagemaker_hosting.emulator.world import World

Store = dict[tuple[str, str], Any]
"""The resources of one kind, by (region, lowercased name): SageMaker names are case-insensitive."""


class HostingBackend:
    """All hosting state of one account (every region), guarded by one lock, `changed`: the stored
    models and configs, and the endpoints' state machine, which it holds (`machine`)."""

    def __init__(
        self,
        world: World,
        clock: Callable[[], float] = time.time,
        settings: Settings | None = None,
        account: str = ACCOUNT,
        changed: threading.Condition | None = None,
    ) -> None:
        self.world = world
        self.clock = clock
        self.settings = settings or Settings()
        self.account = account
        self.changed = changed or threading.Condition(threading.RLock())
        """Held by every operation (shared by every account's backend of a server)."""
        self.machine = Machine(self, clock, self.changed)
        self.stores: dict[str, Store] = {"model": {}, "endpoint-config": {}, "endpoint": self.machine.endpoints}

    @property
    def events(self) -> list[dict[str, Any]]:
        """Every endpoint status change, in order (the machine's)."""
        return self.machine.events

    def advance(self) -> None:
        self.machine.advance()

    def next_due(self) -> float | None:
        return self.machine.next_due()

    def reset(self) -> None:
        """Empty the stores: moto's reset calls this, under its backend lock, before it drops the
        backend. Without `changed`: an operation holding it may be waiting for moto's lock."""
        for store in self.stores.values():
            store.clear()
        self.events.clear()

    # --- what the machine asks (`states.Surroundings`) --------------------------------------------

    def alarm_firing(self, region: str, name: str) -> bool:
        return self.world.alarm_firing(region, name)

    def has_config(self, region: str, name: str) -> bool:
        return (region, name.lower()) in self.stores["endpoint-config"]

    def missing_model_data(self, region: str, fleet: Fleet) -> str | None:
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

    # --- lookups ---------------------------------------------------------------------------------

    def _arn(self, kind: str, region: str, name: str) -> str:
        return arn(kind, region, name, self.account)

    def _get(self, kind: str, region: str, name: str, visible_only: bool = True) -> Any:
        """The resource, or "Could not find"; with `visible_only`, a resource younger than the
        consistency delay is not found either (an eventually consistent read)."""
        resource = self.stores[kind].get((region, name.lower()))
        delay = self.settings.consistency_delay_seconds
        if resource is None or (visible_only and timestamp(self.clock()) < resource.created + delay):
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
        return self._described("model", region, name, "ModelArn")

    def delete_model(self, region: str, name: str) -> None:
        self._delete("model", region, name)

    def list_models(self, region: str, request: Mapping[str, Any]) -> dict[str, Any]:
        with self.changed:
            return self._list("model", region, request, "Models", "ModelName", "ModelArn")

    def _described(self, kind: str, region: str, name: str, arn_key: str) -> dict[str, Any]:
        """A stored model's or config's Describe answer: its request, ARN and creation time."""
        with self.changed:
            stored: Stored = self._get(kind, region, name)
            return {**stored.request, arn_key: stored.arn, "CreationTime": stored.created}

    def _delete(self, kind: str, region: str, name: str) -> None:
        """Delete a stored model or config, visible to reads yet or not ("Could not find" if none)."""
        with self.changed:
            self._get(kind, region, name, visible_only=False)
            del self.stores[kind][(region, name.lower())]

    def _stored(self, kind: str, region: str, name: str, request: Mapping[str, Any]) -> Stored:
        body = {key: value for key, value in request.items() if key != "Tags"}
        stored = Stored(kind, region, name, self._arn(kind, region, name), timestamp(self.clock()), request=body)
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
        return self._described("endpoint-config", region, name, "EndpointConfigArn")

    def delete_endpoint_config(self, region: str, name: str) -> None:
        """Succeeds even while an endpoint uses the config, as in AWS: the endpoint keeps running."""
        self._delete("endpoint-config", region, name)

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
            now = timestamp(self.clock())
            endpoint = Endpoint("endpoint", region, name, self._arn("endpoint", region, name), now, modified=now)
            if (region, name.lower()) in self.stores["endpoint"]:
                self._add(endpoint)  # raises "already existing"
            config: Stored = self._get("endpoint-config", region, request["EndpointConfigName"])
            endpoint.tags = {tag["Key"]: tag.get("Value", "") for tag in request.get("Tags") or []}
            endpoint.config_name = config.name
            endpoint.deployment_config = request.get("DeploymentConfig")
            target = self._fleet(config, None, None)
            rules.check_feature_exclusions(target, self._models(region, target))
            rules.check_quota(
                self.stores["endpoint"].values(), region, int(self.settings.instance_quota), instance_counts(target)
            )
            endpoint.task = Task("create", plans.create_phases(self.settings), now, now, target=target)
            self._add(endpoint)
            self.machine.record(endpoint, now)
            self.changed.notify_all()
            return {"EndpointArn": endpoint.arn}

    def describe_endpoint(self, region: str, name: str) -> dict[str, Any]:
        with self.changed:
            self.advance()
            endpoint: Endpoint = self._get("endpoint", region, name)
            return describe_endpoint(endpoint)

    def update_endpoint(self, region: str, request: Mapping[str, Any]) -> dict[str, Any]:
        with self.changed:
            self.advance()
            endpoint = self._endpoint_for(UPDATE, region, request["EndpointName"])
            config: Stored = self._get("endpoint-config", region, request["EndpointConfigName"])
            assert endpoint.live is not None
            excluded = (
                {p["VariantPropertyType"] for p in request.get("ExcludeRetainedVariantProperties") or []}
                if request.get("RetainAllVariantProperties")
                else None
            )
            changed = rules.instance_type_changes(endpoint.live, config.request)
            if changed:  # Application Auto Scaling is asked only then
                registered = self.world.scaled_variants(region, endpoint.name)
                rules.check_scaled_instance_types(endpoint.arn, changed, registered)
            target = self._fleet(config, endpoint.live, excluded)
            retained = request.get("RetainDeploymentConfig")
            deployment = endpoint.deployment_config if retained else request.get("DeploymentConfig")
            rules.check_serverless_one_way(endpoint.live, target)
            rules.check_fixed_layouts(endpoint.live, target)
            rules.check_feature_exclusions(target, self._models(region, target))
            guarded = rules.guarded_deployment(deployment, endpoint.live, target)
            rules.check_quota(
                self.stores["endpoint"].values(),
                region,
                int(self.settings.instance_quota),
                plans.extra_instances(guarded, target),
            )
            if deployment:
                endpoint.deployment_config = deployment
            now = self.clock()
            timeout = plans.execution_timeout(guarded)
            task = Task(
                "update",
                plans.update_phases(guarded, target.instances, self.settings),
                now,
                now,
                target=target,
                deadline=None if timeout is None else now + timeout * self.settings.time_scale,
                deployment=guarded,
            )
            endpoint.config_name = config.name
            self.machine.start(endpoint, UPDATE, task)
            self.machine.record(endpoint, now, task.phase.stage)
            return {"EndpointArn": endpoint.arn}

    def update_endpoint_weights_and_capacities(self, region: str, request: Mapping[str, Any]) -> dict[str, Any]:
        with self.changed:
            self.advance()
            endpoint = self._endpoint_for(UPDATE, region, request["EndpointName"])
            assert endpoint.live is not None
            capacity = rules.desired_capacity(endpoint.arn, endpoint.live, request["DesiredWeightsAndCapacities"])
            now = self.clock()
            self.machine.start(
                endpoint, UPDATE, Task("capacity", plans.capacity_phases(self.settings), now, now, capacity=capacity)
            )
            return {"EndpointArn": endpoint.arn}

    def delete_endpoint(self, region: str, name: str) -> None:
        with self.changed:
            self.advance()
            endpoint = self._endpoint_for(DELETE, region, name)
            # Developer Guide, "Delete endpoints configured for auto scaling" (endpoint-delete-with-
            # scaling): Application Auto Scaling "deregisters those models as scalable targets without
            # notifying you" (given the caller may; the emulator checks no IAM).
            self.world.deregister_scaled_variants(region, endpoint.name)
            now = self.clock()
            self.machine.start(endpoint, DELETE, Task("delete", plans.delete_phases(self.settings), now, now))

    def serving(self, region: str, name: str) -> Serving | None:
        """The endpoint's status and the variants taking its traffic (`rendering.serving_of`), or
        None: no such endpoint. Whether a status may serve is the data plane's decision."""
        with self.changed:
            self.advance()
            endpoint: Endpoint | None = self.stores["endpoint"].get((region, name.lower()))
            return None if endpoint is None else serving_of(endpoint)

    def list_endpoints(self, region: str, request: Mapping[str, Any]) -> dict[str, Any]:
        with self.changed:
            self.advance()
            return self._list("endpoint", region, request, "Endpoints", "EndpointName", "EndpointArn")

    def _check_quota(self, region: str, requested: Mapping[str, int]) -> None:
        rules.check_quota(self.stores["endpoint"].values(), region, int(self.settings.instance_quota), requested)

    def _endpoint_for(self, event: str, region: str, name: str) -> Endpoint:
        """The endpoint, if `event` ("update" or "delete") may happen in its status (`TRANSITIONS`).
        A delete finds an endpoint still inside the consistency window; an update does not."""
        endpoint: Endpoint = self._get("endpoint", region, name, visible_only=event != DELETE)
        if (endpoint.status, event) in TRANSITIONS:
            return endpoint
        if endpoint.status in IN_PROGRESS:
            raise validation_error(f'Cannot {event} in-progress endpoint "{endpoint.arn}".')
        raise validation_error(f'Cannot {event} endpoint "{endpoint.arn}" in status {endpoint.status}.')

    def _fleet(self, config: Stored, live: Fleet | None, retained_except: set[str] | None) -> Fleet:
        """The fleet a config describes. With `retained_except` (RetainAllVariantProperties), the live
        fleet's capacity of same-named variants and its data capture are kept, except the
        properties named (ExcludeRetainedVariantProperties)."""
        request = config.request
        old = {v.name: v for v in live.production} if live else {}
        retain = retained_except is not None
        excluded = retained_except or set()

        def variant(spec: dict[str, Any]) -> Variant:
            model: Stored | None = self.stores["model"].get((config.region, str(spec.get("ModelName", "")).lower()))
            images = [c["Image"] for c in model_containers(model.request) if c.get("Image")] if model else []
            deployed = Variant.deployed(spec, images, model.created if model else 0.0)
            previous = old.get(spec["VariantName"]) if retain else None
            if previous is not None:
                if "DesiredInstanceCount" not in excluded and previous.instances is not None:
                    deployed.instances = previous.instances
                if "DesiredWeight" not in excluded:
                    deployed.weight = previous.weight
            return deployed

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

    def _list(
        self, kind: str, region: str, request: Mapping[str, Any], key: str, name_key: str, arn_key: str
    ) -> dict[str, Any]:
        resources = [r for (r_region, _), r in self.stores[kind].items() if r_region == region]
        return list_resources(resources, request, key, name_key, arn_key)

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
