"""The service model's regular expressions, read as the service reads them: java.util.regex syntax
and meaning, for the `regex` module (which reads `\\p{L}`-style classes; Python's `re` does not).
Pure logic: no AWS call.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

import regex

# Java regex constructs in the model that the `regex` module does not read: a UTF-16 surrogate
# pair range (all supplementary code points).
_JAVA_ONLY = {r"\uD800\uDC00-\uDBFF\uDFFF": r"\U00010000-\U0010FFFF"}

Ranges = tuple[tuple[int, int], ...]

_DIGIT: Ranges = ((0x30, 0x39),)
_LOWER: Ranges = ((0x61, 0x7A),)
_UPPER: Ranges = ((0x41, 0x5A),)
_SPACE: Ranges = ((0x09, 0x0D), (0x20, 0x20))
_JAVA_CLASSES: Mapping[str, Ranges] = {
    "d": _DIGIT,
    "s": _SPACE,
    "w": (*_DIGIT, *_UPPER, (0x5F, 0x5F), *_LOWER),
    "p{Lower}": _LOWER,
    "p{Upper}": _UPPER,
    "p{ASCII}": ((0x00, 0x7F),),
    "p{Alpha}": (*_UPPER, *_LOWER),
    "p{Digit}": _DIGIT,
    "p{Alnum}": (*_DIGIT, *_UPPER, *_LOWER),
    "p{Punct}": ((0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)),
    "p{Graph}": ((0x21, 0x7E),),
    "p{Print}": ((0x20, 0x7E),),
    "p{Blank}": ((0x09, 0x09), (0x20, 0x20)),
    "p{Cntrl}": ((0x00, 0x1F), (0x7F, 0x7F)),
    "p{XDigit}": (*_DIGIT, (0x41, 0x46), (0x61, 0x66)),
    "p{Space}": _SPACE,
}
"""java.util.regex's predefined and POSIX classes, which it reads as US-ASCII unless a pattern asks
for Unicode (java.util.regex.Pattern, "Predefined character classes", "POSIX character classes
(US-ASCII only)"); the `regex` module reads the same names as Unicode. `\\p{L}` and the other
Unicode categories mean the same in both and are left as they are."""

_LINE_TERMINATORS: Ranges = ((0x0A, 0x0A), (0x0D, 0x0D), (0x85, 0x85), (0x2028, 0x2029))
"""What Java's `.` does not match (Pattern, "Line terminators"); Python's `.` stops at \\n only."""

_JAVA_ESCAPE = regex.compile(r"\\(?:([dswDSW])|([pP])\{(\w+)\})")


def _complement(ranges: Ranges) -> Ranges:
    found, start = [], 0
    for low, high in sorted(ranges):
        if low > start:
            found.append((start, low - 1))
        start = max(start, high + 1)
    return (*found, (start, 0x10FFFF)) if start <= 0x10FFFF else tuple(found)


def _class_body(ranges: Ranges) -> str:
    return "".join(rf"\U{low:08x}" if low == high else rf"\U{low:08x}-\U{high:08x}" for low, high in ranges)


def _java_to_python(pattern: str) -> str:
    """A model pattern (Java syntax) as the `regex` module reads it, with Java's meaning: its ASCII
    classes (`_JAVA_CLASSES`) and `.` (`_LINE_TERMINATORS`) spelled out as code point ranges, inside a
    character class as well as outside."""
    for java, python in _JAVA_ONLY.items():
        pattern = pattern.replace(java, python)
    out: list[str] = []
    depth = index = 0
    while index < len(pattern):
        char = pattern[index]
        ranges: Ranges | None = None
        step = 2 if char == "\\" else 1
        escape = _JAVA_ESCAPE.match(pattern, index) if char == "\\" else None
        if escape is not None:
            letter, p, name = escape.groups()
            ranges = _JAVA_CLASSES.get(letter.lower() if letter else f"p{{{name}}}")
            negated = bool(letter and letter.isupper()) or p == "P"
            if ranges is not None:
                ranges = _complement(ranges) if negated else ranges
                step = escape.end() - index
        elif char == "." and not depth:
            ranges = _complement(_LINE_TERMINATORS)
        elif char == "[":
            depth += 1
        elif char == "]" and depth:
            depth -= 1
        if ranges is None:
            out.append(pattern[index : index + step])
        else:
            out.append(_class_body(ranges) if depth else f"[{_class_body(ranges)}]")
        index += step
    return "".join(out)


@functools.cache
def compiled_pattern(pattern: str) -> regex.Pattern[str]:
    """A model pattern compiled for whole-string matching (botocore keeps the anchors out).

    The model's patterns use Java syntax (`\\p{L}`, `\\p{Alnum}`, ...), which the `regex` module
    supports and Python's `re` does not; `_java_to_python` gives the constructs whose meaning differs
    from Java's.
    """
    return regex.compile(_java_to_python(pattern))
