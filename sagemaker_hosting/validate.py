"""`check` for both resources: canonical inputs, and every problem with them named for the user.

Problems come from one validator (`schema`: the service model's constraints; `cross_field`: the
documented cross-field rules), reported here with snake_case paths, plus what only the resources have: tags as
a dict, generated names, `timeouts`, and the refusal to replace a config under an explicit name;
an endpoint's changes SageMaker would refuse mid-`up` are `in_place`'s.
Values not known until apply (Pulumi preview) pass every rule. Pure logic: no AWS call.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

import botocore.exceptions
import botocore.utils
from botocore.model import ListShape, MapShape, StructureShape

from sagemaker_hosting import cross_field, exclusions, in_place, messages, naming, normalize, plan, schema, tag_keys
from sagemaker_hosting.normalize import InputError

__all__ = ["InputError", "check_endpoint", "check_endpoint_config", "parse_duration"]

TIMEOUT_OPERATIONS = ("create", "update", "delete")

_DURATION = re.compile(r"(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?")

CrossFieldRules = Callable[[Mapping[str, Any], cross_field.Namer], list[schema.Violation]]


def check_endpoint_config(olds: Mapping[str, Any], news: Mapping[str, Any]) -> tuple[dict[str, Any], list[InputError]]:
    """Canonical inputs of an `EndpointConfig` and the problems with them. `olds` are the previous
    inputs (empty on create and on replacement): they keep a generated name stable, and with an
    explicit name a change that would replace the config is refused."""
    canonical, errors = _check("EndpointConfig", olds, news, cross_field.endpoint_config_violations, config_content)
    old_name, name = olds.get("name"), canonical.get("name")
    if news.get("name") is not None and isinstance(old_name, str) and isinstance(name, str):
        replaces = plan.plan_endpoint_config(olds, canonical).replaces
        if replaces and old_name.lower() == name.lower():
            errors.append(
                InputError(
                    "name",
                    "name",
                    f'changing {", ".join(f"`{key}`" for key in replaces)} replaces endpoint config "{name}", '
                    "and a replacement needs a new name: the config in use cannot be deleted and created again "
                    "under the same name safely. Change `name`, or remove it to let a name be generated.",
                )
            )
    return canonical, errors


def check_endpoint(olds: Mapping[str, Any], news: Mapping[str, Any]) -> tuple[dict[str, Any], list[InputError]]:
    """Canonical inputs of an `Endpoint` and the problems with them; `timeouts` become seconds."""
    extra = ("timeouts", "adopt_existing")
    canonical, errors = _check("Endpoint", olds, news, cross_field.endpoint_violations, lambda _: {}, extra=extra)
    if "timeouts" in canonical:
        canonical["timeouts"], timeout_errors = parse_timeouts(canonical["timeouts"])
        errors.extend(timeout_errors)
        if not canonical["timeouts"]:
            del canonical["timeouts"]
    errors.extend(_adoption_errors(canonical.get("adopt_existing"), news.get("name")))
    errors.extend(_config_region_errors(canonical))
    reported = {error.path for error in errors if not error.warning}  # one problem per field is enough
    refusals = [*in_place.in_place_errors(olds, canonical), *exclusions.exclusion_errors(olds, canonical)]
    errors.extend(error for error in refusals if error.path not in reported)
    return canonical, errors


def _config_region_errors(canonical: Mapping[str, Any]) -> list[InputError]:
    """An endpoint put on an `EndpointConfig` of another region, both known: CreateEndpoint and
    UpdateEndpoint look the config up in the endpoint's region, and would not find it."""
    facts, name, region = (
        canonical.get(naming.CONFIG_VARIANTS_KEY),
        canonical.get("endpoint_config_name"),
        canonical.get("region"),
    )
    config_region = facts.get("region") if isinstance(facts, Mapping) and facts.get("config_name") == name else None
    if not all(isinstance(value, str) and not normalize.is_unknown(value) for value in (name, region, config_region)):
        return []
    if config_region == region:
        return []
    reason = (
        f'`endpoint_config_name`: config "{name}" is in {config_region} and the endpoint in {region}: SageMaker '
        "puts an endpoint only on a config of its own region (CreateEndpoint and UpdateEndpoint look it up there, "
        "and would not find it). Give both the same `region`."
    )
    return [InputError("endpoint_config_name", "endpoint_config_name", reason)]


