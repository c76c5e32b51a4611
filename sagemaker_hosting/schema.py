"""botocore's SageMaker service model: shapes, snake_case names, and the model's constraints.

One validator for two callers: the emulator rejects requests with these violations the way the
service does (AWS wording and paths, `aws_validation_message`), and `validate` reports the same
violations in snake_case to Pulumi users. A `Violation` carries its `Kind` and that kind's data (the
allowed values, the pattern, the bound); AWS's wording is made here alone (`Violation.rule`), and
callers decide by kind, never by reading the wording. Pure logic: no AWS call, no Pulumi import.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import botocore.session
import regex
from botocore import xform_name
from botocore.model import ListShape, MapShape, ServiceModel, Shape, ShapeResolver, StructureShape

Path = tuple[str | int, ...]
"""A location inside an API-form value: member names (or map keys) and list indices."""

API_DEFAULTS: Mapping[tuple[str, str], object] = {
    ("ProductionVariant", "InitialVariantWeight"): 1.0,  # "If unspecified, it defaults to 1.0."
    ("DataCaptureConfig", "EnableCapture"): True,  # "(defaults to enabled)"
}
"""Values SageMaker fills in for omitted members and returns from Describe*, keyed by (structure
shape name, member name); both sources are the member's documentation in the service model."""

UNKNOWN_MEMBER = "Unknown member"


@functools.cache
def service_data() -> Mapping[str, Any]:
    """The installed botocore model of the "sagemaker" service as loaded JSON (loaded once)."""
    data: Mapping[str, Any] = botocore.session.get_session().get_service_data("sagemaker")
    return data


@functools.cache
def service_model() -> ServiceModel:
    """The installed botocore model of the "sagemaker" service."""
    return ServiceModel(service_data(), service_name="sagemaker")


@functools.cache
def input_shape(operation: str) -> StructureShape:
    """The request shape of `operation`, e.g. "CreateEndpointConfig"."""
    shape = service_model().operation_model(operation).input_shape
    assert isinstance(shape, StructureShape), f"{operation} has no input structure"
    return shape


@functools.cache
def output_shape(operation: str) -> StructureShape:
    """The response shape of `operation`, e.g. "DescribeEndpoint"."""
    shape = service_model().operation_model(operation).output_shape
    assert isinstance(shape, StructureShape), f"{operation} has no output structure"
    return shape


Resource = Literal["EndpointConfig", "Endpoint"]

RESOURCE_OPERATIONS: Mapping[Resource, tuple[str, ...]] = {
    "EndpointConfig": ("CreateEndpointConfig",),
    "Endpoint": ("CreateEndpoint", "UpdateEndpoint"),
}
"""The API operations whose request members are a resource's inputs."""

NAME_MEMBERS: Mapping[Resource, str] = {"EndpointConfig": "EndpointConfigName", "Endpoint": "EndpointName"}
"""The request member that a resource's `name` input fills."""

_RESOURCE_SHAPES: Mapping[str, Mapping[str, Any]] = {
    "SagemakerHostingNamePrefix": {
        "type": "string",
        "min": 1,
        "documentation": "<p>Prefix of the generated name, used when <code>name</code> is not given "
        "(the Pulumi resource name by default); a suffix hashed from the resource's identity and content is "
        "appended. A resource that has a name keeps it when the prefix changes.</p>",
    },
    "SagemakerHostingRegion": {
        "type": "string",
        "min": 1,
        "documentation": "<p>The AWS region of the resource; by default the stack's <code>aws:region</code>, else "
        "the standard AWS configuration's. Changing it replaces the resource: it is created in the new region "
        "first, then deleted in the old one.</p>",
    },
    "SagemakerHostingTagMap": {
        "type": "map",
        "key": {"shape": "TagKey"},
        "value": {"shape": "TagValue"},
        "max": 48,
        "documentation": "<p>Tags of the resource, as a dict of key to value. SageMaker allows 50; two are the "
        "provider's own (keys under <code>sagemaker-hosting:</code>, which is reserved).</p>",
    },
}


