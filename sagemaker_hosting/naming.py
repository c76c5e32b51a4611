"""Resource names: an explicit `name`, or one generated from the Pulumi resource name.

SageMaker names match `^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$`. A generated name is the sanitised
prefix, "-", and a random suffix, so a replacement (which Pulumi checks with empty olds) gets a
fresh name and the new resource can be created before the old one is deleted.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Mapping
from typing import Any

MAX_LENGTH = 63
SUFFIX_LENGTH = 7
SUFFIX_ALPHABET = string.ascii_lowercase + string.digits

_system_random = random.SystemRandom()


def sanitize_prefix(prefix: str) -> str:
    """`prefix` reduced to the name pattern: runs of other characters become one "-", no "-" at
    either end, short enough that "-" and the suffix still fit in 63 characters."""
    cleaned = re.sub(r"[^a-zA-Z0-9]+", "-", prefix).strip("-")
    return cleaned[: MAX_LENGTH - SUFFIX_LENGTH - 1].rstrip("-")


def generate_name(prefix: str, rng: random.Random | None = None) -> str:
    """A new name: the sanitised `prefix`, "-", and 7 random lowercase letters and digits."""
    chooser = rng or _system_random
    suffix = "".join(chooser.choice(SUFFIX_ALPHABET) for _ in range(SUFFIX_LENGTH))
    head = sanitize_prefix(prefix)
    return f"{head}-{suffix}" if head else suffix


def resolve_name(olds: Mapping[str, Any], news: Mapping[str, Any], rng: random.Random | None = None) -> Any:
    """The name `check` settles on, from canonical inputs.

    An explicit `name` is used as it is; otherwise the old name is kept while `name_prefix` is
    unchanged (stable across updates), and a new one is generated from `name_prefix` when there is
    no old name (a create, or a replacement, which Pulumi checks with empty olds).
    """
    explicit = news.get("name")
    if explicit is not None:
        return explicit
    prefix = news.get("name_prefix")
    old_name = olds.get("name")
    if isinstance(old_name, str) and olds.get("name_prefix") == prefix:
        return old_name
    return generate_name(prefix if isinstance(prefix, str) else "", rng)
