"""The rollout plan `pulumi preview` prints for an endpoint that will be created or moved to another
config (issue 20): the deployment type and its steps with their waits, the termination wait, the
longest the deployment may take, the alarms that roll it back, and the instances it runs beside the
old fleet. From the endpoint's canonical inputs and the facts it carries of its configs
(`known_facts`); what preview cannot know yet is said to be unknown, never guessed.

Written from the documentation (deployment guardrails: all at once, canary, linear, rolling) apart
from the emulator's `plans.py` on purpose: an end-to-end test compares the plan printed here with
what the emulator then does, so each checks the other. Pure: no AWS call.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sagemaker_hosting import deadlines, known_facts, naming, normalize

__all__ = ["Rollout", "Shift", "alarm_names", "plan_create", "plan_update", "planned", "preview_lines"]

UNKNOWN = "not known at preview"
FLEET_UNKNOWN = "the new config's fleet (its name or instances are outputs, or not an EndpointConfig of this program)"
RETAINED = "the deployment it reuses (retain_deployment_config: the endpoint's last one, read at `up`)"
LATER = "(named at `up`)"
"""An alarm name that is an output not known at preview."""


@dataclass(frozen=True)
class Shift:
    """One step of traffic to the new fleet, and the bake after it."""

    traffic: float
    """Share (0-1] of traffic on the new fleet once the step is made."""
    bake_seconds: int
    """How long SageMaker watches the alarms before the next step (the last: the termination wait)."""


@dataclass(frozen=True)
class Rollout:
    """What one create or UpdateEndpoint will do."""

    kind: str
    """"create", "all at once" (no deployment_config), "blue/green all at once", "canary", "linear" or "rolling"."""
    shifts: tuple[Shift, ...] = ()
    batch: int | None = None
    """Instances a rolling deployment replaces at a time."""
    fleet: Mapping[str, int] | None = None
    """The new config's instances per instance type (None: not known at preview)."""
    extra: Mapping[str, int] | None = None
    """Instances per type that run beside the old fleet while the deployment lasts (a create: its fleet)."""
    execution_timeout: int | None = None
    alarms: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    """What preview cannot know yet, in words."""
    retyped: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    """Variant -> (old, new) instance type, of the variants whose instance type the move changes
    (what sets their autoscaling aside, `autoscaling.to_set_aside`)."""

    def lines(self, name: str, config: object) -> list[str]:
        """The plan as preview prints it, one line a step."""
        head = f"Endpoint {name}: rollout plan"
        if self.kind == "create":
            lines = [f"{head} (create) on config {known_facts.shown(config)}:", f"  provision {fleet(self.fleet)}"]
        else:
            lines = [f"{head} ({self.kind}) to config {known_facts.shown(config)}:"]
            lines.append(
                f"  provision the new fleet: {fleet(self.fleet)}; extra instances while both run: {fleet(self.extra)}"
            )
            if self.kind == "rolling":
                lines.append(f"  in batches of {self.batch if self.batch else UNKNOWN} instances, each step below")
            for step in self.shifts:
                share = percent(step.traffic) if step.traffic < 1 else "the rest (100 %)"
                lines.append(f"  shift {share} of traffic to it, then bake {step.bake_seconds} s")
            lines.append("  delete the old fleet")
            if self.execution_timeout is not None:
                lines.append(f"  at most {self.execution_timeout} s (maximum_execution_timeout_in_seconds)")
            lines.append(f"  rolled back by alarms: {', '.join(self.alarms) if self.alarms else 'none'}")
            if self.retyped:
                changes = ", ".join(f"{name} ({old} -> {new})" for name, (old, new) in sorted(self.retyped.items()))
                lines.append(
                    f"  instance type changes: {changes}; a variant registered for autoscaling has it set aside "
                    "during the deployment and put back after"
                )
        lines.extend(f"  {UNKNOWN}: {what}" for what in self.unknown)
        return lines


def plan_create(facts: Mapping[str, Any] | None) -> Rollout:
    """A CreateEndpoint: the config's fleet, provisioned once (a deployment_config is kept for updates)."""
    counts = instance_counts(facts)
    return Rollout("create", fleet=counts, extra=counts, unknown=() if counts is not None else (FLEET_UNKNOWN,))


