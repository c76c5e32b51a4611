"""The emulator's timings and fault injection, as the admin API and command-line flags set them."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace


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
    stage_seconds: float = field(
        default=0.5,
        metadata={
            "help": "seconds a deployment takes to shift traffic (ActivatingTraffic) and to terminate old "
            "instances (Deleting), so a poller sees every stage"
        },
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
