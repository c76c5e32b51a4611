"""The documented cross-field rules of CreateEndpointConfig and CreateEndpoint / UpdateEndpoint.

The service documents these in member documentation but the model cannot express them, so they
stand beside the model's own constraints (`schema.constraint_violations`) and, like them, serve both
the emulator (which refuses a request as the service does) and `validate` (which tells Pulumi users).
They read API-form values defensively (any member may be missing or of a wrong type, reported
elsewhere); `name` renders a member name in the caller's style (AWS's PascalCase, or snake_case for
users). Each broken rule is a `schema.Violation` of kind CROSS_FIELD. Pure logic: no AWS call.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sagemaker_hosting import hosting_rules
from sagemaker_hosting.schema import Kind, Path, Violation

Namer = Callable[[str], str]
"""Renders a member name in the caller's style: AWS's PascalCase (`_same`) or snake_case for users."""


def _broken(path: Path, value: object, subject: str, predicate: str) -> Violation:
    """A broken cross-field rule: "`subject` `predicate`" (both in the caller's names)."""
    return Violation(path, value, Kind.CROSS_FIELD, subject=subject, predicate=predicate)


# Instance families with local NVMe instance-store volumes, for which CreateEndpointConfig refuses a
# KmsKeyId. Source: the KmsKeyId documentation of CreateEndpointConfig (the seed page) defers to
# EC2's "Instance store volumes" table; SageMaker's training-storage guide names ml.p4d, ml.g4dn
# and ml.g5 as NVMe families. EC2 marks such families with a `d` in the attribute suffix after the
# generation (m5d, c5d, r5d, m6gd, g4dn, p3dn, p4d, p4de, c6id, ...); these families carry
# instance storage without the letter:
_NVME_FAMILIES_WITHOUT_D = frozenset({"g5", "g6", "g6e", "p5", "p5e", "p5en", "trn1", "trn1n"})
_FAMILY = re.compile(r"ml\.(?P<family>(?P<series>[a-z]+)(?P<generation>\d+)(?P<attributes>[a-z-]*))\.[a-z0-9-]+")


def has_local_storage(instance_type: str) -> bool:
    """Whether an ML instance type (e.g. "ml.g4dn.xlarge") has local NVMe storage."""
    parsed = _FAMILY.fullmatch(instance_type)
    if parsed is None:
        return False
    return "d" in parsed["attributes"] or parsed["family"] in _NVME_FAMILIES_WITHOUT_D


def _same(member: str) -> str:
    return member


def _structures(value: object) -> list[tuple[int, Mapping[str, Any]]]:
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [(index, item) for index, item in enumerate(value) if isinstance(item, Mapping)]
    return []


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def endpoint_config_violations(request: Mapping[str, Any], name: Namer = _same) -> list[Violation]:
    """CreateEndpointConfig rules: shadow variants only as one production plus one shadow; variant
    names unique across both lists; a variant is serverless (ServerlessConfig, no instances) or
    instance-based (InitialInstanceCount and InstanceType or InstancePools); serverless memory in
    1 GB steps and provisioned concurrency within MaxConcurrency; no KmsKeyId with local storage;
    TracingConfig's rules (`_tracing_violations`)."""
    found: list[Violation] = []
    lists = [
        (member, _structures(request.get(member))) for member in ("ProductionVariants", "ShadowProductionVariants")
    ]
    production, shadow = lists[0][1], lists[1][1]
    if shadow and (len(production) != 1 or len(shadow) != 1):
        found.append(
            _broken(
                ("ShadowProductionVariants",),
                request.get("ShadowProductionVariants"),
                name("ShadowProductionVariants"),
                "needs exactly one production variant and one shadow variant "
                f"(got {len(production)} and {len(shadow)})",
            )
        )
    seen: dict[str, Path] = {}
    for member, variants in lists:
        for index, variant in variants:
            path: Path = (member, index)
            variant_name = variant.get("VariantName")
            if isinstance(variant_name, str) and variant_name in seen:
                found.append(
                    _broken(
                        (*path, "VariantName"),
                        variant_name,
                        name("VariantName"),
                        f"must be unique across {name('ProductionVariants')} and "
                        f"{name('ShadowProductionVariants')}; it repeats {_render(seen[variant_name], name)}",
                    )
                )
            elif isinstance(variant_name, str):
                seen[variant_name] = (*path, "VariantName")
            found.extend(_variant_violations(path, variant, name))
    kms_key = request.get("KmsKeyId")
    if kms_key:
        local = sorted(
            {
                instance_type
                for _, variants in lists
                for _, variant in variants
                for instance_type in [
                    variant.get("InstanceType"),
                    *(pool.get("InstanceType") for _, pool in _structures(variant.get("InstancePools"))),
                ]
                if isinstance(instance_type, str) and has_local_storage(instance_type)
            }
        )
        if local:
            found.append(
                _broken(
                    ("KmsKeyId",),
                    kms_key,
                    name("KmsKeyId"),
                    "must not be given with instance types that have local storage "
                    f"({', '.join(local)}): their volumes are encrypted by the instance's hardware module",
                )
            )
    found.extend(_tracing_violations(request, [variant for _, variants in lists for _, variant in variants], name))
    return found


def _tracing_violations(request: Mapping[str, Any], variants: list[Mapping[str, Any]], name: Namer) -> list[Violation]:
    """TracingConfig (botocore 1.44.18's model, TracingConfig and its KmsKeyId): "You can't enable
    tracing together with data capture (EnableCapture set to True in DataCaptureConfig), with
    serverless variants, or with multi-model endpoints"; "If you specify a key, you also need to
    specify LargePayloadDeliveryS3Uri". Data capture counts as enabled when EnableCapture is
    omitted too, its default (DescribeEndpointConfig then shows it True). Multi-model endpoints are a
    property of the models, which a config only names: the emulator checks them on the endpoint."""
    tracing = _mapping(request.get("TracingConfig"))
    found: list[Violation] = []
    if tracing.get("EnableTracing") is True:
        capture = request.get("DataCaptureConfig")
        if isinstance(capture, Mapping) and hosting_rules.captures_data(capture):
            found.append(
                _broken(
                    ("TracingConfig", "EnableTracing"),
                    True,
                    name("EnableTracing"),
                    f"cannot be true with data capture ({name('DataCaptureConfig')}.{name('EnableCapture')} true "
                    "or omitted)",
                )
            )
        if any(variant.get("ServerlessConfig") is not None for variant in variants):
            found.append(
                _broken(
                    ("TracingConfig", "EnableTracing"),
                    True,
                    name("EnableTracing"),
                    f"cannot be true with serverless variants ({name('ServerlessConfig')})",
                )
            )
    if tracing.get("KmsKeyId") and not tracing.get("LargePayloadDeliveryS3Uri"):
        found.append(
            _broken(
                ("TracingConfig", "KmsKeyId"),
                tracing.get("KmsKeyId"),
                name("KmsKeyId"),
                f"needs {name('LargePayloadDeliveryS3Uri')} (the key encrypts the payloads delivered there)",
            )
        )
    return found


def _variant_violations(path: Path, variant: Mapping[str, Any], name: Namer) -> list[Violation]:
    found: list[Violation] = []
    serverless = variant.get("ServerlessConfig")
    instance_members = [m for m in ("InstanceType", "InitialInstanceCount", "InstancePools") if m in variant]
    if serverless is not None:
        if instance_members:
            found.append(
                _broken(
                    (*path, instance_members[0]),
                    variant.get(instance_members[0]),
                    name(instance_members[0]),
                    f"must not be given with {name('ServerlessConfig')} "
                    "(a variant is either serverless or instance-based)",
                )
            )
        config = _mapping(serverless)
        memory, most, provisioned = (
            config.get(m) for m in ("MemorySizeInMB", "MaxConcurrency", "ProvisionedConcurrency")
        )
        if isinstance(memory, int) and memory % 1024:
            found.append(
                _broken(
                    (*path, "ServerlessConfig", "MemorySizeInMB"),
                    memory,
                    name("MemorySizeInMB"),
                    "must be a multiple of 1024 (1 GB steps)",
                )
            )
        if isinstance(provisioned, int) and isinstance(most, int) and provisioned > most:
            found.append(
                _broken(
                    (*path, "ServerlessConfig", "ProvisionedConcurrency"),
                    provisioned,
                    name("ProvisionedConcurrency"),
                    f"must be at most {name('MaxConcurrency')} ({most})",
                )
            )
    else:
        missing = [
            m
            for m, present in (
                ("InitialInstanceCount", "InitialInstanceCount" in variant),
                ("InstanceType", "InstanceType" in variant or "InstancePools" in variant),
            )
            if not present
        ]
        if missing:
            found.append(
                _broken(
                    (*path, missing[0]),
                    None,
                    name(missing[0]),
                    "is required for an instance-based variant "
                    f"(or give {name('ServerlessConfig')} for a serverless one)",
                )
            )
    return found


_CAPACITY_PERCENT_RANGES: Mapping[str, tuple[int, int]] = {
    "CanarySize": (1, 50),
    "LinearStepSize": (10, 50),
    "MaximumBatchSize": (5, 50),
    "RollbackMaximumBatchSize": (1, 100),  # undocumented range; its default is "100% of total capacity"
}
"""Limits of a CapacitySize, as a share of the variant's instances (from the member docs)."""


def endpoint_violations(
    request: Mapping[str, Any], name: Namer = _same, instance_count: int | None = None
) -> list[Violation]:
    """CreateEndpoint / UpdateEndpoint rules: BlueGreenUpdatePolicy and RollingUpdatePolicy are
    exclusive; CANARY needs CanarySize and LINEAR needs LinearStepSize (and no other size); sizes
    within their documented share of the fleet (CAPACITY_PERCENT always, INSTANCE_COUNT when
    `instance_count` is known); MaximumExecutionTimeoutInSeconds above the waits it covers;
    ExcludeRetainedVariantProperties only with RetainAllVariantProperties, and unique;
    RetainDeploymentConfig excludes a DeploymentConfig."""
    found: list[Violation] = []
    deployment = request.get("DeploymentConfig")
    config = _mapping(deployment)
    blue_green, rolling = _mapping(config.get("BlueGreenUpdatePolicy")), _mapping(config.get("RollingUpdatePolicy"))
    if blue_green and rolling:
        found.append(
            _broken(
                ("DeploymentConfig", "RollingUpdatePolicy"),
                config.get("RollingUpdatePolicy"),
                name("BlueGreenUpdatePolicy"),
                f"and {name('RollingUpdatePolicy')} are mutually exclusive",
            )
        )
    sizes: list[tuple[Path, str, object]] = []
    if blue_green:
        base: Path = ("DeploymentConfig", "BlueGreenUpdatePolicy", "TrafficRoutingConfiguration")
        routing = _mapping(blue_green.get("TrafficRoutingConfiguration"))
        kind = routing.get("Type")
        for member, needed_by in (("CanarySize", "CANARY"), ("LinearStepSize", "LINEAR")):
            if isinstance(kind, str) and (member in routing) != (kind == needed_by):
                verb = "is required" if kind == needed_by else "must not be given"
                found.append(
                    _broken((*base, member), routing.get(member), name(member), f"{verb} when {name('Type')} is {kind}")
                )
            sizes.append(((*base, member), member, routing.get(member)))
        waits = [blue_green.get("TerminationWaitInSeconds"), routing.get("WaitIntervalInSeconds")]
        found.extend(_timeout_violations(("DeploymentConfig", "BlueGreenUpdatePolicy"), blue_green, waits, name))
    if rolling:
        base = ("DeploymentConfig", "RollingUpdatePolicy")
        for member in ("MaximumBatchSize", "RollbackMaximumBatchSize"):
            sizes.append(((*base, member), member, rolling.get(member)))
        found.extend(_timeout_violations(base, rolling, [rolling.get("WaitIntervalInSeconds")], name))
    for path, member, size in sizes:
        found.extend(_size_violations(path, member, _mapping(size), instance_count, name))
    excluded = request.get("ExcludeRetainedVariantProperties")
    if excluded and request.get("RetainAllVariantProperties") is not True:
        found.append(
            _broken(
                ("ExcludeRetainedVariantProperties",),
                excluded,
                name("ExcludeRetainedVariantProperties"),
                f"needs {name('RetainAllVariantProperties')} set to true",
            )
        )
    kinds = [item.get("VariantPropertyType") for _, item in _structures(excluded)]
    if len(kinds) != len(set(map(str, kinds))):
        found.append(
            _broken(
                ("ExcludeRetainedVariantProperties",), excluded, name("VariantPropertyType"), "values must be unique"
            )
        )
    if request.get("RetainDeploymentConfig") is True and deployment is not None:
        found.append(
            _broken(
                ("RetainDeploymentConfig",),
                True,
                name("RetainDeploymentConfig"),
                f"reuses the last deployment configuration and excludes {name('DeploymentConfig')}",
            )
        )
    return found


def _size_violations(
    path: Path, member: str, size: Mapping[str, Any], instance_count: int | None, name: Namer
) -> list[Violation]:
    kind, value = size.get("Type"), size.get("Value")
    if not isinstance(value, int | float) or isinstance(value, bool):
        return []
    low, high = _CAPACITY_PERCENT_RANGES[member]
    if kind == "CAPACITY_PERCENT" and not low <= value <= high:
        return [_broken((*path, "Value"), value, name(member), f"must be {low}-{high} % of capacity (got {value})")]
    if kind == "INSTANCE_COUNT" and instance_count and not low * instance_count <= 100 * value <= high * instance_count:
        return [
            _broken(
                (*path, "Value"),
                value,
                name(member),
                f"must be {low}-{high} % of the variant's {instance_count} instances (got {value})",
            )
        ]
    return []


def _timeout_violations(path: Path, policy: Mapping[str, Any], waits: list[object], name: Namer) -> list[Violation]:
    """MaximumExecutionTimeoutInSeconds "should be larger than the total waiting time"."""
    timeout = policy.get("MaximumExecutionTimeoutInSeconds")
    total = sum(wait for wait in waits if isinstance(wait, int) and not isinstance(wait, bool))
    if isinstance(timeout, int) and not isinstance(timeout, bool) and timeout <= total:
        return [
            _broken(
                (*path, "MaximumExecutionTimeoutInSeconds"),
                timeout,
                name("MaximumExecutionTimeoutInSeconds"),
                f"must be larger than the waits it covers ({total} s)",
            )
        ]
    return []


def _render(path: Path, name: Namer) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{name(part)}" for part in path).lstrip(".")
