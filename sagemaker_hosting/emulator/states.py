"""The endpoint state machine: EndpointStatus, the one table of its transitions, and the clockwork
that walks an endpoint's task through its timed phases (`plans.py`).

    CreateEndpoint ─► Creating ──failed──► Failed ──────────────────────────┐
                         │ finished                                        │
                         ▼                                                 │
                     InService ◄────────────┐                              │
                         │ UpdateEndpoint,  │ finished (a rollback too:    │
                         │ UpdateEndpoint-  │ the old config, FailureReason)
                         ▼ WeightsAndCapacities                            │
                      Updating ─────────────┘                              │
                       │    ▲ failed: rolling back, still Updating         │
                       │    └─┘                                            │
                       │ rollback failed                                   │
                       ▼                                                   │
               UpdateRollbackFailed                                        │
                       │                                                   │
    InService, Failed, UpdateRollbackFailed ── DeleteEndpoint ──► Deleting ──finished──► (gone)

"finished", "failed" and "rollback failed" happen when a task's last phase ends or it fails (missing
model data, an alarm while baking, MaximumExecutionTimeoutInSeconds; a rolling rollback that cannot
restore the old fleet); the operations request "update" and "delete". A failed UpdateEndpoint rolls
back as Updating: the service model documents RollingBack as a status that "only applies to an
endpoint that has autoscaling enabled and is undergoing variant weight or capacity changes as part
of an UpdateEndpointWeightsAndCapacities call", which the emulator never fails, so it never shows
RollingBack. The rollback is in the event log as a stage, "RollingBack". Time comes from an injected
clock: `advance()` applies every phase that has ended by "now", and every operation advances first,
so a Describe sees a finished step at once; `Driver` advances in the background too, so status
changes (`events`) are recorded at their exact times and CloudWatch alarms are polled while a
deployment bakes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from sagemaker_hosting.emulator import plans
from sagemaker_hosting.emulator.plans import Task, execution_timeout
from sagemaker_hosting.emulator.resources import Fleet, Resource, timestamp
from sagemaker_hosting.emulator.settings import Settings

# EndpointStatus values of the service model, and the event of an endpoint that is gone.
CREATING, UPDATING, IN_SERVICE = "Creating", "Updating", "InService"
DELETING, FAILED, UPDATE_ROLLBACK_FAILED = "Deleting", "Failed", "UpdateRollbackFailed"
DELETED = "Deleted"
"""Not an EndpointStatus: the event recorded when a deleted endpoint is gone."""

# What moves an endpoint: its task ends ("finished", "failed", "rollback failed") or an operation asks
# ("update", "delete").
FINISHED, FAILS, ROLLBACK_FAILS, UPDATE, DELETE = "finished", "failed", "rollback failed", "update", "delete"

TRANSITIONS: Mapping[tuple[str, str], str] = {
    (CREATING, FINISHED): IN_SERVICE,
    (CREATING, FAILS): FAILED,
    (IN_SERVICE, UPDATE): UPDATING,
    (UPDATING, FINISHED): IN_SERVICE,
    (UPDATING, FAILS): UPDATING,
    (UPDATING, ROLLBACK_FAILS): UPDATE_ROLLBACK_FAILED,
    (IN_SERVICE, DELETE): DELETING,
    (FAILED, DELETE): DELETING,
    (UPDATE_ROLLBACK_FAILED, DELETE): DELETING,
    (DELETING, FINISHED): DELETED,
}
"""(status, event) -> the next status. An event not listed for a status cannot happen in it."""

IN_PROGRESS = frozenset(status for status, event in TRANSITIONS if event == FINISHED)
"""Statuses with an operation running (SageMaker refuses updates and deletes of these as
"in-progress")."""

ALARM_POLL_SECONDS = 0.05
"""How often alarms are polled while a deployment bakes (SageMaker polls them continuously)."""


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


class Surroundings(Protocol):
    """What the machine asks of the backend that holds it (`operations.HostingBackend`)."""

    settings: Settings

    def alarm_firing(self, region: str, name: str) -> bool:
        """Whether the CloudWatch alarm `name` is in ALARM state."""

    def missing_model_data(self, region: str, fleet: Fleet) -> str | None:
        """Why the fleet's models cannot be loaded (a model or its data missing), or None."""

    def has_config(self, region: str, name: str) -> bool:
        """Whether the endpoint config still exists."""


