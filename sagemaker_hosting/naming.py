"""Resource names: an explicit `name`, or one generated from the resource's identity and content.

SageMaker names match `^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$`. A generated name is the sanitised
prefix (the Pulumi resource name by default), "-", and a 7-character suffix hashed from the
resource's *name seed* (its project, stack, type and resource name, set by the resource class) and
the inputs that make it what it is. It is deterministic, so the name `pulumi preview` shows is the
name `pulumi up` creates (`preview --save-plan` / `up --plan` agree); a replaced config, whose
content differs, gets a different name, so the new one is created before the old one is deleted.

Once a resource has a name it keeps it: renaming the Pulumi resource (with `aliases`), moving it
into a component or changing `name_prefix` renames nothing in SageMaker.
"""

from __future__ import annotations

import hashlib
import json
import re
import string
from collections.abc import Mapping
from typing import Any

from pulumi.runtime.rpc import UNKNOWN

from sagemaker_hosting import normalize

MAX_LENGTH = 63
SUFFIX_LENGTH = 7
SUFFIX_ALPHABET = string.ascii_lowercase + string.digits

PROVIDER_KEY = "__provider"
"""The input in which `pulumi.dynamic` stores the pickled provider; not one of ours."""
SEED_KEY = "__name_seed"
"""The input in which a resource class passes its name seed (hidden from diffs, as `__` keys are)."""
ACCOUNT_KEY = "__account"
"""The input in which `check` records the AWS account the stack's credentials act in."""
PROFILE_KEY = "__profile"
"""The input in which `check` records the stack's `aws:profile`, so a resource is later read and
deleted with the profile it was created with (in its own account)."""
CONFIG_VARIANTS_KEY = "__config_variants"
"""The input in which an `Endpoint` carries the facts of its config's variants that decide whether
SageMaker can move it there in place or create it on it (their shape is documented in `in_place.py`),
when `endpoint_config_name` is an `EndpointConfig`'s `name` in the same program. Its previous value,
in the endpoint's old inputs, describes the config it runs on. Never compared by `diff`, never sent
to SageMaker."""
SECRET_INPUTS_KEY = "__secret_inputs"
"""The input listing which of a resource's inputs are secrets (at any depth). The engine hands a
dynamic provider its inputs with secrets unwrapped, so without it `check` could not keep their values
out of its messages. Never compared by `diff`, never sent to SageMaker."""
OWNER_KEY = "__owner"
"""The input in which a resource class passes its stack's id and label, "<stack id> <org/project/stack>"
(`identity.py`), from which the owner tag is made (`ownership.py`). Never compared by `diff`."""
INSTANCE_KEY = "__instance"
"""The input in which a config or endpoint keeps its instance id, drawn by `check` for a new resource
(a create, or a replacement, which the engine checks with no old inputs) and kept by every later
check, and written in its owner tag (`ownership.py`): which Pulumi resource entry holds the physical
resource. Known at preview, so a replacement shows as one even when the name stays the same."""
CONFIG_INSTANCE_KEY = "__config_instance"
"""The input in which an `Endpoint` carries the instance id of its config (`INSTANCE_KEY`) when
`endpoint_config_name` is an `EndpointConfig`'s `name`: a config replaced by one of the same name (a
revert) is a change of the endpoint, whose update then moves it to the config it declares whatever
the state recorded (`plan.plan_endpoint`)."""
PENDING_KEY = "__pending"
"""The output in which a refresh records work an earlier run left unfinished (autoscaling set aside),
so that the next `diff` shows a change and the next `up` finishes it (`plan.plan_endpoint`)."""
RETAINED_KEY = "__retain_on_delete"
"""The input in which a resource class passes its `retain_on_delete` option (True when set), so that
an endpoint the stack keeps on `destroy` is marked (`tag_keys.RETAINED_TAG`) and its config stays
with it. A change is an update in place (`plan.ENDPOINT_EXTRA_INPUTS`)."""
PREVIEW_KEY = "__preview"
"""The input in which a resource says whether the engine runs a preview: unknown at preview (so a
saved plan lets `up` give it any value), False at `up`. The dynamic-provider API tells `check` and
`diff` nothing of the kind, and both run at `up` too; with it the rollout plan and its reads are
preview's alone (`EndpointProvider.preview`), and so is `check`'s owner read (`Provider.check`).
Never compared by `diff`, never sent to SageMaker."""
HIDDEN_KEYS = (
    SEED_KEY,
    ACCOUNT_KEY,
    PROFILE_KEY,
    CONFIG_VARIANTS_KEY,
    SECRET_INPUTS_KEY,
    OWNER_KEY,
    INSTANCE_KEY,
    CONFIG_INSTANCE_KEY,
    RETAINED_KEY,
    PREVIEW_KEY,
)
"""Inputs of ours that are no API member and not shown in diffs."""


def sanitize_prefix(prefix: str) -> str:
    """`prefix` reduced to the name pattern: runs of other characters become one "-", no "-" at
    either end, short enough that "-" and the suffix still fit in 63 characters."""
    cleaned = re.sub(r"[^a-zA-Z0-9]+", "-", prefix).strip("-")
    return cleaned[: MAX_LENGTH - SUFFIX_LENGTH - 1].rstrip("-")


def name_seed(project: str, stack: str, resource_type: str, resource_name: str, parent_type: str = "") -> str:
    """What makes a resource's generated name unique: its place in Pulumi's URN (the project, the
    stack, the parent's type, its own type and name), as a short hash."""
    identity = "::".join((project, stack, parent_type, resource_type, resource_name))
    return hashlib.sha256(identity.encode()).hexdigest()[:16]


def generate_name(prefix: str, identity: object) -> str:
    """The sanitised `prefix`, "-", and 7 lowercase letters and digits hashed from `identity`
    (any JSON-serialisable value)."""
    digest = int.from_bytes(hashlib.sha256(json.dumps(identity, sort_keys=True, default=repr).encode()).digest(), "big")
    suffix = ""
    for _ in range(SUFFIX_LENGTH):
        digest, index = divmod(digest, len(SUFFIX_ALPHABET))
        suffix += SUFFIX_ALPHABET[index]
    head = sanitize_prefix(prefix)
    return f"{head}-{suffix}" if head else suffix


def resolve_name(olds: Mapping[str, Any], news: Mapping[str, Any], content: Mapping[str, Any]) -> Any:
    """The name `check` settles on, from canonical inputs.

    An explicit `name` is used as it is; otherwise a resource that has a name keeps it, and a new
    one (a create, or a replacement, which Pulumi checks with empty olds) gets a name generated from
    its seed and `content`. While `content` holds a value not known until apply, so does the name.
    """
    explicit = news.get("name")
    if explicit is not None:
        return explicit
    old_name = olds.get("name")
    if isinstance(old_name, str):
        return old_name
    prefix = news.get("name_prefix")
    if normalize.is_unknown([prefix, content]):
        return UNKNOWN
    return generate_name(prefix if isinstance(prefix, str) else "", {"seed": news.get(SEED_KEY), **content})
