"""How a value appears in a message to the user, and how a secret's value is kept out of one.

`validate` shows what it got as `(got {show(value)})`; `Provider.check` passes every message through
`conceal` before the engine prints it, which relies on that form. Pure: no AWS call, no Pulumi import.
"""

from __future__ import annotations

from collections.abc import Mapping


def show(value: object) -> str:
    """`value` as the user wrote it: Pulumi sends every number as a double, so 42 arrives as 42.0."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    shown = repr(value)
    return shown if len(shown) <= 80 else f"{shown[:77]}..."


def conceal(reason: str, secrets: list[object]) -> str:
    """`reason` with the values of secret inputs replaced by "[secret]": every string of 4 or more
    characters in them wherever it appears, and any value where a message shows what it got."""
    for leaf in sorted(_leaves(secrets), key=lambda value: -len(str(value))):
        forms = {show(leaf), repr(leaf), str(leaf)}
        for form in sorted(forms, key=len, reverse=True):
            reason = reason.replace(f"(got {form})", "(got [secret])")
            if isinstance(leaf, str) and len(leaf) >= 4:
                reason = reason.replace(form, "[secret]")
    return reason


def _leaves(value: object) -> list[object]:
    if isinstance(value, Mapping):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    if isinstance(value, list | tuple):
        return [leaf for item in value for leaf in _leaves(item)]
    return [] if value is None or isinstance(value, bool) else [value]