class Machine:
    """Every endpoint's state, moved by the table: the backend that holds it starts tasks, `advance`
    runs them. Its endpoints and events are guarded by the holder's lock, `changed`."""

    def __init__(self, surroundings: Surroundings, clock: Callable[[], float], changed: threading.Condition) -> None:
        self.surroundings = surroundings
        self.clock = clock
        self.changed = changed
        """Held by every operation; notified when an operation starts, for `Driver`."""
        self.endpoints: dict[tuple[str, str], Endpoint] = {}
        self.events: list[dict[str, Any]] = []

    def advance(self) -> None:
        """Apply every phase that has ended by now, on every endpoint."""
        with self.changed:
            now = self.clock()
            for endpoint in list(self.endpoints.values()):
                self._advance(endpoint, now)

    def next_due(self) -> float | None:
        """When `advance` next has something to do: a phase ends, a deadline passes, or (while a
        deployment with alarms bakes) the next alarm poll."""
        with self.changed:
            now = self.clock()
            due: list[float] = []
            for endpoint in self.endpoints.values():
                task = endpoint.task
                if task is None:
                    continue
                due.append(task.phase_started + task.phase.seconds)
                if task.deadline is not None:
                    due.append(task.deadline)
                if task.phase.bakes and self._alarms(task):
                    due.append(now + ALARM_POLL_SECONDS)
            return min(due) if due else None

    def start(self, endpoint: Endpoint, event: str, task: Task) -> None:
        """Begin an operation the caller asked for (`event` must be allowed in the endpoint's status)."""
        endpoint.task = task
        self._move(endpoint, event, task.started)
        self.changed.notify_all()

    def _alarms(self, task: Task) -> list[str]:
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
                alarms = self._alarms(task)
                firing = [name for name in alarms if self.surroundings.alarm_firing(endpoint.region, name)]
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
                reason = self.surroundings.missing_model_data(endpoint.region, task.target)
                if reason:
                    self._fail(endpoint, end, reason)
                    continue
            task.provisioned = phase.provisioned
            if task.index + 1 < len(task.phases):
                task.index += 1
                task.phase_started = end
                if task.kind == "update":
                    self.record(endpoint, end, task.phase.stage, task.phase.traffic)
            else:
                self._finish(endpoint, end)

    def _finish(self, endpoint: Endpoint, at: float) -> None:
        task = endpoint.task
        assert task is not None
        endpoint.task = None
        if task.kind == "delete":
            # pop: moto's reset may have emptied the store meanwhile (`HostingBackend.reset` takes no lock)
            self.endpoints.pop((endpoint.region, endpoint.name.lower()), None)
        elif task.kind in ("create", "update"):
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
                self._move(endpoint, ROLLBACK_FAILS, at)
                return
        self._move(endpoint, FINISHED, at)

    def _fail(self, endpoint: Endpoint, at: float, reason: str) -> None:
        """A create ends Failed; an update is rolled back to the fleet it replaces."""
        task = endpoint.task
        assert task is not None
        if task.kind != "update":
            endpoint.task = None
            endpoint.failure_reason = reason
            self._move(endpoint, FAILS, at)
            return
        assert endpoint.live is not None
        instances = task.target.instances if task.target else 1
        old_config = endpoint.live.config_name
        rolling = bool((task.deployment or {}).get("RollingUpdatePolicy"))
        endpoint.task = Task(
            "rollback",
            plans.rollback_phases(task.deployment, instances, task.provisioned, self.surroundings.settings),
            at,
            at,
            failure=reason,
            # A rolling rollback re-provisions the old config's instances, so it needs that config.
            rollback_fails=rolling
            and task.provisioned > 0
            and not self.surroundings.has_config(endpoint.region, old_config),
        )
        if endpoint.task.rollback_fails and task.target is not None and task.ended:
            endpoint.stranded = (task.target, task.shifted)
        # The reason is there from the moment the rollback begins, so a poller (the SDK's waiter
        # reports "Reason: ...") sees why while the endpoint rolls back, not only afterwards.
        endpoint.failure_reason = reason
        endpoint.config_name = old_config
        self._move(endpoint, FAILS, at, stage=plans.ROLLING_BACK)

    def _move(self, endpoint: Endpoint, event: str, at: float, stage: str | None = None) -> None:
        endpoint.status = TRANSITIONS[(endpoint.status, event)]
        endpoint.modified = timestamp(at)
        self.record(endpoint, at, stage)

    def record(self, endpoint: Endpoint, at: float, stage: str | None = None, traffic: float | None = None) -> None:
        """Log the endpoint's status (and a deployment's stage, with the share of traffic on the new
        fleet once it ends) at `at`, in `events`."""
        event = {
            "time": at,
            "name": endpoint.name,
            "status": endpoint.status,
            "endpoint_config_name": endpoint.config_name,
        }
        if stage is not None:
            event["stage"] = stage
        if traffic is not None:
            event["traffic"] = traffic
        self.events.append(event)


class Driver:
    """Advances machines in the background (every account's, sharing one lock, `changed`), waking when
    a phase ends, a deadline passes or an alarm is due to be polled, so status changes happen (and
    are recorded) on time without calls."""

    def __init__(
        self,
        machines: Callable[[], Iterable[Machine]],
        changed: threading.Condition,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.machines = machines
        self.changed = changed
        self.clock = clock
        self.stopping = False
        self.thread = threading.Thread(target=self._run, name="hosting-driver", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        with self.changed:
            self.stopping = True
            self.changed.notify_all()
        self.thread.join()

    def _run(self) -> None:
        with self.changed:
            while not self.stopping:
                due: list[float] = []
                for machine in self.machines():
                    machine.advance()
                    next_due = machine.next_due()
                    if next_due is not None:
                        due.append(next_due)
                self.changed.wait(max(0.0, min(due) - self.clock()) if due else None)