def plan_update(inputs: Mapping[str, Any], facts: Mapping[str, Any] | None) -> Rollout:
    """An UpdateEndpoint to the config whose facts are `facts`, under the inputs' deployment_config."""
    counts = instance_counts(facts)
    unknown = [] if counts is not None else [FLEET_UNKNOWN]
    deployment = inputs.get("deployment_config")
    if inputs.get("retain_deployment_config"):
        return Rollout("the endpoint's last deployment", fleet=counts, unknown=(*unknown, RETAINED))
    if normalize.is_unknown(deployment):
        return Rollout("deployment_config", fleet=counts, unknown=(*unknown, "the deployment_config"))
    deployment = deployment or {}
    alarms = tuple(alarm_names(deployment))
    instances = sum(counts.values()) if counts else None
    blue_green, rolling = deployment.get("blue_green_update_policy"), deployment.get("rolling_update_policy")
    if rolling:
        size = rolling.get("maximum_batch_size")
        batch = batch_instances(size, instances) if instances else None
        wait = seconds(rolling.get("wait_interval_in_seconds"))
        shifts = (
            tuple(Shift(min(done, instances) / instances, wait) for done in range(batch, instances + batch, batch))
            if batch and instances
            else ()
        )
        extra = {kind: min(count, batch) for kind, count in counts.items()} if counts and batch else None
        return Rollout(
            "rolling",
            shifts,
            batch,
            counts,
            extra,
            timeout(rolling),
            alarms,
            tuple(unknown) + (() if shifts else ("the batches (they count the new fleet's instances)",)),
        )
    if not blue_green:
        return Rollout("all at once", (Shift(1.0, 0),), None, counts, counts, None, alarms, tuple(unknown))
    routing = blue_green.get("traffic_routing_configuration") or {}
    kind, wait = routing.get("type"), seconds(routing.get("wait_interval_in_seconds"))
    shares: list[float] | None = []
    if kind == "CANARY":
        share = capacity_share(routing.get("canary_size"), instances)
        shares = None if share is None else [share]
    elif kind == "LINEAR":
        share = capacity_share(routing.get("linear_step_size"), instances)
        shares = None if share is None else [share * n for n in range(1, math.ceil(1 / share - 1e-9))]
    termination = seconds(blue_green.get("termination_wait_in_seconds"))
    if shares is None:
        unknown.append("the traffic steps (an INSTANCE_COUNT size counts the new fleet's instances)")
        shares = []
    shifts = (*(Shift(share, wait) for share in shares), Shift(1.0, termination))
    label = {"CANARY": "canary", "LINEAR": "linear"}.get(str(kind), "blue/green all at once")
    return Rollout(label, shifts, None, counts, counts, timeout(blue_green), alarms, tuple(unknown))


def alarm_names(deployment_config: object) -> list[str]:
    """The rollback alarms a deployment_config names (`auto_rollback_configuration`)."""
    if not isinstance(deployment_config, Mapping):
        return []
    rollback = deployment_config.get("auto_rollback_configuration")
    alarms = rollback.get("alarms") if isinstance(rollback, Mapping) else None
    if not isinstance(alarms, list):
        return []
    names = [alarm.get("alarm_name") for alarm in alarms if isinstance(alarm, Mapping)]
    return [name if isinstance(name, str) and not normalize.is_unknown(name) else LATER for name in names]


def deadline(inputs: Mapping[str, Any], facts: Mapping[str, Any] | None) -> int | None:
    """The provider's own limit for the update: `timeouts.update`, else derived (`deadlines`)."""
    given = (inputs.get("timeouts") or {}).get("update")
    if isinstance(given, int | float):
        return int(given)
    variants = known_facts.variants(facts) if facts is not None else None
    if variants is None or normalize.is_unknown(inputs.get("deployment_config")):
        return None
    counts = [{"InitialInstanceCount": v.get("initial_instance_count")} for v in variants]
    return deadlines.update_seconds(inputs.get("deployment_config"), counts)


def instance_counts(facts: Mapping[str, Any] | None) -> dict[str, int] | None:
    """Instances per instance type of a config's production and shadow variants (serverless ones
    have none); None when any is not known at preview."""
    variants = known_facts.variants(facts) if facts is not None else None
    shadow = facts.get("shadow_variants", []) if facts is not None else None
    if variants is None or not isinstance(shadow, list) or not all(isinstance(v, Mapping) for v in shadow):
        return None
    counts: dict[str, int] = {}
    for variant in [*variants, *shadow]:
        if variant.get("serverless") is True:
            continue
        kind, count = variant.get("instance_type"), variant.get("initial_instance_count")
        if normalize.is_unknown([kind, count]) or not isinstance(kind, str) or not whole(count):
            return None
        counts[kind] = counts.get(kind, 0) + int(count)
    return counts


