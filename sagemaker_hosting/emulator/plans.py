"""Deployment plans (pure): the timed phases an operation on an endpoint goes through, as its
DeploymentConfig dictates, and the task that walks through them. `states.py` runs them."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sagemaker_hosting.emulator.resources import Fleet, instance_counts
from sagemaker_hosting.emulator.settings import Settings

# The stages of a fleet in an operation: VariantStatus values of the service model, and RollingBack,
# the one phase of a rollback (the event log's name for it; the endpoint stays Updating).
CREATING, UPDATING, DELETING = "Creating", "Updating", "Deleting"
ACTIVATING, BAKING = "ActivatingTraffic", "Baking"
ROLLING_BACK = "RollingBack"


@dataclass(frozen=True)
class Phase:
    """One timed step of an operation on an endpoint."""

    stage: str
    """What the new fleet is doing: a VariantStatus (Creating, ActivatingTraffic, Baking, Deleting,
    Updating), or RollingBack (a rollback)."""
    seconds: float
    provisioned: float = 0.0
    """Share of the new fleet running once this phase has ended."""
    traffic: float = 0.0
    """Share of traffic on the new fleet once this phase has ended."""
    retired: float = 0.0
    """Share of the old fleet's instances terminated once this phase has ended."""
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
    No DeploymentConfig: provision, shift everything, terminate, no baking. Shifting traffic and
    terminating instances take `stage_seconds` (a bake takes what the config says), so that a poller
    sees each stage.
    """
    scale = settings.time_scale

    def step(stage: str, provisioned: float, traffic: float, retired: float = 0.0) -> Phase:
        return Phase(stage, settings.stage_seconds, provisioned, traffic, retired)

    rolling = (deployment or {}).get("RollingUpdatePolicy")
    if rolling:
        batch = batch_instances(rolling["MaximumBatchSize"], instances)
        wait = rolling["WaitIntervalInSeconds"] * scale
        phases: list[Phase] = []
        before = 0.0
        for replaced in range(batch, instances + batch, batch):
            done = min(replaced, instances) / instances
            phases += [
                Phase(CREATING, settings.update_seconds, done, before, before, checks_model_data=True),
                step(ACTIVATING, done, done, retired=before),
                Phase(BAKING, wait, done, done, before, bakes=True),
                step(DELETING, done, done, retired=done),
            ]
            before = done
        return phases
    provision = Phase(CREATING, settings.update_seconds, 1.0, 0.0, checks_model_data=True)
    blue_green = (deployment or {}).get("BlueGreenUpdatePolicy")
    if not blue_green:
        return [provision, step(ACTIVATING, 1.0, 1.0), step(DELETING, 1.0, 1.0, retired=1.0)]
    routing = blue_green["TrafficRoutingConfiguration"]
    wait = routing["WaitIntervalInSeconds"] * scale
    if routing["Type"] == "CANARY":
        shares = [capacity_share(routing["CanarySize"], instances)]
    elif routing["Type"] == "LINEAR":
        share = capacity_share(routing["LinearStepSize"], instances)
        shares = [share * n for n in range(1, math.ceil(1 / share - 1e-9))]
    else:
        shares = []
    phases = [provision]
    for share in shares:
        phases += [step(ACTIVATING, 1.0, share), Phase(BAKING, wait, 1.0, share, bakes=True)]
    termination = blue_green.get("TerminationWaitInSeconds", 0) * scale
    return [
        *phases,
        step(ACTIVATING, 1.0, 1.0),
        Phase(BAKING, termination, 1.0, 1.0, bakes=True),
        step(DELETING, 1.0, 1.0, retired=1.0),
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


def capacity_phases(settings: Settings) -> list[Phase]:
    """UpdateEndpointWeightsAndCapacities: one step that applies the new weights and counts."""
    return [Phase(UPDATING, settings.update_seconds, 1.0, 1.0)]


def delete_phases(settings: Settings) -> list[Phase]:
    return [Phase(DELETING, settings.delete_seconds)]


def rollback_phases(
    deployment: Mapping[str, Any] | None, instances: int, provisioned: float, s: Settings
) -> list[Phase]:
    return [Phase(ROLLING_BACK, rollback_seconds(deployment, instances, provisioned, s))]


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

    @property
    def ended(self) -> Phase | None:
        """The last phase that has ended (None while the first runs): what has been done so far."""
        return self.phases[self.index - 1] if self.index else None

    @property
    def shifted(self) -> float:
        """Share of traffic on the new fleet now."""
        return self.ended.traffic if self.ended else 0.0

    @property
    def retired(self) -> float:
        """Share of the old fleet's instances terminated so far."""
        return self.ended.retired if self.ended else 0.0


def extra_instances(deployment: Mapping[str, Any] | None, target: Fleet) -> dict[str, int]:
    """Instances an update runs beside the old fleet: the whole green fleet, or one rolling batch."""
    counts = instance_counts(target)
    rolling = (deployment or {}).get("RollingUpdatePolicy")
    if not rolling:
        return counts
    batch = batch_instances(rolling["MaximumBatchSize"], target.instances)
    return {instance_type: min(count, batch) for instance_type, count in counts.items()}
