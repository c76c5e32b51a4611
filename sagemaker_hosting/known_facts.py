"""What the config facts an `Endpoint` carries say (`naming.CONFIG_VARIANTS_KEY`, made on the program
side by `variants`), read the same way by the endpoint's preview checks (`in_place`, `exclusions`):
facts that describe the config named, a difference that is certain, unknowns kept unknown; and how
their messages name a config and its members. Pure: no AWS call."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sagemaker_hosting import naming, normalize
from sagemaker_hosting.normalize import InputError


def shown(config_name: object) -> str:
    """A config's name for a message: quoted, or said to be known only at `up`."""
    return "(named at `up`)" if normalize.is_unknown(config_name) else f'"{config_name}"'


def facts_of(facts: object, config_name: object) -> Mapping[str, Any] | None:
    """`facts` if they describe the config `config_name`. Both unknown at preview counts: an Endpoint
    gets the facts with the very `name` output of the program's EndpointConfig."""
    if not isinstance(facts, Mapping):
        return None
    recorded = facts.get("config_name")
    if normalize.is_unknown(config_name):
        return facts if normalize.is_unknown(recorded) else None
    return facts if recorded == config_name else None


def differs(old: Any, new: Any) -> bool:
    """Whether two configs' facts certainly differ: in what both record (an earlier version recorded
    fewer facts), unknowns aside. Configs with other facts have other content, so other names."""
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        return any(differs(old[key], new[key]) for key in old.keys() & new.keys() if key != "config_name")
    if isinstance(old, list) and isinstance(new, list):
        return len(old) != len(new) or any(differs(a, b) for a, b in zip(old, new, strict=False))
    return not normalize.is_unknown(old) and not normalize.is_unknown(new) and old != new


def members(paths: list[str], member: str) -> str:
    return ", ".join(f"`{path}.{member}`" for path in paths)


def and_(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def config_error(reason: str) -> InputError:
    return InputError("endpoint_config_name", "endpoint_config_name", f"`endpoint_config_name`: {reason}")


def variants(facts: Mapping[str, Any]) -> list[Mapping[str, Any]] | None:
    """The production variants' facts, or None when the list itself is not known."""
    variants = facts.get("variants")
    if not isinstance(variants, list) or not all(isinstance(v, Mapping) for v in variants):
        return None
    return variants


def recorded_instance_types(olds: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, str | None] | None:
    """The instance types of the config an endpoint runs, from the stack's record of it (`olds`:
    the facts of the config the last `up` put it on, `naming.CONFIG_VARIANTS_KEY`), when the
    endpoint (`current`: DescribeEndpoint) is as that `up` left it: on that config, and not changed
    since (the same LastModifiedTime). None otherwise, or when the facts miss a variant's type: the
    config is then read (issue 17: no read of the live config per move when the stack knows it).
    Beside `autoscaling.instance_types`, which reads the same of a described config."""
    modified = current.get("LastModifiedTime")
    if not isinstance(modified, datetime) or modified.isoformat() != olds.get("last_modified_time"):
        return None
    facts = facts_of(olds.get(naming.CONFIG_VARIANTS_KEY), current.get("EndpointConfigName"))
    recorded = variants(facts) if facts is not None else None
    if not recorded:
        return None
    types: dict[str, str | None] = {}
    for variant in recorded:
        name, serverless, instance_type = (variant.get(k) for k in ("variant_name", "serverless", "instance_type"))
        if not isinstance(name, str) or serverless not in (True, False):
            return None
        if not serverless and not isinstance(instance_type, str):
            return None
        types[name] = None if serverless else instance_type
    return types