@functools.cache
def resource_shape(resource: Resource) -> StructureShape:
    """Every input of a Pulumi resource as one structure in the model's terms: `Name` (the
    operation's name member), `NamePrefix`, the operations' other request members, `Tags` as a
    map, and `Region`. Built from the model on each load, so new API members become inputs without code."""
    shapes = service_data()["shapes"]
    name_member = NAME_MEMBERS[resource]
    first_input = shapes[input_shape(RESOURCE_OPERATIONS[resource][0]).name]
    members: dict[str, Any] = {
        "Name": {
            "shape": first_input["members"][name_member]["shape"],
            "documentation": "<p>The name; without it a name is generated from <code>name_prefix</code>.</p>",
        },
        "NamePrefix": {"shape": "SagemakerHostingNamePrefix"},
    }
    for operation in RESOURCE_OPERATIONS[resource]:
        request = shapes[input_shape(operation).name]
        for member, reference in request["members"].items():
            if member not in (name_member, "Tags"):
                members.setdefault(member, reference)
    members["Tags"] = {"shape": "SagemakerHostingTagMap"}
    members["Region"] = {"shape": "SagemakerHostingRegion"}
    definition = {
        "type": "structure",
        "required": [member for member in first_input.get("required", []) if member in members],
        "members": members,
        "documentation": first_input.get("documentation", ""),
    }
    name = f"{resource}Inputs"
    assert not {name, *_RESOURCE_SHAPES} & set(shapes), "the model now defines a shape of ours"
    shape_map: Any = {**shapes, **_RESOURCE_SHAPES, name: definition}
    shape = ShapeResolver(shape_map).get_shape_by_name(name)
    assert isinstance(shape, StructureShape)
    return shape


@functools.cache
def snake(member_name: str) -> str:
    """The snake_case form of an API member name ("VolumeSizeInGB" -> "volume_size_in_gb")."""
    return xform_name(member_name)


@functools.cache
def members_by_snake(shape: StructureShape) -> Mapping[str, str]:
    """{snake_case name: member name} of a structure's members."""
    return {snake(member): member for member in shape.members}


class Kind(enum.Enum):
    """What a violation breaks: one of the model's constraints, or a documented cross-field rule."""

    REQUIRED = "required"
    TYPE = "type"
    UNKNOWN_MEMBER = "unknown member"
    ENUM = "enum"
    PATTERN = "pattern"
    RANGE = "range"
    """A number's value outside the member's min / max."""
    SIZE = "size"
    """A string's, list's or map's length outside the member's min / max."""
    CROSS_FIELD = "cross-field"


@dataclass(frozen=True)
class Violation:
    """One way an API-form value breaks the service model: its kind and what the kind needs to be
    told (the allowed values, the pattern, the bound, ...). `rule` words it as AWS does; no decision
    reads that wording back."""

    path: Path
    value: object
    kind: Kind
    allowed: tuple[str, ...] = ()
    """ENUM: the values the model lists."""
    type_name: str = ""
    """TYPE: the JSON type the member has (string, integer, number, boolean, list, map, structure, ...)."""
    pattern: str = ""
    """PATTERN: the model's pattern, matched whole."""
    bound: Literal["min", "max"] | None = None
    """RANGE, SIZE: which bound is broken."""
    limit: int | float | None = None
    """RANGE, SIZE: the bound's value."""
    subject: str = ""
    """CROSS_FIELD: the member the rule is about, as the caller names it (the rule's first words)."""
    predicate: str = ""
    """CROSS_FIELD: what the rule says of `subject`, in the caller's names."""

    @property
    def constraint(self) -> str:
        """A model constraint in AWS's wording, without the leading "Member " (e.g. "must not be null")."""
        if self.kind is Kind.REQUIRED:
            return "must not be null"
        if self.kind is Kind.TYPE:
            return f"must be of type {self.type_name}"
        if self.kind is Kind.ENUM:
            return f"must satisfy enum value set: [{', '.join(self.allowed)}]"
        if self.kind is Kind.PATTERN:
            return f"must satisfy regular expression pattern: {self.pattern}"
        if self.kind in (Kind.RANGE, Kind.SIZE):
            what = "value" if self.kind is Kind.RANGE else "length"
            side = "greater than or equal to" if self.bound == "min" else "less than or equal to"
            return f"must have {what} {side} {self.limit}"
        raise ValueError(f"a {self.kind.value} violation is no model constraint")

    @property
    def rule(self) -> str:
        """The violation as AWS words it: "Member must ...", "Unknown member", or a cross-field rule."""
        if self.kind is Kind.UNKNOWN_MEMBER:
            return UNKNOWN_MEMBER
        if self.kind is Kind.CROSS_FIELD:
            return f"{self.subject} {self.predicate}"
        return f"Member {self.constraint}"