def capacity_share(size: object, instances: int | None) -> float | None:
    """A capacity size ({type, value}) as a share (0-1] of the new fleet; None when not known."""
    if not isinstance(size, Mapping) or not isinstance(size.get("value"), int | float):
        return None
    value = float(size["value"])
    if size.get("type") == "CAPACITY_PERCENT":
        return min(1.0, value / 100)
    return min(1.0, value / instances) if instances else None


def batch_instances(size: object, instances: int) -> int | None:
    """Instances per rolling batch (at least one); None when not known."""
    if not isinstance(size, Mapping) or not isinstance(size.get("value"), int | float):
        return None
    if size.get("type") == "CAPACITY_PERCENT":
        return max(1, math.ceil(instances * float(size["value"]) / 100))
    return max(1, min(instances, int(size["value"])))


def whole(value: object) -> bool:
    """Whether a number is whole (the engine carries every number as a float)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer()


def timeout(policy: Mapping[str, Any]) -> int | None:
    value = policy.get("maximum_execution_timeout_in_seconds")
    return int(value) if isinstance(value, int | float) else None


def seconds(value: object) -> int:
    return int(value) if isinstance(value, int | float) else 0


def percent(share: float) -> str:
    return f"{share * 100:g} %"


def fleet(counts: Mapping[str, int] | None) -> str:
    if counts is None:
        return UNKNOWN
    if not counts:
        return "no instances (serverless)"
    return ", ".join(f"{count} x {kind}" for kind, count in sorted(counts.items()))


def planned(olds: Mapping[str, Any], news: Mapping[str, Any], creates: bool) -> Rollout | None:
    """The rollout of an endpoint's create (`creates`: a new endpoint, or a replacement) or move to
    another config; None when it stays on the config it runs."""
    facts = known_facts.facts_of(news.get(naming.CONFIG_VARIANTS_KEY), news.get("endpoint_config_name"))
    if creates:
        return plan_create(facts)
    if olds.get("endpoint_config_name") == news.get("endpoint_config_name"):
        return None
    old_facts = known_facts.facts_of(olds.get(naming.CONFIG_VARIANTS_KEY), olds.get("endpoint_config_name"))
    return replace(plan_update(news, facts), retyped=instance_type_changes(old_facts, facts))


def instance_type_changes(
    old_facts: Mapping[str, Any] | None, new_facts: Mapping[str, Any] | None
) -> dict[str, tuple[str, str]]:
    """Variant -> (old, new) instance type of the production variants of both configs whose known
    instance type differs."""
    old, new = (types_of(facts) for facts in (old_facts, new_facts))
    return {name: (old[name], kind) for name, kind in new.items() if name in old and old[name] != kind}


KNOWN_TYPE = ("variant_name", "instance_type")


def types_of(facts: Mapping[str, Any] | None) -> dict[str, str]:
    """Variant -> instance type, of a config's production variants whose name and type are known."""
    variants = (known_facts.variants(facts) if facts is not None else None) or []
    return {
        v["variant_name"]: v["instance_type"]
        for v in variants
        if all(isinstance(v.get(key), str) and not normalize.is_unknown(v.get(key)) for key in KNOWN_TYPE)
    }


def preview_lines(olds: Mapping[str, Any], news: Mapping[str, Any], rollout: Rollout) -> list[str]:
    """The plan as preview prints it: `rollout` (`planned`), what preview cannot know of the move,
    and the provider's own deadline."""
    name, config = known_facts.shown(news.get("name")), news.get("endpoint_config_name")
    lines = rollout.lines(name, config)
    if rollout.kind == "create":
        return lines
    facts = known_facts.facts_of(news.get(naming.CONFIG_VARIANTS_KEY), config)
    if normalize.is_unknown(config):
        old_facts = known_facts.facts_of(olds.get(naming.CONFIG_VARIANTS_KEY), olds.get("endpoint_config_name"))
        if facts is None or old_facts is None or not known_facts.differs(old_facts, facts):
            lines.append(f"  {UNKNOWN}: whether the endpoint moves at all (its config is named only at `up`)")
    given = (news.get("timeouts") or {}).get("update")
    limit = deadline(news, facts)
    if given:
        lines.append(f"  the provider waits up to {limit} s (timeouts.update)")
    elif limit:
        lines.append(
            f"  the provider waits at least {limit} s, more with the variants' own timeouts (timeouts.update sets it)"
        )
    else:
        lines.append(f"  the provider's deadline: {UNKNOWN}")
    return lines
