"""`diff` for both resources: replace, update in place, or nothing, from canonical inputs only.

Both sides are normalised again before comparing, so what SageMaker fills in or reorders (default
weights, 1 vs 1.0, tag order, PascalCase vs snake_case) never shows as a change. Outputs that are
not inputs (`arn`, `status`, times, `__provider`) are not compared. A value not known until apply
counts as a change. Pure logic: no AWS call.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from sagemaker_hosting import naming, normalize, schema

ENDPOINT_EXTRA_INPUTS = ("timeouts", "adopt_existing", naming.RETAINED_KEY)
"""Endpoint inputs that are no API member (changes to them are in place; `retain_on_delete` marks or
unmarks the endpoint, the others call nothing)."""

ENDPOINT_REPLACED_BY = ("name", "region", naming.ACCOUNT_KEY)
"""What replaces an endpoint when it changes (the account: `moved_account`)."""


@dataclass(frozen=True)
class Plan:
    """What `pulumi up` will do with one resource."""

    changes: bool
    replaces: list[str]
    """Inputs whose change replaces the resource."""
    changed: list[str]
    """Every input that changes."""
    delete_before_replace: bool = False
    note: str = ""
    """What the update does that the engine's diff cannot show (its keys are hidden): work an earlier
    run left unfinished (`naming.PENDING_KEY`), a config replaced under the same name."""


def plan_endpoint_config(old_outputs: Mapping[str, Any], new_inputs: Mapping[str, Any]) -> Plan:
    """Configs are immutable: any change but `tags` (a new `region` or account included) replaces
    the config; a tags-only change is an update in place."""
    changed = changed_inputs("EndpointConfig", old_outputs, new_inputs)
    return Plan(bool(changed), [key for key in changed if key != "tags"], changed)


def old_account(old: Mapping[str, Any]) -> str | None:
    """The account a resource lives in: its ARN's, or (in inputs, which have no ARN) the account the
    credentials acted in when they were settled (`naming.ACCOUNT_KEY`)."""
    arn = old.get("arn")
    if isinstance(arn, str) and arn.count(":") >= 5:
        return arn.split(":")[4]
    account = old.get(naming.ACCOUNT_KEY)
    return account if isinstance(account, str) else None


def moved_account(old: Mapping[str, Any], new_inputs: Mapping[str, Any]) -> bool:
    """Whether the stack's credentials now act in another account than the one the resource lives
    in, e.g. after `aws:profile` changed: then it must be created there and deleted here."""
    before, account = old_account(old), new_inputs.get(naming.ACCOUNT_KEY)
    return before is not None and isinstance(account, str) and before != account


def plan_endpoint(old_outputs: Mapping[str, Any], new_inputs: Mapping[str, Any]) -> Plan:
    """A new `name`, `region` or account replaces an endpoint (deleting first when the names differ only in
    case, as endpoint names are unique case-insensitively); a new `endpoint_config_name`,
    deployment settings, retain flags, tags, timeouts and `adopt_existing` change in place, and so
    do work an earlier run left unfinished (`naming.PENDING_KEY`, recorded by a refresh) and a config
    replaced by one of the same name (`config_replaced`)."""
    changed = changed_inputs("Endpoint", old_outputs, new_inputs, ENDPOINT_EXTRA_INPUTS)
    replaces = [key for key in changed if key in ENDPOINT_REPLACED_BY]
    if not replaces:
        notes, hidden = [], []
        unfinished = old_outputs.get(naming.PENDING_KEY)
        if isinstance(unfinished, str) and unfinished:  # a refresh saw it: the update finishes it
            notes.append(f"{unfinished}; `pulumi up` finishes it")
            hidden.append(naming.PENDING_KEY)
        if config_replaced(old_outputs, new_inputs) and "endpoint_config_name" not in changed:
            notes.append(
                f'its config "{new_inputs.get("endpoint_config_name")}" is replaced by a new one of the same name; '
                "`pulumi up` moves the endpoint to the new one if it runs another (an earlier run may not have seen "
                "its deployment end)"
            )
            hidden.append(naming.CONFIG_INSTANCE_KEY)
        return Plan(bool(changed or hidden), [], [*changed, *hidden], note="; ".join(notes))
    old_name, new_name = old_outputs.get("name"), new_inputs.get("name")
    same_place_but_case = (
        replaces == ["name"]
        and isinstance(old_name, str)
        and isinstance(new_name, str)
        and not normalize.is_unknown(new_name)
        and old_name.lower() == new_name.lower()
    )
    return Plan(True, replaces, changed, delete_before_replace=same_place_but_case)


def config_replaced(old: Mapping[str, Any], new_inputs: Mapping[str, Any]) -> bool:
    """Whether the endpoint's config is another config resource than the one it was put on (its
    instance id, `naming.CONFIG_INSTANCE_KEY`, differs or is not known yet), when both sides carry one."""
    before, after = old.get(naming.CONFIG_INSTANCE_KEY), new_inputs.get(naming.CONFIG_INSTANCE_KEY)
    return isinstance(before, str) and after is not None and after != before


def moves_endpoint(old_outputs: Mapping[str, Any], new_inputs: Mapping[str, Any]) -> bool:
    """Whether an update of the endpoint deploys (`deployment.Deployer.deploy`, which first finds out
    what the endpoint runs): a new `endpoint_config_name`, work a refresh found unfinished, or a
    config replaced under the same name."""
    return (
        new_inputs.get("endpoint_config_name") != old_outputs.get("endpoint_config_name")
        or bool(old_outputs.get(naming.PENDING_KEY))
        or config_replaced(old_outputs, new_inputs)
    )


def replaces_endpoint(old: Mapping[str, Any], new_inputs: Mapping[str, Any]) -> bool:
    """Whether the change replaces the endpoint (a new name, region or account): the one rule, for
    `diff` (old outputs) and the preview checks of `in_place` (old inputs) alike."""
    return bool(plan_endpoint(old, new_inputs).replaces)


def old_region(old_outputs: Mapping[str, Any]) -> Any:
    """The region a resource lives in: its `region`, or for state written before resources had
    one, the region in its ARN."""
    region = old_outputs.get("region")
    arn = old_outputs.get("arn")
    if region is None and isinstance(arn, str) and arn.count(":") >= 5:
        region = arn.split(":")[3]
    return region


def changed_inputs(
    resource: schema.Resource, old: Mapping[str, Any], new: Mapping[str, Any], extra: Collection[str] = ()
) -> list[str]:
    """The resource's inputs whose canonical values differ, in the model's member order.
    `name_prefix` is not compared: it only shapes names generated for new resources."""
    shape = schema.resource_shape(resource)
    keys = [key for key in [*schema.members_by_snake(shape), *extra] if key != "name_prefix"]
    old = {**old, "region": old_region(old)}
    before, after = (_comparable(shape, values, keys, extra) for values in (old, new))
    moved = [naming.ACCOUNT_KEY] if moved_account(old, new) else []
    return [key for key in keys if before.get(key) != after.get(key)] + moved


def _comparable(shape: Any, values: Mapping[str, Any], keys: Collection[str], extra: Collection[str]) -> dict[str, Any]:
    inputs = {key: value for key, value in values.items() if key in keys}
    canonical, _ = normalize.to_canonical(shape, inputs, extra=extra)
    canonical.setdefault("tags", {})  # no tags and an empty dict are the same
    return canonical