def cross_field(path: Path, value: object, subject: str, predicate: str) -> Violation:
    """A broken cross-field rule: "`subject` `predicate`" (both in the caller's names)."""
    return Violation(path, value, Kind.CROSS_FIELD, subject=subject, predicate=predicate)


# Java regex constructs in the model that the `regex` module does not read: a UTF-16 surrogate
# pair range (all supplementary code points). `\p{L}`-style classes `regex` reads as they are.
_JAVA_ONLY = {r"\uD800\uDC00-\uDBFF\uDFFF": r"\U00010000-\U0010FFFF"}


@functools.cache
def compiled_pattern(pattern: str) -> regex.Pattern[str]:
    """A model pattern compiled for whole-string matching (botocore keeps the anchors out).

    The model's patterns use Java syntax (`\\p{L}`, `\\p{Alnum}`, ...), which the `regex` module
    supports and Python's `re` does not.
    """
    for java, python in _JAVA_ONLY.items():
        pattern = pattern.replace(java, python)
    return regex.compile(pattern)


_TYPE_NAMES = {
    "structure": "structure",
    "list": "list",
    "map": "map",
    "string": "string",
    "integer": "integer",
    "long": "integer",
    "float": "number",
    "double": "number",
    "boolean": "boolean",
    "timestamp": "timestamp",
    "blob": "blob",
}


def _has_type(shape: Shape, value: object) -> bool:
    kind = shape.type_name
    if kind == "structure" or kind == "map":
        return isinstance(value, Mapping)
    if kind == "list":
        return isinstance(value, Sequence) and not isinstance(value, str | bytes)
    if kind == "string":
        return isinstance(value, str)
    if kind in ("integer", "long"):
        return isinstance(value, int) and not isinstance(value, bool)
    if kind in ("float", "double"):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "timestamp":
        return isinstance(value, datetime | str | int | float) and not isinstance(value, bool)
    return isinstance(value, bytes | str)  # blob


def type_violation(shape: Shape, value: object, path: Path = ()) -> Violation:
    """A value of the wrong JSON type for `shape`."""
    return Violation(path, value, Kind.TYPE, type_name=_TYPE_NAMES.get(shape.type_name, shape.type_name))


def constraint_violations(shape: Shape, value: object, path: Path = ()) -> list[Violation]:
    """Every way `value` (API form: PascalCase members) breaks `shape`: type, required members,
    unknown members, enum, length / size / value ranges, and patterns matched whole."""
    if not _has_type(shape, value):
        return [type_violation(shape, value, path)]
    found: list[Violation] = []
    if isinstance(shape, StructureShape):
        assert isinstance(value, Mapping)
        for member in shape.required_members:
            if value.get(member) is None:
                found.append(Violation((*path, member), None, Kind.REQUIRED))
        for key, item in value.items():
            if key not in shape.members:
                found.append(Violation((*path, key), item, Kind.UNKNOWN_MEMBER))
            elif item is not None:
                found.extend(constraint_violations(shape.members[key], item, (*path, key)))
        return found
    found.extend(_range_violations(shape, value, path))
    if isinstance(shape, ListShape):
        assert isinstance(value, Sequence)
        for index, item in enumerate(value):
            found.extend(constraint_violations(shape.member, item, (*path, index)))
    elif isinstance(shape, MapShape):
        assert isinstance(value, Mapping)
        for key, item in value.items():
            found.extend(constraint_violations(shape.key, key, (*path, key)))
            found.extend(constraint_violations(shape.value, item, (*path, key)))
    elif shape.type_name == "string":
        assert isinstance(value, str)
        enum = shape.metadata.get("enum")
        if enum and value not in enum:
            found.append(Violation(path, value, Kind.ENUM, allowed=tuple(enum)))
        pattern = shape.metadata.get("pattern")
        if pattern is not None and not compiled_pattern(pattern).fullmatch(value):
            found.append(Violation(path, value, Kind.PATTERN, pattern=pattern))
    return found


def _range_violations(shape: Shape, value: object, path: Path) -> list[Violation]:
    """min / max: lengths of strings, sizes of lists and maps, values of numbers."""
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if isinstance(value, int | float) and not isinstance(value, bool):
        measure, kind = value, Kind.RANGE
    elif isinstance(value, str | Sequence | Mapping) and shape.type_name in ("string", "list", "map"):
        measure, kind = len(value), Kind.SIZE
    else:
        return []
    found = []
    if low is not None and measure < low:
        found.append(Violation(path, value, kind, bound="min", limit=low))
    if high is not None and measure > high:
        found.append(Violation(path, value, kind, bound="max", limit=high))
    return found


