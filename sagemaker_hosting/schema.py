"""botocore's SageMaker service model: shapes, snake_case names, and the model's constraints.

One validator for two callers: the emulator rejects requests with these violations the way the
service does (AWS wording and paths, `aws_validation_message`), and `validate` reports the same
violations in snake_case to Pulumi users. Pure logic: no AWS call, no Pulumi import.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import botocore.session
import regex
from botocore import xform_name
from botocore.model import ListShape, MapShape, ServiceModel, Shape, StructureShape

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
def service_model() -> ServiceModel:
    """The installed botocore model of the "sagemaker" service (loaded once)."""
    return botocore.session.get_session().get_service_model("sagemaker")


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


@functools.cache
def snake(member_name: str) -> str:
    """The snake_case form of an API member name ("VolumeSizeInGB" -> "volume_size_in_gb")."""
    return xform_name(member_name)


@functools.cache
def members_by_snake(shape: StructureShape) -> Mapping[str, str]:
    """{snake_case name: member name} of a structure's members."""
    return {snake(member): member for member in shape.members}


@dataclass(frozen=True)
class Violation:
    """One way an API-form value breaks the service model, in AWS's wording (`rule`)."""

    path: Path
    value: object
    rule: str


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


def type_rule(shape: Shape) -> str:
    """The rule text of a value of the wrong JSON type for `shape`."""
    return f"Member must be of type {_TYPE_NAMES.get(shape.type_name, shape.type_name)}"


def constraint_violations(shape: Shape, value: object, path: Path = ()) -> list[Violation]:
    """Every way `value` (API form: PascalCase members) breaks `shape`: type, required members,
    unknown members, enum, length / size / value ranges, and patterns matched whole."""
    if not _has_type(shape, value):
        return [Violation(path, value, type_rule(shape))]
    found: list[Violation] = []
    if isinstance(shape, StructureShape):
        assert isinstance(value, Mapping)
        for member in shape.required_members:
            if value.get(member) is None:
                found.append(Violation((*path, member), None, "Member must not be null"))
        for key, item in value.items():
            if key not in shape.members:
                found.append(Violation((*path, key), item, UNKNOWN_MEMBER))
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
            found.append(Violation(path, value, f"Member must satisfy enum value set: [{', '.join(enum)}]"))
        pattern = shape.metadata.get("pattern")
        if pattern is not None and not compiled_pattern(pattern).fullmatch(value):
            found.append(Violation(path, value, f"Member must satisfy regular expression pattern: {pattern}"))
    return found


def _range_violations(shape: Shape, value: object, path: Path) -> list[Violation]:
    """min / max: lengths of strings, sizes of lists and maps, values of numbers."""
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if isinstance(value, int | float) and not isinstance(value, bool):
        measure, what = value, "value"
    elif isinstance(value, str | Sequence | Mapping) and shape.type_name in ("string", "list", "map"):
        measure, what = len(value), "length"
    else:
        return []
    found = []
    if low is not None and measure < low:
        found.append(Violation(path, value, f"Member must have {what} greater than or equal to {low}"))
    if high is not None and measure > high:
        found.append(Violation(path, value, f"Member must have {what} less than or equal to {high}"))
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