def _adoption_errors(adopt_existing: object, explicit_name: object) -> list[InputError]:
    """`adopt_existing` is a bool, and takes over an endpoint named by `name`, never a generated one."""
    if adopt_existing is None or normalize.is_unknown(adopt_existing):
        return []
    if not isinstance(adopt_existing, bool):
        reason = f"`adopt_existing` must be true or false (got {messages.show(adopt_existing)})"
        return [InputError("adopt_existing", "adopt_existing", reason)]
    if adopt_existing and explicit_name is None:
        reason = "`adopt_existing` takes over the endpoint named by `name`: set `name` to the existing endpoint's name"
        return [InputError("adopt_existing", "adopt_existing", reason)]
    return []


def config_content(canonical: Mapping[str, Any]) -> dict[str, Any]:
    """What makes a config what it is, for its generated name: every API input but the name and
    tags (which change in place); not the prefix, the region or our hidden inputs."""
    left_out = ("name", "name_prefix", "region", "tags", *naming.HIDDEN_KEYS)
    return {key: value for key, value in canonical.items() if key not in left_out}


def _check(
    resource: schema.Resource,
    olds: Mapping[str, Any],
    news: Mapping[str, Any],
    rules: CrossFieldRules,
    name_content: Callable[[Mapping[str, Any]], Mapping[str, Any]],
    extra: Collection[str] = (),
) -> tuple[dict[str, Any], list[InputError]]:
    shape = schema.resource_shape(resource)
    hidden = (naming.PROVIDER_KEY, *naming.HIDDEN_KEYS)
    raw = {key: value for key, value in news.items() if key not in hidden and value is not None}
    canonical, errors = normalize.to_canonical(shape, raw, extra=extra)
    canonical.update({key: news[key] for key in naming.HIDDEN_KEYS if news.get(key) is not None})
    name_keys = {schema.NAME_MEMBERS[resource], schema.snake(schema.NAME_MEMBERS[resource])}
    errors = [
        InputError(e.property, e.path, f"unknown key `{e.path}`: the {resource}'s name is the `name` input")
        if e.path in name_keys
        else e
        for e in errors
    ]
    canonical["name"] = naming.resolve_name(olds, canonical, name_content(canonical))
    errors.extend(_region_errors(canonical.get("region")))
    api = normalize.to_api(shape, {key: value for key, value in canonical.items() if key not in (*extra, *hidden)})
    violations = [*schema.constraint_violations(shape, api), *rules(api, schema.snake)]
    reported = [v for v in violations if not normalize.is_unknown(v.value) and not _non_finite(v.value)]
    errors.extend(_input_error(shape, v) for v in reported)
    errors.extend(_non_finite_errors(canonical))  # one error for each, whatever the member's type
    errors.extend(_reserved_tag_errors(canonical.get("tags")))
    return canonical, errors


def _non_finite(value: object) -> bool:
    return isinstance(value, float) and not math.isfinite(value)


def _non_finite_errors(value: object, path: str = "") -> list[InputError]:
    """NaN and infinities, which no member of the API accepts (and Pulumi's state cannot store)."""
    if _non_finite(value):
        return [InputError(normalize.top_property(path), path, f"`{path}` must be a finite number (got {value})")]
    if isinstance(value, Mapping):
        return [e for key, item in value.items() for e in _non_finite_errors(item, normalize.join(path, str(key)))]
    if isinstance(value, list):
        return [e for index, item in enumerate(value) for e in _non_finite_errors(item, normalize.join(path, index))]
    return []


def _region_errors(region: object) -> list[InputError]:
    """`region` must be set, and be a name botocore accepts (a host label, as its clients check)."""
    if region is None:
        reason = (
            "`region` is not set: give the resource a `region`, set the stack's `aws:region` "
            "(`pulumi config set aws:region us-east-1`), or set AWS_REGION"
        )
        return [InputError("region", "region", reason)]
    if isinstance(region, str) and not normalize.is_unknown(region):
        try:
            botocore.utils.validate_region_name(region)
        except botocore.exceptions.InvalidRegionError:
            return [
                InputError(
                    "region", "region", f"`region` must be an AWS region name such as us-east-1 (got {region!r})"
                )
            ]
    return []


