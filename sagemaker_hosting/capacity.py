"""Capacity and quota preflight (issue 20): whether the instances a deployment runs beside what the
region's endpoints already run fit the account's quota per instance type
(`hosting_rules.ENDPOINT_INSTANCE_QUOTA`). From SageMaker's and Service Quotas' answers, which
`preflight` reads; the instances a deployment needs are `rollout`'s. Pure: no AWS call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sagemaker_hosting import hosting_rules

__all__ = ["Shortfall", "add", "endpoint_usage", "quota_values", "shortfalls"]

Counts = Mapping[str, int]
"""Instances per instance type."""


@dataclass(frozen=True)
class Shortfall:
    """An instance type whose quota a deployment would exceed."""

    instance_type: str
    quota: int
    running: int
    """Instances of the type the region's endpoints run (or are being deployed) now."""
    planned: int
    """Instances earlier deployments of this run need beside them."""
    needed: int
    """Instances this deployment needs beside them."""

    def words(self) -> str:
        others = f" + {self.planned} for the other deployments this preview plans" if self.planned else ""
        return (
            f"{self.needed} more {self.instance_type} would make {self.running + self.planned + self.needed} "
            f"({self.running} running{others} + {self.needed}), over the quota "
            f"'{hosting_rules.endpoint_quota_name(self.instance_type)}' of {self.quota}"
        )


def quota_values(quotas: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Instance type -> value of the Service Quotas entries named "<type> for endpoint usage"."""
    found: dict[str, int] = {}
    for quota in quotas:
        name, value = quota.get("QuotaName"), quota.get("Value")
        if isinstance(name, str) and name.endswith(hosting_rules.ENDPOINT_QUOTA_SUFFIX) and value is not None:
            found[name.removesuffix(hosting_rules.ENDPOINT_QUOTA_SUFFIX)] = int(value)
    return found


def endpoint_usage(endpoint: Mapping[str, Any], config: Mapping[str, Any] | None) -> dict[str, int]:
    """Instances per type that one endpoint (DescribeEndpoint) runs or is deploying, as SageMaker
    counts them against the quota: its variants' desired counts, typed by its config
    (DescribeEndpointConfig; while an update runs that is the new config, so a variant whose type
    the update changes counts as the new type), and the new fleet of an update in progress
    (PendingDeploymentSummary). A Failed endpoint runs nothing; serverless variants run no instances."""
    if endpoint.get("EndpointStatus") == "Failed":
        return {}
    members = ("ProductionVariants", "ShadowProductionVariants")
    types = {
        variant.get("VariantName"): variant.get("InstanceType")
        for member in members
        for variant in (config or {}).get(member) or []
    }
    counts: dict[str, int] = {}
    for member in members:
        for variant in endpoint.get(member) or []:
            instance_type = types.get(variant.get("VariantName"))
            count = variant.get("DesiredInstanceCount", variant.get("CurrentInstanceCount"))
            if instance_type and count:
                counts[instance_type] = counts.get(instance_type, 0) + int(count)
    pending = endpoint.get("PendingDeploymentSummary") or {}
    for member in members:
        for variant in pending.get(member) or []:
            instance_type, count = variant.get("InstanceType"), variant.get("DesiredInstanceCount")
            if instance_type and count:
                counts[instance_type] = counts.get(instance_type, 0) + int(count)
    return counts


def add(total: dict[str, int], counts: Counts) -> None:
    """Add `counts` into `total`, type by type."""
    for instance_type, count in counts.items():
        total[instance_type] = total.get(instance_type, 0) + count


def shortfalls(needed: Counts, running: Counts, planned: Counts, quotas: Mapping[str, int]) -> list[Shortfall]:
    """The instance types whose quota the deployment's `needed` instances would exceed on top of
    what runs and what earlier deployments of the run plan; a type without a known quota is not
    judged."""
    return [
        Shortfall(kind, quotas[kind], running.get(kind, 0), planned.get(kind, 0), count)
        for kind, count in sorted(needed.items())
        if kind in quotas and count and running.get(kind, 0) + planned.get(kind, 0) + count > quotas[kind]
    ]
