"""Canonical form of resource inputs, and conversion to and from the API's form.

Canonical form is what `check` returns and what the state stores: snake_case keys at every depth
(users may write nested keys in snake_case or the API's PascalCase), no `None` values, numbers
typed per the model (integer members `int`, float members `float`, so 1 == 1.0 never shows as a
change), the defaults SageMaker fills in and returns filled in (`schema.API_DEFAULTS`), and tags as
a plain dict.

Values not known until apply (at `pulumi preview`, another resource's output) reach a provider in
more than one form; `with_wire_unknowns` turns every form into one, the wire sentinel string, at
the provider's door, and everything here leaves that sentinel as it is. Pure logic: no AWS call.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape
from pulumi.output import Unknown
from pulumi.runtime.rpc import UNKNOWN

from sagemaker_hosting import schema


@dataclass(frozen=True)
class InputError:
    """One problem with a resource's inputs, as `check` reports it."""

    property: str
    """The top-level input name, for Pulumi's CheckFailure."""
    path: str
    """The full snake_case path, e.g. "production_variants[0].instance_type"."""
    reason: str
    """What is wrong, naming the field and the rule."""
    warning: bool = False
    """Not an error: a value the installed botocore model does not list (AWS may have added it since),
    shown at preview and passed on, for the service to decide."""


def _is_placeholder(value: object) -> bool:
    """Whether `value` itself is one of the forms of Pulumi's placeholder for a value not known until
    apply: the wire sentinel string (`rpc.UNKNOWN`), or the `pulumi.output.Unknown` object that
    `pulumi.dynamic` makes of it when it deserialises `check` and `diff` requests."""
    return isinstance(value, Unknown) or (isinstance(value, str) and value == UNKNOWN)