def _input_error(shape: StructureShape, violation: schema.Violation) -> InputError:
    """A violation in the user's terms: a snake_case path, the rule, and the value given. An enum
    value the model does not list is a warning (`_enum_reason`); every other kind is an error."""
    path, last = _snake_path(shape, violation.path)
    kind, value = violation.kind, violation.value
    if kind is schema.Kind.REQUIRED:
        reason = f"`{path}` is required"
    elif kind is schema.Kind.ENUM:
        reason = f"`{path}` {_enum_reason(violation.allowed, value)}"
        return InputError(normalize.top_property(path), path, reason, warning=True)
    elif kind is schema.Kind.PATTERN:
        reason = f"`{path}` must match the pattern ^{violation.pattern}$ (got {messages.show(value)})"
    elif kind in (schema.Kind.TYPE, schema.Kind.RANGE, schema.Kind.SIZE):
        reason = f"`{path}` {violation.constraint} (got {messages.show(value)})"
    elif kind is schema.Kind.CROSS_FIELD and last and violation.subject == last:
        reason = f"`{path}` {violation.predicate}"
    else:
        reason = f"`{path}`: {violation.rule}"
    return InputError(normalize.top_property(path), path, reason)


def _snake_path(shape: StructureShape, path: schema.Path) -> tuple[str, str]:
    """The snake_case form of an API-form path, and the snake_case name of its last member."""
    rendered, last = "", ""
    current: Any = shape
    for part in path:
        if isinstance(part, int):
            rendered = normalize.join(rendered, part)
            current = current.member if isinstance(current, ListShape) else None
        elif isinstance(current, MapShape):
            rendered += normalize.map_key(part)
            current = current.value
        else:
            last = schema.snake(part)
            rendered = normalize.join(rendered, last)
            current = current.members.get(part) if isinstance(current, StructureShape) else None
    return rendered, last


def _enum_reason(allowed: Sequence[str], value: object) -> str:
    """An enum value the installed model does not list: a warning, since AWS adds values (instance
    types every few months) before a botocore release here lists them; the service decides."""
    close = difflib.get_close_matches(str(value), allowed, n=3) if isinstance(value, str) else []
    if len(allowed) <= 12:
        known = f"is {messages.show(value)}, not one of {', '.join(allowed)}"
    else:
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        known = f"is {messages.show(value)}, which is not one of the {len(allowed)} values it lists{hint}"
    return (
        f"{known} (botocore {botocore.__version__}). It is passed to SageMaker, which decides: a value AWS "
        "added since is accepted, a typo is refused there"
    )


def _reserved_tag_errors(tags: object) -> list[InputError]:
    """Tag keys starting with `aws:` are reserved for AWS, and `tag_keys.TAG_PREFIX` for this provider."""
    if not isinstance(tags, Mapping):
        return []
    errors = []
    for key in tags:
        for prefix in ("aws:", tag_keys.TAG_PREFIX):
            if isinstance(key, str) and key.lower().startswith(prefix):
                path = f"tags{normalize.map_key(key)}"
                errors.append(InputError("tags", path, f"tag key {key!r} must not start with `{prefix}` (reserved)"))
    return errors


def parse_duration(value: object) -> int | None:
    """Seconds in a timeout: a positive number of seconds, or a duration such as "90m", "2h",
    "1h30m", "45s"; None when `value` is neither."""
    if isinstance(value, str):
        text = value.strip()
        match = _DURATION.fullmatch(text)
        if text and match:
            value = int(match["h"] or 0) * 3600 + int(match["m"] or 0) * 60 + int(match["s"] or 0)
        else:
            try:
                value = float(text)
            except ValueError:
                return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < math.inf:
        return None
    return math.ceil(value)


def parse_timeouts(timeouts: object) -> tuple[Any, list[InputError]]:
    """`timeouts` ({"create", "update", "delete"}: seconds or durations) as whole seconds."""
    if normalize.is_unknown(timeouts):
        return timeouts, []
    if not isinstance(timeouts, Mapping):
        return timeouts, [
            InputError(
                "timeouts",
                "timeouts",
                f"`timeouts` must be a dict with keys create, update, delete (got {messages.show(timeouts)})",
            )
        ]
    seconds: dict[str, Any] = {}
    errors: list[InputError] = []
    for key, value in timeouts.items():
        path = normalize.join("timeouts", key)
        if value is None:
            continue
        if key not in TIMEOUT_OPERATIONS:
            close = difflib.get_close_matches(key, TIMEOUT_OPERATIONS, n=1)
            hint = f"did you mean `{close[0]}`?" if close else f"valid keys: {', '.join(TIMEOUT_OPERATIONS)}"
            errors.append(InputError("timeouts", path, f"unknown key `{key}` in `timeouts`; {hint}"))
            continue
        parsed = value if normalize.is_unknown(value) else parse_duration(value)
        if parsed is None:
            errors.append(
                InputError(
                    "timeouts",
                    path,
                    f'`{path}` must be a positive number of seconds or a duration like "90m", "2h", "1h30m", '
                    f'"45s" (got {messages.show(value)})',
                )
            )
        else:
            seconds[key] = parsed
    return seconds, errors