def aws_path(path: Path) -> str:
    """A violation's path as the service writes it: lowerCamelCase members, lists as
    `name.1.member` (1-based), e.g. 'productionVariants.1.member.instanceType'."""
    parts: list[str] = []
    for part in path:
        if isinstance(part, int):
            parts.append(f"{part + 1}.member")
        else:
            parts.append(part[:1].lower() + part[1:])
    return ".".join(parts)


def aws_validation_message(violations: Sequence[Violation]) -> str:
    """The service's ValidationException message for `violations`, e.g. "1 validation error
    detected: Value 'x' at 'endpointName' failed to satisfy constraint: Member must ..."."""
    count = len(violations)
    details = "; ".join(
        f"Value {'null' if v.value is None else repr_aws(v.value)} at '{aws_path(v.path)}' "
        f"failed to satisfy constraint: {v.rule}"
        for v in violations
    )
    return f"{count} validation error{'s' if count != 1 else ''} detected: {details}"


def repr_aws(value: object) -> str:
    """A value as AWS quotes it in validation messages ('x', '5', '[a, b]', 'true')."""
    if isinstance(value, bool):
        return f"'{str(value).lower()}'"
    if isinstance(value, list | tuple):
        return f"'[{', '.join(str(item) for item in value)}]'"
    return f"'{value}'"


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


# --- Cross-field rules ----------------------------------------------------------------------------
# The service documents these in member documentation but the model cannot express them. They read
# API-form values defensively (any member may be missing or of a wrong type, reported elsewhere).
# `name` renders a member name in the caller's style (AWS's PascalCase, or snake_case for users).

Namer = Callable[[str], str]


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
    1 GB steps and provisioned concurrency within MaxConcurrency; no KmsKeyId with local storage."""
    found: list[Violation] = []
    lists = [
        (member, _structures(request.get(member))) for member in ("ProductionVariants", "ShadowProductionVariants")
    ]
    production, shadow = lists[0][1], lists[1][1]
    if shadow and (len(production) != 1 or len(shadow) != 1):
        found.append(
            cross_field(
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
                    cross_field(
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
                cross_field(
                    ("KmsKeyId",),
                    kms_key,
                    name("KmsKeyId"),
                    "must not be given with instance types that have local storage "
                    f"({', '.join(local)}): their volumes are encrypted by the instance's hardware module",
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
                cross_field(
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
                cross_field(
                    (*path, "ServerlessConfig", "MemorySizeInMB"),
                    memory,
                    name("MemorySizeInMB"),
                    "must be a multiple of 1024 (1 GB steps)",
                )
            )
        if isinstance(provisioned, int) and isinstance(most, int) and provisioned > most:
            found.append(
                cross_field(
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
                cross_field(
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
            cross_field(
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
                    cross_field(
                        (*base, member), routing.get(member), name(member), f"{verb} when {name('Type')} is {kind}"
                    )
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
            cross_field(
                ("ExcludeRetainedVariantProperties",),
                excluded,
                name("ExcludeRetainedVariantProperties"),
                f"needs {name('RetainAllVariantProperties')} set to true",
            )
        )
    kinds = [item.get("VariantPropertyType") for _, item in _structures(excluded)]
    if len(kinds) != len(set(map(str, kinds))):
        found.append(
            cross_field(
                ("ExcludeRetainedVariantProperties",), excluded, name("VariantPropertyType"), "values must be unique"
            )
        )
    if request.get("RetainDeploymentConfig") is True and deployment is not None:
        found.append(
            cross_field(
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
        return [cross_field((*path, "Value"), value, name(member), f"must be {low}-{high} % of capacity (got {value})")]
    if kind == "INSTANCE_COUNT" and instance_count and not low * instance_count <= 100 * value <= high * instance_count:
        return [
            cross_field(
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
            cross_field(
                (*path, "MaximumExecutionTimeoutInSeconds"),
                timeout,
                name("MaximumExecutionTimeoutInSeconds"),
                f"must be larger than the waits it covers ({total} s)",
            )
        ]
    return []


def _render(path: Path, name: Namer) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{name(part)}" for part in path).lstrip(".")