def with_wire_unknowns(value: Any) -> Any:
    """`value` with every placeholder, at any depth (a whole input, a list, a dict, one member, a
    tag value), replaced by the wire sentinel, which the engine shows as `output<string>`."""
    if _is_placeholder(value):
        return UNKNOWN
    if isinstance(value, Mapping):
        return {key: with_wire_unknowns(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [with_wire_unknowns(item) for item in value]
    return value


def is_unknown(value: object) -> bool:
    """Whether `value` is, or contains, Pulumi's placeholder for a value not known until apply."""
    if _is_placeholder(value):
        return True
    if isinstance(value, Mapping):
        return any(is_unknown(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(is_unknown(item) for item in value)
    return False


def join(path: str, part: str | int) -> str:
    """A snake_case path one step deeper: `a.b`, `a[0]`, or `a["key"]` for a map key."""
    if isinstance(part, int):
        return f"{path}[{part}]"
    return f"{path}.{part}" if path else part


def map_key(key: str) -> str:
    return f'["{key}"]'


def top_property(path: str) -> str:
    """The top-level input a path starts with."""
    return path.split(".", 1)[0].split("[", 1)[0]


def to_canonical(
    shape: StructureShape, raw: Mapping[str, Any], path: str = "", *, extra: Collection[str] = ()
) -> tuple[dict[str, Any], list[InputError]]:
    """`raw` inputs (snake_case or PascalCase keys) in canonical form, and the unknown or
    duplicated keys found; type and range problems are left to `schema.constraint_violations`
    (values that cannot be coerced are kept as they are). Top-level keys in `extra` are the
    caller's own inputs: kept untouched and offered as suggestions."""
    errors: list[InputError] = []
    canonical = _structure(shape, raw, path, errors, extra)
    return canonical, errors


def from_api(shape: StructureShape, api: Mapping[str, Any]) -> dict[str, Any]:
    """A Describe* response, or part of one, in canonical form; members not in `shape` dropped."""
    return _structure(shape, api, "", None, ())


def to_api(shape: StructureShape, canonical: Mapping[str, Any]) -> dict[str, Any]:
    """Canonical values in boto3's request form (PascalCase members); keys that are no member of
    `shape` are kept as they are, for the validator to report."""
    result = _api(shape, canonical)
    assert isinstance(result, dict)
    return result


def tags_to_api(tags: Mapping[str, str]) -> list[dict[str, str]]:
    """A tags dict as the API's `[{"Key": ..., "Value": ...}]`, in key order."""
    return [{"Key": key, "Value": tags[key]} for key in sorted(tags)]


def _canonical(shape: Shape, value: Any, path: str, errors: list[InputError] | None) -> Any:
    """`value` in canonical form; a value of another type than the shape's (such as the unknowns
    placeholder, a string) is returned as it is."""
    if isinstance(shape, StructureShape):
        return _structure(shape, value, path, errors, ()) if isinstance(value, Mapping) else value
    if isinstance(shape, ListShape):
        if isinstance(value, list | tuple):
            return [_canonical(shape.member, item, join(path, index), errors) for index, item in enumerate(value)]
        return value
    if isinstance(shape, MapShape):
        if isinstance(value, Mapping):
            return {
                key: _canonical(shape.value, item, path + map_key(key), errors)
                for key, item in value.items()
                if item is not None
            }
        return value
    return _scalar(shape, value)


def _structure(
    shape: StructureShape,
    value: Mapping[str, Any],
    path: str,
    errors: list[InputError] | None,
    extra: Collection[str],
) -> dict[str, Any]:
    """A structure's members in canonical form, in the model's member order. With `errors` None
    (reading an API response) members the model does not know are dropped silently."""
    by_snake = schema.members_by_snake(shape)
    found: dict[str, Any] = {}
    kept: dict[str, Any] = {}
    for key, item in value.items():
        if item is None:
            continue
        member = key if key in shape.members else by_snake.get(key)
        if key in extra:
            kept[key] = item
        elif member is None:
            if errors is not None:
                errors.append(_unknown_key(shape, key, path, extra))
        elif schema.snake(member) in found and errors is not None:
            where = join(path, schema.snake(member))
            errors.append(InputError(top_property(where), where, f"`{where}` is given twice (as {member} too)"))
        else:
            found[schema.snake(member)] = _canonical(
                shape.members[member], item, join(path, schema.snake(member)), errors
            )
    for (shape_name, member), default in schema.API_DEFAULTS.items():
        if shape.name == shape_name:
            found.setdefault(schema.snake(member), default)
    ordered = {
        schema.snake(member): found[schema.snake(member)] for member in shape.members if schema.snake(member) in found
    }
    return {**ordered, **kept}


def _unknown_key(shape: StructureShape, key: str, path: str, extra: Collection[str]) -> InputError:
    where = join(path, key)
    names = [*schema.members_by_snake(shape), *extra]
    close = difflib.get_close_matches(schema.snake(key), names, n=1, cutoff=0.6)
    hint = f"did you mean `{close[0]}`?" if close else f"valid keys: {', '.join(names)}"
    inside = f" in `{path}`" if path else ""
    return InputError(top_property(where), where, f"unknown key `{key}`{inside}; {hint}")


def _scalar(shape: Shape, value: Any) -> Any:
    """Numbers typed per the model: integral values of integer members as `int`, float members as
    `float`; numeric strings (e.g. from stack config) converted. Anything else is kept."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return value
    number: float | int = value if not isinstance(value, str) else _parse_number(value)
    if number != number:  # not a number: NaN, or a string that is none
        return value
    if shape.type_name in ("integer", "long") and float(number).is_integer():
        return int(number)
    if shape.type_name in ("float", "double"):
        return float(number)
    return value


def _parse_number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return float("nan")


def _api(shape: Shape, value: Any) -> Any:
    if isinstance(shape, StructureShape) and isinstance(value, Mapping):
        by_snake = schema.members_by_snake(shape)
        result = {}
        for key, item in value.items():
            member = key if key in shape.members else by_snake.get(key)
            result[member or key] = _api(shape.members[member], item) if member else item
        return result
    if isinstance(shape, ListShape) and isinstance(value, list | tuple):
        return [_api(shape.member, item) for item in value]
    if isinstance(shape, MapShape) and isinstance(value, Mapping):
        return {key: _api(shape.value, item) for key, item in value.items()}
    # Pulumi's wire format has only doubles: an integer member comes back from state as 2.0.
    return _scalar(shape, value)
