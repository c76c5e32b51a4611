"""botocore's SageMaker service model: shapes, snake_case names, and the model's constraints.

One validator for two callers (with the documented cross-field rules of `cross_field`): the
emulator rejects requests with these violations the way the service does (AWS wording and paths,
`aws_validation_message`), and `validate` reports the same violations in snake_case to Pulumi
users. A `Violation` carries its `Kind` and that kind's data (the allowed values, the pattern, the
bound); AWS's wording is made here alone (`Violation.rule`), and callers decide by kind, never by
reading the wording. Pure logic: no AWS call, no Pulumi import.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

import botocore.session
from botocore import xform_name
from botocore.model import ListShape, MapShape, ServiceModel, Shape, ShapeResolver, StructureShape

from sagemaker_hosting.java_regex import compiled_pattern

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
    sensitive: bool = False
    """The value is of a shape the model marks sensitive, which AWS leaves out of its message."""

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
    unknown members, enum, length / size / value ranges, and patterns matched whole; marked
    `sensitive` inside a shape the model marks so."""
    found = _violations(shape, value, path)
    if shape.metadata.get("sensitive"):
        return [replace(violation, sensitive=True) for violation in found]
    return found


def _violations(shape: Shape, value: object, path: Path) -> list[Violation]:
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


INTEGER_BITS = {"integer": 32, "long": 64}
"""Width of the model's integer types: Smithy's `integer` is a 32-bit and `long` a 64-bit signed
integer (Smithy 2.0 specification, "Simple types"), which botocore's JSON models carry over."""


def integer_bounds(shape: Shape) -> tuple[int, int] | None:
    """The smallest and largest values an integer shape's type holds (`INTEGER_BITS`); None for others."""
    bits = INTEGER_BITS.get(shape.type_name)
    return None if bits is None else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)


def _range_violations(shape: Shape, value: object, path: Path) -> list[Violation]:
    """min / max: lengths of strings, sizes of lists and maps, values of numbers, within the width of
    an integer type (`integer_bounds`), which the service cannot read past."""
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    width = integer_bounds(shape)
    if width is not None:
        low = width[0] if low is None else max(low, width[0])
        high = width[1] if high is None else min(high, width[1])
    if isinstance(value, int | float) and not isinstance(value, bool):
        measure, kind = value, Kind.RANGE
    elif isinstance(value, str | Sequence | Mapping) and shape.type_name in ("string", "blob", "list", "map"):
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
        f"{_aws_value(v)}at '{aws_path(v.path)}' failed to satisfy constraint: {v.rule}" for v in violations
    )
    return f"{count} validation error{'s' if count != 1 else ''} detected: {details}"


def _aws_value(violation: Violation) -> str:
    """How a message shows the value: quoted, null, or not at all for a sensitive member (as AWS
    writes a Cognito username: "Value at 'username' failed to satisfy constraint: ...",
    massif-press/compcon#1951)."""
    if violation.value is None:
        return "Value null "
    return "Value " if violation.sensitive else f"Value {repr_aws(violation.value)} "


def repr_aws(value: object) -> str:
    """A value as AWS quotes it in validation messages ('x', '5', '[a, b]', 'true')."""
    if isinstance(value, bool):
        return f"'{str(value).lower()}'"
    if isinstance(value, list | tuple):
        return f"'[{', '.join(str(item) for item in value)}]'"
    return f"'{value}'"
